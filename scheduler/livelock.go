package scheduler

// Livelock check.
//
// A run of the model can fail to end in two ways: every actor is stuck
// (no move is enabled: an end state, judged by properties.AtEnd, where
// no-hang reports a task asleep or blocked forever), or some actor moves
// forever without the run getting anywhere: a task spinning in a loop
// whose exit nobody can make true (a wait test inverted, a loop that jumps
// back to its own test). The second is a livelock; no end-of-run property
// sees it, because no run ends. The exhaustive search sees it as a set of
// states from which no end state is reachable: every path from them goes
// round a cycle forever. Such a state violates no-hang (kind
// properties.KindLivelock): "no task sleeps forever" is about runs that
// end; "and no run can end" is the same hang with the task awake.
//
// How. The search keeps every transition it explores as an edge between
// state ids (12 bytes an edge: about 4 MB for the default set's 180k
// states and 360k edges). When it is complete, a backward breadth-first
// walk from the end states (no outgoing edge) marks every state that can
// reach one; the first state in id order (so at the smallest depth) that
// cannot is reported, with a trace to the first state of a cycle among
// such states and then the cycle once round (a lasso). Only complete
// searches are checked: a search cut by a bound has states it never
// expanded, which look like ends. In a search split into shards, the
// states of the split level given to the other shards are taken as able
// to end (a shard cannot tell); every state past the split level is
// expanded by its shard, so a shard reports only real livelocks, and the
// shard that holds a livelock's path finds it (see below).
//
// Soundness under the search's reductions. Let G be the full state graph
// and R the graph the search explores.
//
//   - Symmetry: R is built on canonical states; renaming bios, or
//     interchangeable iocbs (sim/canon.go), is an automorphism of G that
//     maps end states to end states, so a state
//     can reach an end iff its canonical form can. A cycle of R is a path
//     of G from a state to a renaming of itself, which repeated (at most
//     the order of the renaming times) is a cycle of G.
//   - Partial-order reduction, "can reach an end" is the same in R as in
//     G for every state of R. R is a subgraph of G, so one direction is
//     trivial. Conversely let s in R reach an end e in G by a path of n
//     moves. If s is expanded fully, its first move is in R; induction
//     on n. Otherwise s is expanded by the moves of one actor p whose next
//     step is Private: it commutes with every move of every other actor,
//     which neither enables nor disables it (model.Step.Private;
//     CheckReductions tests this for variants). p moves somewhere on the
//     path: otherwise its step would still be enabled at e, which is an
//     end. Its first move there commutes to the front: s -p-> s' then a
//     path of n-1 moves to the same e, and s' is in R. This is the
//     deadlock preservation of stubborn sets (Valmari); it needs neither
//     the visibility condition nor the cycle proviso.
//   - Partial-order reduction, R has a livelock if G has one. Let t be a
//     state of G reachable from the initial state that cannot reach an
//     end; every successor of t cannot either. Take s in R with a path of
//     n moves to such a state. If s is expanded fully, or by an actor p
//     that moves on the path, the first move (or p's, commuted to the
//     front) leads in R to a state with such a path of n-1 moves. If p
//     does not move on the path, p's step is still enabled at its last
//     state t, and t -p-> t' cannot end either; commuting p's move to the
//     front gives s -p-> s' in R with a path of n moves to t'. The length
//     does not shrink in this case only, which follows ample edges from
//     states expanded by an ample set; R is finite, so a run of such
//     cases long enough repeats a state, a cycle of R whose states are all
//     expanded by an ample set. The cycle proviso rules that out: the
//     search expands fully any state whose ample successor was visited
//     already, and on every cycle of R some edge goes from a state of a
//     level to a state of the same or an earlier level, all visited when
//     the source is expanded (breadth first). So n shrinks to 0: R
//     reaches a state that cannot end.
//
// So the check says "livelock" exactly when a reachable state of G can
// reach no end, with the cycle in its report a cycle of G (up to
// renaming). Every modelled wait is a sleep that needs a wake-up, so the
// built-in versions' graphs are acyclic but for a few spins that return
// to the same state until another actor moves (a task waiting for a lock
// is disabled, not spinning); a variant or mutant can make a real
// livelock.
//
// The other strategies. A random, PCT or rapid run that reaches its step
// bound (DefaultMaxSteps, far above any run of the built-in versions)
// stops with ErrStepLimit, which proves nothing: the run might have ended
// one step later, or gone round a cycle it could still leave. A random or
// PCT campaign stops with that error (dio-sim exits with status 3, "a run
// hit the step limit", a bound, not a verdict); rapid fails the property's
// run with it and keeps the scenario (RapidFailure). A replayed
// trace (Record, Replay) that stops where it returns to a state it has
// been in (up to renaming bios) is checked here: if no end state is
// reachable from its last state (a search of at most livelockSearchMax
// states, without reductions), the run reports the livelock at its last
// step, as the exhaustive search does, so the trace of a livelock replays
// with its verdict.

import (
	"fmt"
	"strings"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// edge is one transition the exhaustive search explored, between state
// ids, with its canonical move.
type edge struct {
	from, to int32
	actor    int8
	choice   int16
}

// logEdges keeps the edges of a level's successors once every successor's
// state has its id (after the level's merge).
func (x *search) logEdges(chunks [][]succ) {
	for _, chunk := range chunks {
		for k := range chunk {
			sc := &chunk[k]
			to, ok := x.lookup(sc.fp)
			if !ok || to < 0 {
				continue // not kept: the level was cut short (the search is incomplete)
			}
			x.edges = append(x.edges, edge{from: sc.parent, to: to, actor: sc.actor, choice: sc.choice})
		}
	}
}

// livelock looks, once a complete search is over, for a state from which
// no end state is reachable, and records the first such state's lasso as
// a no-hang violation.
func (x *search) livelock() error {
	n := int32(len(x.nodes))
	if n == 0 {
		return nil
	}
	// Forward and backward adjacency, as offsets into edge index lists.
	fwdOff := make([]int32, n+1)
	revOff := make([]int32, n+1)
	for _, e := range x.edges {
		fwdOff[e.from+1]++
		revOff[e.to+1]++
	}
	for i := int32(0); i < n; i++ {
		fwdOff[i+1] += fwdOff[i]
		revOff[i+1] += revOff[i]
	}
	fwd := make([]int32, len(x.edges))
	rev := make([]int32, len(x.edges))
	fpos := append([]int32(nil), fwdOff[:n]...)
	rpos := append([]int32(nil), revOff[:n]...)
	for k, e := range x.edges {
		fwd[fpos[e.from]] = int32(k)
		fpos[e.from]++
		rev[rpos[e.to]] = int32(k)
		rpos[e.to]++
	}
	fpos, rpos = nil, nil
	// Backward from the ends (and the states left to other shards).
	canEnd := make([]bool, n)
	var queue []int32
	for id := int32(0); id < n; id++ {
		if fwdOff[id] == fwdOff[id+1] {
			canEnd[id] = true
			queue = append(queue, id)
		}
	}
	for _, id := range x.otherShards {
		if !canEnd[id] {
			canEnd[id] = true
			queue = append(queue, id)
		}
	}
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, k := range rev[revOff[id]:revOff[id+1]] {
			if p := x.edges[k].from; !canEnd[p] {
				canEnd[p] = true
				queue = append(queue, p)
			}
		}
	}
	doomed := int32(-1)
	for id := int32(0); id < n; id++ {
		if !canEnd[id] {
			doomed = id
			break
		}
	}
	if doomed < 0 {
		return nil
	}
	// Walk from it by the smallest successor until a state repeats: the
	// states from there on form a cycle (every successor of a state that
	// cannot end cannot either, and each has one).
	next := func(id int32) int32 {
		best := int32(-1)
		for _, k := range fwd[fwdOff[id]:fwdOff[id+1]] {
			if to := x.edges[k].to; best < 0 || to < best {
				best = to
			}
		}
		return best
	}
	at := map[int32]int{}
	var walk []int32
	id := doomed
	for {
		if _, ok := at[id]; ok {
			break
		}
		at[id] = len(walk)
		walk = append(walk, id)
		id = next(id)
	}
	start := id
	for _, c := range walk[at[id]:] {
		start = min(start, c)
	}
	// The shortest cycle through start, breadth first.
	via := map[int32]int32{} // state -> index of the edge it was reached by
	queue = []int32{start}
	var last int32 = -1
	for len(queue) > 0 && last < 0 {
		id := queue[0]
		queue = queue[1:]
		for _, k := range fwd[fwdOff[id]:fwdOff[id+1]] {
			to := x.edges[k].to
			if to == start {
				last = k
				break
			}
			if _, ok := via[to]; !ok {
				via[to] = k
				queue = append(queue, to)
			}
		}
	}
	var cycle []model.Move
	for k := last; ; {
		e := x.edges[k]
		cycle = append(cycle, model.Move{Actor: int(e.actor), Choice: int(e.choice)})
		if e.from == start {
			break
		}
		k = via[e.from]
	}
	for i, j := 0, len(cycle)-1; i < j; i, j = i+1, j-1 {
		cycle[i], cycle[j] = cycle[j], cycle[i]
	}
	prefix := x.path(start)
	moves, err := x.concretize(append(prefix[:len(prefix):len(prefix)], cycle...))
	if err != nil {
		return fmt.Errorf("rebuilding the livelock's cycle: %v", err)
	}
	s := x.init.Clone()
	for _, mv := range moves[:len(prefix)] {
		x.m.Apply(s, mv)
	}
	v := livelockViolation(x.m, s, moves[len(prefix):])
	x.recordAt([]properties.Violation{v}, found{depth: len(moves), id: start, tail: cycle})
	return nil
}

// livelockViolation describes the livelock whose cycle, moves from state
// s back to s (up to renaming bios), can be followed forever from s
// while no end state is reachable from it. The violation is located at
// the cycle's first step.
func livelockViolation(m *model.Model, s *sim.State, cycle []model.Move) properties.Violation {
	c := s.Clone()
	var steps []string
	v := properties.Violation{Prop: properties.NoHang, Kind: properties.KindLivelock}
	for i, mv := range cycle {
		st := m.Next(c, mv.Actor)
		if i == 0 {
			v.StepID, v.Where = st.ID, st.Loc.String()
		}
		steps = append(steps, model.ActorName(c, mv.Actor)+" "+st.ID)
		m.Apply(c, mv)
	}
	n := fmt.Sprintf("%d steps", len(cycle))
	if len(cycle) == 1 {
		n = "one step"
	}
	v.Msg = fmt.Sprintf("no run can end (a livelock): from here runs only go round cycles, such as this one of %s back to the same state (%s), "+
		"and never reach a state where nothing can run", n, strings.Join(steps, ", "))
	return v
}

// livelockSearchMax bounds the search a replayed run makes from its last
// state to tell a livelock from a loop that can still end.
const livelockSearchMax = 1 << 18

// runLivelock checks a run that stopped after moves (its schedule used
// up, not at an end) in state final: if the last moves close a cycle
// (final is, up to renaming bios, a state the run has been in) and no end
// state is reachable from final, it returns the livelock, as the
// exhaustive search reports it.
func runLivelock(m *model.Model, sc *sim.Scenario, moves []model.Move, final *sim.State) (properties.Violation, bool) {
	if len(moves) == 0 {
		return properties.Violation{}, false
	}
	want := final.Fingerprint(nil, true)
	s := m.Init(sc)
	k := -1
	for i, mv := range moves {
		if s.Fingerprint(nil, true) == want {
			k = i // the latest state equal to the last
		}
		m.Apply(s, mv)
	}
	if k < 0 || !cannotEnd(m, final) {
		return properties.Violation{}, false
	}
	s = m.Init(sc)
	for _, mv := range moves[:k] {
		m.Apply(s, mv)
	}
	return livelockViolation(m, s, moves[k:]), true
}

// cannotEnd reports whether no end state is reachable from s, by a search
// of every state reachable from it (without partial-order reduction; up
// to renaming bios); false if it has more than livelockSearchMax states.
func cannotEnd(m *model.Model, s *sim.State) bool {
	seen := map[[2]uint64]bool{s.Fingerprint(nil, true): true}
	queue := []*sim.State{s.Clone()}
	var buf []model.Move
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		buf = m.Moves(cur, buf)
		if len(buf) == 0 {
			return false
		}
		for _, mv := range buf {
			c := cur.Clone()
			m.Apply(c, mv)
			fp := c.Fingerprint(nil, true)
			if seen[fp] {
				continue
			}
			if len(seen) >= livelockSearchMax {
				return false
			}
			seen[fp] = true
			queue = append(queue, c)
		}
	}
	return true
}
