// Package diosim holds the named scenarios of dio-sim, read from
// testdata/scenarios/scenarios.txt (embedded in the binary). The code is in
// model/ (the kernel versions), sim/ (the world), scheduler/ (choosers,
// runs, traces), properties/ (the invariants) and cmd/dio-sim (the CLI).
package diosim

import (
	_ "embed"
	"fmt"
	"strings"

	"diosim/properties"
	"diosim/sim"
)

//go:embed testdata/scenarios/scenarios.txt
var scenarioFile string

// Named is a named scenario.
type Named struct {
	sim.Scenario
	Default bool // part of the default set
	// Set names another set the scenario belongs to ("xfstests"), run by
	// dio-sim --set NAME.
	Set string
	// Models names the program the scenario models (an xfstests test and
	// its program), Checks says in words what that program checks, and
	// Check is that pass/fail condition as properties: the scenario
	// passes when none of them is violated.
	Models string
	Checks string
	Check  []properties.ID
}

// InSet returns the scenarios of set name in file order: the default set
// for "default", else those whose set: line names it.
func InSet(name string) []Named {
	if name == "default" {
		return DefaultSet()
	}
	var out []Named
	for _, n := range named {
		if n.Set == name {
			out = append(out, n)
		}
	}
	return out
}

// Sets lists the set names: "default", then the others in file order.
func Sets() []string {
	out := []string{"default"}
	seen := map[string]bool{"default": true}
	for _, n := range named {
		if n.Set != "" && !seen[n.Set] {
			seen[n.Set] = true
			out = append(out, n.Set)
		}
	}
	return out
}

var named = mustParse(scenarioFile)

// Scenarios returns the named scenarios in file order.
func Scenarios() []Named { return append([]Named(nil), named...) }

// DefaultSet returns the scenarios of the default set.
func DefaultSet() []Named {
	var out []Named
	for _, n := range named {
		if n.Default {
			out = append(out, n)
		}
	}
	return out
}

// Lookup returns the named scenario name.
func Lookup(name string) (Named, error) {
	var names []string
	for _, n := range named {
		if n.Name == name {
			return n, nil
		}
		names = append(names, n.Name)
	}
	return Named{}, fmt.Errorf("unknown scenario %q (known: %s)", name, strings.Join(names, ", "))
}

func mustParse(text string) []Named {
	out, err := ParseScenarios(text)
	if err != nil {
		panic("testdata/scenarios/scenarios.txt: " + err.Error())
	}
	return out
}

// ParseScenarios parses the scenario file format described at the top of
// testdata/scenarios/scenarios.txt.
func ParseScenarios(text string) ([]Named, error) {
	var out []Named
	var cur *Named
	seen := map[string]bool{}
	finish := func() error {
		if cur == nil {
			return nil
		}
		if cur.Blocks == 0 {
			return fmt.Errorf("scenario %q has no scenario: line", cur.Name)
		}
		if (cur.Models != "" || cur.Checks != "" || len(cur.Check) > 0) && (cur.Models == "" || cur.Checks == "" || len(cur.Check) == 0) {
			return fmt.Errorf("scenario %q: models:, checks: and check: go together", cur.Name)
		}
		out = append(out, *cur)
		return nil
	}
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			if err := finish(); err != nil {
				return nil, err
			}
			name := line[1 : len(line)-1]
			if seen[name] || name == "" {
				return nil, fmt.Errorf("line %d: scenario name %q empty or repeated", i+1, name)
			}
			seen[name] = true
			cur = &Named{}
			cur.Name = name
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: text before the first [name]", i+1)
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, fmt.Errorf("line %d: %q is not \"key: value\"", i+1, line)
		}
		switch k {
		case "doc":
			cur.Doc = v
		case "scenario":
			sc, err := sim.ParseScenario("name=" + cur.Name + " " + v)
			if err != nil {
				return nil, fmt.Errorf("line %d: %v", i+1, err)
			}
			sc.Doc = cur.Doc
			cur.Scenario = sc
		case "default":
			cur.Default = v == "yes"
		case "set":
			if v == "default" || strings.ContainsAny(v, " ,") {
				return nil, fmt.Errorf("line %d: set name %q: one word, not \"default\"", i+1, v)
			}
			cur.Set = v
		case "models":
			cur.Models = v
		case "checks":
			cur.Checks = v
		case "check":
			for _, f := range strings.Split(v, ",") {
				id, err := properties.Lookup(strings.TrimSpace(f))
				if err != nil {
					return nil, fmt.Errorf("line %d: %v", i+1, err)
				}
				cur.Check = append(cur.Check, id)
			}
		default:
			return nil, fmt.Errorf("line %d: unknown key %q", i+1, k)
		}
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return out, nil
}
