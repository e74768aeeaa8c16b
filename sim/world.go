// Package sim holds the simulated world the kernel code runs in: the inode,
// the kiocb and the AIO completion ring, the struct dio, the bios on a
// simulated block device, kmalloc/kfree tracking, tasks that run or sleep,
// and the userspace actors' observations.
//
// A State is a plain value: Clone copies it, Encode serialises every field
// that determines its future, so two states with equal encodings behave
// the same under every schedule. Nothing in it refers to time, maps or
// goroutines.
package sim

import (
	"encoding/binary"
	"fmt"
)

// Kernel constants (include/asm-generic/errno-base.h, include/linux/errno.h,
// include/linux/fs.h, include/linux/sched.h of v2.6.20).
const (
	EINTR       = 4
	EIO         = 5
	EFAULT      = 14
	ENOTBLK     = 15
	EINVAL      = 22
	EIOCBQUEUED = 529
	EIOCBRETRY  = 530

	RWRead    = 0  // READ
	RWWrite   = 1  // WRITE
	WriteSync = 17 // WRITE | (1 << BIO_RW_SYNC)

	DIOLocking    = 1
	DIONoLocking  = 2
	DIOOwnLocking = 3
)

// Task states (include/linux/sched.h@v2.6.20:143-145).
const (
	TaskRunning         = 0
	TaskInterruptible   = 1
	TaskUninterruptible = 2
)

// Obj names a kernel object whose lifetime is tracked.
type Obj uint8

// Tracked objects.
const (
	ObjDio   Obj = iota // struct dio, kmalloc'd in __blockdev_direct_IO
	ObjKiocb            // struct kiocb, from aio_get_req
	ObjIoend            // XFS xfs_ioend_t, from xfs_alloc_ioend
	NumObjs
)

func (o Obj) String() string {
	return [...]string{"dio", "kiocb", "ioend"}[o]
}

// Object lifetime states.
const (
	Unallocated uint8 = iota
	Live
	Freed
)

// ActorKind says what an actor is.
type ActorKind uint8

// Actor kinds.
const (
	Submitter ActorKind = iota // the userspace thread calling io_submit or read/write, then the kernel on its behalf
	BioEnd                     // the completion (bi_end_io) of one bio, in interrupt context
	Reaper                     // a userspace thread in io_getevents, then stat/pread on what it reaped
	Worker                     // the XFS work item (xfsdatad; from 2.6.32 xfsconvertd for conversions) running the ioend's work function
)

// Bio life-cycle states.
const (
	BioNone uint8 = iota
	BioAllocated
	BioSubmitted // handed to submit_bio; its completion may run
	BioEnded     // dio_bio_complete has released it (bio_put): nothing reads it any more
)

// Locals are an actor's local variables: the C locals of the functions on
// its stack that outlive one step.
type Locals struct {
	Ret, Ret2, Retval, Written, Transferred, Remaining int64
	Pos, Count, Tmp, Buffered, Off                     int64
	Flag, Flag2                                        bool
	Waited                                             bool // a synchronous caller took its result from wait_on_sync_kiocb
	Bio                                                int8 // index of the bio a completion or a pop refers to; -1 none
	Got                                                int8 // events reaped
}

// Actor is one thread of control: a task or an interrupt context.
type Actor struct {
	Kind   ActorKind
	Index  int8  // bio index for BioEnd actors
	Req    int8  // the iocb the actor works for (the reaper: the iocb it observes)
	PC     int16 // index of the next step in the actor's program
	Done   bool  // finished its program
	Dead   bool  // killed by BUG()/oops at its current step
	Asleep bool  // in schedule() with a sleeping task state, not yet woken
	State  uint8 // task state (TaskRunning, ...), for tasks
	L      Locals
}

// Bio is one bio of the dio; bio i starts at block i of the request.
type Bio struct {
	State    uint8
	Uptodate bool // BIO_UPTODATE
	EndAIO   bool // bi_end_io is dio_bio_end_aio (else dio_bio_end_io)
	Next     int8 // bi_private reused as the bio_list link; -1 ends the list
	// More is how many blocks after block i the bio also carries
	// (contiguous blocks sharing it, Scenario.Extent); 0 without extents.
	More int8
}

// Dio is struct dio: the fields the modelled paths read or write.
type Dio struct {
	Rw, LockType             int8
	IsAsync, EndIO, BPrivate bool
	Refcount                 int32 // atomic_t (before/after) or unsigned long under bio_lock (v2.6.20)
	BioCount, BiosInFlight   int32 // v2.6.18
	BioList                  int8  // head of bio_list; -1 NULL
	BioLock                  int8  // holder of bio_lock across steps: actor index + 1; 0 free
	Waiter                   int8  // task pointer: actor index + 1; 0 NULL
	Size, Result, ISize      int64
	IoError, PageErrors      int64
	BlockInFile, FinalBlock  int32
	CurPage                  int32 // block whose page is the deferred cur_page; -1 none
	Bio                      int8  // bio being filled; -1 none
	PagesPinned              int32 // pages pinned by get_user_pages so far (curr_page)
	GupBad                   int32 // first user page get_user_pages cannot pin, + 1; 0 none chosen
	BlocksAvailable          int32 // blocks of the last get_block mapping not yet put under I/O
	// ZeroEnd is the first block after those the ZERO_PAGE stood in for,
	// once get_user_pages succeeded again at the failed address; 0 while
	// it has not (the zeros then run to the end of the request).
	ZeroEnd int32
}

// Kiocb is struct kiocb.
type Kiocb struct {
	Users          int32 // ki_users
	Pos            int64 // ki_pos
	Left, NBytes   int64 // ki_left, ki_nbytes
	Private        bool  // iocb->private (XFS ioend pointer) non-NULL
	UserData       int64 // ki_user_data (sync kiocbs: the result)
	IsSync         bool  // ki_key == KIOCB_SYNC_KEY
	IoendRemaining int32 // XFS ioend io_remaining
	IoendQueued    bool  // ioend io_work queued on xfsdatad
	// IoOffset and IoSize are the XFS ioend's io_offset and io_size: the
	// file range xfs_end_io_direct was given, which xfsdatad converts.
	IoOffset, IoSize int64
	// IoendWork is the work function the ioend's io_work runs (WorkUnwritten,
	// WorkWritten, WorkRead); IoendUnwritten is 2.6.36's io_type ==
	// IO_UNWRITTEN; IoIocb and IoResult are 2.6.36's io_iocb != NULL and
	// io_result, the AIO completion the work item delivers.
	IoendWork      uint8
	IoendUnwritten bool
	IoIocb         bool
	IoResult       int64
}

// The XFS ioend's work functions (Kiocb.IoendWork).
const (
	WorkUnwritten uint8 = iota // xfs_end_bio_unwritten (from 2.6.36 xfs_end_io, the only one)
	WorkWritten                // xfs_end_bio_written
	WorkRead                   // xfs_end_bio_read
)

// Inode is the file: size, locks, page cache and on-disk data.
type Inode struct {
	ISize  int64
	IMutex int8 // holder actor + 1; 0 free
	// IOLockExcl and IOLockShared are XFS's iolock (xfs_inode's
	// i_iolock, an mrlock): the exclusive holder (actor + 1; 0 none) and
	// the number of shared holders.
	IOLockExcl, IOLockShared int8
	AllocSem                 int8 // readers holding i_alloc_sem
	NrPages                  int8 // pages in the page cache of the mapping
	// Data[b] is what block b of the file holds: ContentOld, r+1 for
	// iocb r's data, ContentZero (a hole) or ContentStale (allocated,
	// not written). Unwritten[b] marks an XFS unwritten extent, which
	// reads as zeros whatever is on disk (see ReadBlock, blocks.go).
	// DataZero (= ContentZero) is the zeros of the ZERO_PAGE a write puts
	// in a mapped block after a get_user_pages fault.
	Data      []uint8
	Unwritten []bool
}

// DataZero in Inode.Data marks a block a write filled from the ZERO_PAGE
// (fs/direct-io.c@v2.6.20:165-180): zeros nobody wrote, which a read
// cannot tell from a hole's.
const DataZero = ContentZero

// Facts are what the properties need to know about a run, recorded by the
// model as the kernel code runs.
type Facts struct {
	Submitted     bool  // io_submit accepted the iocb (or the syscall entered the kernel)
	Deliveries    int8  // aio_complete calls, plus a synchronous return of the result
	DioCompletes  int8  // aio_complete calls made from fs/direct-io.c
	FirstRes      int64 // result carried by the first delivery
	Committed     bool  // the submitter's path currently holds -EIOCBQUEUED as ki_retry's return value
	RetryReturned bool  // ki_retry (or the sync syscall's aio_read/aio_write) has returned
	RetryRet      int64
	EarlyDioComp  bool   // a dio-path aio_complete ran before the submitter committed to -EIOCBQUEUED
	Bug           string // first BUG()/BUG_ON()/oops reached: where and what; "" none
	MemErr        string // first use after free / double free: object, where; "" none
	MemErrObj     Obj
	StatAfterReap int64  // i_size seen by stat after the completion was reaped; -1 not done
	StatRes       int64  // the result userspace had seen when it called stat
	PreadSeen     int8   // blocks of the written range that read back as the new data; -1 not done
	FaultsMet     uint16 // bit per error met: see ErrMet*
}

// Bits of Facts.FaultsMet: the errors a run met, which the result-value
// property turns into the result the sequential semantics give.
const (
	ErrMetEFAULT uint16 = 1 << iota
	ErrMetGetBlock
	ErrMetBioEIO
	ErrMetOSync
	ErrMetInvalidate
	HoleMet
	// InvalidateBusy: invalidate_inode_pages2_range met a page it could
	// not release (-EBUSY, 2.6.27 on), which the direct write handles by
	// falling back to the page cache (not an error of the write).
	InvalidateBusy
	ErrMetSyncRange
)

// Event is one completion event in the AIO ring.
type Event struct {
	Res  int64
	Iocb int8 // which iocb it completes (the event's obj and data fields)
}

// State is the whole simulated world plus every actor's program counter
// and locals. Each iocb's objects (its kiocb, dio and bios, their
// lifetimes, and what the properties need to know about it) are in its
// Req, indexed by the iocb's number; an actor names the iocb it works for
// (Actor.Req). Nothing is swapped in and out of view.
type State struct {
	Scn   *Scenario `json:"-"` // constant for a run; not part of the encoding
	Inode Inode
	Ring  []Event
	// Reqs holds every iocb's objects, one Req per iocb.
	Reqs   []Req
	Actors []Actor
	// History is what userspace saw, in order: calls and returns of the
	// iocbs and of the observer's stat and pread. Searches identify a
	// state by its history's key (HistoryKey), not by the history; a
	// reader of the history must register what it needs
	// (RegisterHistoryView).
	History []HistEvent
	// HistChecked is how much of History the linearizability check has
	// seen: a cache, not part of the state's encoding (the verdict is a
	// function of the history).
	HistChecked int16
	Reaped      int8 // events taken from the ring by userspace
	// fp caches the hashes of the fingerprint's components (Fingerprint):
	// not part of the state's encoding.
	fp fpCache
}

// NewState builds the initial world for a scenario: one request per iocb,
// iocb r on blocks [r*Blocks, (r+1)*Blocks) of the file.
func NewState(sc *Scenario) *State {
	pos, isize := sc.Geometry()
	n := sc.NumIocbs()
	s := &State{Scn: sc}
	s.Inode.ISize = isize
	s.Inode.Data = make([]uint8, n*sc.Blocks)
	s.Inode.Unwritten = make([]bool, n*sc.Blocks)
	for b := range s.Inode.Data {
		s.Inode.Data[b], s.Inode.Unwritten[b] = sc.InitialBlock(b)
	}
	if sc.Faults.Has(FaultInvalidate) {
		// The mapping has pages in the page cache (the file is also
		// mmapped or read through the page cache), so the invalidation
		// after a direct write has work to do and can fail.
		s.Inode.NrPages = 1
	}
	s.Reqs = make([]Req, n)
	for r := range s.Reqs {
		q := &s.Reqs[r]
		q.Pos = pos + int64(r*sc.Blocks)*BlockSize
		q.Facts.StatAfterReap = -1
		q.Facts.PreadSeen = -1
		q.Bios = make([]Bio, sc.Blocks)
		for i := range q.Bios {
			q.Bios[i].Next = -1
		}
		q.Dio.BioList, q.Dio.Bio, q.Dio.CurPage = -1, -1, -1
	}
	for r := 0; r < n; r++ {
		s.Actors = append(s.Actors, Actor{Kind: Submitter, Req: int8(r)})
		for i := 0; i < sc.Blocks; i++ {
			s.Actors = append(s.Actors, Actor{Kind: BioEnd, Index: int8(i), Req: int8(r)})
		}
		if sc.FS == XFS {
			s.Actors = append(s.Actors, Actor{Kind: Worker, Req: int8(r)})
		}
	}
	if !sc.Sync {
		s.Actors = append(s.Actors, Actor{Kind: Reaper})
	}
	for i := range s.Actors {
		s.Actors[i].L.Bio = -1
	}
	return s
}

// Clone returns a deep copy of s.
func (s *State) Clone() *State {
	c := *s
	c.Inode.Data = append([]uint8(nil), s.Inode.Data...)
	c.Inode.Unwritten = append([]bool(nil), s.Inode.Unwritten...)
	c.Ring = append([]Event(nil), s.Ring...)
	c.Actors = append([]Actor(nil), s.Actors...)
	c.History = append([]HistEvent(nil), s.History...)
	c.Reqs = copyReqs(nil, s.Reqs)
	c.fp = fpCache{}
	c.fp.copyFrom(&s.fp)
	return &c
}

// CopyFrom makes s a deep copy of o, reusing s's slices.
func (s *State) CopyFrom(o *State) {
	data, unw, ring, actors, hist, reqs := s.Inode.Data[:0], s.Inode.Unwritten[:0], s.Ring[:0], s.Actors[:0], s.History[:0], s.Reqs
	fp := s.fp
	*s = *o
	s.fp = fp
	s.fp.copyFrom(&o.fp)
	s.History = append(hist, o.History...)
	s.Reqs = copyReqs(reqs, o.Reqs)
	s.Inode.Data = append(data, o.Inode.Data...)
	s.Inode.Unwritten = append(unw, o.Inode.Unwritten...)
	s.Ring = append(ring, o.Ring...)
	s.Actors = append(actors, o.Actors...)
}

// Settle makes s, a copy of a state p changed by a move and fingerprinted
// against p (Fingerprint), a state of its own: it forgets what ResetTo(p)
// would have put back, so s holds what CopyFrom(s) would give.
func (s *State) Settle() {
	f := &s.fp
	f.dirty, f.actors, f.from, f.nt = f.dirty[:0], f.actors[:0], nil, 0
}

// Encode appends a binary encoding of every field of s that determines its
// future behaviour and its verdicts (everything but the scenario pointer,
// which is the same for all states of a run).
func (s *State) Encode(b []byte) []byte {
	return encodeHistory(s.encodeWorld(b), s.History)
}

// EncodeKey is Encode with the history replaced by its key (HistoryKey):
// two states with equal EncodeKey are one state to a search (with
// symmetry: after Canonicalize).
func (s *State) EncodeKey(b []byte) []byte {
	return s.HistoryKey(s.encodeWorld(b))
}

// encodeWorld appends the encoding of everything but the history.
func (s *State) encodeWorld(b []byte) []byte {
	le := binary.LittleEndian
	bl := boolB
	for r := range s.Reqs {
		b = s.Reqs[r].encode(b)
	}
	b = append(b, byte(s.Reaped))
	in := &s.Inode
	b = le.AppendUint64(b, uint64(in.ISize))
	b = append(b, byte(in.IMutex), byte(in.AllocSem), byte(in.NrPages), byte(in.IOLockExcl), byte(in.IOLockShared))
	b = append(b, in.Data...)
	for _, u := range in.Unwritten {
		b = append(b, bl(u))
	}
	b = le.AppendUint32(b, uint32(len(s.Ring)))
	for _, e := range s.Ring {
		b = le.AppendUint64(b, uint64(e.Res))
		b = append(b, byte(e.Iocb))
	}
	for i := range s.Actors {
		a := &s.Actors[i]
		b = append(b, byte(a.Kind), byte(a.Index), byte(a.Req), byte(a.PC), byte(a.PC>>8), bl(a.Done), bl(a.Dead), bl(a.Asleep), a.State)
		if a.Done {
			// A finished actor's stack frames are gone: its locals are
			// never read again, so they do not belong to the state.
			continue
		}
		l := &a.L
		// Locals are mostly zero: a bitmap of the non-zero ones, then their
		// values. Every value fits in 32 bits (byte counts of at most 64
		// blocks, errnos, offsets of at most 64 blocks).
		vals := [...]int64{l.Ret, l.Ret2, l.Retval, l.Written, l.Transferred, l.Remaining, l.Pos, l.Count, l.Tmp, l.Buffered, l.Off}
		var mask uint16
		for j, v := range vals {
			if v != 0 {
				mask |= 1 << j
			}
		}
		b = append(b, byte(mask), byte(mask>>8), byte(l.Bio), byte(l.Got), bl(l.Flag), bl(l.Flag2), bl(l.Waited))
		for _, v := range vals {
			if v != 0 {
				b = le.AppendUint32(b, uint32(int32(v)))
			}
		}
	}
	return b
}

func boolB(v bool) byte {
	if v {
		return 1
	}
	return 0
}

// encode appends the fields of one request: position, kiocb, dio, bios,
// object lifetimes and facts.
func (s *Req) encode(b []byte) []byte {
	le := binary.LittleEndian
	bl := boolB
	b = le.AppendUint64(b, uint64(s.Pos))
	k := &s.Kiocb
	b = le.AppendUint32(b, uint32(k.Users))
	b = le.AppendUint64(b, uint64(k.Pos))
	b = le.AppendUint64(b, uint64(k.Left))
	b = le.AppendUint64(b, uint64(k.NBytes))
	b = le.AppendUint64(b, uint64(k.UserData))
	b = le.AppendUint32(b, uint32(k.IoendRemaining))
	b = le.AppendUint64(b, uint64(k.IoOffset))
	b = le.AppendUint64(b, uint64(k.IoSize))
	b = append(b, bl(k.Private), bl(k.IsSync), bl(k.IoendQueued), k.IoendWork, bl(k.IoendUnwritten), bl(k.IoIocb))
	b = le.AppendUint64(b, uint64(k.IoResult))
	d := &s.Dio
	b = append(b, byte(d.Rw), byte(d.LockType), bl(d.IsAsync), bl(d.EndIO), bl(d.BPrivate), byte(d.BioList), byte(d.BioLock), byte(d.Waiter), byte(d.Bio))
	for _, v := range [...]int32{d.Refcount, d.BioCount, d.BiosInFlight, d.GupBad, d.BlockInFile, d.FinalBlock, d.CurPage, d.PagesPinned, d.BlocksAvailable, d.ZeroEnd} {
		b = le.AppendUint32(b, uint32(v))
	}
	for _, v := range [...]int64{d.Size, d.Result, d.ISize, d.IoError, d.PageErrors} {
		b = le.AppendUint64(b, uint64(v))
	}
	for _, bio := range s.Bios {
		if bio.State == BioEnded {
			// bio_put has run: the struct is gone and nothing reads it.
			b = append(b, bio.State, 0, 0, 0xff)
			continue
		}
		b = append(b, bio.State, bl(bio.Uptodate), bl(bio.EndAIO), byte(bio.Next), byte(bio.More))
	}
	b = append(b, s.Mem[:]...)
	f := &s.Facts
	b = append(b, bl(f.Submitted), byte(f.Deliveries), byte(f.DioCompletes), bl(f.Committed), bl(f.RetryReturned), bl(f.EarlyDioComp),
		byte(f.MemErrObj), byte(f.PreadSeen))
	for _, v := range [...]int64{f.FirstRes, f.RetryRet, f.StatAfterReap, f.StatRes} {
		b = le.AppendUint64(b, uint64(v))
	}
	b = le.AppendUint32(b, uint32(f.FaultsMet))
	b = le.AppendUint32(b, uint32(len(f.Bug)))
	b = append(b, f.Bug...)
	b = le.AppendUint32(b, uint32(len(f.MemErr)))
	return append(b, f.MemErr...)
}

// Alloc marks o allocated.
func (s *Req) Alloc(o Obj) { s.Mem[o] = Live }

// Use records an access to o at where; an access to a freed object is a
// use after free, kept as the request's first memory error.
func (s *Req) Use(o Obj, where fmt.Stringer) {
	if s.Mem[o] == Freed && s.Facts.MemErr == "" {
		s.Facts.MemErr = fmt.Sprintf("use after free of the %s at %s", o, where.String())
		s.Facts.MemErrObj = o
	}
}

// Free marks o freed; freeing a freed object is a double free.
func (s *Req) Free(o Obj, where fmt.Stringer) {
	if s.Mem[o] == Freed && s.Facts.MemErr == "" {
		s.Facts.MemErr = fmt.Sprintf("double free of the %s at %s", o, where.String())
		s.Facts.MemErrObj = o
	}
	s.Mem[o] = Freed
}

// Bug records that BUG()/BUG_ON()/an oops was reached by an actor working
// for this request.
func (s *Req) Bug(where, what string) {
	if s.Facts.Bug == "" {
		s.Facts.Bug = where + ": " + what
	}
}

// WakeUpProcess is wake_up_process(p) for the task of actor p
// (kernel/sched.c@v2.6.20:1558-1562): a sleeping state becomes
// TASK_RUNNING and a task asleep in schedule() becomes runnable; a running
// task is left alone and nothing is remembered.
func (s *State) WakeUpProcess(p int) {
	a := &s.Actors[p]
	s.fp.touch(p)
	if a.State == TaskInterruptible || a.State == TaskUninterruptible {
		a.State = TaskRunning
		a.Asleep = false
	}
}

// Schedule is schedule()/io_schedule() for actor p: the task sleeps
// unless its state is TASK_RUNNING.
func (s *State) Schedule(p int) {
	a := &s.Actors[p]
	s.fp.touch(p)
	if a.State != TaskRunning {
		a.Asleep = true
	}
}
