package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"diosim/explain"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// playInput is where `dio-sim play` reads the learner's moves (tests
// replace it).
var playInput io.Reader = os.Stdin

// playHintMaxStates bounds the exhaustive search behind `hint`.
const playHintMaxStates = 2_000_000

const playAbout = `You are the scheduler. Each turn lists the actors that can take a step, the kernel location and
statement each would run, and the outcomes at a fault point. Type an actor's name to run its step
("bio0"), with an outcome where there are several ("submitter gup:-EFAULT@block1"); several moves
on one line are separated by commas. Commands: undo, hint (how far each property is from breaking,
by an exhaustive search from here), state (the whole state), trace FILE (save the moves so far as a
trace for replay and explain), help, quit.

Input is read line by line, so a game can be scripted: when the input is not a terminal every
command is echoed after the prompt, and a bad move (an unknown actor or outcome, an actor that
cannot run) ends the game with exit status 2. Exit status: 1 if a property broke during the
game, else 0.`

func cmdPlay(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("play", "dio-sim play --version V [--scenario NAME | --op read|write --sync --blocks N --extend|--past-eof --osync --fs generic|xfs --faults LIST]",
		playAbout, stdout)
	version := c.fs.String("version", "", "kernel version: v2.6.18, before, after or v2.6.20 (required)")
	scf := addScenarioFlags(c)
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	m, sc, err := modelAndScenario(c, *version, scf)
	if err != nil {
		return exitUsage, err
	}
	g := &game{ctx: ctx, m: m, sc: sc, out: bufio.NewWriter(stdout), stderr: stderr, scripted: !inputIsTerminal(playInput), width: textWidth(0, stdout)}
	defer g.out.Flush()
	return g.play(playInput)
}

func inputIsTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// game is one session of `dio-sim play`.
type game struct {
	ctx      context.Context // Ctrl-C: stops a hint's search, and ends the game
	stderr   io.Writer
	m        *model.Model
	sc       sim.Scenario
	out      *bufio.Writer
	scripted bool
	width    int

	moves  []model.Move
	s      *sim.State
	init   []sim.Field
	last   []sim.Field // the fields before the last move
	broken map[properties.ID]int
	order  []properties.ID
}

func (g *game) printf(format string, args ...any) { fmt.Fprintf(g.out, format, args...) }

// reset replays the moves from the initial state, recomputing what broke.
func (g *game) reset() {
	g.s = g.m.Init(&g.sc)
	g.init = g.s.Fields()
	g.last = g.init
	g.broken = map[properties.ID]int{}
	g.order = nil
	for i, mv := range g.moves {
		g.last = g.s.Fields()
		g.m.Apply(g.s, mv)
		g.note(properties.AfterStep(g.s), i+1)
	}
	if len(g.m.Moves(g.s, nil)) == 0 {
		g.note(properties.AtEnd(g.m, g.s), len(g.moves))
	}
}

// note records violations not seen before and returns them.
func (g *game) note(vs []properties.Violation, step int) []properties.Violation {
	var fresh []properties.Violation
	for _, v := range vs {
		if _, ok := g.broken[v.Prop]; ok {
			continue
		}
		g.broken[v.Prop] = step
		g.order = append(g.order, v.Prop)
		fresh = append(fresh, v)
	}
	return fresh
}

func (g *game) play(in io.Reader) (int, error) {
	g.reset()
	for _, l := range wrapLines(fmt.Sprintf("dio-sim play: version %s, scenario %s", g.m.Name, g.sc.String()), g.width, 2) {
		g.printf("%s\n", l)
	}
	g.printf("You are the scheduler: name the actor that runs next (and the outcome at a fault point).\n")
	g.printf("Commands: undo, hint, state, trace FILE, help, quit.\n")
	g.turn()
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	// Lines are read on their own goroutine so that Ctrl-C ends the game
	// while it waits for one.
	lines := make(chan string)
	next := make(chan bool)
	go func() {
		defer close(lines)
		for <-next && sc.Scan() {
			lines <- sc.Text()
		}
	}()
	defer close(next)
	ctx := g.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	for {
		g.printf("play> ")
		g.out.Flush()
		next <- true
		var text string
		var ok bool
		select {
		case text, ok = <-lines:
		case <-ctx.Done():
			g.printf("\ninterrupted: %d moves played\n", len(g.moves))
			return g.exitCode(), nil
		}
		if !ok {
			if g.scripted {
				g.printf("\n")
			}
			break
		}
		line := strings.TrimSpace(text)
		if g.scripted {
			g.printf("%s\n", line)
		}
		done, err := g.command(line)
		if err != nil {
			if g.scripted {
				g.out.Flush()
				return exitUsage, err
			}
			g.printf("error: %v\n", err)
			continue
		}
		if done {
			break
		}
	}
	if err := sc.Err(); err != nil {
		return exitUsage, usagef("play: reading the moves: %v", err)
	}
	return g.exitCode(), nil
}

// exitCode is 1 if a property broke during the game, else 0.
func (g *game) exitCode() int {
	if len(g.broken) > 0 {
		return exitViolation
	}
	return exitOK
}

// command runs one input line; done ends the game.
func (g *game) command(line string) (done bool, err error) {
	word, rest, _ := strings.Cut(line, " ")
	rest = strings.TrimSpace(rest)
	switch word {
	case "":
		return false, nil
	case "quit", "exit", "q":
		g.printf("bye: %d moves played\n", len(g.moves))
		return true, nil
	case "help", "?":
		g.printf("%s\n", playAbout)
		return false, nil
	case "undo":
		if len(g.moves) == 0 {
			g.printf("nothing to undo\n")
			return false, nil
		}
		g.moves = g.moves[:len(g.moves)-1]
		g.reset()
		g.printf("undone: back before move %d\n", len(g.moves)+1)
		g.turn()
		return false, nil
	case "state":
		g.fullState()
		return false, nil
	case "hint":
		return false, g.hint()
	case "trace":
		if rest == "" {
			return false, usagef("play: trace needs a file name")
		}
		return false, g.writeTrace(rest)
	}
	for _, part := range strings.Split(line, ",") {
		if err := g.move(strings.TrimSpace(part)); err != nil {
			return false, err
		}
	}
	g.turn()
	return false, nil
}

// move applies one move "ACTOR [OUTCOME]".
func (g *game) move(text string) error {
	f := strings.Fields(text)
	if len(f) == 0 || len(f) > 2 {
		return usagef("play: a move is an actor and at most one outcome, got %q", text)
	}
	s := g.s
	a := -1
	var names []string
	for i := range s.Actors {
		n := model.ActorName(s, i)
		names = append(names, n)
		if n == f[0] {
			a = i
		}
	}
	if a < 0 {
		return usagef("play: unknown actor %q (actors: %s; commands: undo, hint, state, trace FILE, help, quit)", f[0], strings.Join(names, ", "))
	}
	if !g.m.Enabled(s, a) {
		return usagef("play: %s cannot run now: %s", f[0], g.why(a))
	}
	n := g.m.Outcomes(s, a)
	choice := 0
	switch {
	case len(f) == 2:
		choice = -1
		var outs []string
		for k := 0; k < n; k++ {
			name := g.m.OutcomeName(s, a, k)
			outs = append(outs, name)
			if name == f[1] {
				choice = k
			}
		}
		if n == 1 && outs[0] == "" {
			return usagef("play: %s's step has a single outcome; type just %q", f[0], f[0])
		}
		if choice < 0 {
			return usagef("play: %s has no outcome %q here (outcomes: %s)", f[0], f[1], strings.Join(outs, ", "))
		}
	case n > 1:
		var outs []string
		for k := 0; k < n; k++ {
			outs = append(outs, g.m.OutcomeName(s, a, k))
		}
		return usagef("play: %s is at a fault point: say which outcome (%s), e.g. %q", f[0], strings.Join(outs, ", "), f[0]+" "+outs[0])
	}
	st := g.m.Next(s, a)
	outcome := g.m.OutcomeName(s, a, choice)
	g.last = s.Fields()
	reads := explain.Reads(g.m, s, model.Move{Actor: a, Choice: choice})
	g.m.Apply(s, model.Move{Actor: a, Choice: choice})
	g.moves = append(g.moves, model.Move{Actor: a, Choice: choice})
	label := f[0]
	if outcome != "" {
		label += " " + outcome
	}
	g.printf("move %d: %s at %s\n", len(g.moves), label, st.Loc)
	if len(reads) > 0 {
		for _, l := range wrapLines("reads "+explain.FormatReads(reads), g.width-2, 5) {
			g.printf("  %s\n", l)
		}
	}
	if d := sim.Diff(g.last, s.Fields()); d != "" {
		for _, l := range wrapLines("=> "+d, g.width-2, 5) {
			g.printf("  %s\n", l)
		}
	}
	for _, v := range g.note(properties.AfterStep(s), len(g.moves)) {
		g.alert(fmt.Sprintf("!! %s broke at move %d: %s", v.Prop, len(g.moves), v.Msg))
	}
	if len(g.m.Moves(s, nil)) == 0 {
		for _, v := range g.note(properties.AtEnd(g.m, s), len(g.moves)) {
			g.alert(fmt.Sprintf("!! %s broke at the end of the run: %s", v.Prop, v.Msg))
		}
	}
	return nil
}

// alert prints the news that a property broke.
func (g *game) alert(text string) {
	for _, l := range wrapLines(text, g.width, 3) {
		g.printf("%s\n", l)
	}
}

// why says why actor a cannot run.
func (g *game) why(a int) string {
	act := &g.s.Actors[a]
	switch {
	case act.Done:
		return "it has finished"
	case act.Dead:
		return "it was killed by a BUG or an oops"
	case act.Asleep:
		return "it is asleep in schedule() after " + g.m.Where(g.s, a)
	case act.Kind == sim.BioEnd && g.s.ReqOf(a).Bios[act.Index].State < sim.BioSubmitted:
		return "its bio has not been submitted"
	case act.Kind == sim.Worker && !g.s.ReqOf(a).Kiocb.IoendQueued:
		return "no work is queued for it"
	case act.Kind == sim.Reaper:
		return "it waits in io_getevents for a completion event"
	}
	return "it waits (a lock it needs is held, or the event it waits for is not there) before " + g.m.Where(g.s, a)
}

// turn shows the state and the moves the learner can make.
func (g *game) turn() {
	s := g.s
	g.printf("\n-- move %d --\n", len(g.moves)+1)
	g.compactState()
	moves := g.m.Moves(s, nil)
	if len(moves) == 0 {
		g.printf("The run has ended: no actor can move. (undo, hint, state, trace FILE, quit)\n")
		if len(g.order) == 0 {
			g.printf("No property broke in this run.\n")
			return
		}
		var parts []string
		for _, id := range g.order {
			parts = append(parts, fmt.Sprintf("%s (move %d)", id, g.broken[id]))
		}
		for _, l := range wrapLines("Broken in this run: "+strings.Join(parts, ", "), g.width, 2) {
			g.printf("%s\n", l)
		}
		return
	}
	g.printf("can run:\n")
	seen := map[int]bool{}
	for _, mv := range moves {
		if seen[mv.Actor] {
			continue
		}
		seen[mv.Actor] = true
		st := g.m.Next(s, mv.Actor)
		name := model.ActorName(s, mv.Actor)
		g.printf("  %-10s %s (%s)\n", name, st.Loc, st.Loc.Func)
		for _, l := range wrapLines(st.Text, g.width-15, 0) {
			g.printf("  %-10s   %s\n", "", l)
		}
		if n := g.m.Outcomes(s, mv.Actor); n > 1 {
			var outs []string
			for k := 0; k < n; k++ {
				outs = append(outs, g.m.OutcomeName(s, mv.Actor, k))
			}
			g.printf("  %-10s   outcomes: %s\n", "", strings.Join(outs, ", "))
		}
	}
	var waiting []string
	for a := range s.Actors {
		if seen[a] || s.Actors[a].Done {
			continue
		}
		waiting = append(waiting, model.ActorName(s, a)+" ("+g.why(a)+")")
	}
	if len(waiting) > 0 {
		for _, l := range wrapLines("cannot run: "+strings.Join(waiting, "; "), g.width-2, 4) {
			g.printf("  %s\n", l)
		}
	}
}

// compactState prints the fields that differ from the initial state;
// those the last move changed are marked with *.
func (g *game) compactState() {
	cur := g.s.Fields()
	var parts []string
	for i, f := range cur {
		if f.Val == g.init[i].Val && (i >= len(g.last) || g.last[i].Val == f.Val) {
			continue
		}
		p := f.Name + "=" + f.Val
		if i < len(g.last) && g.last[i].Val != f.Val {
			p += "*"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		g.printf("state: as at the start\n")
		return
	}
	for _, l := range wrapLines("state: "+strings.Join(parts, "  "), g.width, 7) {
		g.printf("%s\n", l)
	}
}

// fullState prints every field, marking those that differ from the start.
func (g *game) fullState() {
	g.printf("state after %d moves (* differs from the start):\n", len(g.moves))
	for i, f := range g.s.Fields() {
		mark := " "
		if f.Val != g.init[i].Val {
			mark = "*"
		}
		g.printf("  %s %-32s %s\n", mark, f.Name, f.Val)
	}
}

// hint searches every state reachable from here and says, per property,
// whether a violation is still reachable and in how few moves.
func (g *game) hint() error {
	mem := defaultMaxMemory()
	setMemoryLimit(mem)
	opt := scheduler.ExhaustiveOptions{MaxStates: playHintMaxStates, MaxMemory: mem}
	if g.ctx != nil {
		opt.Stop = g.ctx.Done()
	}
	pl := newProgressLine(g.stderr)
	opt.OnProgress = func(p scheduler.Progress) {
		pl.printf("hint: %d states, depth %d, heap %d MB, %s", p.States, p.Depth, p.HeapBytes>>20, p.Elapsed.Round(time.Second))
	}
	cert, err := scheduler.ExhaustiveFrom(g.m, g.s, opt)
	pl.done()
	if err != nil {
		return fmt.Errorf("play: hint: %v", err)
	}
	how := "complete"
	if !cert.Complete {
		how = "stopped at " + strconv.FormatInt(cert.States, 10) + " states by " + stopWhat(cert.StoppedBy) + ": not a proof"
	}
	if cert.StoppedBy == "memory" {
		fmt.Fprintf(g.stderr, "dio-sim: hint: the search stopped at the memory bound (%d MB of heap, half of this machine's memory)\n", mem>>20)
	}
	g.printf("hint: every run from here, by exhaustive search (%d states, %s):\n", cert.States, how)
	for _, id := range properties.All {
		v := cert.Properties[string(id)]
		var say string
		switch {
		case v.Verdict == "violated" && v.Length == 0:
			say = "already broken"
		case v.Verdict == "violated":
			say = fmt.Sprintf("can still break, in %d more moves at the fewest: %s", v.Length, v.Message)
			if len(v.Moves) > 0 {
				mv := v.Moves[0]
				first := model.ActorName(g.s, mv.Actor)
				if o := g.m.OutcomeName(g.s, mv.Actor, mv.Choice); o != "" {
					first += " " + o
				}
				say += fmt.Sprintf(" (a shortest way starts with: %s)", first)
			}
		case v.Verdict == "holds":
			say = "cannot break from here"
		default:
			say = "no violation found within the bound (not a proof)"
		}
		for i, l := range wrapLines(say, g.width-22, 2) {
			if i == 0 {
				g.printf("  %-18s %s\n", id, l)
			} else {
				g.printf("  %-18s %s\n", "", l)
			}
		}
	}
	return nil
}

// writeTrace saves the moves so far as a trace.
func (g *game) writeTrace(path string) error {
	t, _, err := scheduler.Record(g.m, &g.sc, 0, "play", g.moves)
	if err != nil {
		return fmt.Errorf("play: recording the trace: %v", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		g.printf("replacing %s (%d bytes)\n", sanitize(path), fi.Size())
	}
	f, err := os.Create(path)
	if err != nil {
		return usagef("play: %v", err)
	}
	if err := t.Write(f); err != nil {
		f.Close()
		return usagef("play: writing %s: %v", path, err)
	}
	if err := f.Close(); err != nil {
		return usagef("play: writing %s: %v", path, err)
	}
	g.printf("wrote %d moves to %s (dio-sim explain %s)\n", len(g.moves), path, path)
	return nil
}

// wrapLines wraps s at width columns; continuation lines are indented.
func wrapLines(s string, width, indent int) []string {
	width = max(width, indent+20)
	var out []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(w) > width {
			out = append(out, cur)
			cur = strings.Repeat(" ", indent) + w
			continue
		}
		if cur == "" {
			cur = w
		} else if strings.TrimSpace(cur) == "" {
			cur += w
		} else {
			cur += " " + w
		}
	}
	if cur != "" {
		out = append(out, cur)
	}
	return out
}
