package scheduler

import (
	"bytes"
	"fmt"
	"sort"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// ReductionError says which step of a model breaks an assumption a
// reduction of the exhaustive search rests on, in which state.
type ReductionError struct {
	Reduction string // "symmetry" or "partial-order reduction"
	Step      string // the step's id and citation
	Detail    string
}

func (e *ReductionError) Error() string {
	return fmt.Sprintf("the model breaks the assumption of the %s at step %s: %s (search with --no-symmetry/--no-por, or fix the step)", e.Reduction, e.Step, e.Detail)
}

// CheckReductions tests, on the first maxStates states reachable from s0
// (breadth first, every move), the assumptions the exhaustive search's
// reductions make of the model:
//
//   - symmetry: renaming submitted bios commutes with every step: the
//     canonical form of a state has exactly the renamed moves of the state,
//     and each move leads to states with the same canonical form;
//   - symmetry over iocbs (when the scenario's iocbs are interchangeable,
//     sim.Scenario.IocbsInterchangeable; on the first third of the
//     states): every renaming of the iocbs
//     (sim.State.RenameIocbs) keeps the fingerprint, and commutes with
//     every step: the renamed state has exactly the renamed moves, each
//     leads to a state with the fingerprint of the original move's
//     successor, and the same properties are violated there;
//   - partial-order reduction (when por): a step marked Private (and, with
//     several iocbs, not marked Inode) commutes with every move of every
//     other actor enabled with it, neither enables nor disables them, and
//     changes no property's verdict.
//
// The built-in versions carry an argument for these (the package docs); a
// variant may break them, and the search must then refuse it rather than
// give wrong verdicts. A nil error means no counterexample was found in the
// states tried, not a proof.
func CheckReductions(m *model.Model, s0 *sim.State, maxStates int, sym, por bool) (err error) {
	defer func() {
		// A step that panics (a variant breaking an assumption of the
		// world) is an error, not a crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("a step of the model panicked while its reductions were checked: %v", r)
		}
	}()
	errs := checkReductions(m, s0, maxStates, maxStates/3+1, sym, por, 1)
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}

// checkReductions returns up to max errors, one per step. It checks the
// renamings of iocbs on the first isymStates states only: each costs a
// search of its own.
func checkReductions(m *model.Model, s0 *sim.State, maxStates, isymStates int, sym, por bool, max int) []*ReductionError {
	var errs []*ReductionError
	bad := map[string]bool{}
	note := func(err error) bool {
		if err == nil {
			return false
		}
		re := err.(*ReductionError)
		if !bad[re.Reduction+re.Step] {
			bad[re.Reduction+re.Step] = true
			errs = append(errs, re)
		}
		return len(errs) >= max
	}
	seen := map[string]bool{}
	frontier := []*sim.State{s0.Clone()}
	seen[string(s0.Encode(nil))] = true
	var buf []model.Move
	count := 0
	for len(frontier) > 0 && count < maxStates {
		var next []*sim.State
		for _, s := range frontier {
			count++
			if count > maxStates {
				break
			}
			moves := append([]model.Move(nil), m.Moves(s, buf)...)
			if sym && note(checkSymmetry(m, s, moves)) {
				return errs
			}
			if sym && s.Scn.IocbsInterchangeable() && count <= isymStates && note(checkIocbSymmetry(m, s, moves)) {
				return errs
			}
			if por && note(checkCommute(m, s, moves)) {
				return errs
			}
			for _, mv := range moves {
				c := s.Clone()
				m.Apply(c, mv)
				k := string(c.Encode(nil))
				if !seen[k] {
					seen[k] = true
					next = append(next, c)
				}
			}
		}
		frontier = next
	}
	return errs
}

func stepName(m *model.Model, s *sim.State, a int) string {
	st := m.Next(s, a)
	if st == nil {
		return model.ActorName(s, a) + " (finished)"
	}
	return fmt.Sprintf("%s (%s, %s)", st.ID, st.Loc, model.ActorName(s, a))
}

// checkSymmetry checks that the model commutes with the renaming the
// search applies in s (sim.State.Canonicalize): the renamed state has
// exactly the renamed moves, and renaming the successor of each move gives
// the successor of the renamed move (equivariance; the canonical form
// itself may differ, which weakens the reduction but not its soundness).
func checkSymmetry(m *model.Model, s *sim.State, moves []model.Move) error {
	c := s.Clone()
	perm := c.Canonicalize()
	if perm == nil {
		return nil
	}
	ren := func(a int) int { return int(perm[a]) }
	if err := checkRenamedMoves(m, c, moves, ren, "symmetry", "bio"); err != nil {
		return err
	}
	for _, mv := range moves {
		a := s.Clone()
		m.Apply(a, mv)
		a.RenameBios(perm)
		b := c.Clone()
		m.Apply(b, model.Move{Actor: ren(mv.Actor), Choice: mv.Choice})
		if !bytes.Equal(a.Encode(nil), b.Encode(nil)) {
			return &ReductionError{"symmetry", stepName(m, s, mv.Actor), "the step does something else for a renamed bio (it depends on the bio's index or its block's position)"}
		}
	}
	return nil
}

func firstDiffActor(a, b []model.Move) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return min(a[i].Actor, b[i].Actor)
		}
	}
	if len(a) > len(b) {
		return a[len(b)].Actor
	}
	if len(b) > len(a) {
		return b[len(a)].Actor
	}
	return 0
}

// checkCommute checks every private step enabled in s against every
// other actor's moves.
func checkCommute(m *model.Model, s *sim.State, moves []model.Move) error {
	for _, p := range moves {
		st := m.Next(s, p.Actor)
		if st == nil || !usablePrivate(st, s) {
			continue
		}
		sp := s.Clone()
		m.Apply(sp, p)
		if a, b := verdictIDs(s), verdictIDs(sp); a != b {
			return &ReductionError{"partial-order reduction", stepName(m, s, p.Actor), fmt.Sprintf("the private step changes a verdict (%s -> %s)", a, b)}
		}
		others := m.Moves(sp, nil)
		for _, o := range moves {
			if o.Actor == p.Actor {
				continue
			}
			if !hasMove(others, o) {
				return &ReductionError{"partial-order reduction", stepName(m, s, p.Actor), fmt.Sprintf("the private step disables %s", stepName(m, s, o.Actor))}
			}
			so := s.Clone()
			m.Apply(so, o)
			if !hasMove(m.Moves(so, nil), p) {
				return &ReductionError{"partial-order reduction", stepName(m, s, p.Actor), fmt.Sprintf("%s disables the private step", stepName(m, s, o.Actor))}
			}
			po := sp.Clone()
			m.Apply(po, o)
			m.Apply(so, p)
			if !bytes.Equal(po.Encode(nil), so.Encode(nil)) {
				return &ReductionError{"partial-order reduction", stepName(m, s, p.Actor), fmt.Sprintf("the private step does not commute with %s", stepName(m, s, o.Actor))}
			}
		}
		for _, o := range others {
			if o.Actor != p.Actor && !hasMove(moves, o) {
				return &ReductionError{"partial-order reduction", stepName(m, s, p.Actor), fmt.Sprintf("the private step enables %s", stepName(m, sp, o.Actor))}
			}
		}
	}
	return nil
}

// usablePrivate reports whether the search may take st as an ample set in
// s: Private, and with several iocbs not touching the inode they share.
func usablePrivate(st *model.Step, s *sim.State) bool {
	return st.Private && (s.NumReqs() == 1 || !st.Inode)
}

func hasMove(ms []model.Move, mv model.Move) bool {
	for _, x := range ms {
		if x == mv {
			return true
		}
	}
	return false
}

// verdictIDs lists the properties AfterStep reports in s (on a copy: the
// history check keeps a cache in the state).
func verdictIDs(s *sim.State) string {
	c := s.Clone()
	c.HistChecked = 0
	var ids []string
	for _, v := range properties.AfterStep(c) {
		ids = append(ids, string(v.Prop))
	}
	sort.Strings(ids)
	return fmt.Sprint(ids)
}

// checkIocbSymmetry checks that the model commutes with every renaming
// of the iocbs in s (all orders of up to four iocbs but the identity;
// past that, the swaps of neighbours, which generate them).
func checkIocbSymmetry(m *model.Model, s *sim.State, moves []model.Move) error {
	n := s.NumReqs()
	var perms [][]int
	if n <= 4 {
		forEachOrder(n, func(p []int) {
			for i, r := range p {
				if i != r {
					perms = append(perms, append([]int(nil), p...))
					return
				}
			}
		})
	} else {
		for r := 0; r+1 < n; r++ {
			p := make([]int, n)
			for i := range p {
				p[i] = i
			}
			p[r], p[r+1] = r+1, r
			perms = append(perms, p)
		}
	}
	per := (len(s.Actors) - 1) / n // the reaper is last
	if s.Scn.Sync {
		per = len(s.Actors) / n
	}
	fp := s.Clone().Fingerprint(nil, true)
	for _, perm := range perms {
		ren := func(a int) int {
			if a >= n*per {
				return a
			}
			return perm[a/per]*per + a%per
		}
		c := s.Clone()
		c.RenameIocbs(perm)
		if c.Clone().Fingerprint(nil, true) != fp {
			return &ReductionError{"symmetry over iocbs", "(the fingerprint)", fmt.Sprintf("renaming the iocbs %v changes the fingerprint", perm)}
		}
		if err := checkRenamedMoves(m, c, moves, ren, "symmetry over iocbs", "iocb"); err != nil {
			return err
		}
		for _, mv := range moves {
			a := s.Clone()
			m.Apply(a, mv)
			b := c.Clone()
			m.Apply(b, model.Move{Actor: ren(mv.Actor), Choice: mv.Choice})
			if a.Fingerprint(nil, true) != b.Fingerprint(nil, true) || verdictIDs(a) != verdictIDs(b) {
				return &ReductionError{"symmetry over iocbs", stepName(m, s, mv.Actor), "the step does something else for a renamed iocb (it depends on the iocb's index or its range's position)"}
			}
		}
	}
	return nil
}

// checkRenamedMoves checks that the renamed state c has exactly the moves
// of the state it renames (moves), their actors renamed by ren; the
// error names the reduction and what was renamed (a bio, an iocb).
func checkRenamedMoves(m *model.Model, c *sim.State, moves []model.Move, ren func(int) int, reduction, what string) error {
	want := renamedMoves(moves, ren)
	got := m.Moves(c, nil)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return &ReductionError{reduction, stepName(m, c, firstDiffActor(got, want)), fmt.Sprintf("the step is enabled for one %s and not for a renamed one (moves %v, renamed %v)", what, got, want)}
	}
	return nil
}

// renamedMoves returns moves with their actors renamed by ren, in the
// order Moves lists them (by actor, then choice).
func renamedMoves(moves []model.Move, ren func(int) int) []model.Move {
	want := make([]model.Move, 0, len(moves))
	for _, mv := range moves {
		want = append(want, model.Move{Actor: ren(mv.Actor), Choice: mv.Choice})
	}
	sort.Slice(want, func(i, j int) bool {
		return want[i].Actor < want[j].Actor || want[i].Actor == want[j].Actor && want[i].Choice < want[j].Choice
	})
	return want
}

// forEachOrder calls f with every permutation of 0..n-1 (the same slice,
// changed between calls).
func forEachOrder(n int, f func([]int)) {
	perm := make([]int, n)
	var rec func(i, used int)
	rec = func(i, used int) {
		if i == n {
			f(perm)
			return
		}
		for p := 0; p < n; p++ {
			if used&(1<<p) == 0 {
				perm[i] = p
				rec(i+1, used|1<<p)
			}
		}
	}
	rec(0, 0)
}
