package properties_test

import (
	"strings"
	"testing"

	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// TestFilePosition: a read(2) or write(2) returning n >= 0 leaves the file
// position at its offset plus n, and every return records that position
// in the history. It holds for plain synchronous reads and writes on
// every version; from 2.6.19 to 2.6.21 a short direct write whose
// buffered part fails do_sync_file_range returns only the bytes written
// directly while generic_file_buffered_write has already moved *ppos past
// the buffered part (mm/filemap.c@v2.6.20:2190, 2300-2325): result-value
// reports the position.
func TestFilePosition(t *testing.T) {
	for _, c := range []struct {
		ver, scn string
		bad      bool
	}{
		{"v2.6.18", "op=write mode=sync blocks=2 place=inside osync=false fs=generic faults=none", false},
		{"after", "op=write mode=sync blocks=2 place=inside osync=false fs=generic faults=none", false},
		{"after", "op=read mode=sync blocks=2 place=past-eof osync=false fs=generic faults=none", false},
		{"v2.6.36", "op=write mode=sync blocks=2 place=extend osync=false fs=xfs faults=none", false},
		{"after", "op=write mode=sync blocks=2 place=inside osync=false fs=generic faults=hole,syncrange", true},
		{"v2.6.20", "op=write mode=sync blocks=2 place=inside osync=false fs=generic faults=hole,syncrange", true},
	} {
		m, err := model.Lookup(c.ver)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := sim.ParseScenario(c.scn)
		if err != nil {
			t.Fatal(err)
		}
		cert, err := scheduler.Exhaustive(m, &sc, scheduler.ExhaustiveOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var pos *scheduler.Bug
		for i := range cert.Bugs {
			if cert.Bugs[i].Kind == properties.KindWrongPos {
				pos = &cert.Bugs[i]
			}
		}
		if (pos != nil) != c.bad {
			t.Errorf("%s %s: wrong file position %v, want %v (%v)", c.ver, c.scn, pos != nil, c.bad, pos)
			continue
		}
		if reached := cert.Vacuous(properties.ResultValue); len(reached) > 0 {
			t.Errorf("%s %s: result-value situations never reached: %v", c.ver, c.scn, reached)
		}
		if pos == nil {
			continue
		}
		if !strings.Contains(pos.Message, "write(2) at offset 0 returned 4096 bytes but left the file position at 8192") {
			t.Errorf("%s: message %q", c.ver, pos.Message)
		}
		// The history's return shows the same position.
		res, err := scheduler.Run(m, &sc, &scheduler.Fixed{Moves: pos.Moves}, scheduler.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var ret *sim.HistEvent
		for i, e := range res.Final.History {
			if e.Return && e.Op == sim.HistWrite {
				ret = &res.Final.History[i]
			}
		}
		if ret == nil || ret.Val != sim.BlockSize || ret.FPos != 2*sim.BlockSize {
			t.Errorf("%s: the history's return is %+v, want 4096 bytes at position 8192", c.ver, ret)
		}
	}
}
