package scheduler

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"diosim"
	"diosim/internal/testbudget"
	"diosim/model"
	"diosim/sim"
)

// isymScenarios are small scenarios whose iocbs are interchangeable
// (sim.Scenario.IocbsInterchangeable).
var isymScenarios = []sim.Scenario{
	{Op: sim.Read, Blocks: 2, Iocbs: 2, Faults: sim.FaultSet(sim.FaultGUP)},
	{Op: sim.Read, Blocks: 1, Iocbs: 3, Faults: sim.FaultSet(sim.FaultEIO)},
	{Op: sim.Read, Blocks: 2, Iocbs: 2, Sync: true, Faults: sim.FaultSet(sim.FaultHole) | sim.FaultSet(sim.FaultEIO)},
	{Op: sim.Write, Blocks: 2, Iocbs: 2, Faults: sim.FaultSet(sim.FaultHole) | sim.FaultSet(sim.FaultEIO)},
	{Op: sim.Write, Blocks: 1, Iocbs: 3, Sync: true, Faults: sim.FaultSet(sim.FaultGUP)},
	{Op: sim.Write, Blocks: 1, Iocbs: 2, OSync: true, Faults: sim.FaultSet(sim.FaultInvalidate)},
}

// TestIocbSymmetryFingerprint: on scenarios with interchangeable iocbs,
// the incremental fingerprint is the full one and two states have one
// fingerprint exactly when a renaming of iocbs and bios maps one onto the
// other (checkFingerprints with the canonical encoding over every order
// of the iocbs).
func TestIocbSymmetryFingerprint(t *testing.T) {
	limit := 600
	if testing.Short() {
		limit = 200
	}
	for _, v := range []string{"before", "after", "v2.6.20", "v2.6.36"} {
		m := mustModel(t, v)
		for _, sc := range isymScenarios {
			sc := sc
			if !sc.IocbsInterchangeable() {
				t.Fatalf("%s: iocbs not interchangeable", sc)
			}
			if err := checkFingerprints(m, &sc, limit, true); err != "" {
				t.Errorf("%s %s: %s", v, sc, err)
			}
		}
	}
}

// TestIocbSymmetryRenaming: the state where iocb 1 took the first step
// has the fingerprint of the one where iocb 0 did, and of its renaming;
// where an observation tells the iocbs apart (a write's data, i_size, a
// range past EOF, XFS, a reader at rest), the two differ.
func TestIocbSymmetryRenaming(t *testing.T) {
	m := mustModel(t, "v2.6.20")
	firstSteps := func(sc *sim.Scenario) (a, b *sim.State) {
		s0 := m.Init(sc)
		per := len(s0.Actors) / sc.NumIocbs() // the reaper is last
		a, b = s0.Clone(), s0.Clone()
		m.Apply(a, model.Move{Actor: 0})
		m.Apply(b, model.Move{Actor: per})
		return a, b
	}
	for _, c := range []struct {
		sc   sim.Scenario
		same bool
	}{
		{sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 2}, true},
		{sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 3, Sync: true}, true},
		{sim.Scenario{Op: sim.Write, Blocks: 2, Iocbs: 2}, true},
		{sim.Scenario{Op: sim.Write, Blocks: 1, Iocbs: 2, Place: sim.Extend}, false},
		{sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 2, Place: sim.PastEOF}, false},
		{sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 2, FS: sim.XFS}, false},
		{sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 2, Observe: sim.AtRest}, false},
	} {
		sc := c.sc
		a, b := firstSteps(&sc)
		if got := a.Fingerprint(nil, true) == b.Fingerprint(nil, true); got != c.same {
			t.Errorf("%s: iocb 0's first step and iocb 1's have one fingerprint: %v, want %v", sc, got, c.same)
		}
		if a.Fingerprint(nil, false) == b.Fingerprint(nil, false) {
			t.Errorf("%s: without symmetry, iocb 0's first step and iocb 1's have one fingerprint", sc)
		}
		if !c.same {
			continue
		}
		perm := []int{1, 0}
		for len(perm) < sc.NumIocbs() {
			perm = append(perm, len(perm))
		}
		r := a.Clone()
		r.RenameIocbs(perm)
		if r.Fingerprint(nil, true) != a.Fingerprint(nil, true) || r.Fingerprint(nil, true) != b.Fingerprint(nil, true) {
			t.Errorf("%s: the renamed state has another fingerprint", sc)
		}
	}
}

// TestIocbSymmetryAssumptions: the model commutes with every renaming of
// interchangeable iocbs on the first states of these scenarios, on every
// version (CheckReductions).
func TestIocbSymmetryAssumptions(t *testing.T) {
	limit := testbudget.Pick(500, 150, 500) // -race or -short: 150
	for _, m := range model.Versions() {
		for _, sc := range isymScenarios {
			sc := sc
			for _, e := range checkReductions(m, m.Init(&sc), limit, limit, true, false, 3) {
				t.Errorf("%s %s: %v", m.Name, sc, e)
			}
		}
	}
}

// TestVariantBreakingIocbSymmetry: a variant whose step depends on where
// the iocb's range lies is refused with an error naming the step, and
// searches fine without symmetry.
func TestVariantBreakingIocbSymmetry(t *testing.T) {
	call := stepOf(t, "after", "ki_retry:call")
	do := call.Do
	call.Do = func(c *model.Ctx) {
		do(c)
		if c.L().Pos == 0 {
			c.L().Tmp = 1 // a mark only the iocb at the start of the file gets
		}
	}
	v := registerTest(t, model.Version{Name: "after+test-first-iocb", Parent: "after", Patch: &model.Patch{
		Title: "test: the iocb at offset 0 is marked", Edits: []model.Edit{{Op: model.Replace, Step: call.ID, With: []model.StepDef{call}}}}})
	sc := sim.Scenario{Op: sim.Read, Blocks: 1, Iocbs: 2}
	_, err := Exhaustive(v, &sc, ExhaustiveOptions{Workers: 1})
	var re *ReductionError
	if !errors.As(err, &re) || re.Reduction != "symmetry over iocbs" || !strings.Contains(re.Step, "ki_retry:call") {
		t.Fatalf("error %v, want a symmetry-over-iocbs ReductionError at ki_retry:call", err)
	}
	cert, err := Exhaustive(v, &sc, ExhaustiveOptions{Workers: 1, NoSymmetry: true})
	if err != nil || !cert.Complete {
		t.Fatalf("without symmetry: %v", err)
	}
}

// TestIocbSymmetryVerdicts: the symmetry changes no verdict, no
// counterexample length and no bug signature (with its length) on the
// multi-iocb scenarios with interchangeable iocbs: two and three readers
// and two writers inside i_size (complete on small sizes;
// two-aio-readers-gup to a depth bound, which a reduction that keeps
// shortest lengths keeps too). The scenarios three-aio-writers (the last
// extends i_size) and three-xfs-writers rename no iocb: their fingerprint
// is the one TestFingerprint checks without iocb symmetry.
func TestIocbSymmetryVerdicts(t *testing.T) {
	named := func(n string) sim.Scenario {
		s, err := diosim.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		return s.Scenario
	}
	cases := []struct {
		versions []string
		sc       sim.Scenario
		depth    int
	}{
		{[]string{"before", "v2.6.20"}, sim.Scenario{Op: sim.Read, Blocks: 1, Iocbs: 2, Faults: sim.FaultSet(sim.FaultGUP)}, 0},
		{[]string{"v2.6.20"}, sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 2, Sync: true, Faults: sim.FaultSet(sim.FaultGUP)}, 0},
		{[]string{"v2.6.20"}, sim.Scenario{Op: sim.Read, Blocks: 1, Iocbs: 3, Sync: true}, 0},
		{[]string{"before"}, named("two-aio-readers-gup"), 40},
		{[]string{"before", "v2.6.20"}, sim.Scenario{Op: sim.Write, Blocks: 1, Iocbs: 2, Sync: true, Faults: sim.FaultSet(sim.FaultHole) | sim.FaultSet(sim.FaultGUP)}, 0},
		{[]string{"v2.6.20"}, sim.Scenario{Op: sim.Write, Blocks: 2, Iocbs: 2, Sync: true, OSync: true, Faults: sim.FaultSet(sim.FaultOSync)}, 0},
	}
	if testing.Short() {
		cases = cases[:1]
	}
	for _, c := range cases {
		for _, v := range c.versions {
			m := mustModel(t, v)
			sc := c.sc
			with, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1, MaxDepth: c.depth})
			if err != nil {
				t.Fatal(err)
			}
			without, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1, MaxDepth: c.depth, NoSymmetry: true})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s %s: %d states, %d without symmetry", v, sc, with.States, without.States)
			if with.Complete != without.Complete || (c.depth == 0 && !with.Complete) {
				t.Fatalf("%s %s: complete %v with symmetry, %v without", v, sc, with.Complete, without.Complete)
			}
			if sc.IocbsInterchangeable() && with.States >= without.States {
				t.Errorf("%s %s: symmetry saves no state (%d, %d without)", v, sc, with.States, without.States)
			}
			if a, b := verdictSummary(with), verdictSummary(without); a != b {
				t.Errorf("%s %s: with symmetry\n%s\nwithout\n%s", v, sc, a, b)
			}
		}
	}
}

// twoOf is sc with two iocbs (three writers are too many to search in a
// test).
func twoOf(sc sim.Scenario) sim.Scenario {
	sc.Iocbs = 2
	return sc
}

// verdictSummary lists each property's verdict and counterexample length,
// and each bug's signature and length.
func verdictSummary(c *Certificate) string {
	var b strings.Builder
	for _, id := range sim.SortedNames(c.Properties) {
		v := c.Properties[id]
		fmt.Fprintf(&b, "%s: %s %d\n", id, v.Verdict, len(v.Moves))
	}
	for _, g := range c.Bugs {
		fmt.Fprintf(&b, "bug %s: %d\n", g.Signature, len(g.Moves))
	}
	return b.String()
}
