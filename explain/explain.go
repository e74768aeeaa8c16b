// Package explain turns a dio-sim trace into a story for a learner.
//
// New replays a trace on its version's model (scheduler.Replay), keeps the
// state before and after every step, and builds a Story: the steps laid
// out in swimlanes (one lane per actor), the shared state each step
// changed, the state after every step, and for every property the trace
// breaks an Account in plain language of why it broke, naming the earlier
// steps that set it up. Every claim of an account is read off the steps of
// the trace: the state changes each step recorded, the values of the
// state before and after it, and which steps read a piece of state (found
// by re-running the step on a perturbed copy of the state: a step reads a
// field when changing the field changes what the step does).
//
// WriteText renders a story for a terminal (with or without colour, at a
// given width, optionally with the C source around each step) and
// WriteHTML as one self-contained page with a clickable, keyboard-driven
// timeline.
package explain

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// Story is a trace replayed and annotated for a learner.
type Story struct {
	Trace *scheduler.Trace
	// Name is how the trace is called in the output (its file name); set
	// it before rendering. Empty: not shown.
	Name string
	// Steps are the steps of the trace, as the replay recorded them.
	Steps []Step
	// Violations are the properties the trace breaks, in the order they
	// broke, with the step of each.
	Violations []scheduler.Violation
	// Lanes are the actors that take at least one step, in actor order:
	// one swimlane each.
	Lanes []string
	// Idle are the actors of the scenario that never take a step.
	Idle []string
	// Fields names every piece of state (sim.State.Fields order);
	// Initial holds their values before the first step and After[i]
	// their values after step i+1.
	Fields  []string
	Initial []string
	After   [][]string
	// Accounts explain the violations, one per violation, in order.
	Accounts []Account

	m      *model.Model
	states []*sim.State // states[i]: the state before step i+1 (states[len] is the last)
	moves  []model.Move
	actor  map[string]int // actor name -> index in the state
	names  []string       // actor index -> name
	field  map[string]int // field name -> index in Fields
	// req is, while an account of a violation of one of several iocbs
	// is written, the prefix of that iocb's fields ("iocb1."): the
	// accounts name a request's fields without it (dio.refcount).
	req string
}

// Step is one step of the story.
type Step struct {
	scheduler.TraceStep
	Lane    int      // index in Story.Lanes
	ActorID int      // index of the actor in the simulated state
	Changes []Change // the state the step changed
	// Reads are the shared fields the step read, with their values before
	// it (see Reads): what it decided on, even when it changed nothing.
	Reads []sim.Field
	// Broke lists the properties that broke at this step.
	Broke []scheduler.Violation
	// AtEnd marks the last step of a run that ended there (no actor
	// could move any more); the violations only the end of a run shows
	// (a hang, a lost completion, a leak) are reported at it.
	AtEnd bool
}

// Change is one piece of state a step changed.
type Change struct {
	Field, Old, New string
}

// String renders the change as traces do: "dio.refcount: 1->2".
func (c Change) String() string { return c.Field + ": " + c.Old + "->" + c.New }

// Account explains one violation in plain language.
type Account struct {
	Prop    properties.ID
	Step    int    // the step at which the property broke
	Message string // the violation as the checker reports it
	// Title is a one-line heading: the property, the step, the message.
	Title string
	// Lines are the account, one sentence or a few a line. Steps are
	// named as "step N".
	Lines []string
	// Cited lists the steps the account names, ascending.
	Cited []int
}

// New replays t on its version's model and builds its story. A trace that
// does not match the model is an error (a *scheduler.DivergenceError).
func New(t *scheduler.Trace) (*Story, error) {
	res, err := scheduler.Replay(t)
	if err != nil {
		return nil, err
	}
	m, err := model.Lookup(t.Version)
	if err != nil {
		return nil, err
	}
	st := &Story{Trace: t, Violations: res.Violations, m: m, moves: res.Moves, actor: map[string]int{}, field: map[string]int{}}
	sc := t.Scenario
	s := m.Init(&sc)
	st.states = append(st.states, s.Clone())
	for _, mv := range res.Moves {
		m.Apply(s, mv)
		st.states = append(st.states, s.Clone())
	}
	for i, f := range st.states[0].Fields() {
		st.Fields = append(st.Fields, f.Name)
		st.Initial = append(st.Initial, f.Val)
		st.field[f.Name] = i
	}
	for _, s := range st.states[1:] {
		var vals []string
		for _, f := range s.Fields() {
			vals = append(vals, f.Val)
		}
		st.After = append(st.After, vals)
	}
	s0 := st.states[0]
	for a := range s0.Actors {
		st.actor[model.ActorName(s0, a)] = a
		st.names = append(st.names, model.ActorName(s0, a))
	}
	stepped := map[int]bool{}
	for _, ts := range res.Steps {
		stepped[st.actor[ts.Actor]] = true
	}
	lane := map[int]int{}
	for a := range s0.Actors {
		if stepped[a] {
			lane[a] = len(st.Lanes)
			st.Lanes = append(st.Lanes, model.ActorName(s0, a))
		} else {
			st.Idle = append(st.Idle, model.ActorName(s0, a))
		}
	}
	for i, ts := range res.Steps {
		a := st.actor[ts.Actor]
		step := Step{TraceStep: ts, Lane: lane[a], ActorID: a, Reads: Reads(m, st.states[i], res.Moves[i])}
		prev := st.Initial
		if i > 0 {
			prev = st.After[i-1]
		}
		for f, v := range st.After[i] {
			if prev[f] != v {
				step.Changes = append(step.Changes, Change{st.Fields[f], prev[f], v})
			}
		}
		st.Steps = append(st.Steps, step)
	}
	if n := len(st.Steps); n > 0 && res.Ended {
		st.Steps[n-1].AtEnd = true
	}
	for _, v := range st.Violations {
		if v.Step >= 1 && v.Step <= len(st.Steps) {
			st.Steps[v.Step-1].Broke = append(st.Steps[v.Step-1].Broke, v)
		}
	}
	for _, v := range st.Violations {
		st.Accounts = append(st.Accounts, st.account(v))
	}
	return st, nil
}

// Value returns the value of field name after step n (n = 0: before the
// first step), and whether the field exists.
func (st *Story) Value(n int, name string) (string, bool) {
	f, ok := st.field[st.req+name]
	if !ok {
		f, ok = st.field[name]
	}
	if !ok || n < 0 || n > len(st.Steps) {
		return "", false
	}
	if n == 0 {
		return st.Initial[f], true
	}
	return st.After[n-1][f], true
}

// BrokenAtStep reports whether violation v is visible right after its step
// (false: only the end of the run shows it, as for a hang or a leak).
func (st *Story) BrokenAtStep(v scheduler.Violation) bool {
	if v.Step < 0 || v.Step >= len(st.states) {
		return false
	}
	for _, w := range properties.AfterStep(st.states[v.Step]) {
		if w.Prop == v.Prop {
			return true
		}
	}
	return false
}

// step returns step n (1-based).
func (st *Story) step(n int) *Step { return &st.Steps[n-1] }

// change returns the change step n made to field name.
func (st *Story) change(n int, name string) (Change, bool) {
	for _, want := range []string{st.req + name, name} {
		for _, c := range st.step(n).Changes {
			if c.Field == want {
				return c, true
			}
		}
	}
	return Change{}, false
}

// val is Value without the existence flag.
func (st *Story) val(n int, name string) string {
	v, _ := st.Value(n, name)
	return v
}

// changesOf returns the steps in [from, to] that changed field name.
func (st *Story) changesOf(name string, from, to int) []int {
	var out []int
	for n := max(from, 1); n <= to && n <= len(st.Steps); n++ {
		if _, ok := st.change(n, name); ok {
			out = append(out, n)
		}
	}
	return out
}

// lastBy returns the last step in [from, to] by actor a for which ok
// holds, or 0.
func (st *Story) lastBy(a, from, to int, ok func(n int) bool) int {
	for n := min(to, len(st.Steps)); n >= max(from, 1); n-- {
		if st.step(n).ActorID == a && ok(n) {
			return n
		}
	}
	return 0
}

// where names step n for an account: "step 39 (bio0 in dio_complete_aio,
// fs/direct-io.c@before:267)".
func (st *Story) where(n int) string {
	s := st.step(n)
	return fmt.Sprintf("step %d (%s in %s, %s)", n, s.Actor, s.Func, s.Loc)
}

// locFile returns the file of a location string "path@version:lines".
func locFile(loc string) string {
	f, _, _ := strings.Cut(loc, "@")
	return f
}

// deliveries returns the steps at which the iocb's result was delivered
// (aio_complete, or a synchronous return of the result).
func (st *Story) deliveries() []int {
	var out []int
	for n := range st.Steps {
		if c, ok := st.change(n+1, "aio_complete.calls"); ok {
			o, _ := strconv.Atoi(c.Old)
			w, _ := strconv.Atoi(c.New)
			if w > o {
				out = append(out, n+1)
			}
		}
	}
	return out
}

// delivered returns the result delivery step n carried.
func (st *Story) delivered(n int) int64 {
	b, a := st.states[n-1], st.states[n]
	actor := st.step(n).ActorID
	bq, aq := b.ReqOf(actor), a.ReqOf(actor)
	switch {
	case bq.Facts.Deliveries == 0:
		return aq.Facts.FirstRes
	case len(a.Ring) > len(b.Ring):
		return a.Ring[len(a.Ring)-1].Res
	case aq.Kiocb.UserData != bq.Kiocb.UserData:
		return aq.Kiocb.UserData
	}
	return a.Actors[st.step(n).ActorID].L.Retval
}

// kind of actor a.
func (st *Story) kind(a int) sim.ActorKind { return st.states[0].Actors[a].Kind }

// faultSteps returns the steps in [1, to] where a fault fired: an
// outcome other than the plain one.
func (st *Story) faultSteps(to int) []int {
	var out []int
	for n := 1; n <= to && n <= len(st.Steps); n++ {
		if o := st.step(n).Outcome; o != "-" && o != "ok" {
			out = append(out, n)
		}
	}
	return out
}

// cited returns the sorted unique steps.
func cited(steps map[int]bool) []int {
	var out []int
	for n := range steps {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}
