// Package properties holds the invariants dio-sim checks after every step
// and at the end of every run.
//
// The property ids, used everywhere (CLI, JSON, traces, tests):
//
//   - exactly-once: the kiocb's result is delivered exactly once: for an
//     io_submit iocb, aio_complete is called exactly once; for a
//     synchronous read/write, either aio_read/aio_write returns the result
//     (anything but -EIOCBQUEUED) or it returns -EIOCBQUEUED and
//     aio_complete is called once. A second delivery is a double
//     completion (checked at the step); none, once nothing else can run,
//     is a lost completion (checked at the end).
//   - only-after-queued: a call of aio_complete made from fs/direct-io.c
//     (the dio completion path, in any context) is allowed only if, at that
//     moment, the value the submitter will hand back to the AIO core is
//     already -EIOCBQUEUED: either ki_retry has returned -EIOCBQUEUED, or
//     the statement that produces the -EIOCBQUEUED on the submitter's path
//     has run and nothing has replaced it since. That statement is
//     direct_io_worker's "ret = -EIOCBQUEUED" in after and v2.6.20, and
//     the callers' translation (generic_file_aio_read,
//     generic_file_direct_write) in before and v2.6.18; the value is
//     replaced by direct_io_worker's own dio_complete when it drops the
//     last reference, by a failed page-cache invalidation in
//     generic_file_direct_IO and by a failed O_SYNC metadata sync in
//     generic_file_direct_write. In addition, once ki_retry returns, a
//     dio-path aio_complete that has already happened requires the return
//     value to be -EIOCBQUEUED.
//   - dio-lifetime: the struct dio is freed exactly once, never touched
//     after it is freed, and not leaked at the end of a run.
//   - object-lifetime: the same for the other objects the dio code frees
//     or touches: the kiocb of an io_submit request and the XFS ioend.
//   - no-bug: no BUG()/BUG_ON() is reached and no oops (a NULL task or
//     ioend pointer dereferenced).
//   - no-hang: no run ends with a task asleep forever (or blocked on a lock
//     forever) while nothing else can run, and no run ends with a lock or
//     semaphore unbalanced when whoever took it is gone: i_mutex held by
//     a task that has finished, i_alloc_sem held for reading (or released
//     more often than taken) although every dio (whose dio_complete
//     releases it) is freed, a dio's bio_lock held by a finished task.
//     The next task to take it would sleep forever (or not wait at all).
//   - isize-visible: when userspace has seen a positive result of a write
//     (reaped the event, or the write(2) returned) and then calls stat, the
//     size covers the bytes written: i_size >= pos + result.
//   - result-value: the first delivered result is what the sequential
//     semantics of the operation give: if the run met an error (a
//     get_user_pages fault, a get_block error, a bio I/O error, a failed
//     O_SYNC sync or page-cache invalidation), a negative errno that is one
//     of the errors met; otherwise the byte count: the whole request for a
//     write, the bytes up to the initial EOF for a read.
//   - linearizable: what userspace saw (the calls and returns of the iocbs,
//     the observer's stat and pread, in order) is a well-formed history
//     that is linearizable against the sequential model of the file
//     (FileModel); see linearizable.go. Checked whenever an operation
//     returns, with operations still in flight as unknown outcomes, and at
//     the end of a run, where an iocb whose completion never reached
//     userspace makes the history malformed.
package properties

import (
	"fmt"
	"strings"

	"diosim/model"
	"diosim/sim"
)

// ID is a property id.
type ID string

// The properties.
const (
	ExactlyOnce     ID = "exactly-once"
	OnlyAfterQueued ID = "only-after-queued"
	DioLifetime     ID = "dio-lifetime"
	ObjectLifetime  ID = "object-lifetime"
	NoBug           ID = "no-bug"
	NoHang          ID = "no-hang"
	IsizeVisible    ID = "isize-visible"
	ResultValue     ID = "result-value"
)

// All lists every property id in report order.
var All = []ID{ExactlyOnce, OnlyAfterQueued, DioLifetime, ObjectLifetime, NoBug, NoHang, IsizeVisible, ResultValue, Linearizable}

// Docs gives one line per property.
var Docs = map[ID]string{
	ExactlyOnce:     "aio_complete fires exactly once per submitted iocb (twice: double completion; never: lost completion)",
	OnlyAfterQueued: "the dio path calls aio_complete only after the submitter committed to returning -EIOCBQUEUED",
	DioLifetime:     "the dio is freed exactly once, never used after free, never leaked",
	ObjectLifetime:  "the kiocb and the XFS ioend are freed once, never used after free, never leaked",
	NoBug:           "no BUG()/BUG_ON() or oops is reached",
	NoHang:          "no task sleeps forever with nothing left to run, and no lock is left held by an owner that is gone",
	IsizeVisible:    "after userspace sees a write's result, stat sees the new size",
	ResultValue:     "the completion carries the sequential result: the bytes, or an error met",
	Linearizable:    "what userspace saw (iocb calls and returns, stat, pread) is linearizable against the file's sequential model",
}

// Lookup parses a property id.
func Lookup(s string) (ID, error) {
	for _, id := range All {
		if string(id) == s {
			return id, nil
		}
	}
	var names []string
	for _, id := range All {
		names = append(names, string(id))
	}
	return "", fmt.Errorf("unknown property %q (known: %s)", s, strings.Join(names, ", "))
}

// Violation is one property broken by a run.
type Violation struct {
	Prop ID
	Msg  string
}

func (v Violation) String() string { return string(v.Prop) + ": " + v.Msg }

// AfterStep returns the violations visible in s right after a step. It
// looks only at facts the model records, so it is cheap and a pure function
// of the state.
func AfterStep(s *sim.State) []Violation {
	var lin []Violation
	if n := len(s.History); n > int(s.HistChecked) {
		s.HistChecked = int16(n)
		if s.History[n-1].Return {
			lin = HistoryViolations(s, false)
		}
	}
	if len(s.Reqs) == 1 {
		return append(afterStepReq(&s.Reqs[0]), lin...)
	}
	out := lin
	for r := range s.Reqs {
		for _, v := range afterStepReq(&s.Reqs[r]) {
			v.Msg = fmt.Sprintf("iocb %d: %s", r, v.Msg)
			out = append(out, v)
		}
	}
	return dedupe(out)
}

// afterStepReq checks one request.
func afterStepReq(q *sim.Req) []Violation {
	f := &q.Facts
	if f.Bug == "" && f.MemErr == "" && f.Deliveries <= 1 && !f.EarlyDioComp &&
		!(f.RetryReturned && f.DioCompletes > 0 && f.RetryRet != -sim.EIOCBQUEUED) &&
		!(f.StatAfterReap >= 0 && f.StatAfterReap < q.Pos+f.StatRes) {
		return nil
	}
	var out []Violation
	if f.Deliveries > 1 {
		out = append(out, Violation{ExactlyOnce, fmt.Sprintf("the iocb was completed %d times (double completion): first with %s", f.Deliveries, model.ErrName(f.FirstRes))})
	}
	if f.EarlyDioComp {
		out = append(out, Violation{OnlyAfterQueued, "fs/direct-io.c called aio_complete before the submitter committed to returning -EIOCBQUEUED"})
	} else if f.RetryReturned && f.DioCompletes > 0 && f.RetryRet != -sim.EIOCBQUEUED {
		out = append(out, Violation{OnlyAfterQueued, fmt.Sprintf("fs/direct-io.c called aio_complete, but ki_retry returned %s, not -EIOCBQUEUED", model.ErrName(f.RetryRet))})
	}
	if f.MemErr != "" {
		if f.MemErrObj == sim.ObjDio {
			out = append(out, Violation{DioLifetime, f.MemErr})
		} else {
			out = append(out, Violation{ObjectLifetime, f.MemErr})
		}
	}
	if f.Bug != "" {
		out = append(out, Violation{NoBug, f.Bug})
	}
	if f.StatAfterReap >= 0 && f.StatAfterReap < q.Pos+f.StatRes {
		out = append(out, Violation{IsizeVisible, fmt.Sprintf("userspace saw the write complete with %d bytes, but stat shows i_size %d < %d", f.StatRes, f.StatAfterReap, q.Pos+f.StatRes)})
	}
	return out
}

// AtEnd returns the violations of a run that has ended: no actor can take
// a step. It includes those AfterStep reports.
func AtEnd(m *model.Model, s *sim.State) []Violation {
	out := AfterStep(s)
	for a := range s.Actors {
		act := &s.Actors[a]
		if act.Done || act.Dead {
			continue
		}
		q := s.ReqOf(a)
		switch act.Kind {
		case sim.BioEnd:
			if q.Bios[act.Index].State < sim.BioSubmitted {
				continue // never submitted: there is nothing to complete
			}
		case sim.Reaper:
			continue // waiting for an event: a lost completion, reported below
		case sim.Worker:
			if !q.Kiocb.IoendQueued {
				continue
			}
		}
		where := m.Where(s, a)
		why := "is blocked (a lock it needs is held) before"
		if act.Asleep {
			why = "sleeps forever (never woken) in the schedule at"
		} else if act.Kind == sim.BioEnd {
			why = "spins on bio_lock before"
		}
		out = append(out, Violation{NoHang, fmt.Sprintf("%s %s %s, and nothing else can run", model.ActorName(s, a), why, where)})
	}
	out = append(out, lockLeaks(m, s)...)
	out = append(out, HistoryViolations(s, true)...)
	if len(s.Reqs) == 1 {
		return dedupe(append(out, atEndReq(s, &s.Reqs[0])...))
	}
	for r := range s.Reqs {
		for _, v := range atEndReq(s, &s.Reqs[r]) {
			v.Msg = fmt.Sprintf("iocb %d: %s", r, v.Msg)
			out = append(out, v)
		}
	}
	return dedupe(out)
}

// lockLeaks reports the locks left held at the end of a run by owners
// that are gone (see no-hang).
func lockLeaks(m *model.Model, s *sim.State) []Violation {
	gone := func(holder int8) bool {
		a := int(holder) - 1
		return a >= 0 && a < len(s.Actors) && s.Actors[a].Done
	}
	var out []Violation
	if h := s.Inode.IMutex; h != 0 && gone(h) {
		out = append(out, Violation{NoHang, fmt.Sprintf("i_mutex is still held by %s, which has finished: the next task to take it sleeps forever", model.ActorName(s, int(h)-1))})
	}
	if s.Inode.AllocSem != 0 {
		live := false
		for r := range s.Reqs {
			if s.Reqs[r].Mem[sim.ObjDio] == sim.Live {
				live = true
			}
		}
		if !live {
			if s.Inode.AllocSem > 0 {
				out = append(out, Violation{NoHang, fmt.Sprintf("i_alloc_sem is still held for reading (%d) although every dio that took it is gone: the next truncate sleeps forever in down_write", s.Inode.AllocSem)})
			} else {
				out = append(out, Violation{NoHang, fmt.Sprintf("i_alloc_sem was released more often than taken (count %d): the semaphore is corrupt, the next down_write may never wait", s.Inode.AllocSem)})
			}
		}
	}
	for r := range s.Reqs {
		q := &s.Reqs[r]
		if h := q.Dio.BioLock; h != 0 && q.Mem[sim.ObjDio] == sim.Live && gone(h) {
			out = append(out, Violation{NoHang, fmt.Sprintf("the dio's bio_lock is still held by %s, which has finished", model.ActorName(s, int(h)-1))})
		}
	}
	return out
}

// atEndReq checks the end-of-run properties of request q.
func atEndReq(s *sim.State, q *sim.Req) []Violation {
	var out []Violation
	f := &q.Facts
	if f.Submitted && f.Deliveries == 0 {
		out = append(out, Violation{ExactlyOnce, "the iocb was never completed (lost completion)"})
	}
	if q.Mem[sim.ObjDio] == sim.Live {
		out = append(out, Violation{DioLifetime, "the dio was never freed (leak)"})
	}
	if q.Mem[sim.ObjKiocb] == sim.Live && !q.Kiocb.IsSync {
		out = append(out, Violation{ObjectLifetime, fmt.Sprintf("the kiocb was never freed (leak: ki_users = %d)", q.Kiocb.Users)})
	}
	if q.Mem[sim.ObjIoend] == sim.Live {
		out = append(out, Violation{ObjectLifetime, "the XFS ioend was never freed (leak)"})
	}
	if f.Deliveries >= 1 {
		if msg := checkResult(s, q); msg != "" {
			out = append(out, Violation{ResultValue, msg})
		}
	}
	return out
}

// Expected describes the result the sequential semantics give for request
// q of the run: either a set of allowed errnos, or a byte count.
func Expected(s *sim.State, q *sim.Req) (errs []int64, bytes int64) {
	met := q.Facts.FaultsMet
	if met&sim.ErrMetEFAULT != 0 {
		errs = append(errs, -sim.EFAULT)
	}
	if met&(sim.ErrMetGetBlock|sim.ErrMetBioEIO|sim.ErrMetOSync|sim.ErrMetInvalidate) != 0 {
		errs = append(errs, -sim.EIO)
	}
	count := int64(s.Scn.Blocks) * sim.BlockSize
	if s.Scn.Op == sim.Write {
		return errs, count
	}
	_, isize := s.Scn.Geometry()
	n := isize - q.Pos
	if n > count {
		n = count
	}
	if n < 0 {
		n = 0
	}
	return errs, n
}

func checkResult(s *sim.State, q *sim.Req) string {
	res := q.Facts.FirstRes
	errs, bytes := Expected(s, q)
	if len(errs) == 0 {
		if res != bytes {
			return fmt.Sprintf("the completion carried %s, the sequential result is %d bytes", model.ErrName(res), bytes)
		}
		return ""
	}
	var names []string
	for _, e := range errs {
		if res == e {
			return ""
		}
		names = append(names, model.ErrName(e))
	}
	return fmt.Sprintf("the completion carried %s although the run met %s", model.ErrName(res), strings.Join(names, " and "))
}

func dedupe(vs []Violation) []Violation {
	seen := map[ID]bool{}
	out := vs[:0]
	for _, v := range vs {
		if !seen[v.Prop] {
			seen[v.Prop] = true
			out = append(out, v)
		}
	}
	return out
}
