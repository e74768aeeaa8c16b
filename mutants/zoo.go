// Package mutants is dio-sim's mutation zoo: it checks the checker by
// seeding plausible kernel bugs into a version's model (a lock removed,
// two statements swapped, an operation dropped, a test inverted, an
// atomic split into a load and a store, a wake-up condition off by one,
// an error path that forgets a free) and running the default scenario set
// exhaustively on each. A mutant is killed when a verdict of the default
// set changes; a survivor is either equivalent to its parent or shows a
// scenario or property the set lacks.
//
// Mutants are versions like any other: a parent plus a patch of step
// edits, registered with model.Register when they are run. Most are
// generated from the step programs (see Generate), using the baseline's
// coverage (which steps the default set reaches, and where each went
// next) and what each step was seen to change.
package mutants

import (
	"fmt"
	"sort"
	"strings"

	"diosim/model"
	"diosim/properties"
)

// Result is the verdict on one mutant.
type Result struct {
	Mutant  *Mutant
	Killed  bool
	Changes []string // "scenario property: before -> after", sorted
	Err     error    // the mutant broke an assumption (a step panicked) or a bound stopped its search
}

// Run registers mu (once per process) and runs the baseline's scenario
// set on it exhaustively. A mutant whose search fails (a step panics, a
// bound stops it) is killed with Err set: the model checker noticed it.
func Run(mu *Mutant, base *Baseline, opt Options) Result {
	res := Result{Mutant: mu}
	m, err := model.Lookup(mu.Name)
	if err != nil {
		recordPairs(base)
		if err := model.Register(mu.Version()); err != nil {
			res.Err = err
			return res
		}
		if m, err = model.Lookup(mu.Name); err != nil {
			res.Err = err
			return res
		}
	}
	got, _, err := verdicts(m, base.Set, opt, false)
	if err != nil {
		res.Err = err
		res.Killed = true
		return res
	}
	for _, n := range base.Set {
		for _, id := range properties.All {
			k := n.Name + " " + string(id)
			if got[k] != base.Verdicts[k] {
				res.Changes = append(res.Changes, fmt.Sprintf("%s %s: %s -> %s", n.Name, id, base.Verdicts[k], got[k]))
			}
		}
	}
	sort.Strings(res.Changes)
	res.Killed = len(res.Changes) > 0
	return res
}

// Note is what was decided about a survivor: equivalent (with the
// argument), or what kills it now (the scenario or property added).
type Note struct {
	Equivalent bool
	Text       string
}

// Notes holds the decisions about the mutants that survived the default
// set as it was when the zoo was first run, by mutant name. A survivor
// without a note is reported as undecided.
var Notes = map[string]Note{}

// Summary renders results: the kill rate and every survivor with its note.
func Summary(results []Result) string {
	var b strings.Builder
	killed, crashed := 0, 0
	for _, r := range results {
		if r.Killed {
			killed++
		}
		if r.Err != nil {
			crashed++
		}
	}
	fmt.Fprintf(&b, "%d mutants, %d killed (%.1f%%), %d survived", len(results), killed, pct(killed, len(results)), len(results)-killed)
	if crashed > 0 {
		fmt.Fprintf(&b, "; %d of the killed broke the search (an error, not a verdict)", crashed)
	}
	b.WriteString("\n")
	equiv := 0
	for _, r := range results {
		if r.Killed {
			continue
		}
		n, ok := Notes[r.Mutant.Name]
		if ok && n.Equivalent {
			equiv++
		}
	}
	if len(results)-killed > 0 {
		fmt.Fprintf(&b, "%d of the survivors are argued equivalent; killed among the non-equivalent: %d of %d (%.1f%%)\n",
			equiv, killed, len(results)-equiv, pct(killed, len(results)-equiv))
		b.WriteString("\nSurvivors:\n")
		for _, r := range results {
			if r.Killed {
				continue
			}
			fmt.Fprintf(&b, "  %s\n      %s (%s)\n", r.Mutant.Name, r.Mutant.About, r.Mutant.Where)
			n, ok := Notes[r.Mutant.Name]
			switch {
			case !ok:
				b.WriteString("      note: none yet (undecided)\n")
			case n.Equivalent:
				fmt.Fprintf(&b, "      equivalent: %s\n", n.Text)
			default:
				fmt.Fprintf(&b, "      not equivalent: %s\n", n.Text)
			}
		}
	}
	return b.String()
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
