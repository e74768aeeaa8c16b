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
//     ioend pointer dereferenced), and no lock misuse that the kernel's
//     lock debugging reports: i_mutex (or the XFS iolock) taken twice by
//     one task, or released by a task that does not hold it.
//   - no-hang: no run ends with a task asleep forever (or blocked on a lock
//     forever) while nothing else can run, and no run ends with a lock or
//     semaphore unbalanced when whoever took it is gone: i_mutex held by
//     a task that has finished, i_alloc_sem held for reading (or released
//     more often than taken) although every dio (whose dio_complete
//     releases it) is freed, a dio's bio_lock held by a finished task.
//     The next task to take it would sleep forever (or not wait at all).
//     And no run goes on forever: a state from which no end state is
//     reachable (a task spinning in a loop nobody can let it out of) is a
//     livelock. Only the exhaustive search can tell (it needs the whole
//     graph; scheduler/livelock.go), and a replayed trace that ends by
//     closing such a cycle.
//   - isize-visible: when userspace has seen a positive result of a write
//     (reaped the event, or the write(2) returned) and then calls stat, the
//     size covers the bytes written: i_size >= pos + result.
//   - result-value: the first delivered result is what the sequential
//     semantics of the operation give: if the run met an error (a
//     get_user_pages fault, a get_block error, a bio I/O error, a failed
//     O_SYNC sync or page-cache invalidation), a negative errno that is one
//     of the errors met; otherwise the byte count: the whole request for a
//     write, the bytes up to the initial EOF for a read. And a read(2) or
//     write(2) at offset p that returned n >= 0 leaves the file position
//     at p + n (checkFilePos; io_submit does not move the file position).
//   - linearizable: what userspace saw (the calls and returns of the iocbs,
//     the observer's stat and pread, in order) is a well-formed history
//     that is linearizable against the sequential model of the file
//     (FileModel); see linearizable.go. Checked whenever an operation
//     returns, with operations still in flight as unknown outcomes, and at
//     the end of a run, where an iocb whose completion never reached
//     userspace makes the history malformed.
//   - data-at-rest: once a run is over, no block of the range a write
//     reported written is left an XFS unwritten extent (which reads back
//     as zeros); see atrest.go.
//
// A property reads the facts the model records (sim.Facts) or the state;
// one that reads the history (sim.State.History) must also say what it
// needs of it, with sim.RegisterHistoryView (histview.go has those of
// linearizable and of the `sometimes` situations): searches identify a
// state's history only by the views registered.
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
var All = []ID{ExactlyOnce, OnlyAfterQueued, DioLifetime, ObjectLifetime, NoBug, NoHang, IsizeVisible, ResultValue, Linearizable, DataAtRest}

// Docs gives one line per property.
var Docs = map[ID]string{
	ExactlyOnce:     "aio_complete fires exactly once per submitted iocb (twice: double completion; never: lost completion)",
	OnlyAfterQueued: "the dio path calls aio_complete only after the submitter committed to returning -EIOCBQUEUED",
	DioLifetime:     "the dio is freed exactly once, never used after free, never leaked",
	ObjectLifetime:  "the kiocb and the XFS ioend are freed once, never used after free, never leaked",
	NoBug:           "no BUG()/BUG_ON() or oops is reached, no lock is released by a task that does not hold it, and none is taken while another task holds it",
	NoHang:          "no task sleeps forever with nothing left to run, no run loops forever (livelock), and no lock is left held by an owner that is gone",
	IsizeVisible:    "after userspace sees a write's result, stat sees the new size",
	ResultValue:     "the completion carries the sequential result: the bytes, or an error met; read(2)/write(2) leave the file position past the bytes they return",
	Linearizable:    "what userspace saw (iocb calls and returns, stat, pread) is linearizable against the file's sequential model",
	DataAtRest:      "once the run is over, a successful write's range is written data, not an XFS unwritten extent (zeros)",
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
	// Kind says how the property broke, in a few words that do not depend
	// on the version or the interleaving (see the Kind* constants, and for
	// no-bug the BUG_ON or oops reached).
	Kind string
	// StepID and Where locate the violation: the step that broke it (the
	// step taken when it became visible: the second aio_complete, the
	// access to freed memory, the BUG_ON) or, for a hang, the step the
	// task is stuck before. StepID is the version-independent step id,
	// Where its C location in this version. Both are "" for what is seen
	// only at the end of a run (a lost completion, a leak, a wrong result,
	// a history).
	StepID string
	Where  string
}

func (v Violation) String() string { return string(v.Prop) + ": " + v.Msg }

// The kinds of violation (Violation.Kind). A no-bug violation's kind is
// the BUG_ON or oops reached; a memory error's kind names the object.
const (
	KindDoubleRead       = "double completion of a read"
	KindDoubleWrite      = "double completion of a write"
	KindLostCompletion   = "lost completion"
	KindEarlyComplete    = "aio_complete before -EIOCBQUEUED"
	KindCompleteAfterRet = "aio_complete but ki_retry did not return -EIOCBQUEUED"
	KindStaleIsize       = "stale i_size"
	KindWrongResult      = "wrong result"
	KindWrongPos         = "wrong file position"
	KindNotLinearizable  = "not linearizable"
	KindMalformed        = "malformed history"
	KindHangAsleep       = "hang: asleep forever"
	KindHangBlocked      = "hang: blocked on a lock"
	KindHangSpinning     = "hang: spins on bio_lock"
	KindLockLeft         = "hang: a lock left held by an owner that is gone"
	KindLivelock         = "hang: no run can end (livelock)"
)

// Signature identifies a distinct bug: the property, how it broke and the
// step that broke it. Two runs that break the same property the same way
// at the same step show the same bug, whatever the interleaving before it.
// The step id does not depend on the version, so one signature can be
// found on several versions.
type Signature struct {
	Prop   ID     `json:"property"`
	Kind   string `json:"kind"`
	StepID string `json:"step,omitempty"`
}

// Signature returns v's signature.
func (v Violation) Signature() Signature { return Signature{v.Prop, v.Kind, v.StepID} }

// String renders the signature as "property: kind at step", e.g.
// "dio-lifetime: use after free of the dio at dio_bio_end_aio:wake-waiter".
func (g Signature) String() string {
	s := string(g.Prop) + ": " + g.Kind
	if g.StepID != "" {
		s += " at " + g.StepID
	}
	return s
}

// Slug renders the signature as a file-name part: lower case letters,
// digits, dots and dashes, e.g.
// "dio-lifetime-use-after-free-of-the-dio-at-dio_bio_end_aio-wake-waiter".
// Different signatures give different slugs (kinds and step ids are made
// of words, and the separators are kept).
func (g Signature) Slug() string {
	return slug(string(g.Prop)) + "--" + slug(g.Kind) + stepSlug(g.StepID)
}

func stepSlug(id string) string {
	if id == "" {
		return ""
	}
	return "--" + slug(id)
}

// slug maps s to lower-case letters, digits, '_' and '.', comparison
// operators to words and other runs of characters to one '-'.
func slug(s string) string {
	s = strings.NewReplacer("->", " ", "!=", " ne ", "==", " eq ", "<", " lt ", ">", " gt ", "!", " not ").Replace(strings.ToLower(s))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '.' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// bugKind is the kind of a no-bug violation: the BUG_ON or oops of the
// model's description, without its explanation ("BUG_ON(ret !=
// -EIOCBQUEUED)", "oops: xfs_destroy_ioend(NULL)").
func bugKind(what string) string {
	if rest, ok := strings.CutPrefix(what, "oops: "); ok {
		if i := strings.Index(rest, ":"); i >= 0 {
			rest = rest[:i]
		}
		return "oops: " + rest
	}
	if i := strings.Index(what, " in "); i >= 0 {
		what = what[:i]
	}
	return what
}

// memKind is the kind of a memory error: "use after free of the dio",
// "double free of the kiocb".
func memKind(msg string) string {
	if i := strings.Index(msg, " at "); i >= 0 {
		return msg[:i]
	}
	return msg
}

// located reports whether a violation of this kind is broken by one step,
// which Locate names.
func located(v Violation) bool {
	switch v.Prop {
	case ExactlyOnce:
		return v.Kind == KindDoubleRead || v.Kind == KindDoubleWrite
	case OnlyAfterQueued, DioLifetime, ObjectLifetime, NoBug, IsizeVisible:
		return !strings.HasPrefix(v.Kind, "leak")
	}
	return false
}

// Standing returns the violations s shows through facts that stay true
// once set (double completions, early completions, memory errors, BUGs,
// stale sizes): a successor of s shows them again. Unlike AfterStep it
// does not modify s.
func Standing(s *sim.State) []Violation {
	var out []Violation
	for r := range s.Reqs {
		out = append(out, afterStepReq(s, &s.Reqs[r])...)
	}
	return out
}

// SameFacts reports whether a and b (a state and its successor) record
// the same facts about every request: then b stands by no violation a
// did not (Standing), and only a history check can be new in b.
func SameFacts(a, b *sim.State) bool {
	if len(a.Reqs) != len(b.Reqs) {
		return false
	}
	for r := range a.Reqs {
		if a.Reqs[r].Facts != b.Reqs[r].Facts || a.Reqs[r].Pos != b.Reqs[r].Pos {
			return false
		}
	}
	return true
}

// Fresh returns the violations of vs, seen right after step st was taken
// from state before, that were not standing in before (Standing), with the
// location of st on those one step breaks. vs is modified in place.
// Searches use it to tell the step that broke a property from the steps
// that only inherit the broken fact.
func Fresh(before *sim.State, vs []Violation, st *model.Step) []Violation {
	if len(vs) == 0 {
		return vs
	}
	old := map[[2]string]bool{}
	for _, v := range Standing(before) {
		old[[2]string{string(v.Prop), v.Kind}] = true
	}
	out := vs[:0]
	for _, v := range vs {
		if old[[2]string{string(v.Prop), v.Kind}] {
			continue
		}
		out = append(out, Locate(v, st))
	}
	return out
}

// Locate returns v located at step st when one step breaks a violation of
// its kind and it has no location yet.
func Locate(v Violation, st *model.Step) Violation {
	if st != nil && v.StepID == "" && located(v) {
		v.StepID, v.Where = st.ID, st.Loc.String()
	}
	return v
}

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
		return append(afterStepReq(s, &s.Reqs[0]), lin...)
	}
	out := lin
	for r := range s.Reqs {
		for _, v := range afterStepReq(s, &s.Reqs[r]) {
			v.Msg = fmt.Sprintf("iocb %d: %s", r, v.Msg)
			out = append(out, v)
		}
	}
	return dedupe(out)
}

// afterStepReq checks one request.
func afterStepReq(s *sim.State, q *sim.Req) []Violation {
	f := &q.Facts
	if f.Bug == "" && f.MemErr == "" && f.Deliveries <= 1 && !f.EarlyDioComp &&
		!(f.RetryReturned && f.DioCompletes > 0 && f.RetryRet != -sim.EIOCBQUEUED) &&
		!(f.StatAfterReap >= 0 && f.StatAfterReap < q.Pos+f.StatRes) {
		return nil
	}
	var out []Violation
	if f.Deliveries > 1 {
		kind := KindDoubleRead
		if s.Scn.Op == sim.Write {
			kind = KindDoubleWrite
		}
		out = append(out, Violation{Prop: ExactlyOnce, Kind: kind, Msg: fmt.Sprintf("the iocb was completed %d times (double completion): first with %s", f.Deliveries, model.ErrName(f.FirstRes))})
	}
	if f.EarlyDioComp {
		out = append(out, Violation{Prop: OnlyAfterQueued, Kind: KindEarlyComplete, Msg: "fs/direct-io.c called aio_complete before the submitter committed to returning -EIOCBQUEUED"})
	} else if f.RetryReturned && f.DioCompletes > 0 && f.RetryRet != -sim.EIOCBQUEUED {
		out = append(out, Violation{Prop: OnlyAfterQueued, Kind: KindCompleteAfterRet, Msg: fmt.Sprintf("fs/direct-io.c called aio_complete, but ki_retry returned %s, not -EIOCBQUEUED", model.ErrName(f.RetryRet))})
	}
	if f.MemErr != "" {
		if f.MemErrObj == sim.ObjDio {
			out = append(out, Violation{Prop: DioLifetime, Kind: memKind(f.MemErr), Msg: f.MemErr})
		} else {
			out = append(out, Violation{Prop: ObjectLifetime, Kind: memKind(f.MemErr), Msg: f.MemErr})
		}
	}
	if f.Bug != "" {
		out = append(out, Violation{Prop: NoBug, Kind: bugKind(f.Bug[strings.Index(f.Bug, ": ")+2:]), Msg: f.Bug})
	}
	if f.StatAfterReap >= 0 && f.StatAfterReap < q.Pos+f.StatRes {
		out = append(out, Violation{Prop: IsizeVisible, Kind: KindStaleIsize, Msg: fmt.Sprintf("userspace saw the write complete with %d bytes, but stat shows i_size %d < %d", f.StatRes, f.StatAfterReap, q.Pos+f.StatRes)})
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
		why, kind := "is blocked (a lock it needs is held) before", KindHangBlocked
		if act.Asleep {
			why, kind = "sleeps forever (never woken) in the schedule at", KindHangAsleep
		} else if act.Kind == sim.BioEnd {
			why, kind = "spins on bio_lock before", KindHangSpinning
		}
		v := Violation{Prop: NoHang, Kind: kind, Msg: fmt.Sprintf("%s %s %s, and nothing else can run", model.ActorName(s, a), why, where), Where: where}
		p, pc := m.Program(s, a), int(act.PC)
		if act.Asleep && pc > 0 {
			pc-- // asleep in the step that called schedule(), as Where says
		}
		if pc < len(p.Steps) {
			v.StepID = p.Steps[pc].ID
		}
		out = append(out, v)
	}
	out = append(out, lockLeaks(m, s)...)
	out = append(out, HistoryViolations(s, true)...)
	if len(s.Reqs) == 1 {
		return dedupe(append(append(out, atEndReq(s, &s.Reqs[0])...), atRest(s, 0)...))
	}
	for r := range s.Reqs {
		for _, v := range append(atEndReq(s, &s.Reqs[r]), atRest(s, r)...) {
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
		out = append(out, Violation{Prop: NoHang, Kind: KindLockLeft, Msg: fmt.Sprintf("i_mutex is still held by %s, which has finished: the next task to take it sleeps forever", model.ActorName(s, int(h)-1))})
	}
	if h := s.Inode.IOLockExcl; h != 0 && gone(h) {
		out = append(out, Violation{Prop: NoHang, Kind: KindLockLeft, Msg: fmt.Sprintf("XFS's iolock is still held exclusive by %s, which has finished: the next task to take it sleeps forever", model.ActorName(s, int(h)-1))})
	}
	if n := s.Inode.IOLockShared; n != 0 {
		subsDone := true
		for a := range s.Actors {
			if s.Actors[a].Kind == sim.Submitter && !s.Actors[a].Done {
				subsDone = false
			}
		}
		if subsDone {
			out = append(out, Violation{Prop: NoHang, Kind: KindLockLeft, Msg: fmt.Sprintf("XFS's iolock is still held shared (%d) although every writer has finished: the next exclusive locker sleeps forever", n)})
		}
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
				out = append(out, Violation{Prop: NoHang, Kind: KindLockLeft, Msg: fmt.Sprintf("i_alloc_sem is still held for reading (%d) although every dio that took it is gone: the next truncate sleeps forever in down_write", s.Inode.AllocSem)})
			} else {
				out = append(out, Violation{Prop: NoHang, Kind: KindLockLeft, Msg: fmt.Sprintf("i_alloc_sem was released more often than taken (count %d): the semaphore is corrupt, the next down_write may never wait", s.Inode.AllocSem)})
			}
		}
	}
	for r := range s.Reqs {
		q := &s.Reqs[r]
		if h := q.Dio.BioLock; h != 0 && q.Mem[sim.ObjDio] == sim.Live && gone(h) {
			out = append(out, Violation{Prop: NoHang, Kind: KindLockLeft, Msg: fmt.Sprintf("the dio's bio_lock is still held by %s, which has finished", model.ActorName(s, int(h)-1))})
		}
	}
	return out
}

// atEndReq checks the end-of-run properties of request q.
func atEndReq(s *sim.State, q *sim.Req) []Violation {
	var out []Violation
	f := &q.Facts
	if f.Submitted && f.Deliveries == 0 {
		out = append(out, Violation{Prop: ExactlyOnce, Kind: KindLostCompletion, Msg: "the iocb was never completed (lost completion)"})
	}
	if q.Mem[sim.ObjDio] == sim.Live {
		out = append(out, Violation{Prop: DioLifetime, Kind: "leak of the dio", Msg: "the dio was never freed (leak)"})
	}
	if q.Mem[sim.ObjKiocb] == sim.Live && !q.Kiocb.IsSync {
		out = append(out, Violation{Prop: ObjectLifetime, Kind: "leak of the kiocb", Msg: fmt.Sprintf("the kiocb was never freed (leak: ki_users = %d)", q.Kiocb.Users)})
	}
	if q.Mem[sim.ObjIoend] == sim.Live {
		out = append(out, Violation{Prop: ObjectLifetime, Kind: "leak of the XFS ioend", Msg: "the XFS ioend was never freed (leak)"})
	}
	if f.Deliveries >= 1 {
		if msg := checkResult(s, q); msg != "" {
			out = append(out, Violation{Prop: ResultValue, Kind: KindWrongResult, Msg: msg})
		}
		if msg := checkFilePos(s, q); msg != "" {
			out = append(out, Violation{Prop: ResultValue, Kind: KindWrongPos, Msg: msg})
		}
	}
	return out
}

// returned reports whether request q is a read(2)/write(2) whose system
// call has returned to userspace: its submitter finished (a BUG kills it
// before, a hang stops it before).
func returned(s *sim.State, q *sim.Req) bool {
	if !q.Kiocb.IsSync {
		return false
	}
	for a := range s.Actors {
		if act := &s.Actors[a]; act.Kind == sim.Submitter && s.ReqOf(a) == q {
			return act.Done
		}
	}
	return false
}

// checkFilePos checks the file position a read(2) or write(2) that
// returned n >= 0 bytes leaves: its offset plus n (POSIX: "the file
// offset shall be incremented by the number of bytes actually
// read/written"). In the kernel it is kiocb.ki_pos, which
// do_sync_read/do_sync_write copy back to *ppos and sys_read/sys_write to
// file->f_pos (fs/read_write.c@after:247-249, 305-307, 366, 384; in
// v2.6.18 generic_file_read and generic_file_write move *ppos itself,
// mm/filemap.c@v2.6.18:1181, 2042). The model keeps it in Kiocb.Pos,
// which nothing changes once the call has returned. io_submit's iocbs do
// not move f_pos (each carries its own offset), so only the synchronous
// calls are checked. An error return leaves the position where the
// kernel left it, which POSIX does not specify.
func checkFilePos(s *sim.State, q *sim.Req) string {
	n := q.Facts.FirstRes
	if n < 0 || !returned(s, q) {
		return ""
	}
	if want := q.Pos + n; q.Kiocb.Pos != want {
		op := "read(2)"
		if s.Scn.Op == sim.Write {
			op = "write(2)"
		}
		return fmt.Sprintf("%s at offset %d returned %d bytes but left the file position at %d, not %d: the next call would %s", op, q.Pos, n, q.Kiocb.Pos, want,
			map[bool]string{true: "skip bytes", false: "read or overwrite the same bytes again"}[q.Kiocb.Pos > want])
	}
	return ""
}

// Expected describes the result the sequential semantics give for request
// q of the run: either a set of allowed errnos, or a byte count.
func Expected(s *sim.State, q *sim.Req) (errs []int64, bytes int64) {
	met := q.Facts.FaultsMet
	if met&sim.ErrMetEFAULT != 0 {
		errs = append(errs, -sim.EFAULT)
	}
	if met&(sim.ErrMetGetBlock|sim.ErrMetBioEIO|sim.ErrMetOSync|sim.ErrMetInvalidate|sim.ErrMetSyncRange) != 0 {
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
	// A failed sync of a short direct write's buffered part: the write
	// reports only the bytes it wrote directly (a short write), or the
	// error when there were none (mm/filemap.c@v2.6.20:2311-2325).
	if q.Facts.FaultsMet&sim.ErrMetSyncRange != 0 && res > 0 && res < bytes {
		return ""
	}
	return fmt.Sprintf("the completion carried %s although the run met %s", model.ErrName(res), strings.Join(names, " and "))
}

// dedupe keeps the first violation of each property and kind.
func dedupe(vs []Violation) []Violation {
	seen := map[[2]string]bool{}
	out := vs[:0]
	for _, v := range vs {
		k := [2]string{string(v.Prop), v.Kind}
		if !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	return out
}
