package main

import (
	"fmt"
	"io"
	"sort"

	"diosim/model"
	"diosim/scheduler"
)

// printCoverage says which steps of m's programs the searches ran (by
// step id: a step of an inlined function counts as run when any of its
// occurrences ran), and lists those never run, with their citations.
func printCoverage(w io.Writer, m *model.Model, cov scheduler.Coverage) {
	ran := map[string]bool{}
	for e := range cov {
		ran[e.Prog.Steps[e.PC].ID] = true
	}
	seen := map[string]bool{}
	var never []model.Step
	total := 0
	for _, p := range m.Programs() {
		for _, st := range p.Steps {
			if seen[st.ID] {
				continue
			}
			seen[st.ID] = true
			total++
			if !ran[st.ID] {
				never = append(never, st)
			}
		}
	}
	fmt.Fprintf(w, "coverage of %s: %d of %d steps run (%d edges: a step and where its actor went next)\n", m.Name, total-len(never), total, len(cov))
	for _, st := range never {
		fmt.Fprintf(w, "  never run: %-48s %s\n", st.ID, st.Loc)
	}
}

// vacuity accumulates the sometimes situations of several searches.
type vacuity map[string]map[string]bool // property -> situation -> reached

func (v vacuity) add(c *scheduler.Certificate) {
	for p, sits := range c.Sometimes {
		if v[p] == nil {
			v[p] = map[string]bool{}
		}
		for _, s := range sits {
			v[p][s.Name] = v[p][s.Name] || s.Reached
		}
	}
}

// unreached lists the situations of property p never reached, in a
// stable order.
func (v vacuity) unreached(p string) []string {
	var out []string
	for name, ok := range v[p] {
		if !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}
