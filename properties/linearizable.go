// Linearizability of the user-visible history.
//
// A run's sim.State.History lists what userspace saw: the call and the
// return of every iocb (io_submit ... io_getevents, or a synchronous
// read(2)/write(2)) and of the observer's stat(2) and pread(2). CheckHistory
// first checks that the history is well formed, then asks porcupine whether
// it is linearizable against the sequential file of FileModel, whose doc
// comment is the precise meaning of "the sequential semantics" of the file.
// (The package comment is in properties.go; go doc concatenates package
// comments, so this file's is kept out of it.)

package properties

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"strings"

	"github.com/anishathalye/porcupine"

	"diosim/sim"
)

// Linearizable is the id of the linearizability property: the history of
// what userspace saw is well formed (CheckHistory) and linearizable against
// FileModel. It is checked by CheckHistory and HistoryViolations; it is not
// (yet) in All.
const Linearizable ID = "linearizable"

// HistoryVerdict is the result of CheckHistory.
//
// Exactly one of three cases holds: OK (well formed and linearizable, or
// empty); Malformed (the history is not well formed: Msg says the first
// problem, porcupine was not called, Result is "" and Ops is nil); or
// neither (well formed, porcupine says Illegal: Msg lists the operations
// and the longest linearizable prefix). Msg is a deterministic function of
// the scenario and the history (no pointers, no map order, no time), so it
// can be a rapid failure message.
type HistoryVerdict struct {
	OK        bool
	Malformed bool
	Msg       string // "" when OK
	// Ops are the operations given to porcupine, in the order of their
	// calls: Call and Return are the indexes of the call and return events
	// in the history (Return is math.MaxInt64 for an operation still in
	// flight, whose output is unknown). ClientId is the visualization lane:
	// iocb r on lane r, then one lane per userspace client of the observer
	// operations. Inputs are HistInput, outputs HistOutput.
	Ops []porcupine.Operation
	// Result is porcupine's verdict (Ok or Illegal; never Unknown: no
	// timeout is used), "" for a malformed history.
	Result porcupine.CheckResult
	// Info is porcupine's linearization info for Ops (for
	// porcupine.Visualize with FileModel).
	Info porcupine.LinearizationInfo
	// Order is a linearization (OK) or the longest linearizable prefix
	// (not OK) as indexes into Ops: the longest of porcupine's partial
	// linearizations, ties broken by the lexicographically smallest, so it
	// does not depend on porcupine's map order.
	Order []int
}

// Violation returns the verdict as a violation of Linearizable, and false
// when the verdict is OK.
func (v HistoryVerdict) Violation() (Violation, bool) {
	if v.OK {
		return Violation{}, false
	}
	kind := KindNotLinearizable
	if v.Malformed {
		kind = KindMalformed
	}
	return Violation{Prop: Linearizable, Kind: kind, Msg: v.Msg}, true
}

// HistInput is the input of one operation of the sequential file model.
type HistInput struct {
	Op     sim.HistOp
	ID     int   // operation id: iocb index for read and write
	Pos    int64 // byte range (read, write, pread); block aligned
	Len    int64
	Client int // the userspace client that called it
}

// HistOutput is the output of one operation of the sequential file model.
type HistOutput struct {
	Val     int64  // bytes or -errno (read, write), i_size (stat), bytes (pread)
	Data    string // pread: per block below EOF, what it read (sim.ContentName): 0 old contents, r+1 iocb r, zeros, stale
	Unknown bool   // the operation was still in flight when the history ends
}

// fileState is a set of states of the sequential file, kept as a product:
// the set of possible sizes times, for each block, the set of possible
// writers. Every operation of FileModel maps a product to a product (see
// FileModel), so the representation is exact. It is comparable with ==.
type fileState struct {
	sizes  string // possible i_size values: distinct, ascending, 8 bytes big-endian each
	blocks string // per block of the file, 2 bytes big-endian: bit w set if writer w is possible (w = 0 old contents, r+1 iocb r)
}

func (st fileState) sizeList() []int64 {
	out := make([]int64, 0, len(st.sizes)/8)
	for i := 0; i+8 <= len(st.sizes); i += 8 {
		out = append(out, int64(binary.BigEndian.Uint64([]byte(st.sizes[i:i+8]))))
	}
	return out
}

func encodeSizes(sizes []int64) string {
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	b := make([]byte, 0, 8*len(sizes))
	for i, s := range sizes {
		if i > 0 && s == sizes[i-1] {
			continue
		}
		b = binary.BigEndian.AppendUint64(b, uint64(s))
	}
	return string(b)
}

func (st fileState) mask(i int) uint16 {
	return binary.BigEndian.Uint16([]byte(st.blocks[2*i : 2*i+2]))
}

func setMask(b []byte, i int, m uint16) { binary.BigEndian.PutUint16(b[2*i:], m) }

// validErrno reports whether v is an error a system call may return to
// userspace: -4095..-1, except the kernel-internal codes 512..530
// (ERESTARTSYS .. EIOCBRETRY, include/linux/errno.h: "should never be seen
// by user programs"), among them -EIOCBQUEUED.
func validErrno(v int64) bool {
	return v < 0 && v >= -4095 && !(v <= -512 && v >= -530)
}

// readBytes is what a read of [pos, pos+n) returns on a file of size:
// the bytes up to EOF.
func readBytes(size, pos, n int64) int64 {
	v := size - pos
	if v > n {
		v = n
	}
	if v < 0 {
		v = 0
	}
	return v
}

func blocksOf(pos, n int64) (first, count int) {
	return int(pos / sim.BlockSize), int((n + sim.BlockSize - 1) / sim.BlockSize)
}

// fileStep is the sequential specification: the states reachable from st
// by operation in with output out, as a product; ok is false when none is.
func fileStep(st fileState, in HistInput, out HistOutput) (bool, fileState) {
	switch in.Op {
	case sim.HistWrite:
		first, n := blocksOf(in.Pos, in.Len)
		end := in.Pos + in.Len
		sizes := st.sizeList()
		b := []byte(st.blocks)
		w := uint16(1) << (in.ID + 1)
		switch {
		case out.Unknown || validErrno(out.Val):
			// Any subset of the blocks may have been written, and the
			// size may have been extended to the end of any prefix of
			// the blocks (a short write before the error), or not.
			var ext []int64
			for _, s := range sizes {
				for k := 1; k <= n; k++ {
					if e := in.Pos + int64(k)*sim.BlockSize; e > s {
						ext = append(ext, e)
					}
				}
			}
			for i := first; i < first+n; i++ {
				setMask(b, i, st.mask(i)|w)
			}
			return true, fileState{encodeSizes(append(sizes, ext...)), string(b)}
		case out.Val == in.Len:
			for i := first; i < first+n; i++ {
				setMask(b, i, w)
			}
			for i, s := range sizes {
				if end > s {
					sizes[i] = end
				}
			}
			return true, fileState{encodeSizes(sizes), string(b)}
		case out.Val > 0 && out.Val < in.Len:
			// A short write: the bytes it reports are written and the
			// size covers them; of the rest, as after an error, any
			// subset may have been written and the size may reach the
			// end of any further block (a failed sync of a short direct
			// write's buffered part reports only the direct bytes:
			// mm/filemap.c@v2.6.20:2311-2325).
			done := int((out.Val + sim.BlockSize - 1) / sim.BlockSize)
			var next []int64
			for _, s := range sizes {
				if e := in.Pos + out.Val; e > s {
					s = e
				}
				next = append(next, s)
				for k := done + 1; k <= n; k++ {
					if e := in.Pos + int64(k)*sim.BlockSize; e > s {
						next = append(next, e)
					}
				}
			}
			for i := first; i < first+n; i++ {
				if i < first+done {
					setMask(b, i, w)
				} else {
					setMask(b, i, st.mask(i)|w)
				}
			}
			return true, fileState{encodeSizes(next), string(b)}
		}
		return false, st
	case sim.HistRead, sim.HistStat, sim.HistPread:
		if out.Unknown || in.Op != sim.HistStat && validErrno(out.Val) {
			return true, st
		}
		var keep []int64
		for _, s := range st.sizeList() {
			want := s
			if in.Op != sim.HistStat {
				want = readBytes(s, in.Pos, in.Len)
			}
			if want == out.Val {
				keep = append(keep, s)
			}
		}
		if len(keep) == 0 {
			return false, st
		}
		b := []byte(st.blocks)
		if in.Op == sim.HistPread {
			first, _ := blocksOf(in.Pos, 0)
			for i := 0; i < len(out.Data); i++ {
				w := out.Data[i]
				if w > 15 || first+i >= len(b)/2 {
					return false, st
				}
				m := st.mask(first+i) & (1 << w)
				if m == 0 {
					return false, st
				}
				setMask(b, first+i, m)
			}
		}
		return true, fileState{encodeSizes(keep), string(b)}
	}
	return false, st
}

func writerName(w int) string { return sim.ContentName(uint8(w)) }

func describeState(st fileState) string {
	var sb strings.Builder
	sizes := st.sizeList()
	if len(sizes) == 1 {
		fmt.Fprintf(&sb, "i_size %d", sizes[0])
	} else {
		parts := make([]string, len(sizes))
		for i, s := range sizes {
			parts[i] = fmt.Sprint(s)
		}
		fmt.Fprintf(&sb, "i_size {%s}", strings.Join(parts, "|"))
	}
	sb.WriteString("; blocks:")
	for i := 0; i < len(st.blocks)/2; i++ {
		m := st.mask(i)
		var ws []string
		for w := 0; w < 16; w++ {
			if m&(1<<w) != 0 {
				ws = append(ws, writerName(w))
			}
		}
		if len(ws) == 1 {
			sb.WriteString(" " + ws[0])
		} else {
			sb.WriteString(" {" + strings.Join(ws, "|") + "}")
		}
	}
	return sb.String()
}

func describeOp(in HistInput, out HistOutput) string {
	var call string
	switch in.Op {
	case sim.HistStat:
		call = "stat()"
	default:
		call = fmt.Sprintf("%s[%d,%d)", in.Op, in.Pos, in.Pos+in.Len)
	}
	if in.Op == sim.HistRead || in.Op == sim.HistWrite {
		call = fmt.Sprintf("iocb%d %s", in.ID, call)
	}
	if out.Unknown {
		return call + " -> ? (in flight)"
	}
	res := sim.ErrName(out.Val)
	if in.Op == sim.HistPread && out.Val >= 0 {
		ws := make([]string, len(out.Data))
		for i := range out.Data {
			ws[i] = writerName(int(out.Data[i]))
		}
		res = fmt.Sprintf("%d [%s]", out.Val, strings.Join(ws, " "))
	}
	return call + " -> " + res
}

// FileModel returns the sequential specification of the file that
// CheckHistory checks a history against: what "the sequential semantics"
// means for linearizability.
//
// The state is the file's size (i_size, bytes) and, for each 4096-byte
// block b of the file, who wrote it last: 0 for the contents it had before
// the run, r+1 for iocb r, or zeros for a block that reads as zeros before
// any write (a hole past EOF, or the unwritten extents of an XFS write's
// range: sim.Scenario.InitialReads, which also allows zeros for any block
// of the file when the hole fault may fire). Stale disk contents are
// never legal. The initial state has the size isize and every block as
// InitialReads says, with isize from the scenario's Geometry. Blocks are counted from
// byte 0 of the file; nblocks covers every range the history touches. The
// operations, with their outputs (Val in HistOutput):
//
//   - write(pos, len) by iocb r: Val = len (the whole request: any other
//     byte count is illegal) sets blocks [pos, pos+len) to r+1 and the size
//     to max(size, pos+len). Val = -errno (a valid userspace errno, see
//     below) means the write failed part-way: any subset of its blocks may
//     now hold r+1 and the size may have been extended to pos+k*4096 for
//     any k in 1..len/4096 (the bytes a short write wrote before the
//     error), or not at all.
//   - read(pos, len) (O_DIRECT read, iocb r): Val = min(len, max(0,
//     size-pos)), the bytes up to EOF; or any -errno at any time. No effect.
//   - stat(): Val = size. No effect.
//   - pread(pos, len) through the page cache: Val = min(len, max(0,
//     size-pos)), and Data lists for each block of [pos, pos+Val) (rounded
//     up to whole blocks) its writer, which must be the block's writer;
//     blocks at or past EOF are not compared. Or any -errno. No effect.
//
// A valid errno is -4095..-1 except the kernel-internal 512..530
// (ERESTARTSYS .. EIOCBRETRY, "never seen by user programs"): a
// -EIOCBQUEUED that reaches userspace is illegal. An operation still in
// flight when the history ends (no return, and the run did not end) has
// an unknown output: a write has the effect of a failed write (which
// includes the full write and no write at all), the others no effect; it
// may linearize at any point after its call (porcupine's return at
// infinity).
//
// Writes are atomic: a pread that overlaps a write in flight may see any
// subset of its blocks only through the in-flight rule above. The
// simulator's observer preads only the range of an iocb whose result it
// has seen, so torn multi-block writes are never observable and never
// reported.
//
// The model is nondeterministic (a failed or unknown write); its state is
// kept as the set of possible states, exactly, as a product of the set of
// possible sizes and a set of possible writers per block: a failed write
// adds possibilities to each component independently, and every output
// constrains each component independently, so the product is exact. Step
// is pure and total (it never panics), as porcupine requires.
func FileModel(sc *sim.Scenario, nblocks int) porcupine.Model {
	_, isize := sc.Geometry()
	init := fileState{sizes: encodeSizes([]int64{isize})}
	b := make([]byte, 2*nblocks)
	for i := 0; i < nblocks; i++ {
		setMask(b, i, sc.InitialReads(i))
	}
	init.blocks = string(b)
	return porcupine.Model{
		Init: func() interface{} { return init },
		Step: func(state, input, output interface{}) (bool, interface{}) {
			st, ok1 := state.(fileState)
			in, ok2 := input.(HistInput)
			out, ok3 := output.(HistOutput)
			if !ok1 || !ok2 || !ok3 {
				return false, state
			}
			return fileStep(st, in, out)
		},
		Hash: func(state interface{}) uint64 {
			st, _ := state.(fileState)
			h := fnv.New64a()
			h.Write([]byte(st.sizes))
			h.Write([]byte{0xff})
			h.Write([]byte(st.blocks))
			return h.Sum64()
		},
		DescribeOperation: func(input, output interface{}) string {
			in, _ := input.(HistInput)
			out, _ := output.(HistOutput)
			return describeOp(in, out)
		},
		DescribeState: func(state interface{}) string {
			st, _ := state.(fileState)
			return describeState(st)
		},
	}
}

// histOpRec is one operation found in a history.
type histOpRec struct {
	call, ret sim.HistEvent
	callAt    int
	retAt     int // -1: no return
}

func (o *histOpRec) what(numIocbs int) string {
	if int(o.call.ID) < numIocbs {
		return fmt.Sprintf("iocb %d (%s)", o.call.ID, o.call.Op)
	}
	return fmt.Sprintf("operation %d (%s)", o.call.ID, o.call.Op)
}

// wellFormed checks the history's form and returns its operations in call
// order, or the first problem.
func wellFormed(sc *sim.Scenario, h []sim.HistEvent, ended bool) ([]*histOpRec, string) {
	n := sc.NumIocbs()
	byID := map[int]*histOpRec{}
	var ops []*histOpRec
	for i, e := range h {
		if e.Op > sim.HistPread {
			return nil, fmt.Sprintf("event %d has an unknown operation kind %d", i, e.Op)
		}
		iocbOp := e.Op == sim.HistRead || e.Op == sim.HistWrite
		if e.ID < 0 || iocbOp != (int(e.ID) < n) {
			return nil, fmt.Sprintf("event %d: %s with id %d: reads and writes are iocbs 0..%d, stat and pread follow them", i, e.Op, e.ID, n-1)
		}
		o := byID[int(e.ID)]
		if !e.Return {
			if o != nil {
				return nil, fmt.Sprintf("%s is called twice (events %d and %d)", o.what(n), o.callAt, i)
			}
			if e.Op != sim.HistStat && (e.Pos%sim.BlockSize != 0 || e.Len%sim.BlockSize != 0 || e.Pos < 0 || e.Len <= 0) {
				return nil, fmt.Sprintf("event %d: %s of [%d,+%d) is not a non-empty range of whole %d-byte blocks", i, e.Op, e.Pos, e.Len, sim.BlockSize)
			}
			o = &histOpRec{call: e, callAt: i, retAt: -1}
			byID[int(e.ID)] = o
			ops = append(ops, o)
			continue
		}
		if o == nil {
			return nil, fmt.Sprintf("event %d: %s id %d returns %s but was never called", i, e.Op, e.ID, sim.ErrName(e.Val))
		}
		if o.retAt >= 0 {
			if iocbOp {
				return nil, fmt.Sprintf("iocb %d returned to userspace twice (events %d and %d, with %s then %s): a double completion reaped by userspace, or one ring event reaped twice",
					e.ID, o.retAt, i, sim.ErrName(o.ret.Val), sim.ErrName(e.Val))
			}
			return nil, fmt.Sprintf("%s returned twice (events %d and %d)", o.what(n), o.retAt, i)
		}
		if e.Op != o.call.Op || e.Pos != o.call.Pos || e.Len != o.call.Len {
			return nil, fmt.Sprintf("event %d: the return of %s is a %s of [%d,+%d), its call a %s of [%d,+%d)", i, o.what(n), e.Op, e.Pos, e.Len, o.call.Op, o.call.Pos, o.call.Len)
		}
		if e.Op == sim.HistPread && e.Val >= 0 {
			want := int((e.Val + sim.BlockSize - 1) / sim.BlockSize)
			if len(e.Data) != want {
				return nil, fmt.Sprintf("event %d: pread returned %d bytes but the contents of %d blocks", i, e.Val, len(e.Data))
			}
			for j := 0; j < len(e.Data); j++ {
				if c := e.Data[j]; int(c) > n && c != sim.ContentZero && c != sim.ContentStale {
					return nil, fmt.Sprintf("event %d: pread block %d was written by iocb %d, which does not exist", i, j, int(e.Data[j])-1)
				}
			}
		}
		o.ret, o.retAt = e, i
	}
	if ended {
		for _, o := range ops {
			if o.retAt >= 0 {
				continue
			}
			if int(o.call.ID) < n {
				return nil, fmt.Sprintf("iocb %d (%s) was submitted (event %d) but its completion never reached userspace, and the run has ended", o.call.ID, o.call.Op, o.callAt)
			}
			return nil, fmt.Sprintf("%s was called (event %d) but never returned, and the run has ended", o.what(n), o.callAt)
		}
	}
	return ops, ""
}

// buildOps turns the well-formed operations into porcupine operations,
// with ts mapping a history index to a timestamp (math.MaxInt64 stays for
// operations in flight). It also returns the number of blocks the model
// must cover.
func buildOps(sc *sim.Scenario, ops []*histOpRec, ts func(i int) int64) ([]porcupine.Operation, int) {
	n := sc.NumIocbs()
	pos, isize := sc.Geometry()
	end := pos + int64(n*sc.Blocks)*sim.BlockSize
	if isize > end {
		end = isize
	}
	var clients []int
	for _, o := range ops {
		if e := o.call.Pos + o.call.Len; o.call.Op != sim.HistStat && e > end {
			end = e
		}
		if int(o.call.ID) >= n {
			clients = append(clients, int(o.call.Client))
		}
	}
	sort.Ints(clients)
	lane := map[int]int{}
	for _, c := range clients {
		if _, ok := lane[c]; !ok {
			lane[c] = n + len(lane)
		}
	}
	out := make([]porcupine.Operation, 0, len(ops))
	for _, o := range ops {
		in := HistInput{Op: o.call.Op, ID: int(o.call.ID), Pos: o.call.Pos, Len: o.call.Len, Client: int(o.call.Client)}
		res := HistOutput{Unknown: true}
		ret := int64(math.MaxInt64)
		meta := fmt.Sprintf("client %d, history events %d-", o.call.Client, o.callAt)
		if o.retAt >= 0 {
			res = HistOutput{Val: o.ret.Val, Data: o.ret.Data}
			ret = ts(o.retAt)
			meta += fmt.Sprint(o.retAt)
		} else {
			meta += "(in flight)"
		}
		l := int(o.call.ID)
		if l >= n {
			l = lane[int(o.call.Client)]
		}
		out = append(out, porcupine.Operation{ClientId: l, Input: in, Call: ts(o.callAt), Output: res, Return: ret, Metadata: meta})
	}
	return out, int((end + sim.BlockSize - 1) / sim.BlockSize)
}

// bestOrder picks, deterministically, the longest partial linearization
// (ties: the lexicographically smallest).
func bestOrder(info porcupine.LinearizationInfo) []int {
	var best []int
	for _, part := range info.PartialLinearizations() {
		for _, p := range part {
			if len(p) > len(best) || len(p) == len(best) && lexLess(p, best) {
				best = append([]int(nil), p...)
			}
		}
	}
	return best
}

func lexLess(a, b []int) bool {
	for i := range a {
		if i >= len(b) {
			return false
		}
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return len(a) < len(b)
}

// CheckHistory checks the history h of a run of scenario sc: first that it
// is well formed, then that it is linearizable against FileModel.
//
// Well formed: every event has a known operation kind; reads and writes
// are iocbs (ids 0..sc.NumIocbs()-1) and stat and pread have the ids after
// them; each operation id is called once, before its at most one return,
// and the return is the same operation on the same range; ranges are whole
// blocks; a pread's contents have one writer per block up to the bytes it
// returned, each an iocb of the scenario. Two returns for one iocb are a
// double completion seen by userspace (the history cannot tell it from one
// ring event reaped twice: both are reported as such). When ended is true
// (the run ended: no actor could move), every operation called must have
// returned: an iocb without a return is a completion that never reached
// userspace. A malformed history is its own failure, found before porcupine
// is called (porcupine gets malformed histories silently wrong).
//
// Then porcupine.CheckOperationsVerbose runs without a timeout, so its
// verdict is Ok or Illegal and a pure function of the history (nothing
// wall-clock decides it). Operations without a return when ended is false
// are in flight: their output is unknown (see FileModel).
func CheckHistory(sc *sim.Scenario, h []sim.HistEvent, ended bool) HistoryVerdict {
	recs, bad := wellFormed(sc, h, ended)
	if bad != "" {
		return HistoryVerdict{Malformed: true, Msg: "malformed history: " + bad}
	}
	ops, nblocks := buildOps(sc, recs, func(i int) int64 { return int64(i) })
	v := HistoryVerdict{Ops: ops}
	if len(ops) == 0 {
		v.OK, v.Result = true, porcupine.Ok
		return v
	}
	fm := FileModel(sc, nblocks)
	v.Result, v.Info = porcupine.CheckOperationsVerbose(fm, ops, 0)
	v.Order = bestOrder(v.Info)
	switch v.Result {
	case porcupine.Ok:
		v.OK = true
		return v
	case porcupine.Illegal:
		v.Msg = illegalMsg(fm, ops, v.Order)
	default:
		// Impossible without a timeout; never taken as OK.
		v.Msg = fmt.Sprintf("porcupine could not decide (%s)", v.Result)
	}
	return v
}

// illegalMsg explains a non-linearizable history: its operations in call
// order, the longest linearizable prefix and the state after it.
func illegalMsg(fm porcupine.Model, ops []porcupine.Operation, order []int) string {
	var sb strings.Builder
	sb.WriteString("history not linearizable: operations (call-return events):")
	for i, op := range ops {
		ret := "in flight"
		if op.Return != math.MaxInt64 {
			ret = fmt.Sprint(op.Return)
		}
		fmt.Fprintf(&sb, " [%d] %s (%d-%s);", i, fm.DescribeOperation(op.Input, op.Output), op.Call, ret)
	}
	st := fm.Init()
	var pre []string
	for _, i := range order {
		_, st = fm.Step(st, ops[i].Input, ops[i].Output)
		pre = append(pre, fmt.Sprintf("[%d]", i))
	}
	fmt.Fprintf(&sb, " the longest linearizable prefix is %s, reaching %s; no operation left can come next",
		"("+strings.Join(pre, " ")+")", fm.DescribeState(st))
	return sb.String()
}

// HistoryViolations checks the history of s (CheckHistory with s's
// scenario); ended says the run has ended (no actor can move). It returns
// the Linearizable violation, or nil.
func HistoryViolations(s *sim.State, ended bool) []Violation {
	if sequentialOK(s.Scn, s.History, ended) {
		return nil
	}
	if v, bad := CheckHistory(s.Scn, s.History, ended).Violation(); bad {
		return []Violation{v}
	}
	return nil
}

// sequentialOK is a fast path for the common history where no two
// operations overlap: calls and returns alternate, each return answering
// the call just before it (a trailing call with no return is an operation
// in flight, allowed when ended is false). Such a history is linearizable
// exactly when replaying its operations in order through FileModel's step
// succeeds, which needs neither porcupine nor allocations beyond the
// model's states. It reports true only when it has decided "linearizable";
// anything else (overlaps, a failure, anything malformed) goes to
// CheckHistory, which gives the verdict and the explanation.
func sequentialOK(sc *sim.Scenario, h []sim.HistEvent, ended bool) bool {
	pos, isize := sc.Geometry()
	end := pos + int64(sc.NumIocbs()*sc.Blocks)*sim.BlockSize
	if isize > end {
		end = isize
	}
	for i := 0; i < len(h); i++ {
		e := h[i]
		if e.Op != sim.HistStat && e.Pos+e.Len > end {
			return false // let CheckHistory size the model
		}
	}
	nblocks := int((end + sim.BlockSize - 1) / sim.BlockSize)
	b := make([]byte, 2*nblocks)
	for i := 0; i < nblocks; i++ {
		setMask(b, i, sc.InitialReads(i))
	}
	st := fileState{sizes: encodeSizes([]int64{isize}), blocks: string(b)}
	seen := map[int8]bool{}
	for i := 0; i < len(h); i += 2 {
		call := h[i]
		if call.Return || seen[call.ID] {
			return false
		}
		seen[call.ID] = true
		in := HistInput{Op: call.Op, ID: int(call.ID), Pos: call.Pos, Len: call.Len, Client: int(call.Client)}
		out := HistOutput{Unknown: true}
		if i+1 < len(h) {
			ret := h[i+1]
			if !ret.Return || ret.ID != call.ID || ret.Op != call.Op {
				return false
			}
			out = HistOutput{Val: ret.Val, Data: ret.Data}
		} else if ended {
			return false // an iocb that never returned: malformed, see CheckHistory
		}
		var ok bool
		if ok, st = fileStep(st, in, out); !ok {
			return false
		}
	}
	if ended {
		for r := 0; r < sc.NumIocbs(); r++ {
			if !seen[int8(r)] {
				return false
			}
		}
	}
	return true
}
