package main

import (
	"encoding/json"
	"strings"
	"testing"

	"diosim"
	"diosim/scheduler"
)

// TestSetXfstests runs the xfstests set exhaustively on two versions: every
// scenario of the set gets a result per version, the search is complete,
// and every failure comes with a trace that replays to a violation of the
// property it names, which is one of the scenario's check.
func TestSetXfstests(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI("--set", "xfstests", "--versions", "before,v2.6.20", "--trace-dir", dir, "--json")
	if code != exitOK && code != exitViolation {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rep setReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	set := diosim.InSet("xfstests")
	if !rep.Complete || len(rep.Scenarios) != len(set) || len(set) == 0 {
		t.Fatalf("complete %v, %d scenarios (the set has %d)", rep.Complete, len(rep.Scenarios), len(set))
	}
	fails := 0
	for _, n := range set {
		check := map[string]bool{}
		for _, id := range n.Check {
			check[string(id)] = true
		}
		for _, v := range []string{"before", "v2.6.20"} {
			r, ok := rep.Results[n.Name][v]
			if !ok {
				t.Errorf("%s on %s: no result", n.Name, v)
				continue
			}
			if (r.Verdict == "fails") != (len(r.Failed) > 0) || r.Verdict == "not-found" {
				t.Errorf("%s on %s: verdict %q with %d failures", n.Name, v, r.Verdict, len(r.Failed))
			}
			for _, o := range r.Other {
				if check[o] {
					t.Errorf("%s on %s: %s is in the check but listed as other", n.Name, v, o)
				}
			}
			for _, f := range r.Failed {
				fails++
				prop, _, _ := strings.Cut(f.Message, ":")
				if !check[prop] {
					t.Errorf("%s on %s: failed %s, not in the check %v", n.Name, v, prop, n.Check)
				}
				tr, err := scheduler.ReadTraceFile(f.Trace)
				if err != nil {
					t.Fatal(err)
				}
				res, err := scheduler.Replay(tr)
				if err != nil {
					t.Fatalf("%s: %v", f.Trace, err)
				}
				found := false
				for _, viol := range res.Violations {
					found = found || string(viol.Prop) == prop
				}
				if !found {
					t.Errorf("%s: replaying it shows no %s violation (%v)", f.Trace, prop, res.Violations)
				}
			}
		}
	}
	if fails == 0 {
		t.Error("no scenario of the set fails on either version: the traces were not exercised")
	}
	code, text, _ := runCLI("--set", "xfstests", "--versions", "v2.6.20", "--trace-dir", dir)
	if code != exitOK && code != exitViolation || !strings.Contains(text, "each judged by its own check") || !strings.Contains(text, "xfstests-207") {
		t.Errorf("text report: exit %d\n%s", code, text)
	}
	code, text, _ = runCLI("scenarios")
	if code != 0 || !strings.Contains(text, "models: generic/207") || !strings.Contains(text, "check: result-value, isize-visible") {
		t.Errorf("scenarios does not show what the xfstests scenarios model and check:\n%s", text)
	}
}
