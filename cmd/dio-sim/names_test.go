package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNames checks the names a person reads: two ad-hoc scenarios never
// share a trace name, the JSON's top-level and per-violation scenarios
// agree, the certificate lists its properties with lower-case keys, and
// '<' is not escaped.
func TestNames(t *testing.T) {
	dir := t.TempDir()
	reports := map[string]checkReport{}
	for _, extra := range [][]string{{"--blocks", "1"}, {"--blocks", "2"}} {
		args := append([]string{"check", "--version", "before", "--op", "read", "--faults", "gup", "--strategy", "exhaustive", "--trace-dir", dir, "--json"}, extra...)
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitViolation {
			t.Fatalf("%v: exit %d: %s", extra, code, errb.String())
		}
		raw := out.String()
		if strings.Contains(raw, `\u003c`) || strings.Contains(raw, `\u003e`) {
			t.Errorf("%v: the JSON escapes < or >", extra)
		}
		if strings.Contains(raw, `"Actor"`) || strings.Contains(raw, `"Choice"`) {
			t.Errorf("%v: the JSON has capitalised keys", extra)
		}
		var rep checkReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		reports[extra[1]] = rep
		for id, p := range rep.Properties {
			if p.Verdict == "violated" && p.Scenario != rep.Scenario {
				t.Errorf("%v: %s's scenario %q, the report's %q", extra, id, p.Scenario, rep.Scenario)
			}
		}
		if len(rep.Certificate.Properties) == 0 {
			t.Errorf("%v: the certificate lists no properties", extra)
		}
		for _, b := range rep.Bugs {
			if !strings.HasPrefix(filepath.Base(b.Trace), "before-"+rep.Scenario+"-") {
				t.Errorf("%v: trace %s is not named by the scenario %s", extra, b.Trace, rep.Scenario)
			}
		}
	}
	if a, b := reports["1"].Scenario, reports["2"].Scenario; a == b || !strings.Contains(a, "1blocks") || !strings.HasPrefix(a, "custom-") {
		t.Errorf("ad-hoc scenario names %q and %q", a, b)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.trace"))
	if want := len(reports["1"].Bugs) + len(reports["2"].Bugs); len(files) != want {
		t.Errorf("%d trace files for %d bugs: a name was reused", len(files), want)
	}
	// A signature's trace is named once per search: no two bugs share a file.
	for _, rep := range reports {
		seen := map[string]bool{}
		for _, b := range rep.Bugs {
			if seen[b.Trace] {
				t.Errorf("two bugs share %s", b.Trace)
			}
			seen[b.Trace] = true
			if _, err := os.Stat(b.Trace); err != nil {
				t.Error(err)
			}
		}
	}
}
