package scheduler

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// TraceMagic is the first line of every trace file.
const TraceMagic = "dio-sim trace v1"

// TraceStep is one step of a trace: who moved, with which outcome, at
// which kernel line, which actors could have moved, the statement, and the
// state it changed.
type TraceStep struct {
	N       int
	Actor   string
	Outcome string // "-" for a step with one outcome
	Loc     string
	Func    string // kernel function (not stored in the file: the location says it)
	Enabled []string
	Text    string
	Changes string
}

// Trace is a run as a file: a header with the version, scenario, seed and
// strategy, the verdict, then one named step a line.
type Trace struct {
	Version    string
	Scenario   sim.Scenario
	Seed       uint64
	Strategy   string
	Violations []Violation // what the trace shows, with the step of each
	Steps      []TraceStep
}

const sep = " | "

func (st TraceStep) line() string {
	return strings.Join([]string{strconv.Itoa(st.N), st.Actor, st.Outcome, st.Loc,
		strings.Join(st.Enabled, " "), st.Text, st.Changes}, sep)
}

// Write writes the trace in its text form.
func (t *Trace) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, TraceMagic)
	fmt.Fprintf(bw, "version: %s\n", t.Version)
	fmt.Fprintf(bw, "scenario: %s\n", t.Scenario)
	fmt.Fprintf(bw, "seed: %d\n", t.Seed)
	fmt.Fprintf(bw, "strategy: %s\n", t.Strategy)
	fmt.Fprintf(bw, "steps: %d\n", len(t.Steps))
	for _, v := range t.Violations {
		fmt.Fprintf(bw, "violation: step %d: %s\n", v.Step, v.Violation)
	}
	fmt.Fprintln(bw, "# step | actor | outcome | location | enabled actors | statement | state changed")
	fmt.Fprintln(bw, "--")
	for _, st := range t.Steps {
		fmt.Fprintln(bw, st.line())
	}
	fmt.Fprintln(bw, "end")
	return bw.Flush()
}

// ParseTrace reads a trace file. It checks the form, not the contents:
// Replay checks the steps against the model.
func ParseTrace(r io.Reader) (*Trace, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	lineNo := 0
	next := func() (string, bool) {
		for sc.Scan() {
			lineNo++
			l := sc.Text()
			if strings.HasPrefix(l, "#") {
				continue
			}
			return l, true
		}
		return "", false
	}
	first, ok := next()
	if !ok || first != TraceMagic {
		return nil, fmt.Errorf("not a dio-sim trace (first line must be %q)", TraceMagic)
	}
	t := &Trace{}
	seen := map[string]bool{}
	nsteps := -1
	for {
		l, ok := next()
		if !ok {
			return nil, fmt.Errorf("truncated trace: the header ends at line %d without \"--\"", lineNo)
		}
		if l == "--" {
			break
		}
		k, v, ok := strings.Cut(l, ": ")
		if !ok {
			return nil, fmt.Errorf("line %d: header line %q is not \"key: value\"", lineNo, l)
		}
		if k != "violation" && seen[k] {
			return nil, fmt.Errorf("line %d: header %q given twice", lineNo, k)
		}
		seen[k] = true
		var err error
		switch k {
		case "version":
			if _, err = model.Lookup(v); err == nil {
				t.Version = v
			}
		case "scenario":
			t.Scenario, err = sim.ParseScenario(v)
		case "seed":
			t.Seed, err = strconv.ParseUint(v, 10, 64)
		case "strategy":
			t.Strategy = v
		case "steps":
			nsteps, err = strconv.Atoi(v)
			if err == nil && (nsteps < 0 || nsteps > DefaultMaxSteps) {
				err = fmt.Errorf("step count %d out of range", nsteps)
			}
		case "violation":
			var sv Violation
			sv, err = parseViolation(v)
			t.Violations = append(t.Violations, sv)
		default:
			err = fmt.Errorf("unknown header %q", k)
		}
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", lineNo, err)
		}
	}
	for _, k := range []string{"version", "scenario", "seed", "strategy", "steps"} {
		if !seen[k] {
			return nil, fmt.Errorf("trace header has no %q line", k)
		}
	}
	for {
		l, ok := next()
		if !ok {
			return nil, fmt.Errorf("truncated trace: %d of %d steps and no \"end\" line", len(t.Steps), nsteps)
		}
		if l == "end" {
			break
		}
		f := strings.Split(l, sep)
		if len(f) != 7 {
			at := lineNo
			if _, more := next(); !more {
				return nil, fmt.Errorf("truncated trace: the last line (%d) is cut short", at)
			}
			return nil, fmt.Errorf("line %d: a step line has 7 fields separated by %q, this one has %d", at, sep, len(f))
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n != len(t.Steps)+1 {
			return nil, fmt.Errorf("line %d: step number %q, expected %d", lineNo, f[0], len(t.Steps)+1)
		}
		var enabled []string
		if f[4] != "" {
			enabled = strings.Split(f[4], " ")
		}
		t.Steps = append(t.Steps, TraceStep{N: n, Actor: f[1], Outcome: f[2], Loc: f[3], Enabled: enabled, Text: f[5], Changes: f[6]})
	}
	if len(t.Steps) != nsteps {
		return nil, fmt.Errorf("trace says %d steps but has %d", nsteps, len(t.Steps))
	}
	if l, ok := next(); ok {
		return nil, fmt.Errorf("line %d: text after \"end\": %q", lineNo, l)
	}
	return t, nil
}

func parseViolation(v string) (Violation, error) {
	rest, ok := strings.CutPrefix(v, "step ")
	if !ok {
		return Violation{}, fmt.Errorf("violation %q does not start with \"step N: \"", v)
	}
	n, rest, ok := strings.Cut(rest, ": ")
	step, err := strconv.Atoi(n)
	if !ok || err != nil || step < 0 {
		return Violation{}, fmt.Errorf("violation %q: bad step number", v)
	}
	p, msg, _ := strings.Cut(rest, ": ")
	id, err := properties.Lookup(p)
	if err != nil {
		return Violation{}, err
	}
	return Violation{properties.Violation{Prop: id, Msg: msg}, step}, nil
}

// ReadTraceFile reads and parses the trace file at path.
func ReadTraceFile(path string) (*Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseTrace(f)
}

// Record re-runs a list of moves with recording on and returns the trace.
func Record(m *model.Model, sc *sim.Scenario, seed uint64, strategy string, moves []model.Move) (*Trace, *Result, error) {
	res, err := Run(m, sc, &Fixed{Moves: moves}, Options{Record: true})
	if err != nil {
		return nil, nil, err
	}
	t := &Trace{Version: m.Name, Scenario: *sc, Seed: seed, Strategy: strategy, Violations: res.Violations, Steps: res.Steps}
	return t, res, nil
}

// DivergenceError says where a replayed trace stops matching the model.
type DivergenceError struct {
	Step int
	Msg  string
}

func (e *DivergenceError) Error() string {
	if e.Step == 0 {
		return "trace diverges from the model: " + e.Msg
	}
	return fmt.Sprintf("trace diverges from the model at step %d: %s", e.Step, e.Msg)
}

// replayChooser follows a parsed trace, checking each step against the model.
type replayChooser struct {
	t    *Trace
	next int
}

func (r *replayChooser) Choose(s *sim.State, m *model.Model, moves []model.Move) (int, error) {
	if r.next >= len(r.t.Steps) {
		return 0, errStop // a trace may end before the run does
	}
	st := r.t.Steps[r.next]
	r.next++
	if got := strings.Join(enabledNames(s, moves), " "); got != strings.Join(st.Enabled, " ") {
		return 0, &DivergenceError{st.N, fmt.Sprintf("enabled actors are %q, the trace says %q", got, strings.Join(st.Enabled, " "))}
	}
	actor := -1
	for a := range s.Actors {
		if model.ActorName(s, a) == st.Actor {
			actor = a
		}
	}
	if actor < 0 {
		return 0, &DivergenceError{st.N, fmt.Sprintf("there is no actor %q", st.Actor)}
	}
	next := m.Next(s, actor)
	if next == nil {
		return 0, &DivergenceError{st.N, fmt.Sprintf("%s has no step left", st.Actor)}
	}
	if next.Loc.String() != st.Loc {
		return 0, &DivergenceError{st.N, fmt.Sprintf("%s's next step is at %s, the trace says %s", st.Actor, next.Loc, st.Loc)}
	}
	for i, mv := range moves {
		if mv.Actor != actor {
			continue
		}
		name := m.OutcomeName(s, actor, mv.Choice)
		if name == "" {
			name = "-"
		}
		if name == st.Outcome {
			return i, nil
		}
	}
	return 0, &DivergenceError{st.N, fmt.Sprintf("%s cannot take outcome %q here", st.Actor, st.Outcome)}
}

// Replay re-executes a trace on its version's model, checking every step
// (actor, location, enabled actors, outcome, statement, state changed) and
// the verdict. A mismatch is a *DivergenceError.
func Replay(t *Trace) (*Result, error) {
	m, err := model.Lookup(t.Version)
	if err != nil {
		return nil, err
	}
	sc := t.Scenario
	res, err := Run(m, &sc, &replayChooser{t: t}, Options{Record: true})
	if err != nil {
		var de *DivergenceError
		if errors.As(err, &de) {
			return res, err
		}
		return res, &DivergenceError{0, err.Error()}
	}
	if len(res.Steps) != len(t.Steps) {
		return res, &DivergenceError{len(res.Steps) + 1, fmt.Sprintf("the model can take no step here (the run ended after %d steps), the trace has %d", len(res.Steps), len(t.Steps))}
	}
	for i, got := range res.Steps {
		want := t.Steps[i]
		if got.Text != want.Text {
			return res, &DivergenceError{want.N, fmt.Sprintf("the statement is %q, the trace says %q", got.Text, want.Text)}
		}
		if got.Changes != want.Changes {
			return res, &DivergenceError{want.N, fmt.Sprintf("the state change is %q, the trace says %q", got.Changes, want.Changes)}
		}
	}
	if a, b := verdict(res.Violations), verdict(t.Violations); a != b {
		return res, &DivergenceError{0, fmt.Sprintf("the verdict is %q, the trace says %q", a, b)}
	}
	return res, nil
}

func verdict(vs []Violation) string {
	var parts []string
	for _, v := range vs {
		parts = append(parts, fmt.Sprintf("step %d: %s", v.Step, v.Violation))
	}
	if len(parts) == 0 {
		return "no violation"
	}
	return strings.Join(parts, "; ")
}
