package properties

import (
	"math/rand"
	"testing"

	"diosim/sim"
)

// histGen draws small histories of a 2-iocb write scenario (one block
// each, the second extending the file) with observer stats and preads:
// mostly well formed, sometimes not (a second call or return of an id).
const blk = sim.BlockSize

type histGen struct {
	rng *rand.Rand
	sc  *sim.Scenario
}

func (g *histGen) event(called, returned map[int8]bool, ops map[int8]sim.HistEvent) sim.HistEvent {
	r := g.rng
	ret := func(c sim.HistEvent) sim.HistEvent {
		e := c
		e.Return = true
		switch c.Op {
		case sim.HistWrite:
			e.Val = []int64{blk, -sim.EIO}[r.Intn(2)]
		case sim.HistRead:
			e.Val = []int64{blk, blk / 2, 0, -sim.EIO}[r.Intn(4)]
		case sim.HistStat:
			e.Val = []int64{blk, 2 * blk}[r.Intn(2)]
		case sim.HistPread:
			if r.Intn(4) == 0 {
				e.Val = 0
			} else {
				e.Val = blk
				e.Data = string([]byte{[]byte{sim.ContentOld, byte(c.Pos/blk) + 1, sim.ContentZero}[r.Intn(3)]})
			}
		}
		return e
	}
	if r.Intn(30) == 0 { // something malformed: an id called or returned again
		id := int8(r.Intn(6))
		if c, ok := ops[id]; ok {
			if r.Intn(2) == 0 {
				c.Return = false
				return c
			}
			return ret(c)
		}
	}
	var pending []int8
	for id := range ops {
		if called[id] && !returned[id] {
			pending = append(pending, id)
		}
	}
	if len(pending) > 0 && r.Intn(2) == 0 {
		id := pending[0]
		for _, p := range pending {
			if p < id {
				id = p
			}
		}
		if k := r.Intn(len(pending)); k > 0 {
			id = pending[k]
		}
		return ret(ops[id])
	}
	id := int8(r.Intn(6))
	if c, ok := ops[id]; ok {
		return ret(c)
	}
	var c sim.HistEvent
	switch {
	case id < 2 && g.sc.Op == sim.Read:
		c = sim.HistEvent{Op: sim.HistRead, ID: id, Client: id, Pos: int64(id) * blk, Len: blk}
	case id < 2:
		c = sim.HistEvent{Op: sim.HistWrite, ID: id, Client: id, Pos: int64(id) * blk, Len: blk}
	case r.Intn(2) == 0:
		c = sim.HistEvent{Op: sim.HistStat, ID: id, Client: 2}
	default:
		c = sim.HistEvent{Op: sim.HistPread, ID: id, Client: 2, Pos: int64(r.Intn(2)) * blk, Len: blk}
	}
	return c
}

func (g *histGen) history(n int) []sim.HistEvent {
	called, returned := map[int8]bool{}, map[int8]bool{}
	ops := map[int8]sim.HistEvent{}
	var h []sim.HistEvent
	for len(h) < n {
		e := g.event(called, returned, ops)
		if e.Return {
			returned[e.ID] = true
		} else {
			called[e.ID] = true
			ops[e.ID] = e
		}
		h = append(h, e)
	}
	return h
}

// TestLinViewExact checks that the linearizability view of the history
// (linView, the part of the history key a search identifies states by)
// keeps everything CheckHistory needs: on many small histories, two with
// the same view get the same verdict (well formed or not, linearizable or
// not) on every extension tried, at the end of a run or not. It also
// checks that the view does merge histories (else it would be exact for
// nothing).
func TestLinViewExact(t *testing.T) {
	for _, sc := range []*sim.Scenario{
		{Op: sim.Write, Blocks: 1, Iocbs: 2, Place: sim.Extend},
		{Op: sim.Read, Blocks: 1, Iocbs: 2, Place: sim.PastEOF},
	} {
		t.Run(sc.Op.String(), func(t *testing.T) { linViewExact(t, sc) })
	}
}

func linViewExact(t *testing.T, sc *sim.Scenario) {
	g := &histGen{rng: rand.New(rand.NewSource(1)), sc: sc}
	byView := map[string][][]sim.HistEvent{}
	seen := map[string]bool{}
	for i := 0; i < 20000; i++ {
		h := g.history(g.rng.Intn(9))
		k := string(sim.AppendHistory(nil, h))
		if seen[k] {
			continue
		}
		seen[k] = true
		v := string(linView(sc, h, nil))
		byView[v] = append(byView[v], h)
	}
	verdict := func(h []sim.HistEvent, ended bool) [2]bool {
		v := CheckHistory(sc, h, ended)
		return [2]bool{v.OK, v.Malformed}
	}
	merged, checked := 0, 0
	for _, hs := range byView {
		if len(hs) < 2 {
			continue
		}
		merged += len(hs) - 1
		for i := 0; i < 20; i++ {
			ext := g.history(g.rng.Intn(5)) // events independent of the prefix: may close, reopen or break it
			cut := g.rng.Intn(len(ext) + 1)
			ext = ext[cut:]
			if i%2 == 0 {
				// fresh observer operations (ids 6..9), which the prefix's
				// closed ones do not make malformed
				for k := range ext {
					if ext[k].ID >= 2 {
						ext[k].ID += 4
					}
				}
			}
			a, b := hs[0], hs[1+g.rng.Intn(len(hs)-1)]
			for _, ended := range []bool{false, true} {
				ha := append(append([]sim.HistEvent(nil), a...), ext...)
				hb := append(append([]sim.HistEvent(nil), b...), ext...)
				if va, vb := verdict(ha, ended), verdict(hb, ended); va != vb {
					t.Fatalf("same view, different verdicts (ok, malformed) %v and %v (ended %v):\n%v\n%v\nextension %v", va, vb, ended, a, b, ext)
				}
				checked++
			}
		}
	}
	if merged < 200 {
		t.Errorf("the view merged only %d of %d histories", merged, len(seen))
	}
	t.Logf("%d histories, %d views, %d extension checks", len(seen), len(byView), checked)
}

// TestLinViewKeeps: histories that some extension tells apart have
// different views.
func TestLinViewKeeps(t *testing.T) {
	sc := &sim.Scenario{Op: sim.Write, Blocks: 1, Iocbs: 2, Place: sim.Extend}
	w0 := sim.HistEvent{Op: sim.HistWrite, ID: 0, Pos: 0, Len: blk}
	w0e := w0
	w0e.Return, w0e.Val = true, -sim.EIO
	p2 := sim.HistEvent{Op: sim.HistPread, ID: 2, Client: 2, Pos: 0, Len: blk}
	p2r := func(d byte) sim.HistEvent {
		e := p2
		e.Return, e.Val, e.Data = true, blk, string([]byte{d})
		return e
	}
	w1 := sim.HistEvent{Op: sim.HistWrite, ID: 1, Client: 1, Pos: blk, Len: blk}
	for _, c := range []struct {
		name string
		a, b []sim.HistEvent
	}{
		{"what a pread saw after a failed write (the frontier's blocks)", []sim.HistEvent{w0, w0e, p2, p2r(sim.ContentOld)}, []sim.HistEvent{w0, w0e, p2, p2r(1)}},
		{"which operations are closed", []sim.HistEvent{w0, w0e}, []sim.HistEvent{w0, w0e, p2, p2r(sim.ContentOld)}},
		{"a call before or after a return", []sim.HistEvent{w1, w0, w0e}, []sim.HistEvent{w0, w0e, w1}},
		{"malformed", []sim.HistEvent{w0, w0e}, []sim.HistEvent{w0, w0e, w0e}},
	} {
		if string(linView(sc, c.a, nil)) == string(linView(sc, c.b, nil)) {
			t.Errorf("%s: the two histories have the same view", c.name)
		}
	}
	// And the ones it merges: calls in either order; the order in which
	// two operations that were both in flight returned, once the
	// frontier is the same.
	if string(linView(sc, []sim.HistEvent{w0, w1}, nil)) != string(linView(sc, []sim.HistEvent{w1, w0}, nil)) {
		t.Error("two calls in either order have different views")
	}
}
