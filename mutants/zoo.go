// Package mutants is dio-sim's mutation zoo: it checks the checker by
// seeding plausible kernel bugs into a version's model (a lock removed,
// two statements swapped, an operation dropped, a test inverted, an
// atomic split into a load and a store, a wake-up condition off by one,
// an error path that forgets a free) and running the default scenario set
// exhaustively on each. A mutant is killed when a verdict of the default
// set changes, or the set of distinct bugs (property, kind and step: the
// signatures) one of its scenarios shows; a survivor is either
// equivalent to its parent or shows a scenario or property the set lacks.
//
// Mutants are versions like any other: a parent plus a patch of step
// edits, registered with model.Register when they are run. Most are
// generated from the step programs (see Generate), using the baseline's
// coverage (which steps the default set reaches, and where each went
// next) and what each step was seen to change.
package mutants

import (
	"fmt"
	"slices"
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
// set on it exhaustively. It is killed when a verdict changes or when a
// scenario shows a bug signature the parent does not (or no longer shows
// one the parent does): a new bug hidden behind a property the parent
// already violates is still a bug the checker sees. A mutant whose search fails (a step panics, a
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
	got, _, bugs, err := verdicts(m, base.Set, opt, false)
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
	var sigs []string
	for _, n := range base.Set {
		sigs = append(sigs, bugChanges(n.Name, base.Bugs[n.Name], mu.sameSigs(bugs[n.Name]))...)
	}
	sort.Strings(sigs)
	res.Changes = append(res.Changes, sigs...)
	res.Killed = len(res.Changes) > 0
	return res
}

// bugChanges lists the difference between the parent's bug signatures
// (was) and the mutant's (got), both sorted: "scenario: new bug: sig"
// and "scenario: bug gone: sig".
func bugChanges(scenario string, was, got []string) []string {
	in := func(list []string, s string) bool {
		i := sort.SearchStrings(list, s)
		return i < len(list) && list[i] == s
	}
	var out []string
	for _, g := range got {
		if !in(was, g) {
			out = append(out, scenario+": new bug: "+g)
		}
	}
	for _, w := range was {
		if !in(got, w) {
			out = append(out, scenario+": bug gone: "+w)
		}
	}
	return out
}

// sameSigs renames, in the mutant's bug signatures, the steps the mutant
// moved or inserted to the parent's step that does the same thing (a
// swap exchanges two statements under fixed step ids; a split atomic's
// load is the first half of the parent's step), so that a bug only
// relocated by the mutation is not counted as new. The result is sorted.
func (mu *Mutant) sameSigs(sigs []string) []string {
	if len(mu.sameStep) == 0 {
		return sigs
	}
	out := make([]string, 0, len(sigs))
	for _, g := range sigs {
		if i := strings.LastIndex(g, " at "); i >= 0 {
			if to, ok := mu.sameStep[g[i+len(" at "):]]; ok {
				g = g[:i] + " at " + to
			}
		}
		out = append(out, g)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// Note is what was decided about a survivor: equivalent (with the
// argument), or what kills it now (the scenario or property added).
type Note struct {
	Equivalent bool
	Text       string
}

// NoteFor returns the decision about a mutant that survived the default
// set (see notes.go), by mutant name ("version/operator/steps"). A rule
// name "V/operator/steps" applies to version V's mutant only; "V+/..." to
// the mutant of V and of every version descended from it (a later
// release keeps the argument until its patch changes those steps); a
// name without a version to the mutant of every version. The most
// specific rule wins. ok is false for a survivor nobody has decided
// about: it is reported as undecided.
func NoteFor(name string) (n Note, ok bool) {
	ver, rest, found := strings.Cut(name, "/")
	if !found {
		return Note{}, false
	}
	var lineage []string
	if m, err := model.Lookup(ver); err == nil {
		for _, v := range m.Lineage() {
			lineage = append(lineage, v.Name)
		}
	}
	match := func(want func(rn string) bool) (Note, bool) {
		for _, r := range rules {
			for _, rn := range r.names {
				if want(rn) {
					return r.note, true
				}
			}
		}
		return Note{}, false
	}
	if n, ok := match(func(rn string) bool { return rn == name }); ok {
		return n, true
	}
	if n, ok := match(func(rn string) bool {
		v, r, _ := strings.Cut(rn, "+/")
		return r == rest && slices.Contains(lineage, v)
	}); ok {
		return n, true
	}
	return match(func(rn string) bool { return rn == rest })
}

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
		n, ok := NoteFor(r.Mutant.Name)
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
			n, ok := NoteFor(r.Mutant.Name)
			switch {
			case !ok:
				b.WriteString("      note: none yet (undecided)\n")
			case n.Equivalent:
				fmt.Fprintf(&b, "      %s\n", withVerdict("equivalent", n.Text))
			default:
				fmt.Fprintf(&b, "      %s\n", withVerdict("not equivalent", n.Text))
			}
		}
	}
	return b.String()
}

// withVerdict prefixes a note's text with its verdict, unless the text
// already starts with it (most notes do: "equivalent: ...").
func withVerdict(verdict, text string) string {
	if strings.HasPrefix(text, verdict) {
		return text
	}
	return verdict + ": " + text
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
