package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// ErrName renders a return value the way a kernel developer reads it:
// a byte count, or a named errno.
func ErrName(v int64) string {
	switch v {
	case -EIO:
		return "-EIO"
	case -EFAULT:
		return "-EFAULT"
	case -ENOTBLK:
		return "-ENOTBLK"
	case -EIOCBQUEUED:
		return "-EIOCBQUEUED"
	case -EINVAL:
		return "-EINVAL"
	case -EINTR:
		return "-EINTR"
	}
	return strconv.FormatInt(v, 10)
}

// Field is one named piece of state, rendered for people.
type Field struct {
	Name, Val string
}

// ActorLabel names actor a as traces do: submitter, bio0, ..., reaper,
// xfsdatad.
func (s *State) ActorLabel(a int) string {
	act := &s.Actors[a]
	suffix := ""
	if act.Req > 0 && act.Kind != Reaper {
		suffix = "#" + strconv.Itoa(int(act.Req))
	}
	switch act.Kind {
	case BioEnd:
		return "bio" + strconv.Itoa(int(act.Index)) + suffix
	case Reaper:
		return "reaper"
	case Worker:
		return "xfsdatad" + suffix
	}
	return "submitter" + suffix
}

func (s *State) taskName(p int8) string {
	if p == 0 {
		return "NULL"
	}
	return s.ActorLabel(int(p) - 1)
}

func bioName(i int8) string {
	if i < 0 {
		return "NULL"
	}
	return "bio" + strconv.Itoa(int(i))
}

var objState = [...]string{"unallocated", "live", "freed"}
var bioState = [...]string{"none", "allocated", "submitted", "ended"}
var taskState = map[uint8]string{TaskRunning: "TASK_RUNNING", TaskInterruptible: "TASK_INTERRUPTIBLE", TaskUninterruptible: "TASK_UNINTERRUPTIBLE"}

// Fields flattens the state into named fields, in a fixed order, for
// traces and explanations. It is slow and meant for output only.
func (s *State) Fields() []Field {
	var out []Field
	add := func(name string, v any) { out = append(out, Field{name, fmt.Sprint(v)}) }
	in := &s.Inode
	add("inode.i_size", in.ISize)
	add("inode.i_mutex", s.taskName(in.IMutex))
	if s.Scn != nil && s.Scn.FS == XFS && s.Scn.Op == Write {
		add("xfs.iolock.excl", s.taskName(in.IOLockExcl))
		add("xfs.iolock.shared", in.IOLockShared)
	}
	add("inode.i_alloc_sem.readers", in.AllocSem)
	add("mapping.nrpages", in.NrPages)
	var data []string
	for i, d := range in.Data {
		var v string
		switch d {
		case ContentOld:
			v = "old"
		case ContentZero:
			v = "hole"
		case ContentStale:
			v = "stale"
		default:
			v = "new"
			if s.NumReqs() > 1 {
				v = "iocb" + strconv.Itoa(int(d)-1)
			}
		}
		if in.Unwritten[i] {
			v += "/unwritten"
		}
		data = append(data, v)
	}
	add("file.blocks", strings.Join(data, ","))
	for r := range s.Reqs {
		p := ""
		if s.NumReqs() > 1 {
			p = "iocb" + strconv.Itoa(r) + "."
		}
		s.reqFields(&s.Reqs[r], p, add)
	}
	var ring []string
	for _, e := range s.Ring {
		v := ErrName(e.Res)
		if s.NumReqs() > 1 {
			v = "iocb" + strconv.Itoa(int(e.Iocb)) + ":" + v
		}
		ring = append(ring, v)
	}
	add("ring.events", "["+strings.Join(ring, " ")+"]")
	for a := range s.Actors {
		act := &s.Actors[a]
		n := s.ActorLabel(a)
		if act.Kind == Submitter || act.Kind == Reaper || act.Kind == Worker {
			add(n+".state", taskState[act.State])
			add(n+".asleep", act.Asleep)
		}
		l := &act.L
		add(n+".ret", ErrName(l.Ret))
		add(n+".ret2", ErrName(l.Ret2))
		add(n+".retval", ErrName(l.Retval))
		add(n+".written", ErrName(l.Written))
		add(n+".transferred", ErrName(l.Transferred))
		add(n+".remaining", l.Remaining)
		add(n+".should_wait/holds_ref", l.Flag)
		add(n+".done", act.Done)
	}
	add("userspace.reaped", s.Reaped)
	return out
}

// reqFields adds the fields of request q, names prefixed with p.
func (s *State) reqFields(q *Req, p string, add func(string, any)) {
	add(p+"mem.kiocb", objState[q.Mem[ObjKiocb]])
	k := &q.Kiocb
	add(p+"kiocb.ki_users", k.Users)
	add(p+"kiocb.ki_pos", k.Pos)
	add(p+"kiocb.ki_left", k.Left)
	add(p+"kiocb.private", map[bool]string{true: "ioend", false: "NULL"}[k.Private])
	add(p+"kiocb.ki_user_data", ErrName(k.UserData))
	add(p+"mem.dio", objState[q.Mem[ObjDio]])
	d := &q.Dio
	add(p+"dio.is_async", d.IsAsync)
	add(p+"dio.refcount", d.Refcount)
	add(p+"dio.bio_count", d.BioCount)
	add(p+"dio.bios_in_flight", d.BiosInFlight)
	add(p+"dio.bio_lock", s.taskName(d.BioLock))
	add(p+"dio.bio_list", bioName(d.BioList))
	add(p+"dio.waiter", s.taskName(d.Waiter))
	add(p+"dio.size", d.Size)
	add(p+"dio.result", d.Result)
	add(p+"dio.io_error", ErrName(d.IoError))
	add(p+"dio.page_errors", d.PageErrors)
	add(p+"dio.block_in_file", d.BlockInFile)
	add(p+"dio.cur_page", d.CurPage)
	add(p+"dio.blocks_available", d.BlocksAvailable)
	add(p+"dio.bio", bioName(d.Bio))
	add(p+"dio.map_bh.b_private", map[bool]string{true: "inode", false: "NULL"}[d.BPrivate])
	add(p+"mem.ioend", objState[q.Mem[ObjIoend]])
	add(p+"ioend.io_remaining", k.IoendRemaining)
	add(p+"ioend.io_offset", k.IoOffset)
	add(p+"ioend.io_size", k.IoSize)
	add(p+"ioend.work_queued", k.IoendQueued)
	for i := range q.Bios {
		b := &q.Bios[i]
		add(p+bioName(int8(i))+".state", bioState[b.State])
		add(p+bioName(int8(i))+".uptodate", b.Uptodate)
		add(p+bioName(int8(i))+".more_blocks", b.More)
	}
	f := &q.Facts
	add(p+"aio_complete.calls", f.Deliveries)
	add(p+"committed_to_EIOCBQUEUED", f.Committed)
	add(p+"userspace.stat_i_size", f.StatAfterReap)
}

// Diff renders what changed between two field lists of the same shape, as
// "name: old->new" items separated by ", ".
func Diff(before, after []Field) string {
	var parts []string
	for i := range after {
		if i < len(before) && before[i].Val != after[i].Val {
			parts = append(parts, after[i].Name+": "+before[i].Val+"->"+after[i].Val)
		}
	}
	return strings.Join(parts, ", ")
}
