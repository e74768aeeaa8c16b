package properties_test

import (
	"testing"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
)

// lockSituation is the name of no-bug's situation for its exclusion check.
const lockSituation = "a task is about to take i_mutex or the XFS iolock while another task holds it (the exclusion check has two tasks to check)"

// TestLockContention: in the default set's two-task scenarios one task
// reaches a lock step while the other holds the lock (no-bug's situation
// for its exclusion check), on releases old and new, and no-bug holds
// there; a scenario with one iocb is not asked for it.
func TestLockContention(t *testing.T) {
	for _, tc := range []struct {
		version, scenario string
		applies           bool
	}{
		{"v2.6.18", "two-sync-writers", true},
		{"v2.6.36", "two-sync-readers", true},
		{"v2.6.20", "xfs-two-sync-writers-cached", true}, // i_mutex and the iolock exclusive from the start
		{"v2.6.22", "xfs-two-sync-writers-cached", true}, // after the relock
		{"after", "two-aio-writers-extend", true},
		{"after", "xfs-sync-write-invalidate", false},
	} {
		m, _ := model.Lookup(tc.version)
		n, err := diosim.Lookup(tc.scenario)
		if err != nil {
			t.Fatal(err)
		}
		sc := n.Scenario
		cert, err := scheduler.Exhaustive(m, &sc, scheduler.ExhaustiveOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, st := range cert.Sometimes[string(properties.NoBug)] {
			if st.Name == lockSituation {
				found = true
				if !st.Reached {
					t.Errorf("%s %s: no-bug's situation %q not reached", tc.version, tc.scenario, st.Name)
				}
			}
		}
		if found != tc.applies {
			t.Errorf("%s %s: the lock situation applies %v, want %v", tc.version, tc.scenario, found, tc.applies)
		}
		if v := cert.Properties[string(properties.NoBug)].Verdict; v != "holds" {
			t.Errorf("%s %s: no-bug %s, want holds", tc.version, tc.scenario, v)
		}
	}
}
