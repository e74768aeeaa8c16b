package properties_test

// Coverage-guided fuzzing with `go test -fuzz`, through rapid.MakeFuzz:
// the fuzzer's bytes are rapid's bitstream (little-endian 64-bit words),
// which draws the scenario (RapidScenario) and the schedule (RapidChooser),
// as in rapid_test.go. Each target runs one version to the end and fails
// on the properties the exhaustive search proves for that version on the
// default scenarios, so it looks for counterexamples beyond them:
//
//	go test ./properties -run '^$' -fuzz '^FuzzV2620$' -fuzztime 60s
//
// Every input is one bounded run (fuzzTarget: at most maxFuzzWords words
// of the input, then zero draws to the end of the run). TestMain sets
// -fuzzminimizetime to 20x unless it is given: Go's default spends a minute
// minimizing each new interesting input, which left the targets running a
// few dozen inputs a minute.
//
// There is no rapid shrinking in this mode: a failing input is saved by
// Go in testdata/fuzz/<FuzzName>/<hash> (for this package,
// properties/testdata/fuzz/<FuzzName>/) and replayed by plain `go test`.
// That directory also holds the seed corpus, run by every `go test`: an
// all-zero input (the simplest scenario, every step "the same actor goes
// on, no fault") and some committed rapid counterexamples of the version
// (testdata/rapid/TestRapidRegressions_<version>_<property>, see
// corpusProps), continued with zero draws to the end of the run.
// `DIOSIM_WRITE_FUZZ_CORPUS=1 go test -run TestWriteFuzzCorpus ./properties`
// regenerates them.

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
)

// fuzzTargets are the fuzz targets: a version and the properties its runs
// must keep.
var fuzzTargets = []struct {
	name    string
	version string
	props   []properties.ID
}{
	{"FuzzV2618", "v2.6.18", []properties.ID{properties.NoHang}},
	{"FuzzAfter", "after", []properties.ID{properties.IsizeVisible}},
	{"FuzzV2620", "v2.6.20", []properties.ID{properties.NoHang, properties.IsizeVisible}},
}

// fuzzProp runs one whole run of the version and fails if it violates one
// of props.
func fuzzProp(version string, props []properties.ID) func(*rapid.T) {
	m, err := model.Lookup(version)
	if err != nil {
		panic(err)
	}
	return func(t *rapid.T) {
		sc := drawScenario(t)
		res, err := scheduler.Run(m, &sc, &scheduler.RapidChooser{T: t}, scheduler.Options{MaxSteps: scheduler.RapidMaxSteps})
		if err != nil {
			t.Fatalf("the run failed: %v", err)
		}
		for _, v := range res.Violations {
			for _, id := range props {
				if v.Prop == id {
					sched, _ := scheduler.FormatSchedule(m, &sc, res.Moves[:v.Step])
					t.Fatalf("%s violated at step %d: %s\nversion %s, scenario %s\nschedule (step: actor outcome location):\n%s", v.Prop, v.Step, v.Msg, version, sc, sched)
				}
			}
		}
	}
}

// maxFuzzWords bounds the part of an input that drives a run (in 64-bit
// words; the rest is ignored), and fuzzPad is what follows it: zero draws,
// "the same actor goes on, no fault", which end every run. So every input
// is one bounded run to the end, never skipped for running out of bytes
// (a skipped input teaches the fuzzer nothing, and Go's minimizer, which
// removes bytes, would make almost every input run out).
const maxFuzzWords = 4096

var fuzzPad = make([]byte, 8*8192)

// fuzzTarget is the fuzz function of a target: the input, cut to
// maxFuzzWords words and padded with zero draws, as rapid's bitstream.
func fuzzTarget(version string, props []properties.ID) func(*testing.T, []byte) {
	prop := rapid.MakeFuzz(fuzzProp(version, props))
	return func(t *testing.T, in []byte) {
		in = in[:min(len(in), 8*maxFuzzWords):min(len(in), 8*maxFuzzWords)]
		if r := len(in) % 8; r != 0 {
			in = append(in, make([]byte, 8-r)...)
		}
		prop(t, append(in, fuzzPad...))
	}
}

// FuzzV2618 fuzzes v2.6.18 for hangs (no-hang).
func FuzzV2618(f *testing.F) {
	f.Fuzz(fuzzTarget(fuzzTargets[0].version, fuzzTargets[0].props))
}

// FuzzAfter fuzzes after for stale sizes (isize-visible).
func FuzzAfter(f *testing.F) {
	f.Fuzz(fuzzTarget(fuzzTargets[1].version, fuzzTargets[1].props))
}

// FuzzV2620 fuzzes v2.6.20 for hangs and stale sizes.
func FuzzV2620(f *testing.F) {
	f.Fuzz(fuzzTarget(fuzzTargets[2].version, fuzzTargets[2].props))
}

// failWords reads the bitstream of a rapid fail file.
func failWords(path string) ([]uint64, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var out []uint64
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	header := true
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if header { // version#seed
			header = false
			continue
		}
		u, err := strconv.ParseUint(strings.TrimPrefix(l, "0x"), 16, 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		out = append(out, u)
	}
	return out, sc.Err()
}

func wordBytes(words []uint64) []byte {
	b := make([]byte, 0, 8*len(words))
	for _, w := range words {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	return b
}

// corpusProps selects the counterexamples that seed the corpus (a small
// one): a double or lost completion, a dio lifetime error, a history that
// is not linearizable.
var corpusProps = []properties.ID{properties.ExactlyOnce, properties.DioLifetime, properties.Linearizable}

// TestWriteFuzzCorpus writes the seed corpus of the fuzz targets (only
// with DIOSIM_WRITE_FUZZ_CORPUS=1): each input is padded with the fewest
// zero words that let the run end (MakeFuzz skips an input that runs out).
func TestWriteFuzzCorpus(t *testing.T) {
	if os.Getenv("DIOSIM_WRITE_FUZZ_CORPUS") != "1" {
		t.Skip("set DIOSIM_WRITE_FUZZ_CORPUS=1 to rewrite testdata/fuzz")
	}
	for _, ft := range fuzzTargets {
		dir := filepath.Join("testdata", "fuzz", ft.name)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		inputs := map[string][]uint64{"zeros": nil}
		files, _ := filepath.Glob(filepath.Join("testdata", "rapid", "TestRapidRegressions_"+strings.ReplaceAll(ft.version, ".", "_")+"_*", "*.fail"))
		for _, path := range files {
			w, err := failWords(path)
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(filepath.Base(filepath.Dir(path)), "TestRapidRegressions_")
			for _, id := range corpusProps {
				if strings.HasSuffix(name, "_"+string(id)) {
					inputs[name] = w
				}
			}
		}
		prop := rapid.MakeFuzz(fuzzProp(ft.version, ft.props))
		for name, w := range inputs {
			// runs reports whether the input (padded with pad zero words)
			// lasts to the end of the run: the subtest is skipped if not.
			runs := func(pad int) bool {
				in := wordBytes(append(append([]uint64(nil), w...), make([]uint64, pad)...))
				var sub *testing.T
				t.Run("probe", func(t *testing.T) {
					sub = t
					prop(t, in) // SkipNow (Goexit) on an overrun
				})
				return !sub.Skipped()
			}
			lo, hi := 0, 4096
			if !runs(hi) {
				t.Fatalf("%s/%s: the run does not end with %d zero words", ft.name, name, hi)
			}
			for lo < hi {
				mid := (lo + hi) / 2
				if runs(mid) {
					hi = mid
				} else {
					lo = mid + 1
				}
			}
			in := wordBytes(append(append([]uint64(nil), w...), make([]uint64, hi)...))
			data := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", in)
			if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("%s/%s: %d words", ft.name, name, len(w)+hi)
		}
	}
}
