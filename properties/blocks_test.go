package properties_test

import (
	"testing"

	"diosim/properties"
	"diosim/sim"
)

// TestLinearizableBlockContents: what a read back may find in a block
// depends on the block's state (issue 9, defect 2): a block of a default
// XFS write's range is an unwritten extent and reads as zeros before the
// write; a generic file's block holds its old contents, and reads as
// zeros only when the hole fault makes the file sparse; stale disk
// contents are never legal, not even after a failed write.
func TestLinearizableBlockContents(t *testing.T) {
	const B = sim.BlockSize
	parse := func(s string) sim.Scenario {
		sc, err := sim.ParseScenario(s)
		if err != nil {
			t.Fatal(err)
		}
		return sc
	}
	xfs := parse("op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=eio")
	xfsOver := parse("op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=eio overwrite=true")
	generic := parse("op=write mode=async blocks=1 place=inside osync=false fs=generic faults=eio")
	sparse := parse("op=write mode=async blocks=1 place=inside osync=false fs=generic faults=hole")
	// A write of block 0 returning val, then a pread of it finding c.
	hist := func(val int64, c byte) []sim.HistEvent {
		return []sim.HistEvent{cW(0, 0, B), rW(0, 0, B, val), cP(1, 1, 0, B), rP(1, 1, 0, B, B, c)}
	}
	// A pread before the write returns, finding c.
	before := func(c byte) []sim.HistEvent {
		return []sim.HistEvent{cP(1, 1, 0, B), rP(1, 1, 0, B, B, c), cW(0, 0, B), rW(0, 0, B, B)}
	}
	for _, c := range []struct {
		name string
		sc   sim.Scenario
		h    []sim.HistEvent
		ok   bool
	}{
		{"xfs: zeros before the write (unwritten extent)", xfs, before(sim.ContentZero), true},
		{"xfs: old contents before the write", xfs, before(sim.ContentOld), false},
		{"xfs: the data after the write", xfs, hist(B, 1), true},
		{"xfs: zeros after a complete write", xfs, hist(B, sim.ContentZero), false},
		{"xfs: zeros after a failed write", xfs, hist(-sim.EIO, sim.ContentZero), true},
		{"xfs: stale contents after a failed write", xfs, hist(-sim.EIO, sim.ContentStale), false},
		{"xfs overwrite: old contents before the write", xfsOver, before(sim.ContentOld), true},
		{"xfs overwrite: zeros before the write", xfsOver, before(sim.ContentZero), false},
		{"generic: old contents after a failed write", generic, hist(-sim.EIO, sim.ContentOld), true},
		{"generic: zeros after a failed write", generic, hist(-sim.EIO, sim.ContentZero), false},
		{"generic: stale contents before the write", generic, before(sim.ContentStale), false},
		{"generic with holes: zeros before the write", sparse, before(sim.ContentZero), true},
	} {
		v := properties.CheckHistory(&c.sc, c.h, true)
		if v.OK != c.ok {
			t.Errorf("%s: linearizable %v, want %v (%s)", c.name, v.OK, c.ok, v.Msg)
		}
	}
}
