package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"diosim/lint"
	"diosim/model"
)

// kernelTrees returns the directory of kernel trees the lint tests read:
// $DIOSIM_KERNEL_TREES, else /work/trees; it skips the test when there is
// none.
func kernelTrees(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("DIOSIM_KERNEL_TREES")
	if dir == "" {
		dir = "/work/trees"
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Skipf("no kernel trees at %s: set DIOSIM_KERNEL_TREES to a directory laid out by scripts/kernel-trees.sh (docs/kernel-trees.md)", dir)
	}
	return dir
}

const lintBaseline = "testdata/lint-baseline.txt"

// baselineKey identifies one accepted problem: version, kind and the
// step's text (the text, not the location, so that a fixed range still
// matches).
type baselineKey struct{ version, kind, text string }

// readLintBaseline reads the accepted problems: for each, the names that
// may be missing (kind "names") or the message (other kinds).
func readLintBaseline(t *testing.T) map[baselineKey]string {
	t.Helper()
	fh, err := os.Open(lintBaseline)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	out := map[baselineKey]string{}
	sc := bufio.NewScanner(fh)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.SplitN(line, "\t", 4)
		if len(f) != 4 {
			t.Fatalf("%s: bad line %q", lintBaseline, line)
		}
		out[baselineKey{f[0], f[1], f[3]}] = f[2]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLintKernelTrees checks every step of every version against the real
// kernel files (lint.Check): nothing may be wrong. The baseline of known
// problems (testdata/lint-baseline.txt) is empty since issue 9, item 7
// was fixed, and must stay empty; DIOSIM_UPDATE_LINT_BASELINE=1 rewrites
// it from the current model.
func TestLintKernelTrees(t *testing.T) {
	dir := kernelTrees(t)
	entries := lintEntries(model.Versions())
	rep, err := lint.Check(os.DirFS(dir), entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range rep.Counts {
		t.Logf("%s: %d steps, %d checked, %d clean, %d with problems %v", n.Version, n.Steps, n.Steps-n.Skipped, n.Clean, n.Failing, n.ByKind)
		if n.Steps-n.Skipped == 0 {
			t.Errorf("%s: no step checked", n.Version)
		}
	}
	if len(rep.Counts) != len(model.Versions()) {
		t.Errorf("counts for %d versions, want %d", len(rep.Counts), len(model.Versions()))
	}
	if os.Getenv("DIOSIM_UPDATE_LINT_BASELINE") == "1" {
		writeLintBaseline(t, rep, entries)
		return
	}
	base := readLintBaseline(t)
	if len(base) > 0 {
		t.Errorf("%s lists %d problems: the model's citations must be clean (fix the steps, then rewrite it with DIOSIM_UPDATE_LINT_BASELINE=1)", lintBaseline, len(base))
	}
	if !rep.OK() {
		t.Errorf("dio-sim lint finds %d problems (go run ./cmd/dio-sim lint --source %s)", len(rep.Problems), dir)
	}
	seen := map[baselineKey]bool{}
	for _, p := range rep.Problems {
		e := &entries[p.Entry]
		key := baselineKey{e.Version, string(p.Kind), e.Text}
		seen[key] = true
		accepted, ok := base[key]
		if p.Kind != lint.MissingNames {
			if !ok || accepted != p.Msg {
				t.Errorf("%s %s %s: %s: %s", e.Version, e.Loc(), e.Func, p.Kind, p.Msg)
			}
			continue
		}
		allowed := map[string]bool{}
		for _, n := range strings.Split(accepted, ",") {
			allowed[n] = ok
		}
		var extra []string
		for _, n := range p.Missing {
			if !allowed[n] {
				extra = append(extra, n)
			}
		}
		if len(extra) > 0 {
			t.Errorf("%s %s %s: not in the cited lines: %s (text: %s)", e.Version, e.Loc(), e.Func, strings.Join(extra, ", "), e.Text)
		}
	}
	fixed := 0
	for k := range base {
		if !seen[k] {
			fixed++
		}
	}
	if fixed > 0 {
		t.Logf("%d baseline entries are fixed: rerun with DIOSIM_UPDATE_LINT_BASELINE=1 to drop them", fixed)
	}
}

func writeLintBaseline(t *testing.T, rep *lint.Report, entries []lint.Entry) {
	t.Helper()
	var lines []string
	for _, p := range rep.Problems {
		e := &entries[p.Entry]
		detail := p.Msg
		if p.Kind == lint.MissingNames {
			detail = strings.Join(p.Missing, ",")
		}
		lines = append(lines, fmt.Sprintf("%s\t%s\t%s\t%s", e.Version, p.Kind, detail, e.Text))
	}
	sort.Strings(lines)
	head := "# Known citation problems of the model (dio-sim lint --source; issue 9, item 7).\n" +
		"# version<TAB>kind<TAB>missing names, or the message<TAB>step text.\n" +
		"# TestLintKernelTrees accepts these and nothing more; after fixing steps, rewrite the file with\n" +
		"# DIOSIM_UPDATE_LINT_BASELINE=1 go test ./cmd/dio-sim -run TestLintKernelTrees\n"
	if err := os.WriteFile(lintBaseline, []byte(head+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s (%d entries)", lintBaseline, len(lines))
}

// TestLintEntries: one entry per distinct step, and every step of every
// program is a site of exactly one entry.
func TestLintEntries(t *testing.T) {
	vers := model.Versions()
	entries := lintEntries(vers)
	sites := 0
	type key struct {
		ver  string
		loc  string
		text string
	}
	seen := map[key]bool{}
	for _, e := range entries {
		k := key{e.Version, e.Loc(), e.Text}
		if seen[k] {
			t.Errorf("%s %s: two entries for one step", e.Version, e.Loc())
		}
		seen[k] = true
		sites += len(e.Sites)
	}
	steps := 0
	for _, m := range vers {
		for _, p := range m.Programs() {
			steps += len(p.Steps)
			for i, s := range p.Steps {
				if s.Loc.File == "" {
					continue
				}
				if !seen[key{m.Name, (&lint.Entry{File: s.Loc.File, FileVersion: s.Loc.Ver, Line: s.Loc.Line, End: s.Loc.End}).Loc(), s.Text}] {
					t.Errorf("%s %s #%d has no entry", m.Name, p.Name, i)
				}
			}
		}
	}
	if sites != steps {
		t.Errorf("entries list %d sites, the programs have %d steps", sites, steps)
	}
	if len(entries) >= steps {
		t.Errorf("%d entries for %d steps: shared steps were not merged", len(entries), steps)
	}
}

func TestLintCLI(t *testing.T) {
	empty := t.TempDir()
	bare := t.TempDir()
	for _, m := range model.Versions() {
		if err := os.Mkdir(filepath.Join(bare, m.Name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	notDir := filepath.Join(empty, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{"no source", []string{"lint"}, exitUsage, "", "--source DIR is required"},
		{"not a directory", []string{"lint", "--source", notDir}, exitUsage, "", "is not a directory"},
		{"no trees", []string{"lint", "--source", empty}, exitUsage, "", "has no kernel trees"},
		{"unknown version", []string{"lint", "--source", bare, "--version", "v9"}, exitUsage, "", "unknown version \"v9\""},
		{"extra argument", []string{"lint", "--source", bare, "x"}, exitUsage, "", "unexpected argument"},
		{"files missing", []string{"lint", "--source", bare, "--version", "after"}, exitViolation, "    no-file: fs/direct-io.c is not in after/ or after/\n", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := runCLI(c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, c.code, errOut)
			}
			if !strings.Contains(out, c.out) || !strings.Contains(errOut, c.err) {
				t.Errorf("stdout %q / stderr %q, want %q / %q", trim(out), errOut, c.out, c.err)
			}
			if c.code == exitUsage && strings.Count(errOut, "\n") != 1 {
				t.Errorf("bad input must print one line, got %q", errOut)
			}
		})
	}
}

func TestLintCLIJSON(t *testing.T) {
	bare := t.TempDir()
	if err := os.Mkdir(filepath.Join(bare, "after"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI("lint", "--source", bare, "--version", "after", "--json")
	if code != exitViolation {
		t.Fatalf("exit %d, want %d", code, exitViolation)
	}
	var rep struct {
		Counts   []lint.Count   `json:"counts"`
		Problems []lint.Problem `json:"problems"`
		Entries  []lint.Entry   `json:"entries"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Counts) != 1 || rep.Counts[0].Version != "after" || rep.Counts[0].Steps != len(rep.Entries) {
		t.Errorf("counts %+v for %d entries", rep.Counts, len(rep.Entries))
	}
	if rep.Counts[0].Failing != rep.Counts[0].Steps-rep.Counts[0].Skipped {
		t.Errorf("with no files every checked step fails: %+v", rep.Counts[0])
	}
}

func trim(s string) string {
	if len(s) > 300 {
		return s[:300] + "..."
	}
	return s
}
