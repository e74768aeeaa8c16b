package model

import (
	"testing"

	"diosim/sim"
)

// endStates explores every interleaving of sc on m (depth first, states
// deduplicated by their encoding) and calls f on every state where no
// move is left.
func endStates(t *testing.T, m *Model, sc *sim.Scenario, f func(s *sim.State)) {
	t.Helper()
	walkStates(t, m, sc, nil, f)
}

// walkStates explores every interleaving of sc on m (depth first, states
// deduplicated by their encoding), calling move (if not nil) on every move
// with the state before it, the step it runs and the state after it, and
// end on every state where no move is left.
func walkStates(t *testing.T, m *Model, sc *sim.Scenario, move func(before *sim.State, st *Step, after *sim.State), end func(s *sim.State)) {
	t.Helper()
	seen := map[string]bool{}
	var walk func(s *sim.State)
	walk = func(s *sim.State) {
		k := string(s.Encode(nil))
		if seen[k] {
			return
		}
		seen[k] = true
		moves := m.Moves(s, nil)
		if len(moves) == 0 {
			if end != nil {
				end(s)
			}
			return
		}
		for _, mv := range moves {
			n := s.Clone()
			m.Apply(n, mv)
			if move != nil {
				move(s, m.Next(s, mv.Actor), n)
			}
			walk(n)
		}
	}
	walk(m.Init(sc))
	if len(seen) > 200000 {
		t.Fatalf("%d states: the scenario is too large for this test", len(seen))
	}
}

// TestXFSConvertsTheIoendRange: xfsdatad converts the range the completion
// gave xfs_end_io_direct (io_offset, io_size), and the completion passes
// dio->iocb->ki_pos as it is when it runs (issue 9, defect 1). In v2.6.18
// and before, generic_file_direct_write moves *ppos, which is
// &iocb->ki_pos, past the write before the bios may have completed, so
// some runs convert the range after the write and leave the written
// blocks unwritten; in after and v2.6.20 *ppos stays until the iocb
// completes, and every run converts the written blocks.
func TestXFSConvertsTheIoendRange(t *testing.T) {
	sc, err := sim.ParseScenario("op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=none")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		ver   string
		moved bool // some run converts [end, end+size)
	}{{"v2.6.18", true}, {"before", true}, {"after", false}, {"v2.6.20", false}} {
		m, err := Lookup(c.ver)
		if err != nil {
			t.Fatal(err)
		}
		offsets := map[int64]bool{}
		left := false
		endStates(t, m, &sc, func(s *sim.State) {
			k := s.Reqs[0].Kiocb
			if k.IoSize == 0 {
				return
			}
			offsets[k.IoOffset] = true
			for _, u := range s.Inode.Unwritten {
				left = left || u
			}
			if k.IoOffset == 0 && k.IoSize == sim.BlockSize {
				for b, u := range s.Inode.Unwritten {
					if u {
						t.Errorf("%s: block %d still unwritten after the conversion of [0, %d)", c.ver, b, k.IoSize)
					}
				}
			}
		})
		if !offsets[0] {
			t.Errorf("%s: no run converts from offset 0 (offsets %v)", c.ver, offsets)
		}
		if got := offsets[sim.BlockSize]; got != c.moved || left != c.moved {
			t.Errorf("%s: a run converts from the moved ki_pos %v, written blocks left unwritten %v; want %v (offsets %v)", c.ver, got, left, c.moved, offsets)
		}
	}
}

// TestReaderAtRest: with observe=at-rest the reaper reads nothing after
// reaping; once every kernel actor has finished it stats and reads back
// every iocb's range, as the observer client. Every run ends with that
// read: the reader never waits forever when nothing hangs.
func TestReaderAtRest(t *testing.T) {
	sc, err := sim.ParseScenario("op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=none observe=at-rest")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Lookup("v2.6.20")
	if err != nil {
		t.Fatal(err)
	}
	ends := 0
	endStates(t, m, &sc, func(s *sim.State) {
		ends++
		h := s.History
		observer := int8(s.NumReqs())
		var reads []sim.HistEvent
		lastIocb := -1
		for i, e := range h {
			if e.Client != observer {
				lastIocb = i
				continue
			}
			if e.Return && e.Op == sim.HistPread {
				reads = append(reads, e)
			}
		}
		if len(reads) != s.NumReqs() {
			t.Fatalf("%d reads back at rest, want one per iocb (%d): %v", len(reads), s.NumReqs(), h)
		}
		if n := 4 * s.NumReqs(); len(h) < n || lastIocb >= len(h)-n {
			t.Fatalf("an iocb event after or between the reads at rest: %v", h)
		}
		// v2.6.20 converts the written range before the worker finishes,
		// and the reader waits for it: the read at rest sees the data.
		if reads[0].Data != string([]byte{1}) {
			t.Fatalf("the read at rest saw %q, want the write's data (a read before the conversion?)", reads[0].Data)
		}
		for a := range s.Actors {
			if !s.Actors[a].Done && !s.Actors[a].Dead {
				t.Fatalf("actor %d (%v) not finished at the end", a, s.Actors[a].Kind)
			}
		}
	})
	if ends == 0 {
		t.Fatal("no end state")
	}
}
