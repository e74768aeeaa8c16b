package scheduler

import (
	"bytes"
	"fmt"
	"testing"

	"diosim"
	"diosim/model"
	"diosim/sim"
)

// TestFingerprint checks the search's fingerprint (sim.State.Fingerprint)
// on the first states of every version and default scenario, with one
// iocb and with two: computed from the parent's component hashes it is the
// fingerprint computed from scratch (so a step changes no actor but its
// own and those it wakes); with symmetry it is the same for a
// state and its canonical form (also when computed with the sort keys
// the fingerprint caches), and two states have the same fingerprint
// exactly when their canonical forms have the same encoding with the
// history replaced by its key (sim.State.EncodeKey; without symmetry:
// when those encodings are equal); and ResetTo makes a
// scratch copy equal to its parent again.
func TestFingerprint(t *testing.T) {
	deep, shallow := 2500, 150 // one iocb with symmetry deep: a submitter's last steps come late
	if testing.Short() {
		deep, shallow = 800, 60
	}
	for _, m := range model.Versions() {
		for _, n := range diosim.DefaultSet() {
			for _, iocbs := range []int{1, 2} {
				sc := n.Scenario
				sc.Iocbs = iocbs
				for _, sym := range []bool{true, false} {
					limit := shallow
					if iocbs == 1 && sym {
						limit = deep
					}
					if err := checkFingerprints(m, &sc, limit, sym); err != "" {
						t.Errorf("%s %s, %d iocbs, symmetry %v: %s", m.Name, n.Name, iocbs, sym, err)
					}
				}
			}
		}
	}
}

func checkFingerprints(m *model.Model, sc *sim.Scenario, limit int, sym bool) string {
	s0 := m.Init(sc)
	s0.Fingerprint(nil, sym)
	frontier := []*sim.State{s0}
	byFP := map[[2]uint64]string{}
	byEnc := map[string][2]uint64{}
	canonEnc := func(s *sim.State) string {
		if sym && sc.IocbsInterchangeable() {
			return isymCanonEnc(s)
		}
		c := s.Clone()
		if sym {
			c.Canonicalize()
		}
		return string(c.EncodeKey(nil))
	}
	seen := map[string]bool{} // canonical encodings (with history keys)
	byState := map[[2]uint64]*sim.State{}
	count := 0
	for len(frontier) > 0 && count < limit {
		var next []*sim.State
		for _, s := range frontier {
			count++
			want := s.Encode(nil)
			scratch := s.Clone()
			for _, mv := range m.Moves(s, nil) {
				c := s.Clone()
				m.Apply(c, mv)
				inc := c.FingerprintAfter(s, sym, mv.Actor)
				full := c.Clone().Fingerprint(nil, sym)
				if inc != full {
					return "the incremental fingerprint differs from the full one after " + model.ActorName(s, mv.Actor)
				}
				if sym {
					k := c.Clone()
					k.CanonicalizeFingerprinted(&sim.CanonScratch{}) // with the sort keys the cache holds
					if k.Fingerprint(nil, sym) != full {
						return "a state and its canonical form have different fingerprints"
					}
					u := c.Clone()
					u.Canonicalize()
					if !bytes.Equal(u.Encode(nil), k.Encode(nil)) {
						return "the canonical form differs with the cached sort keys"
					}
				}
				e := canonEnc(c)
				if old, ok := byFP[full]; ok && old != e {
					// Say what differs, as the traces describe states.
					o := byState[full]
					d1, d2 := "", ""
					for _, f := range o.Fields() {
						d1 += f.Name + "=" + f.Val + " "
					}
					cc := c.Clone()
					cc.Canonicalize()
					for _, f := range cc.Fields() {
						d2 += f.Name + "=" + f.Val + " "
					}
					return fmt.Sprintf("two states with different canonical encodings have the same fingerprint:\n%s\n%s", d1, d2)
				}
				if old, ok := byEnc[e]; ok && old != full {
					return "two states with the same canonical encoding have different fingerprints"
				}
				byFP[full], byEnc[e] = e, full
				if _, ok := byState[full]; !ok {
					cc := c.Clone()
					cc.Canonicalize()
					byState[full] = cc
				}
				m.Apply(scratch, mv)
				if scratch.FingerprintAfter(s, sym, mv.Actor) != full {
					return "the scratch copy's fingerprint differs"
				}
				scratch.ResetTo(s)
				if !bytes.Equal(scratch.Encode(nil), want) || scratch.Fingerprint(nil, sym) != s.Fingerprint(nil, sym) {
					return "ResetTo did not restore the parent after " + model.ActorName(s, mv.Actor)
				}
				if !seen[e] {
					seen[e] = true
					next = append(next, c)
				}
			}
		}
		frontier = next
	}
	return ""
}

// TestFingerprintAnyActor: a step that changes another actor than its own
// (as a variant's might) is missed when only the mover is compared, and
// caught when every actor is (what the search does for variants).
func TestFingerprintAnyActor(t *testing.T) {
	m := mustModel(t, "v2.6.20")
	sc := sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 2}
	s := m.Init(&sc)
	s.Fingerprint(nil, true)
	mv := m.Moves(s, nil)[0]
	other := len(s.Actors) - 1
	if other == mv.Actor {
		t.Fatal("the scenario has one actor")
	}
	for _, mover := range []int{mv.Actor, -1} {
		c := s.Clone()
		m.Apply(c, mv)
		c.Actors[other].L.Ret = 7 // not through WakeUpProcess or Schedule
		got := c.FingerprintAfter(s, true, mover)
		want := c.Clone().Fingerprint(nil, true)
		if (got == want) != (mover < 0) {
			t.Errorf("comparing actor %d only: incremental == full is %v", mover, got == want)
		}
	}
}

// isymCanonEnc is the canonical encoding of s under renamings of its
// iocbs and bios: the least, over every order of the iocbs, of the
// canonical form's EncodeKey (RenameIocbs takes an unset position for
// the range's start, as the fingerprint does, also for the identity).
func isymCanonEnc(s *sim.State) string {
	best := ""
	forEachOrder(s.NumReqs(), func(perm []int) {
		c := s.Clone()
		c.RenameIocbs(perm)
		c.Canonicalize()
		if e := string(c.EncodeKey(nil)); best == "" || e < best {
			best = e
		}
	})
	return best
}
