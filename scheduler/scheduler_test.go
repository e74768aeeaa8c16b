package scheduler

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

func mustModel(t testing.TB, v string) *model.Model {
	t.Helper()
	m, err := model.Lookup(v)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

var doubleCompletion = sim.Scenario{Name: "double-completion", Op: sim.Read, Blocks: 2, Faults: sim.FaultSet(sim.FaultGUP)}

// campaignTraces runs a campaign and renders the trace of every property
// found, so two campaigns can be compared byte for byte.
func campaignTraces(t *testing.T, workers int) string {
	t.Helper()
	m := mustModel(t, "before")
	sc := doubleCompletion
	cr, err := RandomCampaign(m, &sc, 7, 500, workers)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for _, id := range properties.All {
		f, ok := cr.Found[id]
		if !ok {
			continue
		}
		tr, _, err := Record(m, &sc, f.Seed, "random", f.Moves)
		if err != nil {
			t.Fatal(err)
		}
		if err := tr.Write(&b); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

// TestDeterminism: the same seed and scenario give byte-identical traces
// with any number of workers and any GOMAXPROCS.
func TestDeterminism(t *testing.T) {
	want := campaignTraces(t, 1)
	if !strings.Contains(want, "exactly-once") {
		t.Fatalf("the campaign found no double completion:\n%s", want)
	}
	old := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(old)
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, w := range []int{1, 3, 8} {
			if got := campaignTraces(t, w); got != want {
				t.Fatalf("GOMAXPROCS=%d workers=%d: traces differ from the single-worker run", procs, w)
			}
		}
	}
}

func TestSameSeedSameRun(t *testing.T) {
	m := mustModel(t, "after")
	sc := sim.Scenario{Op: sim.Write, Blocks: 3, Faults: sim.FaultSet(sim.FaultHole | sim.FaultEIO)}
	for seed := uint64(0); seed < 50; seed++ {
		a, err1 := Run(m, &sc, NewRandom(seed), Options{})
		b, err2 := Run(m, &sc, NewRandom(seed), Options{})
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if len(a.Moves) != len(b.Moves) {
			t.Fatalf("seed %d: %d vs %d moves", seed, len(a.Moves), len(b.Moves))
		}
		for i := range a.Moves {
			if a.Moves[i] != b.Moves[i] {
				t.Fatalf("seed %d: move %d differs", seed, i)
			}
		}
	}
}

// TestCommittedTraces replays every trace under testdata/traces and checks
// it reproduces step for step with the verdict in its header.
func TestCommittedTraces(t *testing.T) {
	files, _ := filepath.Glob("../testdata/traces/*/*.trace")
	if len(files) < 20 {
		t.Fatalf("only %d committed traces", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			tr := readTrace(t, f)
			res, err := Replay(tr)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Violations) == 0 {
				t.Fatal("a committed trace shows no violation")
			}
			name := strings.TrimSuffix(filepath.Base(f), ".trace")
			if strings.Contains(name, "--") {
				// Named by signature: the run shows a violation of it.
				for _, v := range res.Violations {
					if strings.HasSuffix(name, "-"+v.Signature().Slug()) {
						return
					}
				}
				t.Errorf("the trace does not show the signature its name says: %v", res.Violations)
				return
			}
			var prop properties.ID
			for _, id := range properties.All {
				if strings.HasSuffix(name, "-"+string(id)) {
					prop = id
				}
			}
			if prop == "" || !res.Has(prop) {
				t.Errorf("the trace does not show the property its name says: %v", res.Violations)
			}
		})
	}
}

func readTrace(t *testing.T, path string) *Trace {
	t.Helper()
	tr, err := ReadTraceFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestCommitMessageBugs: on before, the committed traces show the two bugs
// of the commit message.
func TestCommitMessageBugs(t *testing.T) {
	cases := []struct {
		file string
		prop properties.ID
		msg  string
	}{
		{"before-double-completion-exactly-once.trace", properties.ExactlyOnce, "completed 2 times (double completion)"},
		{"before-stale-isize-isize-visible.trace", properties.IsizeVisible, "stat shows i_size 4096 < 8192"},
	}
	for _, c := range cases {
		tr := readTrace(t, filepath.Join("../testdata/traces/commit-message", c.file))
		if tr.Version != "before" {
			t.Errorf("%s: version %s", c.file, tr.Version)
		}
		res, err := Replay(tr)
		if err != nil {
			t.Fatalf("%s: %v", c.file, err)
		}
		var got *Violation
		for i := range res.Violations {
			if res.Violations[i].Prop == c.prop {
				got = &res.Violations[i]
			}
		}
		if got == nil || !strings.Contains(got.Msg, c.msg) || got.Step != len(tr.Steps) {
			t.Errorf("%s: want %s (%q) at the last step, got %v", c.file, c.prop, c.msg, res.Violations)
		}
	}
	// The double completion: the bio path completed first with the bytes
	// read, then the AIO core with the submission error.
	tr := readTrace(t, "../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	var completers []string
	for _, st := range tr.Steps {
		if strings.Contains(st.Text, "aio_complete(") && strings.Contains(st.Changes, "aio_complete.calls") {
			completers = append(completers, st.Actor+"@"+st.Loc)
		}
	}
	if len(completers) != 2 || !strings.Contains(strings.Join(completers, " "), "fs/direct-io.c@before:267") ||
		!strings.Contains(strings.Join(completers, " "), "fs/aio.c@v2.6.20:729") {
		t.Errorf("the two aio_complete calls are %v", completers)
	}
}

func TestTraceRoundTrip(t *testing.T) {
	tr := readTrace(t, "../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	var b bytes.Buffer
	if err := tr.Write(&b); err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile("../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	if b.String() != string(orig) {
		t.Error("writing a parsed trace does not give the same bytes")
	}
}

// TestReplayV1: a trace of format v1 (no step ids) still replays, to the
// same run and verdict, and UpdateTrace turns it into the v2 trace of the
// same run.
func TestReplayV1(t *testing.T) {
	old := readTrace(t, "testdata/v1/before-double-completion-exactly-once.trace")
	if old.Format != 1 {
		t.Fatalf("format %d, want 1", old.Format)
	}
	res, drift, err := ReplayWith(old, ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) != 0 {
		t.Errorf("drift replaying an unedited v1 trace: %v", drift)
	}
	var got bytes.Buffer
	if err := UpdateTrace(old, res).Write(&got); err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile("../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	if got.String() != string(want) {
		t.Error("the updated v1 trace is not the committed v2 trace of the same run")
	}
}

// TestReplayRejects: edited, truncated and foreign traces are errors that
// say where they diverge, never wrong verdicts.
func TestReplayRejects(t *testing.T) {
	orig, err := os.ReadFile("../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	if err != nil {
		t.Fatal(err)
	}
	text := string(orig)
	lines := strings.Split(text, "\n")
	stepLine := func(n string) int {
		for i, l := range lines {
			if strings.HasPrefix(l, n+" | ") {
				return i
			}
		}
		t.Fatalf("no step %s", n)
		return -1
	}
	edit := func(f func([]string) []string) string {
		c := append([]string(nil), lines...)
		return strings.Join(f(c), "\n")
	}
	cases := []struct {
		name, text, parseErr, replayErr string
		drift                           string // non-strict: no error, this drift; strict: replayErr
	}{
		{"foreign file", "hello\n", "not a dio-sim trace", "", ""},
		{"truncated", text[:len(text)/2], "truncated trace", "", ""},
		{"no end", strings.TrimSuffix(text, "end\n"), "truncated trace", "", ""},
		{"other version", strings.Replace(text, "version: before", "version: after", 1), "", "diverges", ""},
		{"unknown version", strings.Replace(text, "version: before", "version: 2.6.19", 1), "unknown version", "", ""},
		{"edited location", edit(func(c []string) []string {
			i := stepLine("12")
			c[i] = strings.Replace(c[i], "@before:", "@before:9", 1)
			return c
		}), "", "step 12", "step 12 (get_more_blocks:get-block): the location"},
		{"edited statement", edit(func(c []string) []string {
			i := stepLine("12")
			c[i] = strings.Replace(c[i], "ret = dio->page_errors", "ret = dio->page_errs", 1)
			return c
		}), "", "step 12", "step 12 (get_more_blocks:get-block): the statement"},
		{"edited step id", edit(func(c []string) []string {
			i := stepLine("12")
			c[i] = strings.Replace(c[i], "get_more_blocks:get-block", "get_more_blocks:other", 1)
			return c
		}), "", "the trace says get_more_blocks:other", ""},
		{"edited change", edit(func(c []string) []string {
			for i, l := range c {
				if strings.Contains(l, "dio.refcount: 1->2") {
					c[i] = strings.Replace(l, "dio.refcount: 1->2", "dio.refcount: 1->3", 1)
					return c
				}
			}
			t.Fatal("no refcount change in the trace")
			return c
		}), "", "state change", ""},
		{"renamed field", edit(func(c []string) []string {
			for i, l := range c {
				if strings.Contains(l, "dio.refcount: 1->2") {
					c[i] = strings.Replace(l, "dio.refcount: 1->2", "dio.count: 1->2", 1)
					return c
				}
			}
			t.Fatal("no refcount change in the trace")
			return c
		}), "", "state change", "the state change is now"},
		{"dropped step", edit(func(c []string) []string {
			i := stepLine("5")
			return append(c[:i], c[i+1:]...)
		}), "step number", "", ""},
		{"edited verdict", strings.Replace(text, "completed 2 times", "completed 3 times", 1), "", "verdict", ""},
		{"wrong outcome", edit(func(c []string) []string {
			for i, l := range c {
				f := strings.Split(l, " | ")
				if len(f) == 8 && strings.HasPrefix(f[2], "gup:") {
					f[2] = "gup:-EFAULT@block0"
					if f[2] == strings.Split(l, " | ")[2] {
						f[2] = "ok"
					}
					c[i] = strings.Join(f, " | ")
					return c
				}
			}
			t.Fatal("no get_user_pages fault in the trace")
			return c
		}), "", "step", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr, err := ParseTrace(strings.NewReader(c.text))
			if c.parseErr != "" {
				if err == nil || !strings.Contains(err.Error(), c.parseErr) {
					t.Fatalf("parse error %v, want %q", err, c.parseErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			_, _, err = ReplayWith(tr, ReplayOptions{Strict: true})
			var de *DivergenceError
			if !errors.As(err, &de) || !strings.Contains(err.Error(), c.replayErr) {
				t.Fatalf("strict replay error %v, want a divergence mentioning %q", err, c.replayErr)
			}
			_, drift, err := ReplayWith(tr, ReplayOptions{})
			if c.drift == "" {
				if !errors.As(err, &de) || !strings.Contains(err.Error(), c.replayErr) {
					t.Fatalf("replay error %v, want a divergence mentioning %q", err, c.replayErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("replay of a drifted trace: %v", err)
			}
			if len(drift) != 1 || !strings.Contains(drift[0].String(), c.drift) {
				t.Fatalf("drift %v, want one mentioning %q", drift, c.drift)
			}
		})
	}
}

// TestEveryVersionRunsTheDefaultSet: every scenario file scenario runs to
// its end on every version, with no step-limit hit.
func TestEveryVersionEndsRuns(t *testing.T) {
	scs := []sim.Scenario{
		{Op: sim.Read, Blocks: 8, Faults: sim.FaultSet(sim.FaultGUP | sim.FaultEIO | sim.FaultGetBlock | sim.FaultHole)},
		{Op: sim.Write, Blocks: 8, OSync: true, Faults: sim.FaultSet(sim.FaultHole | sim.FaultEIO | sim.FaultOSync | sim.FaultInvalidate)},
		{Op: sim.Write, Blocks: 5, Sync: true, Place: sim.Extend, FS: sim.XFS, Faults: sim.FaultSet(sim.FaultEIO)},
		{Op: sim.Read, Blocks: 5, Sync: true, Place: sim.PastEOF, FS: sim.XFS, Faults: sim.FaultSet(sim.FaultGUP)},
	}
	for _, m := range model.Versions() {
		for _, sc := range scs {
			sc := sc
			if _, err := RandomCampaign(m, &sc, 3, 300, 1); err != nil {
				t.Errorf("%s %s: %v", m.Name, sc, err)
			}
		}
	}
}
