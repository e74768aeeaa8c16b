package properties

import (
	"strings"

	"diosim/model"
	"diosim/sim"
)

// A Situation is something that must happen in some run for a verdict of
// "holds" to mean anything, in the style of Stateright's `sometimes`
// properties: if the submitter never sleeps waiting for its bios, "no
// task sleeps forever" is vacuous. A complete exhaustive search that
// reaches none of the states where Reached holds reports the property as
// vacuous instead of holds.
type Situation struct {
	Prop ID
	Name string
	// Applies says whether the situation can be asked of a scenario (a
	// fault firing only where the scenario lets that fault fire); nil:
	// every scenario.
	Applies func(sc *sim.Scenario) bool
	// Reached reports whether state s is an instance of the situation.
	Reached func(m *model.Model, s *sim.State) bool
}

// Sometimes lists every property's situations, in report order. A
// property may appear several times: each of its situations must be
// reached.
var Sometimes = []Situation{
	{Prop: ExactlyOnce, Name: "an iocb is completed", Reached: anyReq(func(s *sim.State, q *sim.Req) bool { return q.Facts.Deliveries > 0 })},
	{Prop: ExactlyOnce, Name: "a bio completes before the submitter has returned from the submission (its dio reference still held)", Reached: bioBeforeReturn},
	{Prop: OnlyAfterQueued, Name: "fs/direct-io.c calls aio_complete", Reached: anyReq(func(s *sim.State, q *sim.Req) bool { return q.Facts.DioCompletes > 0 })},
	{Prop: DioLifetime, Name: "the dio is freed", Reached: anyReq(func(s *sim.State, q *sim.Req) bool { return q.Mem[sim.ObjDio] == sim.Freed })},
	{Prop: DioLifetime, Name: "the dio is freed before the submitter has returned from the submission (by a bio completion)", Reached: anyReq(func(s *sim.State, q *sim.Req) bool {
		return q.Mem[sim.ObjDio] == sim.Freed && !q.Facts.RetryReturned
	})},
	{Prop: ObjectLifetime, Name: "the kiocb or the XFS ioend is freed", Reached: anyReq(func(s *sim.State, q *sim.Req) bool {
		return q.Mem[sim.ObjKiocb] == sim.Freed || q.Mem[sim.ObjIoend] == sim.Freed
	})},
	{Prop: NoBug, Name: "a BUG_ON test runs with the iocb queued (ki_retry returned -EIOCBQUEUED)", Reached: anyReq(func(s *sim.State, q *sim.Req) bool {
		return q.Facts.RetryReturned && q.Facts.RetryRet == -sim.EIOCBQUEUED
	})},
	{Prop: NoBug, Name: "a writer releases i_mutex or the XFS iolock (the unlock check runs)",
		Applies: func(sc *sim.Scenario) bool { return sc.Op == sim.Write },
		Reached: func(m *model.Model, s *sim.State) bool {
			return after(m, s, sim.Submitter, "generic_file_aio_write:unlock-i-mutex") ||
				after(m, s, sim.Submitter, "generic_file_write:unlock-i-mutex") || after(m, s, sim.Submitter, "xfs_write:fallback-unlock")
		}},
	{Prop: NoBug, Name: "a task is about to take i_mutex or the XFS iolock while another task holds it (the exclusion check has two tasks to check)",
		Applies: inodeLockShared, Reached: inodeLockContended},
	{Prop: NoHang, Name: "the submitter sleeps waiting for its bios (dio_await_one, or wait_on_sync_kiocb)", Reached: submitterSleeps},
	{Prop: NoHang, Name: "the submitter runs on past schedule() (woken, or with no need to sleep)", Reached: wokenAfterSleep},
	{Prop: NoHang, Name: "the submitter's wait loop re-takes bio_lock after a sleep to test its condition again (the loop a livelock would go round)", Reached: func(m *model.Model, s *sim.State) bool {
		return after(m, s, sim.Submitter, "dio_await_one:relock") || after(m, s, sim.Submitter, "direct_io_worker:async-wait-relock")
	}},
	{Prop: IsizeVisible, Name: "the reaper reaps a write's positive result and stats the file", Reached: anyReq(func(s *sim.State, q *sim.Req) bool {
		return q.Facts.StatAfterReap >= 0 && q.Facts.StatRes > 0 && s.Scn.Op == sim.Write
	})},
	{Prop: ResultValue, Name: "an iocb is completed", Reached: anyReq(func(s *sim.State, q *sim.Req) bool { return q.Facts.Deliveries > 0 })},
	{Prop: ResultValue, Name: "a read(2) or write(2) returns n >= 0 bytes to userspace (the file position it leaves is checked)",
		Applies: func(sc *sim.Scenario) bool { return sc.Sync }, Reached: syncReturnedBytes},
	{Prop: Linearizable, Name: "an operation returns to userspace", Reached: func(m *model.Model, s *sim.State) bool {
		for _, e := range s.History {
			if e.Return {
				return true
			}
		}
		return false
	}},
	{Prop: Linearizable, Name: "the observer reads the range back (pread) after a completion", Applies: func(sc *sim.Scenario) bool { return !sc.Sync },
		Reached: func(m *model.Model, s *sim.State) bool {
			for _, e := range s.History {
				if e.Return && e.Op == sim.HistPread {
					return true
				}
			}
			return false
		}},
	{Prop: DataAtRest, Name: "an XFS write is completed with a positive result", Applies: xfsWrite,
		Reached: anyReq(func(s *sim.State, q *sim.Req) bool { return q.Facts.Deliveries > 0 && q.Facts.FirstRes > 0 })},
	{Prop: DataAtRest, Name: "a completed XFS write's range is all written extents once its ioend is gone (the conversion ran)", Applies: xfsWrite,
		Reached: func(m *model.Model, s *sim.State) bool {
			for r := range s.Reqs {
				q := &s.Reqs[r]
				if q.Facts.Deliveries > 0 && q.Facts.FirstRes > 0 && q.Mem[sim.ObjIoend] == sim.Freed && len(atRest(s, r)) == 0 {
					return true
				}
			}
			return false
		}},
}

// inodeLockShared: two iocbs that both take i_mutex (and, on XFS, the
// iolock exclusively) at some point in every version: generic reads and
// writes (DIO_LOCKING reads take i_mutex in __blockdev_direct_IO, writes
// in generic_file_aio_write or generic_file_write), and XFS writes over
// cached pages (xfs_write takes i_mutex and the iolock exclusive to flush
// them). XFS writes without cached pages take the iolock shared, and only
// the releases before 2.6.22 take it exclusively for a write at EOF.
func inodeLockShared(sc *sim.Scenario) bool {
	return sc.NumIocbs() >= 2 && (sc.FS == sim.Generic || sc.Op == sim.Write && sc.Faults.Has(sim.FaultInvalidate))
}

// inodeLockContended: a submitter's next step takes i_mutex or the XFS
// iolock while another task holds it in a mode that excludes the one the
// step asks for (the state in which the step's guard makes it wait).
func inodeLockContended(m *model.Model, s *sim.State) bool {
	in := &s.Inode
	for a := range s.Actors {
		act := &s.Actors[a]
		if act.Kind != sim.Submitter || act.Done || act.Dead {
			continue
		}
		p := m.Program(s, a)
		if int(act.PC) >= len(p.Steps) {
			continue
		}
		id, me := p.Steps[act.PC].ID, int8(a+1)
		switch {
		case strings.HasSuffix(id, ":relock-i-mutex"),
			strings.HasSuffix(id, ":lock-i-mutex") && (id != "xfs_write:lock-i-mutex" || act.L.Flag):
			// xfs_write (before 2.6.22) takes i_mutex only when need_i_mutex.
			if in.IMutex != 0 && in.IMutex != me {
				return true
			}
		case strings.HasSuffix(id, ":ilock"), strings.HasSuffix(id, ":relock-ilock"):
			// xfs_write's ilock step takes the iolock exclusively when
			// need_i_mutex (before 2.6.22); relock-ilock always does.
			excl := strings.HasSuffix(id, ":relock-ilock") || act.L.Flag
			if in.IOLockExcl != 0 && in.IOLockExcl != me || excl && in.IOLockShared > 0 {
				return true
			}
		}
	}
	return false
}

// xfsWrite: the data-at-rest situations apply to XFS writes (elsewhere
// no block is ever an unwritten extent).
func xfsWrite(sc *sim.Scenario) bool { return sc.FS == sim.XFS && sc.Op == sim.Write }

func init() {
	// A fault firing at each fault point the scenario allows: for
	// no-bug and result-value (the error paths they judge).
	for _, f := range []struct {
		fault sim.Fault
		bit   uint16
		name  string
	}{
		{sim.FaultGUP, sim.ErrMetEFAULT, "get_user_pages fails (gup)"},
		{sim.FaultGetBlock, sim.ErrMetGetBlock, "get_block fails (getblock)"},
		{sim.FaultHole, sim.HoleMet, "get_block finds a hole (hole)"},
		{sim.FaultEIO, sim.ErrMetBioEIO, "a bio completes with -EIO (eio)"},
		{sim.FaultOSync, sim.ErrMetOSync, "generic_osync_inode fails (osync)"},
		{sim.FaultInvalidate, sim.ErrMetInvalidate | sim.InvalidateBusy, "invalidate_inode_pages2_range fails (invalidate)"},
		{sim.FaultSyncRange, sim.ErrMetSyncRange, "do_sync_file_range fails (syncrange)"},
	} {
		f := f
		applies := func(sc *sim.Scenario) bool { return sc.Faults.Has(f.fault) }
		reached := anyReq(func(s *sim.State, q *sim.Req) bool { return q.Facts.FaultsMet&f.bit != 0 })
		for _, p := range []ID{NoBug, ResultValue} {
			Sometimes = append(Sometimes, Situation{Prop: p, Name: "the fault fires: " + f.name, Applies: applies, Reached: reached})
		}
	}
}

func init() {
	// map=extent: a write's get_user_pages fails while mapped blocks are
	// outstanding, and the ZERO_PAGE stands in (page_errors): the path
	// result-value judges (v2.6.18 reports success) and linearizable
	// (zeros in the file). With one block the fault comes before the
	// mapping, so the situation needs two.
	applies := func(sc *sim.Scenario) bool {
		return sc.Extent && sc.Op == sim.Write && sc.Faults.Has(sim.FaultGUP) && sc.Blocks >= 2
	}
	reached := anyReq(func(s *sim.State, q *sim.Req) bool { return q.Dio.PageErrors != 0 })
	for _, p := range []ID{ResultValue, Linearizable} {
		Sometimes = append(Sometimes, Situation{Prop: p, Name: "a write's get_user_pages fails with mapped blocks outstanding: the ZERO_PAGE stands in (page_errors)", Applies: applies, Reached: reached})
	}
}

func anyReq(f func(s *sim.State, q *sim.Req) bool) func(m *model.Model, s *sim.State) bool {
	return func(m *model.Model, s *sim.State) bool {
		for r := range s.Reqs {
			if f(s, &s.Reqs[r]) {
				return true
			}
		}
		return false
	}
}

// bioBeforeReturn: a bio of iocb r has been completed by dio_bio_complete
// (bio_put: BioEnded) or handed to the waiter, while r's submitter is
// still inside the submission.
func bioBeforeReturn(m *model.Model, s *sim.State) bool {
	for a := range s.Actors {
		act := &s.Actors[a]
		if act.Kind != sim.BioEnd || act.PC == 0 {
			continue
		}
		if q := s.ReqOf(a); !q.Facts.RetryReturned && q.Facts.Submitted {
			return true
		}
	}
	return false
}

// submitterSleeps: a submitter asleep while one of its bios is in flight.
func submitterSleeps(m *model.Model, s *sim.State) bool {
	for a := range s.Actors {
		act := &s.Actors[a]
		if act.Kind != sim.Submitter || !act.Asleep {
			continue
		}
		for _, b := range s.ReqOf(a).Bios {
			if b.State == sim.BioSubmitted {
				return true
			}
		}
	}
	return false
}

// wokenAfterSleep: a submitter is awake right after one of the steps
// that call schedule() (dio_await_one, the v2.6.18 async wait in
// direct_io_worker, wait_on_sync_kiocb): it slept and was woken, or never
// needed to sleep (its state was already TASK_RUNNING).
func wokenAfterSleep(m *model.Model, s *sim.State) bool {
	for a := range s.Actors {
		act := &s.Actors[a]
		if act.Kind != sim.Submitter || act.Asleep || act.Done || act.Dead || act.PC == 0 {
			continue
		}
		p := m.Program(s, a)
		prev := &p.Steps[act.PC-1]
		if prev.ID == "dio_await_one:io-schedule" || prev.ID == "wait_on_sync_kiocb:schedule" || prev.ID == "direct_io_worker:async-io-schedule" {
			return true
		}
	}
	return false
}

// syncReturnedBytes: a submitter has just returned from read(2) or
// write(2) with a byte count (checkFilePos then has a position to check
// once the run is over).
func syncReturnedBytes(m *model.Model, s *sim.State) bool {
	for a := range s.Actors {
		act := &s.Actors[a]
		if act.Kind != sim.Submitter || act.Dead || act.PC == 0 {
			continue
		}
		q := s.ReqOf(a)
		if p := m.Program(s, a); int(act.PC) <= len(p.Steps) && p.Steps[act.PC-1].ID == "userspace:return" && q.Kiocb.IsSync && q.Facts.FirstRes >= 0 {
			return true
		}
	}
	return false
}

// after reports whether an actor of kind k has just taken the step id
// (the step before its next one is id).
func after(m *model.Model, s *sim.State, k sim.ActorKind, id string) bool {
	for a := range s.Actors {
		act := &s.Actors[a]
		if act.Kind != k || act.Dead || act.PC == 0 {
			continue
		}
		if p := m.Program(s, a); int(act.PC) <= len(p.Steps) && p.Steps[act.PC-1].ID == id {
			return true
		}
	}
	return false
}
