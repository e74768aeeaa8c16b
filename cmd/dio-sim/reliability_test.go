package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCtx runs the command line with ctx (cancelled: as after Ctrl-C).
func runCtx(ctx context.Context, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = runContext(ctx, args, &o, &e)
	return code, o.String(), e.String()
}

func cancelled() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}

// TestExitRule: 1 when a violation was found, even if a bound or Ctrl-C
// stopped the search after; else 3 when a bound or Ctrl-C stopped it
// before it finished; else 0. Every bound works on every strategy that
// can honour it (--timeout on all three), and is refused by the others.
func TestExitRule(t *testing.T) {
	dc := []string{"check", "--version", "before", "--scenario", "double-completion"}
	quiet := []string{"check", "--version", "after", "--scenario", "aio-read"}
	cases := []struct {
		name    string
		ctx     context.Context
		args    []string
		code    int
		stdout  string // the output says so
		stopped string // stopped_by in --json, when it is JSON
	}{
		{"random finishes, finds", nil, append(dc, "--runs", "300"), 1, "VIOLATED", ""},
		{"random finishes, finds nothing", nil, append(quiet, "--runs", "50"), 0, "not found", ""},
		{"random timeout before any run", nil, append(quiet, "--runs", "100000000", "--timeout", "1ns"), 3, "STOPPED EARLY by the timeout bound", ""},
		{"rapid timeout before any run", nil, append(quiet, "--strategy", "rapid", "--runs", "100000000", "--timeout", "1ns"), 3, "STOPPED EARLY by the timeout bound", ""},
		{"random interrupted", cancelled(), append(dc, "--runs", "100000000"), 3, "STOPPED EARLY by Ctrl-C", ""},
		{"rapid interrupted", cancelled(), append(dc, "--strategy", "rapid", "--runs", "100000000"), 3, "STOPPED EARLY by Ctrl-C", ""},
		{"exhaustive interrupted", cancelled(), append(dc, "--strategy", "exhaustive"), 3, "INCOMPLETE, stopped by Ctrl-C", ""},
		{"exhaustive states bound, nothing found", nil, append(quiet, "--strategy", "exhaustive", "--max-states", "20"), 3, "INCOMPLETE, stopped by the states bound", ""},
		{"exhaustive states bound after a violation", nil, append(dc, "--strategy", "exhaustive", "--max-states", "3000"), 1, "VIOLATED", ""},
		{"exhaustive depth bound after a violation", nil, append(dc, "--strategy", "exhaustive", "--max-depth", "40"), 1, "INCOMPLETE, stopped by the depth bound", ""},
		{"exhaustive memory bound", nil, append(dc, "--strategy", "exhaustive", "--max-memory", "1KB"), 3, "INCOMPLETE, stopped by the memory bound", ""},
		{"random timeout, json", nil, append(quiet, "--runs", "100000000", "--timeout", "1ns", "--json"), 3, `"complete": false`, "timeout"},
		{"random max-states refused", nil, append(quiet, "--max-states", "5"), 2, "", ""},
		{"matrix interrupted", cancelled(), []string{"--strategy", "random"}, 3, "STOPPED EARLY by Ctrl-C", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := c.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			code, stdout, stderr := runCtx(ctx, append(c.args, "--trace-dir", t.TempDir())...)
			if code != c.code {
				t.Errorf("exit %d, want %d\n%s%s", code, c.code, stdout, stderr)
			}
			if !strings.Contains(stdout, c.stdout) {
				t.Errorf("the output does not say %q:\n%s", c.stdout, stdout)
			}
			if c.stopped != "" {
				var rep checkReport
				if err := json.Unmarshal([]byte(stdout), &rep); err != nil || rep.StoppedBy != c.stopped || rep.Complete {
					t.Errorf("stopped_by %q complete %v (%v), want %q", rep.StoppedBy, rep.Complete, err, c.stopped)
				}
			}
		})
	}
}

// TestExitRuleDocumented: -h of every searching command and the README
// state the rule.
func TestExitRuleDocumented(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"check", "-h"}, {"merge", "-h"}} {
		_, out, _ := runCLI(args...)
		if !strings.Contains(out, "1 a violation was found (even when a bound or Ctrl-C stopped the search later") {
			t.Errorf("%v: the exit rule is not in the usage:\n%s", args, out)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "a violation found wins") {
		t.Errorf("the README does not state the exit rule")
	}
}

// shards writes the two shard certificates of the exhaustive search of
// the commit message's scenario on before and returns their paths.
func shards(t *testing.T, dir string) []string {
	t.Helper()
	var certs []string
	for i := 0; i < 2; i++ {
		cf := filepath.Join(dir, fmt.Sprintf("shard%d.json", i))
		certs = append(certs, cf)
		code, _, stderr := runCLI("check", "--version", "before", "--scenario", "double-completion", "--strategy", "exhaustive",
			"--trace-dir", dir, "--shard", fmt.Sprintf("%d/2", i), "--certificate", cf)
		if code > 1 {
			t.Fatalf("shard %d: exit %d %s", i, code, stderr)
		}
	}
	return certs
}

// TestMergeVerifies: merge refuses forged, mismatched and damaged
// certificates with one line and exit 2 (no panic, no hang), and takes
// flags after the file names.
func TestMergeVerifies(t *testing.T) {
	dir := t.TempDir()
	certs := shards(t, dir)
	good, err := os.ReadFile(certs[0])
	if err != nil {
		t.Fatal(err)
	}
	forge := func(name string, f func(c map[string]any)) string {
		var c map[string]any
		if err := json.Unmarshal(good, &c); err != nil {
			t.Fatal(err)
		}
		f(c)
		b, _ := json.Marshal(c)
		p := filepath.Join(dir, name+".json")
		os.WriteFile(p, b, 0o644)
		return p
	}
	raw := func(name, text string) string {
		p := filepath.Join(dir, name+".json")
		os.WriteFile(p, []byte(text), 0o644)
		return p
	}
	eo := func(c map[string]any) map[string]any {
		return c["properties"].(map[string]any)["exactly-once"].(map[string]any)
	}
	cases := []struct {
		name  string
		first string
		want  string
	}{
		{"actor 99", forge("actor99", func(c map[string]any) { eo(c)["moves"].([]any)[1].(map[string]any)["actor"] = 99 }), "no actor 99"},
		{"50 million shards", forge("huge", func(c map[string]any) { c["shard"] = "0/50000000" }), "not i/n"},
		{"forged no-hang", forge("nohang", func(c map[string]any) {
			v := c["properties"].(map[string]any)["no-hang"].(map[string]any)
			v["verdict"], v["message"], v["length"] = "violated", "forged", 3
			v["moves"] = []any{map[string]any{"actor": 0, "choice": 0}, map[string]any{"actor": 0, "choice": 0}, map[string]any{"actor": 0, "choice": 0}}
		}), "replays without breaking no-hang"},
		{"violation without moves", forge("nomoves", func(c map[string]any) { delete(eo(c), "moves"); eo(c)["length"] = 0 }), "needs its moves"},
		{"trailing garbage", raw("garbage", string(good)+"}}}"), "follows the JSON"},
		{"shard 0/3xyz", forge("xyz", func(c map[string]any) { c["shard"] = "0/3xyz" }), "not i/n"},
		{"verdict maybe", forge("maybe", func(c map[string]any) { eo(c)["verdict"] = "maybe" }), "unknown verdict"},
		{"overflowing count", raw("overflow", strings.Replace(string(good), `"transitions": `, `"transitions": 1`+strings.Repeat("0", 30), 1)), "not a dio-sim certificate"},
		{"split depth", forge("split", func(c map[string]any) { c["split_depth"] = c["split_depth"].(float64) + 1 }), "another search"},
		{"a directory", dir, "is a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI("merge", "--trace-dir", filepath.Join(dir, "traces"), c.first, certs[1])
			if code != exitUsage || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 || stdout != "" {
				t.Errorf("exit %d, stderr %q (want one line saying %q), stdout %q", code, stderr, c.want, stdout)
			}
		})
	}
	t.Run("flags after the files", func(t *testing.T) {
		code, stdout, stderr := runCLI("merge", certs[0], certs[1], "--trace-dir", filepath.Join(dir, "after"), "--json")
		if code != exitViolation || !json.Valid([]byte(stdout)) {
			t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "after", "*.trace")); len(files) == 0 {
			t.Errorf("no trace written in --trace-dir given after the files")
		}
	})
	t.Run("trace dir not writable", func(t *testing.T) {
		file := raw("plain", "x")
		code, _, stderr := runCLI("merge", "--trace-dir", filepath.Join(file, "traces"), certs[0], certs[1])
		if code != exitUsage || !strings.Contains(stderr, "--trace-dir") || strings.Contains(stderr, "does not replay") {
			t.Errorf("exit %d %q", code, stderr)
		}
	})
	t.Run("-o is an input", func(t *testing.T) {
		before, _ := os.ReadFile(certs[0])
		code, _, stderr := runCLI("merge", "-o", certs[0], certs[0], certs[1])
		after, _ := os.ReadFile(certs[0])
		if code != exitUsage || !strings.Contains(stderr, "refusing to overwrite") || !bytes.Equal(before, after) {
			t.Errorf("exit %d %q", code, stderr)
		}
	})
}

// TestOutputPathsFirst: an output path that cannot be written is refused
// before the search, naming its flag.
func TestOutputPathsFirst(t *testing.T) {
	dc := []string{"check", "--version", "before", "--scenario", "double-completion", "--strategy", "exhaustive"}
	cases := []struct {
		args []string
		want string
	}{
		{append(dc, "--trace-dir", "/dev/null/x"), "--trace-dir /dev/null/x"},
		{append(dc, "--certificate", "/nonexistent/c.json", "--trace-dir", t.TempDir()), "--certificate /nonexistent/c.json"},
		{append(dc, "--certificate", t.TempDir(), "--trace-dir", t.TempDir()), "is a directory"},
		{append(dc, "--html", "/nonexistent/h.html", "--trace-dir", t.TempDir()), "--html /nonexistent/h.html"},
		{[]string{"--strategy", "random", "--runs", "5", "--trace-dir", "/dev/null/x"}, "--trace-dir /dev/null/x"},
	}
	for _, c := range cases {
		// Only the check made before the search names the flag (a
		// failure after it said "trace directory: mkdir ...").
		code, stdout, stderr := runCLI(c.args...)
		if code != exitUsage || !strings.Contains(stderr, c.want) || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
	}
}

// failWriter fails every write, like a full disk (/dev/full).
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestWriteErrors: output that cannot be written is an error (exit 2),
// not a silent success; a directory or an overlong line given as a
// trace says so.
func TestWriteErrors(t *testing.T) {
	old := playInput
	playInput = strings.NewReader("quit\n")
	defer func() { playInput = old }()
	for _, args := range [][]string{
		{"versions"}, {"scenarios"}, {"help"},
		{"replay", dcTrace},
		{"check", "--version", "before", "--scenario", "double-completion", "--runs", "50", "--trace-dir", t.TempDir()},
		{"play", "--version", "before", "--scenario", "double-completion"},
		{"explain", dcTrace},
	} {
		var e bytes.Buffer
		code := run(args, failWriter{}, &e)
		if code != exitUsage || !strings.Contains(e.String(), "writing") || !strings.Contains(e.String(), "no space left") {
			t.Errorf("%v: exit %d, stderr %q", args, code, e.String())
		}
	}
	long := writeTemp(t, "dio-sim trace v1\n"+strings.Repeat("x", 5<<20)+"\n")
	for _, c := range []struct{ path, want string }{{t.TempDir(), "is a directory"}, {long, "longer than 4 MB"}} {
		for _, cmd := range []string{"replay", "explain"} {
			code, _, stderr := runCLI(cmd, c.path)
			if code != exitUsage || !strings.Contains(stderr, c.want) {
				t.Errorf("%s %s: exit %d %q, want %q", cmd, c.path, code, stderr, c.want)
			}
		}
	}
}

// TestControlBytes: text from a trace or the command line never reaches
// the terminal with its control bytes.
func TestControlBytes(t *testing.T) {
	orig, err := os.ReadFile(dcTrace)
	if err != nil {
		t.Fatal(err)
	}
	evil := "\x1b]0;pwned\a\x1b[2J"
	text := string(orig)
	for _, edit := range []string{
		strings.Replace(text, "version: before", "version: "+evil, 1),
		strings.Replace(text, "strategy: ", "strategy: "+evil, 1),
		strings.Replace(text, "bio0", "bio0"+evil, 1),
		"dio-sim trace v1\n" + evil + "\n",
		evil,
	} {
		p := writeTemp(t, edit)
		for _, args := range [][]string{{"replay", p}, {"explain", p}, {"replay", p + evil}, {"check", "--version", evil}, {"merge", p}} {
			_, stdout, stderr := runCLI(args...)
			if strings.ContainsAny(stdout+stderr, "\x1b\a") {
				t.Errorf("%q: control bytes in the output: %q %q", args, stdout, stderr)
			}
		}
	}
	if got := sanitize("a\x1bb\u009bc\xffd é"); got != `a\x1bb\u009bc\xffd é` {
		t.Errorf("sanitize: %q", got)
	}
}

// TestNoOverwrite: an input is never overwritten, a shorter trace already
// in the trace directory is kept, and a replaced file is named.
func TestNoOverwrite(t *testing.T) {
	dir := t.TempDir()
	tr := filepath.Join(dir, "mine.trace")
	orig, _ := os.ReadFile(dcTrace)
	os.WriteFile(tr, orig, 0o644)
	code, _, stderr := runCLI("explain", "-o", tr, tr)
	if got, _ := os.ReadFile(tr); code != exitUsage || !bytes.Equal(got, orig) || !strings.Contains(stderr, "refusing to overwrite") {
		t.Errorf("explain -o its input: exit %d %q", code, stderr)
	}
	code, _, stderr = runCLI("replay", "--html", tr, tr)
	if got, _ := os.ReadFile(tr); code != exitUsage || !bytes.Equal(got, orig) {
		t.Errorf("replay --html its input: exit %d %q", code, stderr)
	}

	// The exhaustive search's shortest traces survive a random run.
	traces := filepath.Join(dir, "traces")
	dc := []string{"check", "--version", "before", "--scenario", "double-completion", "--trace-dir", traces}
	if code, _, stderr := runCLI(append(dc, "--strategy", "exhaustive", "--no-por")...); code != exitViolation {
		t.Fatalf("exhaustive: exit %d %s", code, stderr)
	}
	shortest := map[string]string{}
	files, _ := filepath.Glob(filepath.Join(traces, "*.trace"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		shortest[f] = string(b)
	}
	code, stdout, stderr := runCLI(append(dc, "--runs", "20")...)
	if code != exitViolation {
		t.Fatalf("random: exit %d %s", code, stderr)
	}
	for f, want := range shortest {
		if b, _ := os.ReadFile(f); string(b) != want {
			t.Errorf("the random run replaced the shortest trace %s", f)
		}
	}
	if !strings.Contains(stderr, "kept ") {
		t.Errorf("stderr does not say which traces were kept: %q", stderr)
	}
	if !strings.Contains(stdout, "VIOLATED") {
		t.Errorf("stdout: %s", stdout)
	}

	// play's trace command replacing a file says so.
	pf := filepath.Join(dir, "game.trace")
	os.WriteFile(pf, []byte("old"), 0o644)
	if _, out, _ := playCLI(t, "trace "+pf+"\nquit\n", "--version", "before", "--scenario", "double-completion"); !strings.Contains(out, "replacing "+pf) {
		t.Errorf("play's trace replaced a file silently:\n%s", out)
	}

	// --certificate replacing a file says so.
	cf := filepath.Join(dir, "c.json")
	os.WriteFile(cf, []byte("old"), 0o644)
	_, _, stderr = runCLI("check", "--version", "after", "--scenario", "aio-read", "--strategy", "exhaustive", "--certificate", cf, "--trace-dir", traces)
	if !strings.Contains(stderr, "replacing "+cf) {
		t.Errorf("--certificate replaced a file silently: %q", stderr)
	}
}

// TestMemoryBound: the default bound comes from the machine's memory; a
// search that reaches the bound says so in one line; a search writes
// progress lines when stderr is not a terminal.
func TestMemoryBound(t *testing.T) {
	def := defaultMaxMemory()
	if def < 64<<20 {
		t.Errorf("default memory bound %d bytes", def)
	}
	if b, err := memoryBound(""); err != nil || b != def {
		t.Errorf("memoryBound(\"\") = %d, %v", b, err)
	}
	if b, err := memoryBound("off"); err != nil || b != 0 {
		t.Errorf("memoryBound(off) = %d, %v", b, err)
	}
	code, _, stderr := runCLI("check", "--version", "before", "--scenario", "double-completion", "--strategy", "exhaustive", "--max-memory", "1KB", "--trace-dir", t.TempDir())
	if code != exitLimit || strings.Count(stderr, "memory bound") != 1 {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}

	oldQuiet, oldDur := quietProgressEvery, progressEvery
	quietProgressEvery, progressEvery = 0, 5*time.Millisecond
	defer func() { quietProgressEvery, progressEvery = oldQuiet, oldDur }()
	// A search of a few hundred milliseconds, so the progress ticker runs
	// while it does even with GOMAXPROCS=1 (4 blocks, 30 ms, did not).
	code, _, stderr = runCLI("check", "--version", "before", "--op", "read", "--blocks", "8", "--faults", "gup,eio", "--strategy", "exhaustive", "--trace-dir", t.TempDir())
	if code != exitViolation || !strings.Contains(stderr, "dio-sim: before custom-read-async-8blocks-inside-generic-gup+eio: exhaustive, ") || strings.Contains(stderr, "\r") {
		t.Errorf("no progress lines: exit %d, stderr %q", code, stderr)
	}
}

// TestSmallOnes: the small usability fixes of issue 14, item 12.
func TestSmallOnes(t *testing.T) {
	code, _, stderr := runCLI("--version", "before")
	if code != exitUsage || strings.Contains(stderr, "dio-sim: dio-sim:") || !strings.Contains(stderr, "dio-sim check --version") {
		t.Errorf("dio-sim --version: exit %d %q", code, stderr)
	}
	for _, args := range [][]string{{"-h"}, {"check", "-h"}} {
		_, out, _ := runCLI(args...)
		if strings.Contains(out, "-shard dio-sim merge") || strings.Contains(out, "-scenario dio-sim scenarios") || !strings.Contains(out, "rapid") {
			t.Errorf("%v: usage:\n%s", args, out)
		}
		if strings.Contains(out, "instead of the flags below") {
			t.Errorf("%v: \"the flags below\" in a sorted list", args)
		}
	}
	if code, _, _ := runCLI("help", "x"); code != exitUsage {
		t.Errorf("help x: exit %d", code)
	}
	if code, out, _ := runCLI("help", "check"); code != 0 || !strings.Contains(out, "dio-sim check --version V") {
		t.Errorf("help check: exit %d", code)
	}
	if code, _, stderr := runCLI("check", "--version", "after", "--scenario", ""); code != exitUsage || !strings.Contains(stderr, "--scenario needs a name") {
		t.Errorf("--scenario \"\": exit %d %q", code, stderr)
	}
	if code, _, _ := runCLI("bench", "--max-n", "3"); code != exitUsage {
		t.Errorf("bench --max-n 3: exit %d", code)
	}
	_, _, stderr = runCLI("--runs", "5", "extra")
	for _, c := range []string{"explain", "play"} {
		if !strings.Contains(stderr, c) {
			t.Errorf("the unexpected-argument message omits %s: %q", c, stderr)
		}
	}
	if plural(1, "property", "properties") != "1 property" || plural(3, "property", "properties") != "3 properties" {
		t.Errorf("plural")
	}
}

// TestProgressLine: on a terminal the line is redrawn whole (no stale text
// from a longer line) and cleared at the end; elsewhere full lines.
func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	p := &progressLine{w: &b, tty: true}
	p.printf("before custom: rapid, %s violated so far", plural(1, "property", "properties"))
	p.done()
	if got := b.String(); got != "\r\033[Kbefore custom: rapid, 1 property violated so far\r\033[K" {
		t.Errorf("terminal: %q", got)
	}
	b.Reset()
	p = &progressLine{w: &b}
	p.printf("x %d", 1)
	p.done()
	if got := b.String(); got != "dio-sim: x 1\n" {
		t.Errorf("not a terminal: %q", got)
	}
}
