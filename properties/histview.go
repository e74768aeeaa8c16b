package properties

import (
	"encoding/binary"
	"sort"

	"diosim/sim"
)

// What the properties need of the history (sim.RegisterHistoryView).
//
// Linearizable reads the whole history, but of its past it needs only
// what can still decide a verdict on any extension: linView. The other
// properties read Facts, not the history; the `sometimes` situations of
// Linearizable ask whether any operation, and any pread, has returned.
// A new property that reads State.History must register a view here (or
// in an init function of its own file) that keeps what it needs.
func init() {
	sim.RegisterHistoryView(string(Linearizable), linView)
	sim.RegisterHistoryView("sometimes", func(_ *sim.Scenario, h []sim.HistEvent, b []byte) []byte {
		var ret, pread byte
		for i := range h {
			if h[i].Return {
				ret = 1
				if h[i].Op == sim.HistPread {
					pread = 1
				}
			}
		}
		return append(b, ret, pread)
	})
}

// linView appends what CheckHistory needs of h to decide every extension
// h·e of it, with ended true or false.
//
// A malformed h (wellFormed) stays malformed whatever follows: one byte
// says so. Otherwise let the cut be the last point of h where no
// operation is in flight: every operation called before it (the closed
// ones) returned before every operation after it was called, so in any
// linearization of h·e the closed operations come first, and h·e is
// linearizable exactly when the operations after the cut are
// linearizable from one of the states of the sequential file that a
// linearization of the closed ones can reach (FileModel's Step is a
// function of its state). The view keeps that set of states (the
// frontier; empty when the closed operations are not linearizable, so
// that only malformation can still change the verdict), the ids of the
// closed operations (any later event of theirs makes h·e malformed), and
// the events after the cut, in order except that a run of consecutive
// calls, or of consecutive returns, is sorted: swapping two calls, or
// two returns, changes neither which operation precedes which nor the
// form of the history. When no write was called since the cut, the
// operations after it only narrow the file's states (narrowings commute,
// and a state is a product whose components they narrow independently):
// those that returned are folded into the frontier and closed, and only
// the calls of those in flight are kept. Ranges that reach past the file model's blocks
// (never made by the model) keep the whole history.
func linView(sc *sim.Scenario, h []sim.HistEvent, b []byte) []byte {
	recs, bad := wellFormed(sc, h, false)
	if bad != "" {
		return append(b, 'M')
	}
	pos, isize := sc.Geometry()
	end := pos + int64(sc.NumIocbs()*sc.Blocks)*sim.BlockSize
	if isize > end {
		end = isize
	}
	for _, e := range h {
		if e.Op != sim.HistStat && e.Pos+e.Len > end {
			return sim.AppendHistory(append(b, 'H'), h)
		}
	}
	nblocks := int((end + sim.BlockSize - 1) / sim.BlockSize)
	blocks := make([]byte, 2*nblocks)
	for i := 0; i < nblocks; i++ {
		setMask(blocks, i, sc.InitialReads(i))
	}
	frontier := []fileState{{sizes: encodeSizes([]int64{isize}), blocks: string(blocks)}}
	// Split the history at every point where no operation is in flight.
	open, start, k := 0, 0, 0 // k: the first operation of the segment
	var closed []byte
	for i, e := range h {
		if e.Return {
			open--
		} else {
			open++
		}
		if open > 0 {
			continue
		}
		j := k
		for j < len(recs) && recs[j].callAt < i+1 {
			closed = append(closed, byte(recs[j].call.ID))
			j++
		}
		if j-k > maxSegment {
			return sim.AppendHistory(append(b, 'H'), h)
		}
		if len(frontier) > 0 {
			frontier = linSegment(frontier, recs[k:j])
		}
		start, k = i+1, j
	}
	win := h[start:]
	if noEffects(win) {
		// Only reads, stats and preads since the cut: each only narrows
		// the states of the file, and narrowings commute, so the ones
		// that returned are folded into the frontier, in any order, and
		// closed; the calls of those in flight stay.
		var calls []sim.HistEvent
		for _, o := range recs[k:] {
			if o.retAt < 0 {
				calls = append(calls, o.call)
				continue
			}
			closed = append(closed, byte(o.call.ID))
			in := HistInput{Op: o.call.Op, ID: int(o.call.ID), Pos: o.call.Pos, Len: o.call.Len, Client: int(o.call.Client)}
			out := HistOutput{Val: o.ret.Val, Data: o.ret.Data}
			next := frontier[:0]
			for _, st := range frontier {
				if ok, st2 := fileStep(st, in, out); ok {
					next = append(next, st2)
				}
			}
			frontier = uniqStates(next)
		}
		win = calls
	}
	sort.Slice(frontier, func(i, j int) bool {
		if frontier[i].sizes != frontier[j].sizes {
			return frontier[i].sizes < frontier[j].sizes
		}
		return frontier[i].blocks < frontier[j].blocks
	})
	le := binary.LittleEndian
	b = append(b, 'L')
	b = le.AppendUint32(b, uint32(len(frontier)))
	for _, st := range frontier {
		b = le.AppendUint32(b, uint32(len(st.sizes)))
		b = append(b, st.sizes...)
		b = append(b, st.blocks...)
	}
	sort.Slice(closed, func(i, j int) bool { return closed[i] < closed[j] })
	b = append(b, byte(len(closed)))
	b = append(b, closed...)
	// The events after the cut, each run of calls or of returns sorted.
	for i := 0; i < len(win); {
		j := i
		for j < len(win) && win[j].Return == win[i].Return {
			j++
		}
		run := make([][]byte, 0, j-i)
		for _, e := range win[i:j] {
			run = append(run, sim.AppendHistory(nil, []sim.HistEvent{e}))
		}
		sort.Slice(run, func(a, c int) bool { return string(run[a]) < string(run[c]) })
		b = append(b, byte(j-i))
		for _, r := range run {
			b = append(b, r...)
		}
		i = j
	}
	return b
}

// noEffects reports whether no event of h is a write's.
func noEffects(h []sim.HistEvent) bool {
	for i := range h {
		if h[i].Op == sim.HistWrite {
			return false
		}
	}
	return true
}

// uniqStates removes repeated states (keeping the first of each).
func uniqStates(sts []fileState) []fileState {
	out := sts[:0]
	for _, st := range sts {
		dup := false
		for _, o := range out {
			if o == st {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, st)
		}
	}
	return out
}

// maxSegment bounds the operations of one segment linSegment takes.
const maxSegment = 24

// linSegment returns the states of the sequential file reachable from
// the states of from by linearizing the operations ops, all of which
// returned (a segment of the history between two points where no
// operation is in flight), in every order their calls and returns allow;
// sorted and without duplicates.
func linSegment(from []fileState, ops []*histOpRec) []fileState {
	if len(ops) == 0 {
		return from
	}
	type node struct {
		st   fileState
		done uint32
	}
	full := uint32(1)<<len(ops) - 1
	seen := map[node]bool{}
	out := map[fileState]bool{}
	var walk func(n node)
	walk = func(n node) {
		if seen[n] {
			return
		}
		seen[n] = true
		if n.done == full {
			out[n.st] = true
			return
		}
		for j, o := range ops {
			if n.done&(1<<j) != 0 {
				continue
			}
			ready := true
			for i, p := range ops {
				if n.done&(1<<i) == 0 && i != j && p.retAt < o.callAt {
					ready = false // p precedes o in real time and is not linearized yet
					break
				}
			}
			if !ready {
				continue
			}
			in := HistInput{Op: o.call.Op, ID: int(o.call.ID), Pos: o.call.Pos, Len: o.call.Len, Client: int(o.call.Client)}
			if ok, st := fileStep(n.st, in, HistOutput{Val: o.ret.Val, Data: o.ret.Data}); ok {
				walk(node{st, n.done | 1<<j})
			}
		}
	}
	for _, st := range from {
		walk(node{st, 0})
	}
	res := make([]fileState, 0, len(out))
	for st := range out {
		res = append(res, st)
	}
	return res
}
