package scheduler

import (
	"testing"

	"diosim/model"
	"diosim/sim"
)

// TestReductionAssumptionsNewPaths: on the paths issue 9's defects 4 and
// 6 added — map=extent (bios carrying runs of blocks, the ZERO_PAGE after a
// fault), XFS's own O_SYNC tail, a failing do_sync_file_range — the steps
// the search may take alone still commute with every other actor's move,
// and renaming bios commutes with every step, on the four versions of the
// seed patch's story. (The symmetry over bios is off with extents, and the
// extent scenarios never have two bios in flight anyway: the blocks after
// a hole continue one run.)
func TestReductionAssumptionsNewPaths(t *testing.T) {
	limit := 1500
	if testing.Short() {
		limit = 300
	}
	for _, ver := range []string{"v2.6.18", "before", "after", "v2.6.20"} {
		m, err := model.Lookup(ver)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{
			"op=read mode=async blocks=3 place=inside osync=false fs=generic faults=gup,hole map=extent",
			"op=write mode=async blocks=3 place=inside osync=false fs=generic faults=gup,eio map=extent",
			"op=write mode=async blocks=2 place=extend osync=false fs=xfs faults=gup map=extent",
			"op=write mode=sync blocks=2 place=inside osync=false fs=generic faults=hole,syncrange map=extent",
			"op=write mode=sync blocks=2 place=inside osync=false fs=generic faults=hole,syncrange",
			"op=write mode=sync blocks=2 place=inside osync=true fs=xfs faults=osync",
			"op=write mode=async blocks=2 place=inside osync=true fs=xfs faults=osync,eio",
		} {
			sc, err := sim.ParseScenario(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range checkReductions(m, m.Init(&sc), limit, 0, true, true, 3) {
				t.Errorf("%s %s: %v", ver, s, e)
			}
		}
	}
}
