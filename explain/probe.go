package explain

import (
	"bytes"
	"sort"
	"strconv"
	"strings"

	"diosim/model"
	"diosim/sim"
)

// A probe is a piece of shared state whose readers an account wants to
// find: get and set read and write it in a state, for the request q of
// the actor that steps; alt gives the other values to try instead of v.
type probe struct {
	get func(s *sim.State, q *sim.Req) int64
	set func(s *sim.State, q *sim.Req, v int64)
	alt func(v int64) []int64
}

// reqProbe is a probe of a field of the request.
func reqProbe(get func(q *sim.Req) int64, set func(q *sim.Req, v int64), alt func(int64) []int64) probe {
	return probe{
		get: func(_ *sim.State, q *sim.Req) int64 { return get(q) },
		set: func(_ *sim.State, q *sim.Req, v int64) { set(q, v) },
		alt: alt,
	}
}

// boolAlt tries the other truth value (0 false, 1 true).
func boolAlt(v int64) []int64 { return []int64{1 - v} }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// valueAlt tries values around v and the usual comparisons' pivots: 0, a
// block, an error.
func valueAlt(v int64) []int64 {
	var out []int64
	for _, w := range []int64{v - 1, v + 1, 0, sim.BlockSize, -sim.EIO} {
		if w != v {
			out = append(out, w)
		}
	}
	return out
}

// counterAlt tries the neighbours of a count and the values its tests
// compare with (0 and 1), so that any comparison the step makes flips for
// at least one of them.
func counterAlt(v int64) []int64 {
	var out []int64
	for _, w := range []int64{v - 1, v + 1, 0, 1, 2} {
		if w != v && w >= 0 {
			out = append(out, w)
		}
	}
	return out
}

// fieldProbes are the pieces of state an account may look for readers
// of, by field name: the dio's refcount (before, after, v2.6.20) and
// bio_count/bios_in_flight (v2.6.18), dio->waiter, the kiocb's ki_users
// and the XFS ioend's io_remaining.
var fieldProbes = map[string]probe{
	"dio.refcount": reqProbe(func(q *sim.Req) int64 { return int64(q.Dio.Refcount) },
		func(q *sim.Req, v int64) { q.Dio.Refcount = int32(v) }, counterAlt),
	"dio.bio_count": reqProbe(func(q *sim.Req) int64 { return int64(q.Dio.BioCount) },
		func(q *sim.Req, v int64) { q.Dio.BioCount = int32(v) }, counterAlt),
	"dio.bios_in_flight": reqProbe(func(q *sim.Req) int64 { return int64(q.Dio.BiosInFlight) },
		func(q *sim.Req, v int64) { q.Dio.BiosInFlight = int32(v) }, counterAlt),
	"kiocb.ki_users": reqProbe(func(q *sim.Req) int64 { return int64(q.Kiocb.Users) },
		func(q *sim.Req, v int64) { q.Kiocb.Users = int32(v) }, counterAlt),
	"ioend.io_remaining": reqProbe(func(q *sim.Req) int64 { return int64(q.Kiocb.IoendRemaining) },
		func(q *sim.Req, v int64) { q.Kiocb.IoendRemaining = int32(v) }, counterAlt),
	// iocb->private is the XFS ioend pointer: set (1) or NULL (0).
	"kiocb.private": reqProbe(func(q *sim.Req) int64 { return b2i(q.Kiocb.Private) },
		func(q *sim.Req, v int64) { q.Kiocb.Private = v != 0 }, boolAlt),
	// dio->waiter is a task pointer (actor index + 1, 0 for NULL): NULL
	// is tried against the submitter, a task against NULL.
	"dio.waiter": reqProbe(func(q *sim.Req) int64 { return int64(q.Dio.Waiter) },
		func(q *sim.Req, v int64) { q.Dio.Waiter = int8(v) },
		func(v int64) []int64 {
			if v == 0 {
				return []int64{1}
			}
			return []int64{0}
		}),
	"dio.is_async": reqProbe(func(q *sim.Req) int64 { return b2i(q.Dio.IsAsync) },
		func(q *sim.Req, v int64) { q.Dio.IsAsync = v != 0 }, boolAlt),
	"dio.result": reqProbe(func(q *sim.Req) int64 { return q.Dio.Result },
		func(q *sim.Req, v int64) { q.Dio.Result = v }, valueAlt),
	"dio.io_error": reqProbe(func(q *sim.Req) int64 { return q.Dio.IoError },
		func(q *sim.Req, v int64) { q.Dio.IoError = v }, valueAlt),
	"dio.page_errors": reqProbe(func(q *sim.Req) int64 { return q.Dio.PageErrors },
		func(q *sim.Req, v int64) { q.Dio.PageErrors = v }, valueAlt),
	"kiocb.ki_pos": reqProbe(func(q *sim.Req) int64 { return q.Kiocb.Pos },
		func(q *sim.Req, v int64) { q.Kiocb.Pos = v }, valueAlt),
	"kiocb.ki_left": reqProbe(func(q *sim.Req) int64 { return q.Kiocb.Left },
		func(q *sim.Req, v int64) { q.Kiocb.Left = v }, valueAlt),
	"inode.i_size": {
		get: func(s *sim.State, _ *sim.Req) int64 { return s.Inode.ISize },
		set: func(s *sim.State, _ *sim.Req, v int64) { s.Inode.ISize = v },
		alt: valueAlt,
	},
	"ioend.work_queued": reqProbe(func(q *sim.Req) int64 { return b2i(q.Kiocb.IoendQueued) },
		func(q *sim.Req, v int64) { q.Kiocb.IoendQueued = v != 0 }, boolAlt),
}

// Reads returns the shared fields that move mv reads in state before,
// with their values there (as sim.State.Fields renders them, names of the
// mover's request without an iocb prefix): each field of the world that,
// given another value, makes the step do something else. The values a
// step reads without changing them (bio0 reads dio->waiter = NULL and so
// wakes nobody) are what it decided on. Only the fields with a probe are
// tried: the dio's and the kiocb's counts, pointers and results, the
// XFS ioend, i_size.
func Reads(m *model.Model, before *sim.State, mv model.Move) []sim.Field {
	after := before.Clone()
	m.Apply(after, mv)
	want := after.Encode(nil)
	vals := map[string]string{}
	prefix := ""
	if before.NumReqs() > 1 {
		prefix = "iocb" + strconv.Itoa(int(before.Actors[mv.Actor].Req)) + "."
	}
	for _, f := range before.Fields() {
		vals[f.Name] = f.Val
	}
	var names []string
	for name := range fieldProbes {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []sim.Field
	for _, name := range names {
		p := fieldProbes[name]
		if probeReads(m, before, after, mv, p, want) {
			key := name
			if name != "inode.i_size" {
				key = prefix + name
			}
			out = append(out, sim.Field{Name: key, Val: vals[key]})
		}
	}
	return out
}

// probeReads reports whether move mv from before (reaching after, encoded
// as want) depends on the state p names.
func probeReads(m *model.Model, before, after *sim.State, mv model.Move, p probe, want []byte) bool {
	for _, v := range p.alt(p.get(before, before.ReqOf(mv.Actor))) {
		if probeDiffers(m, before, after, mv, p, v, want) {
			return true
		}
	}
	return false
}

func probeDiffers(m *model.Model, before, after *sim.State, mv model.Move, p probe, v int64, want []byte) (dep bool) {
	s := before.Clone()
	p.set(s, s.ReqOf(mv.Actor), v)
	defer func() {
		if recover() != nil {
			dep = true
		}
	}()
	if !m.Enabled(s, mv.Actor) || mv.Choice >= m.Outcomes(s, mv.Actor) {
		return true
	}
	m.Apply(s, mv)
	p.set(s, s.ReqOf(mv.Actor), p.get(after, after.ReqOf(mv.Actor)))
	return !bytes.Equal(s.Encode(nil), want)
}

// readsFields returns the fields of fields (each with a probe) that step
// n reads.
func (st *Story) readsFields(n int, fields []string) []string {
	var out []string
	for _, f := range fields {
		if p, ok := fieldProbes[f]; ok && st.reads(n, p) {
			out = append(out, f)
		}
	}
	return out
}

// reads reports whether step n depends on the state p names: run from a
// copy of the state before it in which that state has another value, the
// step leaves anything else different (a local, a branch taken, another
// field), for at least one of the values tried. A step that cannot run or
// fails on the changed state depends on it too.
func (st *Story) reads(n int, p probe) bool {
	before, after := st.states[n-1], st.states[n]
	return probeReads(st.m, before, after, st.moves[n-1], p, after.Encode(nil))
}

// RunReads returns, for each move of a run of sc on m, the fields it read
// (Reads): element i is move i's.
func RunReads(m *model.Model, sc *sim.Scenario, moves []model.Move) [][]sim.Field {
	s := m.Init(sc)
	out := make([][]sim.Field, len(moves))
	for i, mv := range moves {
		out[i] = Reads(m, s, mv)
		m.Apply(s, mv)
	}
	return out
}

// FormatReads renders fields as "name = value" items separated by ", ".
func FormatReads(fs []sim.Field) string {
	var b strings.Builder
	for i, f := range fs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f.Name + " = " + f.Val)
	}
	return b.String()
}
