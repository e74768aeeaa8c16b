// Package explorer is the logic of the browser explorer (dio-sim web): a
// session in which the learner is the scheduler of one scenario on one
// kernel version. It keeps the list of moves taken and rebuilds everything
// else from it by replay: the state, the recorded steps with the state each
// changed (scheduler.Record), the violations with their plain-language
// accounts (explain.New), the histories of the shared variables, and the
// hints, an exhaustive search from the current state
// (scheduler.ExhaustiveFrom). Nothing of the model is written again here:
// the page runs this package compiled to WebAssembly (see web/wasm) and
// only draws what it returns.
package explorer

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"diosim"
	"diosim/explain"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// Session is one game: a scenario on a version and the moves taken.
type Session struct {
	m     *model.Model
	sc    sim.Scenario
	moves []model.Move
	auto  []bool  // auto[i]: move i was taken because it was the only one
	marks []int   // undo points: len(moves) before each action
	redo  [][]rec // undone actions, the last undone last
	s     *sim.State
}

type rec struct {
	mv   model.Move
	auto bool
}

// New starts a session of scenario sc (a named scenario, or the key=value
// form of sim.ParseScenario) on version.
func New(version, scenario string) (*Session, error) {
	m, err := model.Lookup(version)
	if err != nil {
		return nil, err
	}
	sc, err := ParseScenario(scenario)
	if err != nil {
		return nil, err
	}
	x := &Session{m: m, sc: sc}
	x.s = m.Init(&x.sc)
	return x, nil
}

// ParseScenario reads a scenario name or a scenario in key=value form.
func ParseScenario(s string) (sim.Scenario, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "=") {
		n, err := diosim.Lookup(s)
		if err != nil {
			return sim.Scenario{}, err
		}
		return n.Scenario, nil
	}
	sc, err := sim.ParseScenario(s)
	if err != nil {
		return sim.Scenario{}, fmt.Errorf("scenario %q: %w", s, err)
	}
	if err := sc.Validate(); err != nil {
		return sim.Scenario{}, fmt.Errorf("scenario %q: %w", s, err)
	}
	return sc, nil
}

// FromTrace starts a session at the end of a trace (its text form), each
// step an undo point. The trace is replayed and checked against the model.
func FromTrace(text string) (*Session, error) {
	t, err := scheduler.ParseTrace(strings.NewReader(text))
	if err != nil {
		return nil, err
	}
	return OfTrace(t)
}

// OfTrace starts a session at the end of a parsed trace, as FromTrace.
func OfTrace(t *scheduler.Trace) (*Session, error) {
	res, err := scheduler.Replay(t)
	if err != nil {
		return nil, err
	}
	x, err := New(t.Version, t.Scenario.String())
	if err != nil {
		return nil, err
	}
	for _, mv := range res.Moves {
		x.marks = append(x.marks, len(x.moves))
		x.apply(mv, false)
	}
	return x, nil
}

// Model returns the session's model.
func (x *Session) Model() *model.Model { return x.m }

// Scenario returns the session's scenario.
func (x *Session) Scenario() sim.Scenario { return x.sc }

// Moves returns the moves taken so far.
func (x *Session) Moves() []model.Move { return append([]model.Move(nil), x.moves...) }

// State returns the current state (do not modify it).
func (x *Session) State() *sim.State { return x.s }

func (x *Session) apply(mv model.Move, auto bool) {
	x.m.Apply(x.s, mv)
	x.moves = append(x.moves, mv)
	x.auto = append(x.auto, auto)
}

// enabled reports whether mv is one of the moves of the current state.
func (x *Session) enabled(mv model.Move) bool {
	for _, e := range x.m.Moves(x.s, nil) {
		if e == mv {
			return true
		}
	}
	return false
}

// Move takes move (actor, choice) and, with auto, every forced move after
// it (a state where exactly one move is enabled). The whole is one undo
// point; it clears what could be redone.
func (x *Session) Move(actor, choice int, auto bool) error {
	mv := model.Move{Actor: actor, Choice: choice}
	if actor < 0 || actor >= len(x.s.Actors) || !x.enabled(mv) {
		return fmt.Errorf("move %s (outcome %d) is not enabled", x.actorName(actor), choice)
	}
	x.marks = append(x.marks, len(x.moves))
	x.redo = nil
	x.apply(mv, false)
	if auto {
		x.forced()
	}
	return nil
}

// AutoRun takes the forced moves from the current state (one undo point if
// there are any) and returns how many it took.
func (x *Session) AutoRun() int {
	n := len(x.moves)
	x.marks = append(x.marks, n)
	x.forced()
	if len(x.moves) == n {
		x.marks = x.marks[:len(x.marks)-1]
	} else {
		x.redo = nil
	}
	return len(x.moves) - n
}

// forced takes moves while exactly one is enabled.
func (x *Session) forced() {
	for i := 0; i < scheduler.DefaultMaxSteps; i++ {
		mvs := x.m.Moves(x.s, nil)
		if len(mvs) != 1 {
			return
		}
		x.apply(mvs[0], true)
	}
}

func (x *Session) actorName(a int) string {
	if a < 0 || a >= len(x.s.Actors) {
		return "#" + strconv.Itoa(a)
	}
	return model.ActorName(x.s, a)
}

// Undo goes back to before the last action; it reports whether there was one.
func (x *Session) Undo() bool {
	if len(x.marks) == 0 {
		return false
	}
	k := x.marks[len(x.marks)-1]
	x.marks = x.marks[:len(x.marks)-1]
	var g []rec
	for i := k; i < len(x.moves); i++ {
		g = append(g, rec{x.moves[i], x.auto[i]})
	}
	x.redo = append(x.redo, g)
	x.moves, x.auto = x.moves[:k], x.auto[:k]
	x.rebuild()
	return true
}

// Redo takes again the last undone action; it reports whether there was one.
func (x *Session) Redo() bool {
	if len(x.redo) == 0 {
		return false
	}
	g := x.redo[len(x.redo)-1]
	x.redo = x.redo[:len(x.redo)-1]
	x.marks = append(x.marks, len(x.moves))
	for _, r := range g {
		x.apply(r.mv, r.auto)
	}
	return true
}

// rebuild replays the moves from the initial state.
func (x *Session) rebuild() {
	moves, auto := x.moves, x.auto
	x.s = x.m.Init(&x.sc)
	x.moves, x.auto = nil, nil
	for i, mv := range moves {
		x.apply(mv, auto[i])
	}
}

// Link returns the URL fragment (without '#') that reopens this position:
// version, scenario and moves.
func (x *Session) Link() string {
	scn := x.sc.String()
	if n, err := diosim.Lookup(x.sc.Name); err == nil && n.Scenario.String() == scn {
		scn = x.sc.Name
	}
	link := "v=" + fragEscape(x.m.Name) + "&s=" + fragEscape(scn)
	if len(x.moves) > 0 {
		link += "&m=" + fragEscape(EncodeMoves(x.m, &x.sc, x.moves))
	}
	return link
}

// fragEscape escapes a link's value, leaving readable the characters that
// need no escape in a URL fragment.
var fragEscape = func() func(string) string {
	r := strings.NewReplacer("%2A", "*", "%2C", ",", "%3A", ":", "%40", "@", "%7E", "~")
	return func(s string) string { return r.Replace(url.QueryEscape(s)) }
}()

// EncodeMoves writes moves in the compact form of explorer links: the
// actor's name, "~" and the outcome's name at a fault point, a run of the
// same move as "*N", moves separated by commas ("submitter*20,bio0,...").
func EncodeMoves(m *model.Model, sc *sim.Scenario, moves []model.Move) string {
	s := m.Init(sc)
	var parts []string
	last, run := "", 0
	flush := func() {
		if run == 1 {
			parts = append(parts, last)
		} else if run > 1 {
			parts = append(parts, last+"*"+strconv.Itoa(run))
		}
	}
	for _, mv := range moves {
		name := model.ActorName(s, mv.Actor)
		if m.Outcomes(s, mv.Actor) > 1 {
			name += "~" + m.OutcomeName(s, mv.Actor, mv.Choice)
		}
		m.Apply(s, mv)
		if name == last {
			run++
			continue
		}
		flush()
		last, run = name, 1
	}
	flush()
	return strings.Join(parts, ",")
}

// DecodeMoves reads the form of EncodeMoves, checking every move against
// the model.
func DecodeMoves(m *model.Model, sc *sim.Scenario, text string) ([]model.Move, error) {
	s := m.Init(sc)
	var out []model.Move
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		n := 1
		if i := strings.LastIndex(part, "*"); i >= 0 {
			k, err := strconv.Atoi(part[i+1:])
			if err != nil || k < 1 || k > scheduler.DefaultMaxSteps {
				return nil, fmt.Errorf("move %d: bad repeat count in %q", len(out)+1, part)
			}
			part, n = part[:i], k
		}
		name, outcome, hasOutcome := strings.Cut(part, "~")
		for ; n > 0; n-- {
			a := -1
			for i := range s.Actors {
				if model.ActorName(s, i) == name {
					a = i
				}
			}
			if a < 0 {
				return nil, fmt.Errorf("move %d: no actor %q", len(out)+1, name)
			}
			if !m.Enabled(s, a) {
				return nil, fmt.Errorf("move %d: %s cannot run", len(out)+1, name)
			}
			choice := 0
			if k := m.Outcomes(s, a); k > 1 {
				choice = -1
				for j := 0; j < k; j++ {
					if m.OutcomeName(s, a, j) == outcome {
						choice = j
					}
				}
				if !hasOutcome || choice < 0 {
					return nil, fmt.Errorf("move %d: %s is at a fault point and has no outcome %q", len(out)+1, name, outcome)
				}
			}
			mv := model.Move{Actor: a, Choice: choice}
			out = append(out, mv)
			m.Apply(s, mv)
		}
	}
	return out, nil
}

// Open starts a session from a link's fragment (the form of Link): version
// v, scenario s, moves m, each move an undo point; with at=N, the position
// is after the first N moves and the others can be redone.
func Open(fragment string) (*Session, error) {
	v, err := url.ParseQuery(strings.TrimPrefix(fragment, "#"))
	if err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	if v.Get("v") == "" || v.Get("s") == "" {
		return nil, fmt.Errorf("link: needs a version (v=) and a scenario (s=)")
	}
	x, err := New(v.Get("v"), v.Get("s"))
	if err != nil {
		return nil, err
	}
	moves, err := DecodeMoves(x.m, &x.sc, v.Get("m"))
	if err != nil {
		return nil, fmt.Errorf("link: %w", err)
	}
	at := len(moves)
	if a := v.Get("at"); a != "" {
		n, err := strconv.Atoi(a)
		if err != nil || n < 0 || n > len(moves) {
			return nil, fmt.Errorf("link: at=%q is not a step between 0 and %d", a, len(moves))
		}
		at = n
	}
	for _, mv := range moves[:at] {
		x.marks = append(x.marks, len(x.moves))
		x.apply(mv, false)
	}
	// The moves after the position can be redone one by one.
	for i := len(moves) - 1; i >= at; i-- {
		x.redo = append(x.redo, []rec{{moves[i], false}})
	}
	return x, nil
}

// Hint is the answer of an exhaustive search from the current state for
// one property.
type Hint struct {
	Prop string `json:"prop"`
	// Verdict is "violated" (Length moves at the fewest; 0: already
	// broken), "holds" (no violation reachable: the search was complete)
	// or "not-found" (none within the bound: not a proof).
	Verdict   string `json:"verdict"`
	Length    int    `json:"length"`
	Message   string `json:"message,omitempty"`
	Actor     int    `json:"actor"` // the first move of a shortest way (-1: none)
	ActorName string `json:"actorName,omitempty"`
	Choice    int    `json:"choice"`
	Outcome   string `json:"outcome,omitempty"`
	States    int64  `json:"states"`
	Complete  bool   `json:"complete"`
	StoppedBy string `json:"stoppedBy,omitempty"`
	Millis    int64  `json:"ms"`
}

// Hint searches every state reachable from the current one, breadth first
// and without partial-order reduction (so lengths are the shortest in the
// full graph, and one move along a shortest way takes exactly one off),
// up to maxStates states (0: no bound). progress, if set, is called now
// and then with the states seen so far.
func (x *Session) Hint(prop string, maxStates int64, progress func(scheduler.Progress)) (*Hint, error) {
	id, err := properties.Lookup(prop)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	cert, err := scheduler.ExhaustiveFrom(x.m, x.s, scheduler.ExhaustiveOptions{
		Workers: 1, MaxStates: maxStates, NoPOR: true, OnProgress: progress, ProgressDur: 250 * time.Millisecond})
	if err != nil {
		return nil, fmt.Errorf("hint: %w", err)
	}
	v := cert.Properties[string(id)]
	h := &Hint{Prop: string(id), Verdict: v.Verdict, Length: v.Length, Message: v.Message, Actor: -1,
		States: cert.States, Complete: cert.Complete, StoppedBy: cert.StoppedBy, Millis: time.Since(start).Milliseconds()}
	if len(v.Moves) > 0 {
		mv := v.Moves[0]
		h.Actor, h.Choice = mv.Actor, mv.Choice
		h.ActorName = model.ActorName(x.s, mv.Actor)
		if x.m.Outcomes(x.s, mv.Actor) > 1 {
			h.Outcome = x.m.OutcomeName(x.s, mv.Actor, mv.Choice)
		}
	}
	return h, nil
}

// Story replays the moves with recording on and returns their story
// (steps, state changes, violations and accounts).
func (x *Session) Story() (*explain.Story, error) {
	t, _, err := scheduler.Record(x.m, &x.sc, 0, "explorer", x.moves)
	if err != nil {
		return nil, err
	}
	return explain.New(t)
}

// Trace returns the moves so far as a trace file's text.
func (x *Session) Trace() (string, error) {
	t, _, err := scheduler.Record(x.m, &x.sc, 0, "explorer", x.moves)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := t.Write(&b); err != nil {
		return "", err
	}
	return b.String(), nil
}
