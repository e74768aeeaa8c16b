package explain

import (
	"bytes"

	"diosim/sim"
)

// A probe is a piece of shared state whose readers an account wants to
// find: get and set read and write it in a state; alt gives the other
// values to try instead of v.
type probe struct {
	get func(q *sim.Req) int64
	set func(q *sim.Req, v int64)
	alt func(v int64) []int64
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
	"dio.refcount": {
		get: func(q *sim.Req) int64 { return int64(q.Dio.Refcount) },
		set: func(q *sim.Req, v int64) { q.Dio.Refcount = int32(v) },
		alt: counterAlt,
	},
	"dio.bio_count": {
		get: func(q *sim.Req) int64 { return int64(q.Dio.BioCount) },
		set: func(q *sim.Req, v int64) { q.Dio.BioCount = int32(v) },
		alt: counterAlt,
	},
	"dio.bios_in_flight": {
		get: func(q *sim.Req) int64 { return int64(q.Dio.BiosInFlight) },
		set: func(q *sim.Req, v int64) { q.Dio.BiosInFlight = int32(v) },
		alt: counterAlt,
	},
	"kiocb.ki_users": {
		get: func(q *sim.Req) int64 { return int64(q.Kiocb.Users) },
		set: func(q *sim.Req, v int64) { q.Kiocb.Users = int32(v) },
		alt: counterAlt,
	},
	"ioend.io_remaining": {
		get: func(q *sim.Req) int64 { return int64(q.Kiocb.IoendRemaining) },
		set: func(q *sim.Req, v int64) { q.Kiocb.IoendRemaining = int32(v) },
		alt: counterAlt,
	},
	// iocb->private is the XFS ioend pointer: set (1) or NULL (0).
	"kiocb.private": {
		get: func(q *sim.Req) int64 {
			if q.Kiocb.Private {
				return 1
			}
			return 0
		},
		set: func(q *sim.Req, v int64) { q.Kiocb.Private = v != 0 },
		alt: func(v int64) []int64 { return []int64{1 - v} },
	},
	// dio->waiter is a task pointer (actor index + 1, 0 for NULL): NULL
	// is tried against the submitter, a task against NULL.
	"dio.waiter": {
		get: func(q *sim.Req) int64 { return int64(q.Dio.Waiter) },
		set: func(q *sim.Req, v int64) { q.Dio.Waiter = int8(v) },
		alt: func(v int64) []int64 {
			if v == 0 {
				return []int64{1}
			}
			return []int64{0}
		},
	},
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
	want := after.Encode(nil)
	for _, v := range p.alt(p.get(before.ReqOf(st.moves[n-1].Actor))) {
		if st.differs(n, p, v, want) {
			return true
		}
	}
	return false
}

func (st *Story) differs(n int, p probe, v int64, want []byte) (dep bool) {
	mv := st.moves[n-1]
	s := st.states[n-1].Clone()
	p.set(s.ReqOf(mv.Actor), v)
	defer func() {
		if recover() != nil {
			dep = true
		}
	}()
	if !st.m.Enabled(s, mv.Actor) || mv.Choice >= st.m.Outcomes(s, mv.Actor) {
		return true
	}
	st.m.Apply(s, mv)
	p.set(s.ReqOf(mv.Actor), p.get(st.states[n].ReqOf(mv.Actor)))
	return !bytes.Equal(s.Encode(nil), want)
}
