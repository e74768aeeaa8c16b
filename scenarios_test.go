package diosim

import (
	"strings"
	"testing"
)

func TestNamedScenarios(t *testing.T) {
	all := Scenarios()
	if len(all) < 10 || len(DefaultSet()) < 10 {
		t.Fatalf("%d scenarios, %d in the default set", len(all), len(DefaultSet()))
	}
	for _, n := range all {
		if n.Doc == "" || n.Validate() != nil {
			t.Errorf("%s: doc %q, validate %v", n.Name, n.Doc, n.Validate())
		}
	}
	for _, name := range []string{"double-completion", "stale-isize"} {
		n, err := Lookup(name)
		if err != nil || !n.Default {
			t.Errorf("%s: %v, default %v", name, err, n.Default)
		}
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup(nope) succeeded")
	}
}

func TestParseScenariosErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"doc: x\n", "before the first"},
		{"[a]\nscenario: op=read\n", "missing"},
		{"[a]\nscenario: op=read mode=sync blocks=1 place=inside osync=false fs=generic faults=none\n[a]\n", "repeated"},
		{"[a]\ncolour: red\n", "unknown key"},
		{"[a]\ndoc: x\n", "no scenario"},
		{"[a]\nscenario: op=read mode=sync blocks=1 place=inside osync=false fs=generic faults=none\ncheck: exactly-twice\n", "unknown property"},
		{"[a]\nscenario: op=read mode=sync blocks=1 place=inside osync=false fs=generic faults=none\nmodels: a test\n", "go together"},
		{"[a]\nset: default\n", "not \"default\""},
	}
	for _, c := range cases {
		if _, err := ParseScenarios(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
}

// TestXfstestsSet: every scenario of the xfstests set says which program it
// models, what that program checks and which properties express it, is
// not in the default set, and is listed by InSet; Sets names both sets.
func TestXfstestsSet(t *testing.T) {
	set := InSet("xfstests")
	if len(set) == 0 {
		t.Fatal("no xfstests scenarios")
	}
	for _, n := range set {
		if !strings.HasPrefix(n.Name, "xfstests-") || n.Models == "" || n.Checks == "" || len(n.Check) == 0 || n.Default || n.Validate() != nil {
			t.Errorf("%s: models %q checks %q check %v default %v validate %v", n.Name, n.Models, n.Checks, n.Check, n.Default, n.Validate())
		}
	}
	if got := strings.Join(Sets(), ","); got != "default,xfstests" {
		t.Errorf("Sets() = %s", got)
	}
	if len(InSet("default")) != len(DefaultSet()) || len(InSet("nope")) != 0 {
		t.Error("InSet: default is the default set, an unknown set is empty")
	}
	ns, err := ParseScenarios("[x]\nscenario: op=read mode=sync blocks=1 place=inside osync=false fs=generic faults=none\nset: mine\nmodels: m\nchecks: c\ncheck: exactly-once, result-value\n")
	if err != nil || len(ns) != 1 || ns[0].Set != "mine" || len(ns[0].Check) != 2 || ns[0].Check[1] != "result-value" {
		t.Errorf("parse: %v %+v", err, ns)
	}
}
