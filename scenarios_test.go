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
	}
	for _, c := range cases {
		if _, err := ParseScenarios(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.in, err, c.want)
		}
	}
}
