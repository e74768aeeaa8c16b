package mutants

import (
	"fmt"
	"sort"
	"strings"

	"diosim/model"
	"diosim/sim"
)

// A Mutant is a small, plausible change to one version's model: a patch
// of step edits on its parent version, registered with model.Register
// when it is run.
type Mutant struct {
	Name   string // parent/operator/step ids
	Parent string // the version it mutates
	Op     string // the mutation operator (see Operators)
	About  string // what it changes, in our words
	Where  string // the citation(s) of the steps it changes
	Edits  []model.Edit
	// sameStep maps a step id of the mutant to the parent's step id that
	// does what it does, for comparing bug signatures (see Run).
	sameStep map[string]string
}

// Operators names and describes the mutation operators.
var Operators = []struct{ Name, Doc string }{
	{"drop-guard", "a lock removed: the step no longer waits for the lock (or event) its guard waits for"},
	{"swap", "two adjacent statements of one function swapped (both touch shared state; neither branches)"},
	{"remove-op", "an operation dropped: a straight-line step that changes a counter, frees or takes/releases a lock does nothing"},
	{"invert-test", "a test inverted: a step the default set saw go two ways goes the other way"},
	{"split-atomic", "an atomic read-modify-write of a counter split into a load (a new step before it) and a store of the value computed from that stale load"},
	{"off-by-one", "a wake-up or wait condition off by one: the test sees the counter one higher or one lower than it is"},
	{"forget-free-on-error", "an error path that forgets a free: the free does nothing when the run has met an error"},
}

// Version returns the mutant as a version to register.
func (mu *Mutant) Version() model.Version {
	return model.Version{Name: mu.Name, Parent: mu.Parent, Doc: mu.About,
		Patch: &model.Patch{Title: "mutant: " + mu.Op, About: mu.About, Edits: mu.Edits}}
}

// Generate derives the mutants of the baseline's version from its step
// programs, using what the baseline ran (only steps the default set
// reaches are mutated: a mutant of an unreached step cannot be killed,
// and the coverage report lists those steps instead) and what each step
// was seen to do. Private steps (model.Step.Private: only the actor's
// own locals and objects) are not swapped or inverted. The userspace
// program's steps (model.Loc.Userspace: the calls, the reaper's waits, the
// observer's stat and pread) are not mutated: they are the test, not the
// kernel, and a mutant of them is a weaker observer, not a kernel bug the
// checker should see (the zoo of the run that added observe=at-rest to the
// default set had 16 such mutants, 2 killed). The order is deterministic.
func Generate(b *Baseline) []Mutant {
	v := b.Model.Name
	succ := b.successors()
	var out []Mutant
	seen := map[string]bool{}
	add := func(mu Mutant) {
		if seen[mu.Name] {
			return
		}
		seen[mu.Name] = true
		out = append(out, mu)
	}
	for _, p := range b.Model.Programs() {
		for pc := range p.Steps {
			st := &p.Steps[pc]
			nx, ran := succ[site{p, pc}]
			if !ran || st.Loc.Userspace() {
				continue
			}
			eff := b.Effects[st.ID]
			straight := len(nx) == 1 && nx[0] == pc+1
			// drop-guard
			if st.Guard != nil {
				add(Mutant{Name: v + "/drop-guard/" + st.ID, Parent: v, Op: "drop-guard",
					About: fmt.Sprintf("%s runs without waiting for its guard (%s)", st.ID, short(st.Text)), Where: st.Loc.String(),
					Edits: []model.Edit{{Op: model.Alter, Step: st.ID, Alter: func(s *model.Step, _ []model.Step, _ int) { s.Guard = nil }}}})
			}
			// remove-op
			if straight && st.Outcomes == nil && eff != 0 {
				add(Mutant{Name: v + "/remove-op/" + st.ID, Parent: v, Op: "remove-op",
					About: fmt.Sprintf("%s does nothing (it %s): %s", st.ID, effectWords(eff), short(st.Text)), Where: st.Loc.String(),
					Edits: []model.Edit{{Op: model.Alter, Step: st.ID, Alter: func(s *model.Step, _ []model.Step, _ int) {
						s.Do = func(c *model.Ctx) {}
					}}}})
			}
			// forget-free-on-error
			if st.Outcomes == nil && eff&Frees != 0 {
				add(Mutant{Name: v + "/forget-free-on-error/" + st.ID, Parent: v, Op: "forget-free-on-error",
					About: fmt.Sprintf("%s skips its free when the run has met an error (a fault fired)", st.ID), Where: st.Loc.String(),
					Edits: []model.Edit{{Op: model.Alter, Step: st.ID, Alter: func(s *model.Step, _ []model.Step, _ int) {
						do := s.Do
						s.Do = func(c *model.Ctx) {
							if c.R.Facts.FaultsMet&^(sim.HoleMet|sim.InvalidateBusy) != 0 {
								return
							}
							do(c)
						}
					}}}})
			}
			// invert-test: two successors, both real steps or the end.
			if len(nx) == 2 && nx[0] >= -1 && st.Outcomes == nil && !st.Private {
				add(invert(v, st))
			}
			// swap with the next step of the same function.
			if pc+1 < len(p.Steps) && straight && !st.Private && st.Outcomes == nil {
				nt := &p.Steps[pc+1]
				nn, ran2 := succ[site{p, pc + 1}]
				if ran2 && !nt.Private && nt.Outcomes == nil && nt.Loc.Func == st.Loc.Func && nt.ID != st.ID &&
					len(nn) == 1 && nn[0] == pc+2 {
					add(swap(v, st, nt))
				}
			}
		}
	}
	out = append(out, handWritten(b)...)
	sort.SliceStable(out, func(i, j int) bool { return opIndex(out[i].Op) < opIndex(out[j].Op) })
	return out
}

func opIndex(op string) int {
	for i, o := range Operators {
		if o.Name == op {
			return i
		}
	}
	return len(Operators)
}

func effectWords(e Effect) string {
	var w []string
	if e&Counter != 0 {
		w = append(w, "changes a counter")
	}
	if e&Frees != 0 {
		w = append(w, "frees")
	}
	if e&Locks != 0 {
		w = append(w, "takes or releases a lock")
	}
	return strings.Join(w, ", ")
}

func short(s string) string {
	if len(s) > 90 {
		return s[:87] + "..."
	}
	return s
}

// invert makes step st go where it did not: at every occurrence, the
// two successors the baseline saw (looked up at run time by program
// name and pc, which the mutant shares with its parent) are exchanged.
func invert(v string, st *model.Step) Mutant {
	id := st.ID
	return Mutant{Name: v + "/invert-test/" + id, Parent: v, Op: "invert-test",
		About: fmt.Sprintf("the test of %s is inverted (it goes where it would not): %s", id, short(st.Text)), Where: st.Loc.String(),
		Edits: []model.Edit{{Op: model.Alter, Step: id, Alter: func(s *model.Step, orig []model.Step, pc int) {
			// The targets of a step's jumps are not known statically: the
			// two successors are the ones the baseline saw this
			// occurrence (program, pc) go to (recordPairs).
			do := s.Do
			s.Do = func(c *model.Ctx) {
				do(c)
				pair, ok := pairs[pairKey{v, c.Program().Name, int(c.Act.PC)}]
				if !ok {
					return
				}
				switch c.NextPC() {
				case pair[0]:
					c.SetNextPC(pair[1])
				case pair[1]:
					c.SetNextPC(pair[0])
				}
			}
		}}}}
}

// pairs holds, per version, program and pc, the two successors the
// baseline saw of a step with two (filled by Generate's caller through
// recordPairs before any invert-test mutant runs).
var pairs = map[pairKey][2]int{}

type pairKey struct {
	ver, prog string
	pc        int
}

func recordPairs(b *Baseline) {
	for k, nx := range b.successors() {
		if len(nx) == 2 {
			pairs[pairKey{b.Model.Name, k.prog.Name, k.pc}] = [2]int{nx[0], nx[1]}
		}
	}
}

// swap exchanges steps a and b (adjacent, a first) wherever they are
// adjacent: a's place runs b's statement and b's place a's.
func swap(v string, a, b *model.Step) Mutant {
	take := func(off int, want string) func(s *model.Step, orig []model.Step, pc int) {
		return func(s *model.Step, orig []model.Step, pc int) {
			o := pc + off
			if o < 0 || o >= len(orig) || orig[o].ID != want {
				return
			}
			s.Do, s.Guard, s.Outcomes, s.OutcomeName = orig[o].Do, orig[o].Guard, orig[o].Outcomes, orig[o].OutcomeName
			s.Text = "(swapped) " + orig[o].Text
		}
	}
	return Mutant{Name: v + "/swap/" + a.ID + "+" + b.ID, Parent: v, Op: "swap", sameStep: map[string]string{a.ID: b.ID, b.ID: a.ID},
		About: fmt.Sprintf("%s and %s run in the other order", a.ID, b.ID), Where: a.Loc.String() + " " + b.Loc.String(),
		Edits: []model.Edit{
			{Op: model.Alter, Step: a.ID, Alter: take(+1, b.ID)},
			{Op: model.Alter, Step: b.ID, Alter: take(-1, a.ID)},
		}}
}
