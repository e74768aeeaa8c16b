package scheduler_test

import (
	"testing"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
)

// TestVacuity: a synchronous read never reaches a dio-path aio_complete,
// so only-after-queued holds vacuously there; exactly-once's situations
// (a completion, a bio ending while the submitter is inside) are reached.
func TestVacuity(t *testing.T) {
	m, _ := model.Lookup("v2.6.20")
	n, _ := diosim.Lookup("sync-read-faults")
	sc := n.Scenario
	cert, err := scheduler.Exhaustive(m, &sc, scheduler.ExhaustiveOptions{Workers: 1, Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	if cert.Properties[string(properties.OnlyAfterQueued)].Verdict != "holds" || len(cert.Vacuous(properties.OnlyAfterQueued)) == 0 {
		t.Errorf("only-after-queued on a sync read: %v, unreached %v; want holds, vacuously", cert.Properties[string(properties.OnlyAfterQueued)], cert.Vacuous(properties.OnlyAfterQueued))
	}
	if v := cert.Vacuous(properties.ExactlyOnce); len(v) != 0 {
		t.Errorf("exactly-once: unreached %v", v)
	}
	if len(cert.Coverage) == 0 {
		t.Error("no coverage recorded")
	}
}
