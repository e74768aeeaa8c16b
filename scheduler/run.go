// Package scheduler drives the model: every nondeterministic decision of a
// run (which actor steps next, which fault fires, which bio completes)
// comes from one Chooser, which picks among the enabled moves of the
// current state. Random walks, replay, and the search strategies are
// different Choosers (or, for exhaustive search, a different way to walk
// the same Moves). A run yields a trace.
//
// A complete exhaustive search also finds livelocks, states from which no
// run can end, which no single run can prove (livelock.go argues why the
// search's reductions keep them); a run stopped by its step bound proves
// nothing.
package scheduler

import (
	"errors"
	"fmt"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// Chooser decides the next move of a run.
type Chooser interface {
	// Choose returns the index in moves (never empty) of the move to take
	// in state s. It must not modify s.
	Choose(s *sim.State, m *model.Model, moves []model.Move) (int, error)
}

// DefaultMaxSteps bounds one run. Every modelled run is finite (each wait
// needs a wake-up, which needs a bio completion), so the bound is a safety
// net, far above the longest run of the largest scenario.
const DefaultMaxSteps = 200000

// ErrStepLimit is returned when a run hits its step bound.
var ErrStepLimit = errors.New("run stopped by the step limit")

// Options control a run.
type Options struct {
	MaxSteps int  // 0: DefaultMaxSteps
	Record   bool // record every step for a trace (slow)
}

// Violation is a property violation and the step at which a run first
// showed it: the number of moves taken when it became visible.
type Violation struct {
	properties.Violation
	Step int
}

// Result is the outcome of one run.
type Result struct {
	Moves      []model.Move // the moves taken, in order
	Steps      []TraceStep  // recorded steps (Options.Record only)
	Violations []Violation  // each kind of violation of each property at most once, in the order found
	Final      *sim.State   // the last state
	Ended      bool         // no move was enabled at the end
}

// Has reports whether the run violated property id.
func (r *Result) Has(id properties.ID) bool {
	for _, v := range r.Violations {
		if v.Prop == id {
			return true
		}
	}
	return false
}

// errStop is returned by a chooser whose schedule is used up: the run ends
// there, without an error (a trace is a prefix of a run).
var errStop = errors.New("schedule used up")

// Run executes one run of scenario sc on model m with chooser ch until no
// actor can move; then the end-of-run properties are checked. A violation
// does not stop the run (a BUG kills only the task that hit it, as in the
// kernel); each kind of violation of a property (properties.Violation.Kind)
// is reported once, at the step it first showed.
// A chooser that returns errStop ends the run early.
func Run(m *model.Model, sc *sim.Scenario, ch Chooser, opt Options) (*Result, error) {
	max := opt.MaxSteps
	if max <= 0 {
		max = DefaultMaxSteps
	}
	s := m.Init(sc)
	res := &Result{}
	var buf []model.Move
	var before []sim.Field
	var seen map[[2]string]bool
	note := func(vs []properties.Violation) {
		for _, v := range vs {
			k := [2]string{string(v.Prop), v.Kind}
			if !seen[k] {
				if seen == nil {
					seen = map[[2]string]bool{}
				}
				seen[k] = true
				res.Violations = append(res.Violations, Violation{v, len(res.Moves)})
			}
		}
	}
	var ctx model.Ctx // the context each step runs in (ApplyWith)
	for {
		buf = m.Moves(s, buf)
		if len(buf) == 0 {
			res.Ended = true
			note(properties.AtEnd(m, s))
			break
		}
		if len(res.Moves) >= max {
			res.Final = s
			return res, ErrStepLimit
		}
		i, err := ch.Choose(s, m, buf)
		if errors.Is(err, errStop) {
			// A schedule that stops where it closes a cycle no run can
			// leave shows a livelock (livelock.go).
			if v, ok := runLivelock(m, sc, res.Moves, s); ok {
				note([]properties.Violation{v})
			}
			break
		}
		if err != nil {
			res.Final = s
			return res, err
		}
		if i < 0 || i >= len(buf) {
			return res, fmt.Errorf("chooser returned move %d of %d", i, len(buf))
		}
		mv := buf[i]
		st := m.Next(s, mv.Actor)
		var rec TraceStep
		if opt.Record {
			before = s.Fields()
			rec = describeMove(m, s, buf, mv)
		}
		m.ApplyWith(&ctx, s, mv)
		res.Moves = append(res.Moves, mv)
		if opt.Record {
			rec.N = len(res.Moves)
			rec.Changes = sim.Diff(before, s.Fields())
			res.Steps = append(res.Steps, rec)
		}
		if vs := properties.AfterStep(s); len(vs) > 0 {
			for k := range vs {
				vs[k] = properties.Locate(vs[k], st)
			}
			note(vs)
		}
	}
	res.Final = s
	return res, nil
}

// describeMove renders move mv of state s before it is taken.
func describeMove(m *model.Model, s *sim.State, moves []model.Move, mv model.Move) TraceStep {
	st := m.Next(s, mv.Actor)
	out := TraceStep{
		Actor:   model.ActorName(s, mv.Actor),
		Outcome: "-",
		ID:      st.ID,
		Loc:     st.Loc.String(),
		Func:    st.Loc.Func,
		Text:    st.Text,
		Enabled: enabledNames(s, moves),
	}
	if name := m.OutcomeName(s, mv.Actor, mv.Choice); name != "" {
		out.Outcome = name
	}
	return out
}

func enabledNames(s *sim.State, moves []model.Move) []string {
	var out []string
	last := -1
	for _, mv := range moves {
		if mv.Actor != last {
			out = append(out, model.ActorName(s, mv.Actor))
			last = mv.Actor
		}
	}
	return out
}

// Fixed replays a fixed list of moves and ends the run after the last
// one; it fails if a move is not enabled.
type Fixed struct {
	Moves []model.Move
	next  int
}

// Choose implements Chooser.
func (f *Fixed) Choose(s *sim.State, m *model.Model, moves []model.Move) (int, error) {
	if f.next >= len(f.Moves) {
		return 0, errStop
	}
	want := f.Moves[f.next]
	f.next++
	for i, mv := range moves {
		if mv == want {
			return i, nil
		}
	}
	if want.Actor < 0 || want.Actor >= len(s.Actors) {
		return 0, fmt.Errorf("move %d: there is no actor %d (the state has %d)", f.next, want.Actor, len(s.Actors))
	}
	return 0, fmt.Errorf("move %d (%s, outcome %d) is not enabled", f.next, model.ActorName(s, want.Actor), want.Choice)
}
