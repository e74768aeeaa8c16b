package scheduler_test

import (
	"reflect"
	"testing"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
)

// TestPCTFindsKnownViolations: PCT with a fixed seed and a bounded number
// of runs finds every violation the exhaustive search finds on the
// default set, on every version.
func TestPCTFindsKnownViolations(t *testing.T) {
	const runs = 500
	for _, m := range model.Versions() {
		for _, n := range diosim.DefaultSet() {
			sc := n.Scenario
			cert, err := scheduler.Exhaustive(m, &sc, scheduler.ExhaustiveOptions{Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			cr, err := scheduler.PCTCampaign(m, &sc, 1, runs, 3, 0, 0)
			if err != nil {
				t.Fatalf("%s %s: %v", m.Name, n.Name, err)
			}
			for _, id := range properties.All {
				if cert.Properties[string(id)].Verdict != "violated" {
					if _, ok := cr.Found[id]; ok {
						t.Errorf("%s %s: pct found a violation of %s that the exhaustive search says cannot happen", m.Name, n.Name, id)
					}
					continue
				}
				if _, ok := cr.Found[id]; !ok {
					t.Errorf("%s %s: pct (%d runs, depth 3, seed 1) did not find the violation of %s", m.Name, n.Name, runs, id)
				}
			}
		}
	}
}

// TestPCTDeterministic: the same seed gives the same run, and a found
// violation replays.
func TestPCTDeterministic(t *testing.T) {
	m, _ := model.Lookup("before")
	n, _ := diosim.Lookup("double-completion")
	sc := n.Scenario
	a, err := scheduler.PCTCampaign(m, &sc, 7, 300, 3, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := scheduler.PCTCampaign(m, &sc, 7, 300, 3, 0, 2)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.Found, b.Found) || a.Steps != b.Steps {
		t.Fatalf("pct campaigns with the same seed differ with 1 and 2 workers")
	}
	f, ok := a.Found[properties.ExactlyOnce]
	if !ok {
		t.Fatal("pct did not find the double completion")
	}
	res, err := scheduler.Run(m, &sc, &scheduler.Fixed{Moves: f.Moves}, scheduler.Options{})
	if err != nil || !res.Has(properties.ExactlyOnce) {
		t.Fatalf("the pct counterexample does not replay: %v", err)
	}
}

func TestPCTBound(t *testing.T) {
	// n = 4, k = 10, d = 2: p = 1/40 per run.
	if got := scheduler.PCTBound(4, 10, 2, 1); got < 0.0249 || got > 0.0251 {
		t.Fatalf("PCTBound(4, 10, 2, 1) = %v, want 1/40", got)
	}
	if a, b := scheduler.PCTBound(4, 50, 3, 100), scheduler.PCTBound(4, 50, 3, 1000); !(a < b && b < 1) {
		t.Fatalf("the bound must grow with the runs and stay below 1: %v %v", a, b)
	}
}
