package scheduler

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// MaxTraceLine is the longest line a trace may have (what
// bufio.Scanner can hold); a longer one is not a trace.
const MaxTraceLine = 4 << 20

// TraceMagic is the first line of every trace file this version writes.
// Format v2 names each step by its stable id (model.Step.ID); v1 traces
// (no ids) are still read and replayed, and `dio-sim replay --update`
// rewrites them as v2.
const TraceMagic = "dio-sim trace v2"

// traceMagicV1 is the first line of the traces of format v1.
const traceMagicV1 = "dio-sim trace v1"

// TraceStep is one step of a trace: who moved, with which outcome, at
// which kernel line, which actors could have moved, the statement, and the
// state it changed.
type TraceStep struct {
	N       int
	Actor   string
	Outcome string // "-" for a step with one outcome
	ID      string // the step's stable id; "" in a v1 trace
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
	Format     int // 1 or 2: the format the trace was read in (Write writes 2)
}

const sep = " | "

func (st TraceStep) line() string {
	return strings.Join([]string{strconv.Itoa(st.N), st.Actor, st.Outcome, st.ID, st.Loc,
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
	fmt.Fprintln(bw, "# step | actor | outcome | step id | location | enabled actors | statement | state changed")
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
	sc.Buffer(make([]byte, 1<<16), MaxTraceLine)
	lineNo := 0
	// scanErr is why the reader stopped, when it is not the end of the
	// input: a line too long for a trace, or a read error.
	scanErr := func() error {
		err := sc.Err()
		if errors.Is(err, bufio.ErrTooLong) {
			return fmt.Errorf("line %d is longer than %d MB: not a dio-sim trace", lineNo+1, MaxTraceLine>>20)
		}
		return err
	}
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
	if err := scanErr(); err != nil {
		return nil, err
	}
	if !ok || (first != TraceMagic && first != traceMagicV1) {
		return nil, fmt.Errorf("not a dio-sim trace (first line must be %q)", TraceMagic)
	}
	fields := 8 // v2: with the step id
	if first == traceMagicV1 {
		fields = 7
	}
	t := &Trace{Format: 2}
	if fields == 7 {
		t.Format = 1
	}
	seen := map[string]bool{}
	nsteps := -1
	for {
		l, ok := next()
		if !ok {
			if err := scanErr(); err != nil {
				return nil, err
			}
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
			if err := scanErr(); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("truncated trace: %d of %d steps and no \"end\" line", len(t.Steps), nsteps)
		}
		if l == "end" {
			break
		}
		f := strings.Split(l, sep)
		if len(f) != fields {
			at := lineNo
			if _, more := next(); !more {
				if err := scanErr(); err != nil {
					return nil, err
				}
				return nil, fmt.Errorf("truncated trace: the last line (%d) is cut short", at)
			}
			return nil, fmt.Errorf("line %d: a step line has %d fields separated by %q, this one has %d", at, fields, sep, len(f))
		}
		id := ""
		if fields == 8 {
			id = f[3]
			f = append(f[:3], f[4:]...)
		}
		n, err := strconv.Atoi(f[0])
		if err != nil || n != len(t.Steps)+1 {
			return nil, fmt.Errorf("line %d: step number %q, expected %d", lineNo, f[0], len(t.Steps)+1)
		}
		var enabled []string
		if f[4] != "" {
			enabled = strings.Split(f[4], " ")
		}
		t.Steps = append(t.Steps, TraceStep{N: n, Actor: f[1], Outcome: f[2], ID: id, Loc: f[3], Enabled: enabled, Text: f[5], Changes: f[6]})
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
	t := &Trace{Version: m.Name, Scenario: *sc, Seed: seed, Strategy: strategy, Violations: res.Violations, Steps: res.Steps, Format: 2}
	return t, res, nil
}

// DivergenceError says where a replayed trace stops matching the model:
// another actor, enabled set, step or outcome, or another verdict.
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

// Drift is a difference between a trace and the model that does not
// change the run: the same actor took the same step (by id) with the same
// outcome, but the step's statement text, citation or the rendering of
// the state it changed (the same values, under other field names or in
// another order) is not what the trace says: the model's text or a line
// number was edited since the trace was written. A step that changes
// other values is a divergence.
type Drift struct {
	Step  int    // the step's number in the trace
	ID    string // the step's id
	Field string // "statement", "location" or "state change"
	Old   string // what the trace says
	New   string // what the model says now
}

func (d Drift) String() string {
	return fmt.Sprintf("step %d (%s): the %s is now %q; the trace says %q", d.Step, d.ID, d.Field, d.New, d.Old)
}

// ReplayOptions control Replay.
type ReplayOptions struct {
	// Strict makes any drift a divergence (statement, location and state
	// change must match exactly, as in format v1).
	Strict bool
}

// replayChooser follows a parsed trace, checking each step against the model.
type replayChooser struct {
	t      *Trace
	next   int
	strict bool
	drift  []Drift
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
	if st.ID != "" && next.ID != st.ID {
		return 0, &DivergenceError{st.N, fmt.Sprintf("%s's next step is %s (%s), the trace says %s (%s)", st.Actor, next.ID, next.Loc, st.ID, st.Loc)}
	}
	if loc := next.Loc.String(); loc != st.Loc {
		if r.strict || st.ID == "" && r.t.Format != 1 {
			return 0, &DivergenceError{st.N, fmt.Sprintf("%s's next step is at %s, the trace says %s", st.Actor, next.Loc, st.Loc)}
		}
		r.drift = append(r.drift, Drift{st.N, next.ID, "location", st.Loc, loc})
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
// (actor, enabled actors, step id, outcome) and the verdict; a mismatch
// is a *DivergenceError. Drift (see ReplayWith) is not an error.
func Replay(t *Trace) (*Result, error) {
	res, _, err := ReplayWith(t, ReplayOptions{})
	return res, err
}

// ReplayWith is Replay with options, returning the drift it saw: a
// changed statement text, location or state change rendering is drift;
// with opt.Strict a divergence, otherwise returned in the list (the run
// is the same; the trace's annotations are out of date: UpdateTrace
// rewrites them).
func ReplayWith(t *Trace, opt ReplayOptions) (*Result, []Drift, error) {
	m, err := model.Lookup(t.Version)
	if err != nil {
		return nil, nil, err
	}
	sc := t.Scenario
	rc := &replayChooser{t: t, strict: opt.Strict}
	res, err := Run(m, &sc, rc, Options{Record: true})
	if err != nil {
		var de *DivergenceError
		if errors.As(err, &de) {
			return res, nil, err
		}
		return res, nil, &DivergenceError{0, err.Error()}
	}
	if len(res.Steps) != len(t.Steps) {
		return res, nil, &DivergenceError{len(res.Steps) + 1, fmt.Sprintf("the model can take no step here (the run ended after %d steps), the trace has %d", len(res.Steps), len(t.Steps))}
	}
	drift := rc.drift
	for i, got := range res.Steps {
		want := t.Steps[i]
		if got.Text != want.Text {
			if opt.Strict {
				return res, nil, &DivergenceError{want.N, fmt.Sprintf("the statement is %q, the trace says %q", got.Text, want.Text)}
			}
			drift = append(drift, Drift{want.N, got.ID, "statement", want.Text, got.Text})
		}
		if got.Changes != want.Changes {
			if opt.Strict || !sameValues(got.Changes, want.Changes) {
				return res, nil, &DivergenceError{want.N, fmt.Sprintf("the state change is %q, the trace says %q", got.Changes, want.Changes)}
			}
			drift = append(drift, Drift{want.N, got.ID, "state change", want.Changes, got.Changes})
		}
	}
	sort.SliceStable(drift, func(i, j int) bool { return drift[i].Step < drift[j].Step })
	if a, b := verdict(res.Violations), verdict(t.Violations); a != b {
		return res, drift, &DivergenceError{0, fmt.Sprintf("the verdict is %q, the trace says %q", a, b)}
	}
	return res, drift, nil
}

// sameValues reports whether two renderings of a step's state change
// ("field: old->new, ...") change the same values, whatever the fields
// are called and in whatever order they are listed: then only the
// rendering differs (drift); otherwise the step changed other state (a
// divergence).
func sameValues(a, b string) bool {
	vals := func(s string) []string {
		var out []string
		for _, part := range splitChanges(s) {
			_, v, ok := strings.Cut(part, ": ")
			if !ok {
				v = part
			}
			out = append(out, v)
		}
		sort.Strings(out)
		return out
	}
	va, vb := vals(a), vals(b)
	if len(va) != len(vb) {
		return false
	}
	for i := range va {
		if va[i] != vb[i] {
			return false
		}
	}
	return true
}

// splitChanges splits a state-change rendering at the commas between
// fields (not those inside brackets).
func splitChanges(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[', '(':
			depth++
		case ']', ')':
			depth--
		case ',':
			if depth == 0 && i+1 < len(s) && s[i+1] == ' ' {
				out = append(out, s[start:i])
				start = i + 2
			}
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// UpdateTrace returns t with every step's annotations (id, statement,
// location, state change) taken from a replay's result: the trace of the
// same run as the model tells it now, in format v2.
func UpdateTrace(t *Trace, res *Result) *Trace {
	u := *t
	u.Steps = append([]TraceStep(nil), res.Steps...)
	u.Violations = res.Violations
	u.Format = 2
	return &u
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
