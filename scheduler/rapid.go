package scheduler

// Property-based search with rapid (pgregory.net/rapid).
//
// RapidChooser takes every decision of a run (which enabled actor moves
// next, which outcome a fault point takes) from rapid's bitstream, so rapid
// can generate runs, shrink a failing one to a small counterexample, store
// it in a fail file and replay it. RapidScenario draws the scenario as well.
// RapidProp is a rapid property that fails when one dio-sim property is
// violated; RapidCampaign runs it outside `go test` for each property.
//
// Shaping the draws so rapid shrinks well (rapid shrinks the bitstream:
// it deletes draws and lowers their values towards 0):
//
//   - Every step draws exactly two values, always, with fixed ranges that
//     depend on nothing (not even the scenario): the actor and the outcome,
//     each IntRange(0, 15), even when the choice is forced. Lowering one
//     decision then never changes which later decisions exist, and a
//     schedule keeps its meaning when the shrinker simplifies the scenario.
//   - Actor: round robin from the actor that moved last. The enabled actors
//     are taken in actor order, cyclically, starting from the last actor if
//     it can move, else from the first one after it; the draw k picks the
//     k-th of them (modulo their number). So 0 means "the same actor goes
//     on" (shrinking towards 0 removes context switches), and when that
//     actor is done or asleep, "the next one in turn" (not always the
//     submitter: a shrunk schedule does not run steps it does not need).
//     With k uniform this picks an enabled actor about uniformly, as the
//     Random chooser does (the rarest races are found about as often).
//   - Outcome: the value modulo the number of outcomes of the step; 0 is
//     "ok" (no fault) at every fault point, so shrinking removes faults.
//   - A run of RapidProp stops as soon as its property is violated (the
//     Stop hook): the rest of the run draws nothing, so shrinking shortens
//     the counterexample itself.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// RapidDrawRange is the range of both draws of a step: IntRange(0,
// RapidDrawRange-1), taken modulo the number of enabled actors and of the
// chosen move's outcomes.
const RapidDrawRange = 16

// RapidMaxSteps bounds a run driven by rapid (every modelled run is far
// shorter; see DefaultMaxSteps).
const RapidMaxSteps = 20000

// RapidChooser is a Chooser whose decisions are drawn from rapid: two
// draws per step (actor, then outcome; see the file comment for their
// meaning and why). The zero value with T set is ready to use; use a new
// one per run. Every draw happens on the goroutine that calls Run, as
// rapid requires.
type RapidChooser struct {
	T *rapid.T
	// Stop, when set, is called before every choice with the current
	// state and the number of moves taken so far; when it returns true the
	// run ends there, without a draw (like a trace that ends).
	Stop func(s *sim.State, steps int) bool

	steps   int
	last    int   // actor that moved last (0, the submitter, before the first move)
	enabled []int // first move index of each enabled actor
}

var (
	actorGen   = rapid.IntRange(0, RapidDrawRange-1)
	outcomeGen = rapid.IntRange(0, RapidDrawRange-1)
)

// Choose implements Chooser.
func (c *RapidChooser) Choose(s *sim.State, m *model.Model, moves []model.Move) (int, error) {
	if c.Stop != nil && c.Stop(s, c.steps) {
		return 0, errStop
	}
	k := actorGen.Draw(c.T, "actor")
	o := outcomeGen.Draw(c.T, "outcome")
	c.enabled = c.enabled[:0]
	base := -1 // the last actor if it can move, else the next one after it that can
	for i, mv := range moves {
		if i == 0 || mv.Actor != moves[i-1].Actor {
			if base < 0 && mv.Actor >= c.last {
				base = len(c.enabled)
			}
			c.enabled = append(c.enabled, i)
		}
	}
	if base < 0 {
		base = 0
	}
	g := (base + k) % len(c.enabled)
	start := c.enabled[g]
	end := len(moves)
	if g+1 < len(c.enabled) {
		end = c.enabled[g+1]
	}
	i := start + o%(end-start)
	c.last = moves[i].Actor
	c.steps++
	return i, nil
}

// RapidScenario draws a scenario from rapid: the operation (read first),
// sync or async (async first), blocks in 1..maxBlocks, whether the request
// crosses EOF (a read past EOF, a write extending the file), O_SYNC
// (writes), the filesystem (generic first), each fault that is valid for
// the operation, and iocbs in 1..maxIocbs (Scenario.Iocbs). It always makes
// the same 13 draws in the same order, each shrinking towards the simplest
// choice (the first named), so failures shrink to small scenarios and a
// fail file keeps its meaning as long as maxBlocks and maxIocbs stay the
// same. The scenario is always valid (Validate).
func RapidScenario(t *rapid.T, maxBlocks, maxIocbs int) sim.Scenario {
	if maxBlocks < 1 {
		maxBlocks = 1
	}
	if maxIocbs < 1 {
		maxIocbs = 1
	}
	var sc sim.Scenario
	sc.Op = sim.Op(rapid.IntRange(0, 1).Draw(t, "op"))
	sc.Sync = rapid.Bool().Draw(t, "sync")
	sc.Blocks = rapid.IntRange(1, maxBlocks).Draw(t, "blocks")
	eof := rapid.Bool().Draw(t, "eof")
	osync := rapid.Bool().Draw(t, "osync")
	if rapid.Bool().Draw(t, "xfs") {
		sc.FS = sim.XFS
	}
	// syncrange (a later fault) is not drawn: a new draw would change
	// every recorded scenario of testdata/rapid.
	for _, f := range []sim.Fault{sim.FaultGUP, sim.FaultGetBlock, sim.FaultHole, sim.FaultEIO, sim.FaultOSync, sim.FaultInvalidate} {
		if rapid.Bool().Draw(t, "fault "+sim.FaultSet(f).String()) {
			sc.Faults |= sim.FaultSet(f)
		}
	}
	iocbs := rapid.IntRange(1, maxIocbs).Draw(t, "iocbs")
	if sc.Op == sim.Read {
		if eof {
			sc.Place = sim.PastEOF
		}
		sc.Faults &^= sim.FaultSet(sim.FaultOSync) | sim.FaultSet(sim.FaultInvalidate)
	} else {
		if eof {
			sc.Place = sim.Extend
		}
		sc.OSync = osync
		if !osync {
			sc.Faults &^= sim.FaultSet(sim.FaultOSync)
		}
	}
	if iocbs > 1 {
		sc.Iocbs = iocbs
	}
	return sc
}

// FormatSchedule renders moves of a run of sc on m, one step a line:
// "step N: actor outcome location" (outcome "-" for a step with one). It
// fails if a move is not enabled.
func FormatSchedule(m *model.Model, sc *sim.Scenario, moves []model.Move) (string, error) {
	s := m.Init(sc)
	var sb strings.Builder
	var buf []model.Move
	for i, mv := range moves {
		buf = m.Moves(s, buf)
		ok := false
		for _, e := range buf {
			ok = ok || e == mv
		}
		if !ok {
			return sb.String(), fmt.Errorf("step %d: move (actor %d, outcome %d) is not enabled", i+1, mv.Actor, mv.Choice)
		}
		out := m.OutcomeName(s, mv.Actor, mv.Choice)
		if out == "" {
			out = "-"
		}
		fmt.Fprintf(&sb, "step %d: %s %s %s\n", i+1, model.ActorName(s, mv.Actor), out, m.Next(s, mv.Actor).Loc)
		m.Apply(s, mv)
	}
	return sb.String(), nil
}

// RapidFailure is what a failing run of a RapidProp found.
type RapidFailure struct {
	Scenario sim.Scenario
	Prop     properties.ID
	Msg      string               // the violation's message
	Viol     properties.Violation // the violation (kind, location)
	Moves    []model.Move         // the schedule up to the step that broke the property, for Record
	Schedule string               // Moves rendered by FormatSchedule
	Err      error                // set instead when the run itself failed (step limit, chooser error)
}

// RapidProp is a rapid property: one run of Model on the scenario Scenario
// draws (first), with every decision from a RapidChooser; it fails when
// property Prop is violated. Prop may be any id of properties.All or
// properties.Linearizable (checked with properties.CheckHistory whenever
// the history grows and at the end, unless Run already reports it).
//
// The run stops at the step that breaks Prop (for the properties checked
// after every step) so rapid shrinks the schedule itself. A violation
// fails the run with t.Fatalf at one call site, with a deterministic
// message: the property, the step, the violation's message, the scenario
// and the schedule (FormatSchedule); a run that cannot finish (step limit)
// fails at another site. Last, when set, receives each failing run's
// failure: after rapid.Check, it holds the minimal counterexample (rapid
// re-runs it last). Runs and Steps count the runs and the steps taken.
type RapidProp struct {
	Model    *model.Model
	Scenario func(t *rapid.T) sim.Scenario
	Prop     properties.ID
	Last     *RapidFailure
	Runs     int
	Steps    int64
}

// Check is the property function, for rapid.Check(t, p.Check).
func (p *RapidProp) Check(t *rapid.T) {
	sc := p.Scenario(t)
	p.Runs++
	var lin *properties.Violation
	linStep, histLen := 0, 0
	stop := func(s *sim.State, steps int) bool {
		if p.Prop == properties.Linearizable {
			if len(s.History) == histLen {
				return false
			}
			histLen = len(s.History)
			if v, bad := properties.CheckHistory(s.Scn, s.History, false).Violation(); bad {
				lin, linStep = &v, steps
				return true
			}
			return false
		}
		for _, v := range properties.AfterStep(s) {
			if v.Prop == p.Prop {
				return true
			}
		}
		return false
	}
	ch := &RapidChooser{T: t, Stop: stop}
	res, err := Run(p.Model, &sc, ch, Options{MaxSteps: RapidMaxSteps})
	if res != nil {
		p.Steps += int64(len(res.Moves))
	}
	if err != nil {
		if p.Last != nil {
			*p.Last = RapidFailure{Scenario: sc, Prop: p.Prop, Err: err}
		}
		t.Fatalf("%s: the run failed after %d steps: %v", p.Prop, len(res.Moves), err)
	}
	var found *Violation
	for i := range res.Violations {
		if res.Violations[i].Prop == p.Prop {
			found = &res.Violations[i]
			break // the first kind to show
		}
	}
	if found == nil && p.Prop == properties.Linearizable {
		if lin == nil {
			if v, bad := properties.CheckHistory(&sc, res.Final.History, res.Ended).Violation(); bad {
				lin, linStep = &v, len(res.Moves)
			}
		}
		if lin != nil {
			found = &Violation{*lin, linStep}
		}
	}
	if found == nil {
		return
	}
	moves := append([]model.Move(nil), res.Moves[:found.Step]...)
	sched, err := FormatSchedule(p.Model, &sc, moves)
	if err != nil {
		sched += "(" + err.Error() + ")"
	}
	if p.Last != nil {
		*p.Last = RapidFailure{Scenario: sc, Prop: p.Prop, Msg: found.Msg, Viol: found.Violation, Moves: moves, Schedule: sched}
	}
	t.Fatalf("%s violated at step %d: %s\nversion %s, scenario %s\nschedule (step: actor outcome location):\n%s",
		p.Prop, found.Step, found.Msg, p.Model.Name, sc, sched)
}

// RapidTB is a rapid.TB that records what rapid reports instead of
// failing a test: for running rapid.Check outside `go test`, or inside a
// test that expects a failure. Name names the fail-file directory
// (testdata/rapid/<Name>/, relative to the current directory); Parent,
// when set, receives the logs and gives Helper.
type RapidTB struct {
	TestName string
	Parent   testing.TB
	Errors   []string // what rapid reported with Errorf/Error/Fatalf/Fatal
	failed   bool
	skipped  bool
}

// Helper implements rapid.TB.
func (tb *RapidTB) Helper() {
	if tb.Parent != nil {
		tb.Parent.Helper()
	}
}

// Name implements rapid.TB.
func (tb *RapidTB) Name() string { return tb.TestName }

// Logf implements rapid.TB.
func (tb *RapidTB) Logf(format string, args ...any) {
	if tb.Parent != nil {
		tb.Parent.Helper()
		tb.Parent.Logf(format, args...)
	}
}

// Log implements rapid.TB.
func (tb *RapidTB) Log(args ...any) { tb.Logf("%s", fmt.Sprintln(args...)) }

// Skipf implements rapid.TB.
func (tb *RapidTB) Skipf(format string, args ...any) { tb.skipped = true }

// Skip implements rapid.TB.
func (tb *RapidTB) Skip(args ...any) { tb.skipped = true }

// SkipNow implements rapid.TB.
func (tb *RapidTB) SkipNow() { tb.skipped = true }

// Errorf implements rapid.TB.
func (tb *RapidTB) Errorf(format string, args ...any) {
	tb.failed = true
	tb.Errors = append(tb.Errors, fmt.Sprintf(format, args...))
}

// Error implements rapid.TB.
func (tb *RapidTB) Error(args ...any) { tb.Errorf("%s", fmt.Sprint(args...)) }

// Fatalf implements rapid.TB (it does not stop the goroutine).
func (tb *RapidTB) Fatalf(format string, args ...any) { tb.Errorf(format, args...) }

// Fatal implements rapid.TB.
func (tb *RapidTB) Fatal(args ...any) { tb.Error(args...) }

// FailNow implements rapid.TB: it marks the failure (rapid calls it last).
func (tb *RapidTB) FailNow() { tb.failed = true }

// Fail implements rapid.TB.
func (tb *RapidTB) Fail() { tb.failed = true }

// Failed implements rapid.TB.
func (tb *RapidTB) Failed() bool { return tb.failed }

var rapidSeedRe = regexp.MustCompile(`-rapid\.seed=(\d+)`)

// FailingSeed returns the rapid seed of the failing test case that rapid
// reported ("-rapid.seed=N": `go test -rapid.seed=N` finds and shrinks it
// again), or 0 (a failure replayed from a fail file has none).
func (tb *RapidTB) FailingSeed() uint64 {
	for _, e := range tb.Errors {
		if m := rapidSeedRe.FindStringSubmatch(e); m != nil {
			n, _ := strconv.ParseUint(m[1], 10, 64)
			return n
		}
	}
	return 0
}

// RapidShrinkTime is the shrink budget RapidCampaign gives rapid. rapid's
// shrinking stops at a wall-clock deadline; the budget is far above what
// the small scenarios need (well under a second), so that the result
// depends only on the seed.
const RapidShrinkTime = 10 * time.Minute

var rapidMu sync.Mutex

// RapidCampaign searches with rapid for a violation of each property
// (properties.All, then properties.Linearizable) on scenario sc of model m:
// for each, rapid.Check runs up to checks runs (0: 100) of a RapidProp from
// seed, and shrinks the first failing one. The result has, per violated
// property, the minimal (shrunk) failing schedule as a Found: Moves up to
// the step that broke it (replayable with Record), Msg the violation's
// message, Seed the rapid seed of the failing case before shrinking (0 if
// none was reported) and Run the number of runs of that search before it.
// Runs and Steps count every run, shrinking included.
//
// The same seed gives the same result: rapid's search is seeded (a seed of
// 0 is replaced by a fixed one, rapid taking 0 as "random"), runs are
// deterministic, messages are, and shrinking gets RapidShrinkTime. rapid's
// settings are process-wide flags (-rapid.seed, -rapid.checks, ...):
// RapidCampaign sets them for its searches (no fail files are read or
// written) and restores them, and it runs one campaign at a time. Outside
// `go test` it calls testing.Init and, if flag.Parse has not run, parses an
// empty command line (rapid calls testing.Short, which needs both).
func RapidCampaign(m *model.Model, sc *sim.Scenario, seed uint64, checks int) (*CampaignResult, error) {
	return RapidCampaignProgress(m, sc, seed, checks, nil)
}

// RapidProgress is a snapshot of a running rapid campaign.
type RapidProgress struct {
	Prop       properties.ID // the property being searched
	Runs       int           // runs of that search so far, shrinking included
	Violations int           // properties found violated so far
}

// RapidCampaignProgress is RapidCampaign, calling progress (when not nil)
// every 50 runs and after each property's search. Progress reports do not
// change the result.
func RapidCampaignProgress(m *model.Model, sc *sim.Scenario, seed uint64, checks int, progress func(RapidProgress)) (*CampaignResult, error) {
	return RapidCampaignContext(context.Background(), m, sc, seed, checks, progress)
}

// errRapidStopped is the failure a run reports instead of running once the
// campaign's context is done: rapid then ends its search (and shrinking)
// within a few runs that draw nothing.
const errRapidStopped = "dio-sim: campaign stopped"

// RapidCampaignContext is RapidCampaignProgress that stops when ctx is
// done: every run checks ctx first, and once it is done fails at once
// without drawing, which ends rapid's search promptly. The violations
// found so far are kept (one found while its shrinking was cut short is
// kept as shrunk so far: still a real counterexample, maybe not minimal),
// and Stopped says why the campaign ended early.
func RapidCampaignContext(ctx context.Context, m *model.Model, sc *sim.Scenario, seed uint64, checks int, progress func(RapidProgress)) (*CampaignResult, error) {
	rapidMu.Lock()
	defer rapidMu.Unlock()
	if checks <= 0 {
		checks = 100
	}
	if seed == 0 {
		seed = 0x9e3779b97f4a7c15
	}
	testing.Init()
	if !flag.Parsed() {
		// rapid calls testing.Short, which needs a parsed command line;
		// parse an empty one rather than os.Args (a program's own flags).
		_ = flag.CommandLine.Parse(nil)
	}
	if testing.Short() {
		// rapid runs a fifth of -rapid.checks under -short; the campaign
		// must not depend on how the test binary was started.
		checks *= 5
	}
	restore, err := setFlags(map[string]string{
		"rapid.seed":       strconv.FormatUint(seed, 10),
		"rapid.checks":     strconv.Itoa(checks),
		"rapid.nofailfile": "true",
		"rapid.failfile":   "",
		"rapid.shrinktime": RapidShrinkTime.String(),
	})
	defer restore()
	if err != nil {
		return nil, err
	}
	out := &CampaignResult{Found: map[properties.ID]Found{}, Bugs: map[properties.Signature]Found{}}
	scn := *sc
	for _, id := range properties.All {
		if out.Stopped = StopReason(ctx); out.Stopped != "" {
			break
		}
		var last RapidFailure
		p := &RapidProp{Model: m, Scenario: func(*rapid.T) sim.Scenario { return scn }, Prop: id, Last: &last}
		firstFail := -1
		check := func(t *rapid.T) {
			if ctx.Err() != nil {
				t.Fatal(errRapidStopped)
			}
			before := p.Runs
			defer func() {
				if firstFail < 0 && last.Prop != "" {
					firstFail = before
				}
			}()
			p.Check(t)
			if progress != nil && p.Runs%50 == 0 {
				progress(RapidProgress{Prop: id, Runs: p.Runs, Violations: len(out.Found)})
			}
		}
		tb := &RapidTB{TestName: "dio-sim-rapid-campaign/" + m.Name + "/" + string(id)}
		rapid.Check(tb, check)
		out.Runs += p.Runs
		out.Steps += p.Steps
		if out.Stopped = StopReason(ctx); out.Stopped != "" {
			if last.Prop != "" && last.Err == nil {
				// Kept as shrunk so far, with its signature like any
				// other find, so that the report names its trace.
				out.Found[id] = Found{Prop: id, Msg: last.Msg, Viol: last.Viol, Seed: tb.FailingSeed(), Run: firstFail, Moves: last.Moves}
				out.Bugs[last.Viol.Signature()] = out.Found[id]
			}
			break
		}
		if !tb.Failed() {
			if progress != nil {
				progress(RapidProgress{Prop: id, Runs: p.Runs, Violations: len(out.Found)})
			}
			continue
		}
		if last.Prop == "" {
			return out, fmt.Errorf("rapid search for %s failed without a counterexample: %s", id, strings.Join(tb.Errors, "; "))
		}
		if last.Err != nil {
			return out, fmt.Errorf("rapid search for %s: %w", id, last.Err)
		}
		out.Found[id] = Found{Prop: id, Msg: last.Msg, Viol: last.Viol, Seed: tb.FailingSeed(), Run: firstFail, Moves: last.Moves}
		out.Bugs[last.Viol.Signature()] = out.Found[id]
		if progress != nil {
			progress(RapidProgress{Prop: id, Runs: p.Runs, Violations: len(out.Found)})
		}
	}
	return out, nil
}

// setFlags sets flags of flag.CommandLine and returns a function that
// restores their previous values.
func setFlags(vals map[string]string) (func(), error) {
	old := map[string]string{}
	restore := func() {
		for k, v := range old {
			_ = flag.Set(k, v)
		}
	}
	for _, k := range sim.SortedNames(vals) {
		f := flag.Lookup(k)
		if f == nil {
			return restore, errors.New("flag -" + k + " is not registered (is pgregory.net/rapid linked?)")
		}
		old[k] = f.Value.String()
		if err := flag.Set(k, vals[k]); err != nil {
			return restore, err
		}
	}
	return restore, nil
}

// RapidFind runs rapid's search for property prop alone on sc (at most
// checks runs, seeded with seed): the shrunk violation found, if any,
// with Run the number of runs before the first failing one, and the runs
// made in all (shrinking included).
func RapidFind(m *model.Model, sc *sim.Scenario, prop properties.ID, seed uint64, checks int) (*Found, int, error) {
	rapidMu.Lock()
	defer rapidMu.Unlock()
	if seed == 0 {
		seed = 0x9e3779b97f4a7c15
	}
	testing.Init()
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
	restore, err := setFlags(map[string]string{
		"rapid.seed":       strconv.FormatUint(seed, 10),
		"rapid.checks":     strconv.Itoa(checks),
		"rapid.nofailfile": "true",
		"rapid.failfile":   "",
		"rapid.shrinktime": RapidShrinkTime.String(),
	})
	defer restore()
	if err != nil {
		return nil, 0, err
	}
	scn := *sc
	var last RapidFailure
	p := &RapidProp{Model: m, Scenario: func(*rapid.T) sim.Scenario { return scn }, Prop: prop, Last: &last}
	firstFail := -1
	tb := &RapidTB{TestName: "dio-sim-rapid-find/" + m.Name + "/" + string(prop)}
	rapid.Check(tb, func(t *rapid.T) {
		before := p.Runs
		defer func() {
			if firstFail < 0 && last.Prop != "" {
				firstFail = before
			}
		}()
		p.Check(t)
	})
	if !tb.Failed() {
		return nil, p.Runs, nil
	}
	if last.Prop == "" || last.Err != nil {
		return nil, p.Runs, fmt.Errorf("rapid search for %s failed without a counterexample: %v %s", prop, last.Err, strings.Join(tb.Errors, "; "))
	}
	return &Found{Prop: prop, Msg: last.Msg, Seed: tb.FailingSeed(), Run: firstFail, Moves: last.Moves}, p.Runs, nil
}
