package scheduler

import (
	"errors"
	"strings"
	"testing"

	"diosim"
	"diosim/internal/testbudget"
	"diosim/model"
	"diosim/sim"
)

// TestReductionAssumptions: on every version and default scenario, with
// one iocb and with two, the first states break neither reduction's
// assumption (CheckReductions: the model commutes with renaming bios, and
// on the first few states with renaming interchangeable iocbs, which
// TestIocbSymmetryAssumptions checks further; a step the search may take
// alone commutes with every other actor's move).
func TestReductionAssumptions(t *testing.T) {
	limit := testbudget.Pick(3000, 500, 3000) // -race or -short: 500
	for _, m := range model.Versions() {
		t.Run(m.Name, func(t *testing.T) {
			t.Parallel() // one version per core: the checks share nothing
			for _, n := range diosim.DefaultSet() {
				for _, iocbs := range []int{1, 2} {
					sc := n.Scenario
					sc.Iocbs = iocbs
					for _, e := range checkReductions(m, m.Init(&sc), limit, limit/20, true, true, 3) {
						t.Errorf("%s %s, %d iocbs: %v", m.Name, n.Name, iocbs, e)
					}
				}
			}
		})
	}
}

// stepOf returns the definition of step id in version ver.
func stepOf(t *testing.T, ver, id string) model.StepDef {
	m, err := model.Lookup(ver)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := m.StepDef(id)
	if !ok {
		t.Fatalf("no step %s in %s", id, ver)
	}
	d.Private = false // the tests set what they claim
	return d
}

func registerTest(t *testing.T, v model.Version) *model.Model {
	t.Helper()
	if m, err := model.Lookup(v.Name); err == nil {
		return m
	}
	if err := model.Register(v); err != nil {
		t.Fatal(err)
	}
	m, _ := model.Lookup(v.Name)
	return m
}

// TestVariantBreakingReductions: a variant whose steps break an assumption
// of a reduction is refused with an error naming the step, never searched
// wrongly or crashed, and searches fine with that reduction off.
func TestVariantBreakingReductions(t *testing.T) {
	// The last bio (by index) never completes: bios are no longer alike.
	end := stepOf(t, "after", "bio_endio:end-io")
	guard := end.Guard
	end.Guard = func(s *sim.State, a int) bool {
		act := &s.Actors[a]
		if int(act.Index) == s.Scn.Blocks-1 {
			return false
		}
		return guard == nil || guard(s, a)
	}
	lastStuck := registerTest(t, model.Version{Name: "after+test-last-bio-stuck", Parent: "after", Patch: &model.Patch{
		Title: "test: the last bio never completes", Edits: []model.Edit{{Op: model.Replace, Step: end.ID, With: []model.StepDef{end}}}}})
	// A step claimed private that writes what the bios read: sending the
	// deferred page also drops a dio reference.
	send := stepOf(t, "after", "submit_page_section:send-cur-page")
	do := send.Do
	send.Private = true
	send.Do = func(c *model.Ctx) {
		do(c)
		c.R.Dio.Refcount = 1 // a plain store to state the bios' completions read and write
	}
	shared := registerTest(t, model.Version{Name: "after+test-private-store", Parent: "after", Patch: &model.Patch{
		Title: "test: a private step writes the refcount", Edits: []model.Edit{{Op: model.Replace, Step: send.ID, With: []model.StepDef{send}}}}})

	sc := sim.Scenario{Op: sim.Read, Blocks: 2, Faults: sim.FaultSet(sim.FaultGUP)}
	cases := []struct {
		m    *model.Model
		sc   sim.Scenario
		want string
		off  *ExhaustiveOptions // a search with the reduction off that must work (nil: not tried)
	}{
		{lastStuck, sc, "symmetry", &ExhaustiveOptions{NoSymmetry: true}},
		{shared, sim.Scenario{Op: sim.Read, Blocks: 4}, "partial-order reduction", nil},
	}
	for _, c := range cases {
		sc := c.sc
		_, err := Exhaustive(c.m, &sc, ExhaustiveOptions{Workers: 1})
		var re *ReductionError
		if !errors.As(err, &re) || re.Reduction != c.want || !strings.Contains(err.Error(), "--no-") {
			t.Errorf("%s: error %v, want a %s ReductionError", c.m.Name, err, c.want)
			continue
		}
		t.Logf("%s: %v", c.m.Name, err)
		if c.off == nil {
			continue
		}
		c.off.Workers = 1
		cert, err := Exhaustive(c.m, &sc, *c.off)
		if err != nil || !cert.Complete {
			t.Errorf("%s with the reduction off: %v", c.m.Name, err)
		}
		for id, v := range cert.Properties {
			if v.Verdict == "violated" {
				if _, _, err := Record(c.m, &sc, 0, "exhaustive", v.Moves); err != nil {
					t.Errorf("%s %s: the counterexample does not replay: %v", c.m.Name, id, err)
				}
			}
		}
	}
}

// TestPORSeveralIocbs: with several iocbs the partial-order reduction
// changes no verdict (on scenarios small enough to search both ways) and
// saves states.
func TestPORSeveralIocbs(t *testing.T) {
	// Synchronous iocbs keep these small enough to search without the
	// reduction on every version (two asynchronous 1-block readers: 186k
	// states with it, 272k without, 18 s on one core).
	scs := []sim.Scenario{
		{Op: sim.Read, Blocks: 1, Iocbs: 2, Sync: true, Faults: sim.FaultSet(sim.FaultEIO)},
		{Op: sim.Write, Blocks: 1, Iocbs: 2, Sync: true, Place: sim.Extend},
		{Op: sim.Write, Blocks: 1, Iocbs: 2, Sync: true, FS: sim.XFS},
	}
	if testing.Short() {
		scs = scs[:2]
	}
	for _, m := range model.Versions() {
		for _, sc := range scs {
			sc := sc
			with, err := Exhaustive(m, &sc, ExhaustiveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			without, err := Exhaustive(m, &sc, ExhaustiveOptions{NoPOR: true})
			if err != nil {
				t.Fatal(err)
			}
			if !with.POR || !with.Complete || !without.Complete {
				t.Fatalf("%s %s: por %v, complete %v/%v", m.Name, sc, with.POR, with.Complete, without.Complete)
			}
			for id, v := range without.Properties {
				if w := with.Properties[id]; w.Verdict != v.Verdict {
					t.Errorf("%s %s %s: %s with POR, %s without", m.Name, sc, id, w.Verdict, v.Verdict)
				}
			}
			if with.States > without.States {
				t.Errorf("%s %s: POR visits more states (%d > %d)", m.Name, sc, with.States, without.States)
			}
		}
	}
}
