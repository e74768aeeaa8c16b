package model

import (
	"testing"

	"diosim/sim"
)

// runFacts summarises the end states of every interleaving of a scenario
// on one version: what the mm/filemap.c part of each release decides.
type runFacts struct {
	ends          int
	double        bool // some run delivers the iocb's completion twice
	invalidateEIO bool // some run meets the invalidation's -EIO
	invalidateBsy bool // some run meets a page the invalidation cannot release (-EBUSY)
	osyncMet      bool // some run meets the O_SYNC sync's failure
	osyncLost     bool // some run meets it and completes the iocb once, with the full count
	osyncEIO      bool // some run meets it and delivers -EIO
	bad           string
}

func collect(t *testing.T, ver, scenario string) runFacts {
	t.Helper()
	sc, err := sim.ParseScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	m, err := Lookup(ver)
	if err != nil {
		t.Fatal(err)
	}
	count := int64(sc.Blocks) * sim.BlockSize
	var f runFacts
	endStates(t, m, &sc, func(s *sim.State) {
		f.ends++
		q := &s.Reqs[0]
		met := q.Facts.FaultsMet
		f.double = f.double || q.Facts.Deliveries > 1
		if met&sim.ErrMetInvalidate != 0 {
			f.invalidateEIO = true
			// 2.6.21 on: the failing invalidation comes before the I/O.
			if ver != "v2.6.20" && (q.Mem[sim.ObjDio] != sim.Unallocated || q.Facts.FirstRes != -sim.EIO || q.Facts.Deliveries != 1) {
				f.bad = "a failed invalidation that submitted I/O or did not complete the iocb once with -EIO"
			}
		}
		if met&sim.InvalidateBusy != 0 {
			f.invalidateBsy = true
			// The write falls back to the page cache and succeeds.
			if q.Facts.FirstRes != count || q.Facts.Deliveries != 1 || s.Inode.Data[0] != 1 || s.Inode.Data[sc.Blocks-1] != 1 {
				f.bad = "a write whose invalidation met -EBUSY did not complete once with the full count and the new data"
			}
		}
		if met&sim.ErrMetOSync != 0 {
			f.osyncMet = true
			f.osyncLost = f.osyncLost || q.Facts.FirstRes == count && q.Facts.Deliveries == 1
			f.osyncEIO = f.osyncEIO || q.Facts.FirstRes == -sim.EIO
		}
	})
	if f.ends == 0 {
		t.Fatalf("%s %s: no end state", ver, scenario)
	}
	return f
}

// TestLaterFilemapInvalidation follows the invalidation of a direct
// write's range across the releases: in v2.6.20 it runs after ->direct_IO
// and its -EIO can replace -EIOCBQUEUED (a second completion); 2.6.21 and
// 2.6.22 run it first, so its -EIO returns with nothing submitted; from
// 2.6.32 on its failure is -EBUSY and the write falls back to the page
// cache.
func TestLaterFilemapInvalidation(t *testing.T) {
	const sc = "op=write mode=async blocks=2 place=inside osync=false fs=generic faults=invalidate"
	for _, c := range []struct {
		ver               string
		double, eio, busy bool
	}{
		{"v2.6.20", true, true, false},
		{"v2.6.21", false, true, false},
		{"v2.6.22", false, true, false},
		{"v2.6.32", false, false, true},
		{"v2.6.36", false, false, true},
	} {
		f := collect(t, c.ver, sc)
		if f.bad != "" {
			t.Errorf("%s: %s", c.ver, f.bad)
		}
		if f.double != c.double || f.invalidateEIO != c.eio || f.invalidateBsy != c.busy {
			t.Errorf("%s: double completion %v, invalidation -EIO met %v, -EBUSY met %v; want %v, %v, %v",
				c.ver, f.double, f.invalidateEIO, f.invalidateBsy, c.double, c.eio, c.busy)
		}
	}
}

// TestLaterFilemapOSync follows an O_SYNC direct write's sync: up to
// 2.6.22 generic_file_direct_write's generic_osync_inode runs for
// -EIOCBQUEUED too and its -EIO replaces it (a second completion); from
// 2.6.32 generic_file_aio_write's generic_write_sync runs after i_mutex is
// dropped and its error replaces only a positive result: a queued AIO
// write's completion carries the full count although the sync failed; a
// write whose bios all completed before direct_io_worker returned (and a
// synchronous one) returns -EIO.
func TestLaterFilemapOSync(t *testing.T) {
	for _, c := range []struct {
		ver, sc           string
		double, lost, eio bool
	}{
		{"v2.6.21", "op=write mode=async blocks=2 place=inside osync=true fs=generic faults=osync", true, false, true},
		{"v2.6.22", "op=write mode=async blocks=2 place=inside osync=true fs=generic faults=osync", true, false, true},
		{"v2.6.32", "op=write mode=async blocks=2 place=inside osync=true fs=generic faults=osync", false, true, true},
		{"v2.6.36", "op=write mode=async blocks=2 place=inside osync=true fs=generic faults=osync", false, true, true},
		{"v2.6.22", "op=write mode=sync blocks=1 place=inside osync=true fs=generic faults=osync", false, false, true},
		{"v2.6.32", "op=write mode=sync blocks=1 place=inside osync=true fs=generic faults=osync", false, false, true},
	} {
		f := collect(t, c.ver, c.sc)
		if !f.osyncMet {
			t.Errorf("%s %s: the sync never fails", c.ver, c.sc)
			continue
		}
		if f.double != c.double || f.osyncLost != c.lost || f.osyncEIO != c.eio {
			t.Errorf("%s %s: double completion %v, sync error dropped %v, -EIO delivered %v; want %v, %v, %v",
				c.ver, c.sc, f.double, f.osyncLost, f.osyncEIO, c.double, c.lost, c.eio)
		}
	}
}

// TestLaterFilemapShortRead runs generic_file_aio_read's return step of a
// synchronous direct read on its own, with the direct read's result set:
// only 2.6.36 completes a short read before i_size with a buffered read of
// the rest; errors and -EIOCBQUEUED return at once everywhere.
func TestLaterFilemapShortRead(t *testing.T) {
	sc, err := sim.ParseScenario("op=read mode=sync blocks=2 place=inside osync=false fs=generic faults=none")
	if err != nil {
		t.Fatal(err)
	}
	const (
		ret    = "generic_file_aio_read:return"
		buffer = "generic_file_aio_read:buffered"
	)
	for _, c := range []struct {
		ver    string
		direct int64 // what ->direct_IO returned
		next   string
		result int64 // retval once the read is done
	}{
		{"v2.6.32", sim.BlockSize, "do_sync_read/do_sync_write:sync-wait", sim.BlockSize},
		{"v2.6.36", sim.BlockSize, buffer, 2 * sim.BlockSize},
		{"v2.6.36", 2 * sim.BlockSize, "do_sync_read/do_sync_write:sync-wait", 2 * sim.BlockSize},
		{"v2.6.36", -sim.EIO, "do_sync_read/do_sync_write:sync-wait", -sim.EIO},
		{"v2.6.36", -sim.EIOCBQUEUED, "do_sync_read/do_sync_write:sync-wait", -sim.EIOCBQUEUED},
		{"v2.6.36", 0, buffer, 2 * sim.BlockSize},
		{"v2.6.32", 0, buffer, 2 * sim.BlockSize},
	} {
		m, err := Lookup(c.ver)
		if err != nil {
			t.Fatal(err)
		}
		s := m.Init(&sc)
		const a = 0 // the submitter
		p := m.Program(s, a)
		pc := -1
		for i, st := range p.Steps {
			if st.ID == ret {
				pc = i
				break
			}
		}
		if pc < 0 {
			t.Fatalf("%s: no step %s in %s", c.ver, ret, p.Name)
		}
		// The state as the step finds it: the kiocb set up for the read,
		// the request's position and length in the locals.
		r := &s.Reqs[0]
		r.Alloc(sim.ObjKiocb)
		r.Kiocb.IsSync, r.Kiocb.Users, r.Kiocb.Pos = true, 1, r.Pos
		act := &s.Actors[a]
		act.L.Pos, act.L.Count, act.L.Ret = r.Pos, 2*sim.BlockSize, c.direct
		act.PC = int16(pc)
		m.Apply(s, Move{Actor: a})
		st := m.Next(s, a)
		if st == nil || st.ID != c.next {
			t.Errorf("%s, ->direct_IO returned %s: next step %v, want %s", c.ver, ErrName(c.direct), st, c.next)
			continue
		}
		if c.next == buffer {
			m.Apply(s, Move{Actor: a})
		}
		if act.L.Retval != c.result {
			t.Errorf("%s, ->direct_IO returned %s: retval %s, want %s", c.ver, ErrName(c.direct), ErrName(act.L.Retval), ErrName(c.result))
		}
		if c.result > 0 && r.Kiocb.Pos != r.Pos+c.result {
			t.Errorf("%s, ->direct_IO returned %s: *ppos %d, want %d", c.ver, ErrName(c.direct), r.Kiocb.Pos, r.Pos+c.result)
		}
	}
}
