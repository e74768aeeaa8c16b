package main

import (
	"bytes"
	"diosim/properties"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func runCLI(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return code, o.String(), e.String()
}

const dcTrace = "../../testdata/traces/commit-message/before-double-completion-exactly-once.trace"

func writeTemp(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "x.trace")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestBadInput: every bad input exits 2 with one line that says what is wrong.
func TestBadInput(t *testing.T) {
	orig, err := os.ReadFile(dcTrace)
	if err != nil {
		t.Fatal(err)
	}
	text := string(orig)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"unknown version", []string{"check", "--version", "2.6.19"}, "unknown version \"2.6.19\""},
		{"missing version", []string{"check"}, "--version is required"},
		{"unknown scenario", []string{"check", "--version", "after", "--scenario", "nope"}, "unknown scenario \"nope\""},
		{"unknown fault", []string{"check", "--version", "after", "--faults", "gup,meteor"}, "unknown fault \"meteor\""},
		{"zero blocks", []string{"check", "--version", "after", "--blocks", "0"}, "blocks must be between 1 and 64, got 0"},
		{"absurd blocks", []string{"check", "--version", "after", "--blocks", "1000000000"}, "blocks must be between 1 and 64, got 1000000000"},
		{"non-number blocks", []string{"check", "--version", "after", "--blocks", "many"}, "invalid value"},
		{"unknown flag", []string{"check", "--version", "after", "--colour"}, "flag provided but not defined"},
		{"bad op", []string{"check", "--version", "after", "--op", "append"}, "unknown --op"},
		{"bad fs", []string{"check", "--version", "after", "--fs", "ext9"}, "unknown --fs"},
		{"read extends", []string{"check", "--version", "after", "--extend"}, "cannot extend"},
		{"scenario and flags", []string{"check", "--version", "after", "--scenario", "aio-read", "--blocks", "3"}, "not both"},
		{"bad strategy", []string{"check", "--version", "after", "--strategy", "psychic"}, "unknown --strategy"},
		{"zero iocbs", []string{"check", "--version", "after", "--iocbs", "0"}, "iocbs must be between 1 and 8, got 0"},
		{"too many iocbs", []string{"check", "--version", "after", "--iocbs", "100000"}, "iocbs must be between 1 and 8"},
		{"iocbs times blocks", []string{"check", "--version", "after", "--iocbs", "8", "--blocks", "9"}, "iocbs x blocks must be at most 64"},
		{"bad shard", []string{"check", "--version", "after", "--strategy", "exhaustive", "--shard", "3/2"}, "is not i/n"},
		{"bad memory", []string{"check", "--version", "after", "--strategy", "exhaustive", "--max-memory", "lots"}, "not a size"},
		{"shard needs exhaustive", []string{"check", "--version", "after", "--shard", "0/2"}, "need --strategy exhaustive"},
		{"merge nothing", []string{"merge"}, "give the certificate files"},
		{"merge foreign file", []string{"merge", writeTemp(t, "{\"hello\": 1}")}, "not a dio-sim certificate"},
		{"bench absurd n", []string{"bench", "--max-n", "1000000000"}, "--max-n must be a power of two"},
		{"bench n between", []string{"bench", "--max-n", "24"}, "or a multiple of 16 between 2 and 64, got 24"},
		{"bench unknown multi", []string{"bench", "--multi", "readers,bogus"}, "unknown question \"bogus\""},
		{"zero runs", []string{"check", "--version", "after", "--runs", "0"}, "--runs must be between"},
		{"replay no file", []string{"replay"}, "exactly one trace"},
		{"replay missing file", []string{"replay", "/nonexistent/x.trace"}, "no such file"},
		{"replay foreign file", []string{"replay", writeTemp(t, "<html>not a trace</html>\n")}, "not a dio-sim trace"},
		{"replay truncated", []string{"replay", writeTemp(t, text[:len(text)*2/3])}, "truncated trace"},
		{"replay edited", []string{"replay", writeTemp(t, strings.Replace(text, "refcount: 1->2", "refcount: 1->7", 1))}, "diverges from the model"},
		{"replay header of another version", []string{"replay", writeTemp(t, strings.Replace(text, "version: before", "version: v2.6.20", 1))}, "diverges from the model"},
		{"replay asked for another version", []string{"replay", "--version", "after", dcTrace}, "the trace is of version before, not after"},
		{"matrix extra argument", []string{"--runs", "5", "extra"}, "unexpected argument"},
		{"unknown set", []string{"--set", "ltp"}, "unknown set \"ltp\" (known: default, xfstests)"},
		{"bad observer", []string{"check", "--version", "after", "--observe", "sometimes"}, "unknown observer \"sometimes\""},
		{"bad observer for the table", []string{"--observe", "never"}, "unknown observer \"never\""},
		{"overwrite on a generic file", []string{"check", "--version", "after", "--op", "write", "--overwrite"}, "overwrite applies to XFS writes only"},
		{"overwrite on an XFS read", []string{"check", "--version", "after", "--scenario", "xfs-aio-read-gup", "--overwrite"}, "overwrite applies to XFS writes only"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not say %q", stderr, c.want)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "dio-sim: ") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"check", "-h"}, {"replay", "-h"}, {"versions", "-h"}, {"scenarios", "-h"}, {"help"}} {
		code, stdout, _ := runCLI(args...)
		if code != 0 || !strings.Contains(stdout, "Usage") && !strings.Contains(stdout, "Usage:") {
			t.Errorf("%v: exit %d, stdout %q", args, code, stdout)
		}
	}
}

func TestCheckDoubleCompletionJSON(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI("check", "--version", "before", "--scenario", "double-completion", "--runs", "300", "--trace-dir", dir, "--json")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a violation); stderr %s", code, stderr)
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatal(err)
	}
	eo := rep.Properties["exactly-once"]
	if eo.Verdict != "violated" || !strings.Contains(eo.Message, "double completion") || eo.Length == 0 {
		t.Fatalf("exactly-once: %+v", eo)
	}
	if _, err := os.Stat(eo.Trace); err != nil {
		t.Fatalf("trace file: %v", err)
	}
	for id, r := range rep.Properties {
		if r.Verdict == "holds" {
			t.Errorf("%s: a random search must not say holds", id)
		}
	}
	// The trace it wrote replays, with the same verdict.
	code, out, stderr := runCLI("replay", eo.Trace)
	if code != 1 || !strings.Contains(out, "every step matches the model") || !strings.Contains(out, "exactly-once violated") {
		t.Fatalf("replay: exit %d\n%s%s", code, out, stderr)
	}
}

func TestCheckNothingFound(t *testing.T) {
	code, stdout, stderr := runCLI("check", "--version", "after", "--scenario", "aio-read", "--runs", "200", "--trace-dir", t.TempDir())
	if code != 0 || strings.Contains(stdout, "VIOLATED") || strings.Count(stdout, "not found\n") != len(properties.All) {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestReplayCommitted(t *testing.T) {
	code, stdout, _ := runCLI("replay", dcTrace)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"fs/direct-io.c@before:267", "fs/aio.c@v2.6.20:729", "!! exactly-once violated", "verdict: exactly-once violated at step"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("replay output lacks %q", want)
		}
	}
}

func TestListings(t *testing.T) {
	code, out, _ := runCLI("versions")
	for _, want := range []string{"v2.6.18  Linux 2.6.18", "the root", "before   parent", "= v2.6.18 + \"dio clean-ups", "after    the seed patch", "= before + \"dio: only call aio_complete() after returning -EIOCBQUEUED\"",
		"v2.6.20  Linux 2.6.20", "= after + \"dio: lock refcount operations\"", "after+lock-end-aio"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("versions: exit %d, lacks %q:\n%s", code, want, out)
		}
	}
	code, out, _ = runCLI("scenarios")
	if code != 0 || !strings.Contains(out, "* double-completion") || !strings.Contains(out, "stale-isize") {
		t.Errorf("scenarios: %d %q", code, out)
	}
}

func TestMatrixRandom(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI("--strategy", "random", "--runs", "200", "--trace-dir", dir)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"property", "v2.6.18", "before", "after", "v2.6.20", "exactly-once", "result-value", "VIOLATED", "dio-sim replay"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.trace"))
	if len(files) == 0 {
		t.Error("no trace files written")
	}
}

// TestMatrixExhaustive: the main command proves what holds and finds the
// commit message's bugs on before.
func TestMatrixExhaustive(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI("--trace-dir", dir, "--json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep matrixReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Complete {
		t.Fatal("the default exhaustive run is incomplete")
	}
	cases := []struct{ ver, prop, want string }{
		{"before", "exactly-once", "violated"},
		{"before", "isize-visible", "violated"},
		{"v2.6.18", "isize-visible", "violated"},
		{"after", "isize-visible", "holds"},
		{"v2.6.20", "isize-visible", "holds"},
		{"v2.6.20", "no-hang", "holds"},
		{"after", "no-hang", "violated"},
		{"v2.6.18", "no-hang", "holds"},
	}
	for _, c := range cases {
		if got := rep.Versions[c.ver][c.prop].Verdict; got != c.want {
			t.Errorf("%s %s: %s, want %s", c.ver, c.prop, got, c.want)
		}
	}
}

func TestCheckExhaustive(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI("check", "--version", "after", "--scenario", "aio-read", "--strategy", "exhaustive", "--trace-dir", dir)
	// An async read: no-hang and isize-visible hold vacuously (the submitter
	// never waits, nothing writes); the others hold.
	if code != 0 || strings.Count(out, " holds") != len(properties.All)-2 || strings.Count(out, " vacuous (") != 2 ||
		!strings.Contains(out, "isize-visible      vacuous") || !strings.Contains(out, "exhaustive search complete") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = runCLI("check", "--version", "after", "--scenario", "aio-read", "--strategy", "exhaustive", "--max-states", "20", "--trace-dir", dir)
	if code != 3 || !strings.Contains(out, "INCOMPLETE, stopped by the states bound") || strings.Contains(out, "holds") {
		t.Fatalf("bounded search: exit %d\n%s", code, out)
	}
}

// TestShardsAndMerge: two shards merged by the CLI give the verdicts of one
// search, and the merged counterexample replays.
func TestShardsAndMerge(t *testing.T) {
	dir := t.TempDir()
	args := []string{"check", "--version", "before", "--scenario", "double-completion", "--strategy", "exhaustive", "--trace-dir", dir}
	code, whole, _ := runCLI(args...)
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	var certs []string
	for i := 0; i < 2; i++ {
		cf := filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		certs = append(certs, cf)
		if code, _, stderr := runCLI(append(args, "--shard", fmt.Sprintf("%d/2", i), "--certificate", cf)...); code != 1 && code != 0 {
			t.Fatalf("shard %d: exit %d %s", i, code, stderr)
		}
	}
	code, merged, stderr := runCLI(append([]string{"merge", "--trace-dir", dir}, certs...)...)
	if code != 1 {
		t.Fatalf("merge: exit %d %s", code, stderr)
	}
	verdicts := func(out string) []string {
		var v []string
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, "  ") && !strings.Contains(l, "trace:") {
				v = append(v, strings.TrimSpace(l))
			}
		}
		return v
	}
	if a, b := strings.Join(verdicts(whole), "\n"), strings.Join(verdicts(merged), "\n"); a != b {
		t.Fatalf("merged verdicts differ:\n%s\n---\n%s", a, b)
	}
	if code, _, _ := runCLI("merge", certs[0]); code != 2 {
		t.Errorf("merging one shard of two: exit %d", code)
	}
}

func TestBench(t *testing.T) {
	code, out, stderr := runCLI("bench", "--max-n", "4", "--repeat", "1")
	if code != 0 || !strings.Contains(out, "transitions/s") || !strings.Contains(out, "steps/s") || !strings.Contains(out, "2 workers") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
}

// TestReplaySource: --source shows the lines a step cites, from a tree laid
// out as DIR/<version>/<path> (here a made-up file, not kernel source).
func TestReplaySource(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "v2.6.20", "fs"), 0o755); err != nil {
		t.Fatal(err)
	}
	var lines []string
	for i := 1; i <= 2000; i++ {
		lines = append(lines, fmt.Sprintf("made-up line %d", i))
	}
	if err := os.WriteFile(filepath.Join(dir, "v2.6.20", "fs", "aio.c"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := runCLI("replay", "--source", dir, dcTrace)
	if code != 1 || !strings.Contains(out, "made-up line 1554") || !strings.Contains(out, "no file for fs/direct-io.c@before") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := runCLI("replay", "--source", "/nonexistent/dir", dcTrace); code != 2 || !strings.Contains(stderr, "source") {
		t.Errorf("missing --source dir: exit %d %q", code, stderr)
	}
}

// TestRapidAndHTML: --strategy rapid finds and shrinks the stale i_size on
// before, reports it as linearizable too, and --html draws the history.
func TestRapidAndHTML(t *testing.T) {
	dir := t.TempDir()
	html := filepath.Join(dir, "h.html")
	code, out, stderr := runCLI("check", "--version", "before", "--scenario", "stale-isize", "--strategy", "rapid", "--runs", "200", "--trace-dir", dir, "--html", html, "--json")
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep checkReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"isize-visible", "linearizable"} {
		if r := rep.Properties[id]; r.Verdict != "violated" || r.Length > 60 {
			t.Errorf("%s: %+v", id, r)
		}
	}
	b, err := os.ReadFile(html)
	if err != nil || !strings.Contains(string(b), "aio_complete") || !strings.Contains(string(b), "<html") {
		t.Fatalf("html: %v (%d bytes)", err, len(b))
	}
	// replay --html draws the same kind of page from a trace.
	html2 := filepath.Join(dir, "r.html")
	if code, _, stderr := runCLI("replay", "--brief", "--html", html2, rep.Properties["linearizable"].Trace); code != 1 {
		t.Fatalf("replay: exit %d %s", code, stderr)
	}
	if b, err := os.ReadFile(html2); err != nil || !strings.Contains(string(b), "aio_complete") {
		t.Fatalf("replay html: %v", err)
	}
}
