package main

import (
	"bufio"
	"bytes"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// playCLI runs `dio-sim play args` with input as its standard input.
func playCLI(t *testing.T, input string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	old := playInput
	playInput = strings.NewReader(input)
	defer func() { playInput = old }()
	t.Setenv("COLUMNS", "")
	var o, e bytes.Buffer
	code = run(append([]string{"play"}, args...), &o, &e)
	return code, o.String(), e.String()
}

func loadTrace(t *testing.T, path string) *scheduler.Trace {
	t.Helper()
	tr, err := scheduler.ReadTraceFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// moveLine renders a trace step as a play move.
func moveLine(st scheduler.TraceStep) string {
	if st.Outcome == "-" {
		return st.Actor
	}
	return st.Actor + " " + st.Outcome
}

// bfsDistances is an independent check of the hint: a plain breadth-first
// search (no symmetry, no partial-order reduction, no fingerprints) from
// s0 that returns, per property, the fewest moves to a state that
// violates it (after a step, or at the end of a run).
func bfsDistances(m *model.Model, s0 *sim.State) map[properties.ID]int {
	type item struct {
		s *sim.State
		d int
	}
	dist := map[properties.ID]int{}
	seen := map[string]bool{string(s0.Encode(nil)): true}
	queue := []item{{s0.Clone(), 0}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		moves := m.Moves(it.s, nil)
		vs := properties.AfterStep(it.s)
		if len(moves) == 0 {
			vs = properties.AtEnd(m, it.s)
		}
		for _, v := range vs {
			if _, ok := dist[v.Prop]; !ok {
				dist[v.Prop] = it.d
			}
		}
		for _, mv := range moves {
			n := it.s.Clone()
			m.Apply(n, mv)
			k := string(n.Encode(nil))
			if !seen[k] {
				seen[k] = true
				queue = append(queue, item{n, it.d + 1})
			}
		}
	}
	return dist
}

var hintLineRe = regexp.MustCompile(`(?m)^  (\S+)\s+(already broken|can still break, in (\d+) more moves|cannot break from here|no violation found)`)

// parseHints returns, for every hint block of a play transcript in order,
// the distance it gives per property: 0 already broken, N, or -1 for
// "cannot break".
func parseHints(t *testing.T, out string) []map[string]int {
	t.Helper()
	var hints []map[string]int
	blocks := strings.Split(out, "play> hint\n")
	for _, b := range blocks[1:] {
		end := strings.Index(b, "play> ")
		if end >= 0 {
			b = b[:end]
		}
		h := map[string]int{}
		for _, m := range hintLineRe.FindAllStringSubmatch(b, -1) {
			switch {
			case m[2] == "already broken":
				h[m[1]] = 0
			case m[3] != "":
				n, _ := strconv.Atoi(m[3])
				h[m[1]] = n
			case strings.HasPrefix(m[2], "cannot"):
				h[m[1]] = -1
			default:
				t.Fatalf("incomplete hint search: %s", b)
			}
		}
		if len(h) != len(properties.All) {
			t.Fatalf("hint block lists %d properties, want %d:\n%s", len(h), len(properties.All), b)
		}
		hints = append(hints, h)
	}
	return hints
}

// TestPlayDoubleCompletionScript drives `play --version before --scenario
// double-completion` with the moves of the committed trace, asking for a
// hint before every move, and checks every hint against an exhaustive
// search run directly and against an independent breadth-first search.
func TestPlayDoubleCompletionScript(t *testing.T) {
	tr := loadTrace(t, dcTrace)
	var script strings.Builder
	for _, st := range tr.Steps {
		script.WriteString("hint\n" + moveLine(st) + "\n")
	}
	script.WriteString("hint\n")
	dir := t.TempDir()
	saved := filepath.Join(dir, "mine.trace")
	script.WriteString("trace " + saved + "\nquit\n")
	code, out, stderr := playCLI(t, script.String(), "--version", "before", "--scenario", "double-completion")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (a property broke); stderr %q\n%s", code, stderr, out)
	}
	hints := parseHints(t, out)
	if len(hints) != len(tr.Steps)+1 {
		t.Fatalf("%d hints, want %d", len(hints), len(tr.Steps)+1)
	}
	// The move at which the game announced the double completion.
	m := regexp.MustCompile(`!! exactly-once broke at move (\d+): the iocb was completed`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("the game never announced the double completion:\n%s", out)
	}
	broke, _ := strconv.Atoi(m[1])
	if broke != len(tr.Steps) {
		t.Errorf("double completion announced at move %d, the trace has it at its last step %d", broke, len(tr.Steps))
	}

	mod, _ := model.Lookup("before")
	sc := tr.Scenario
	s := mod.Init(&sc)
	res, err := scheduler.Replay(tr)
	if err != nil {
		t.Fatal(err)
	}
	for k, h := range hints {
		eo := h[string(properties.ExactlyOnce)]
		// Along the script the double completion gets nearer one move at a time.
		if k < broke && eo <= 0 {
			t.Errorf("before move %d: exactly-once hint %d, want > 0", k+1, eo)
		}
		if k >= broke && eo != 0 {
			t.Errorf("after move %d: exactly-once hint %d, want 0 (already broken)", k, eo)
		}
		if k > 0 && eo < hints[k-1][string(properties.ExactlyOnce)]-1 {
			t.Errorf("move %d: exactly-once hint dropped from %d to %d", k, hints[k-1][string(properties.ExactlyOnce)], eo)
		}
		if k < broke && eo > len(tr.Steps)-k {
			t.Errorf("before move %d: hint %d, but the script breaks it in %d moves", k+1, eo, len(tr.Steps)-k)
		}
		// The same search run directly.
		cert, err := scheduler.ExhaustiveFrom(mod, s, scheduler.ExhaustiveOptions{})
		if err != nil || !cert.Complete {
			t.Fatalf("ExhaustiveFrom: %v (complete %v)", err, cert != nil && cert.Complete)
		}
		// An independent breadth-first search.
		bfs := bfsDistances(mod, s)
		for _, id := range properties.All {
			got := h[string(id)]
			v := cert.Properties[string(id)]
			want := -1
			if v.Verdict == "violated" {
				want = v.Length
			}
			if got != want {
				t.Errorf("before move %d, %s: hint %d, ExhaustiveFrom %d (%s)", k+1, id, got, want, v.Verdict)
			}
			d, ok := bfs[id]
			if !ok {
				d = -1
			}
			if (got < 0) != (d < 0) || got >= 0 && got < d {
				t.Errorf("before move %d, %s: hint %d, but the plain search finds %d", k+1, id, got, d)
			}
			if id == properties.ExactlyOnce && got != d {
				t.Errorf("before move %d: exactly-once hint %d, the plain search finds %d", k+1, got, d)
			}
		}
		if k < len(res.Moves) {
			mod.Apply(s, res.Moves[k])
		}
	}

	// The saved game is the committed trace, step for step.
	mine := loadTrace(t, saved)
	if len(mine.Steps) != len(tr.Steps) {
		t.Fatalf("saved %d steps, want %d", len(mine.Steps), len(tr.Steps))
	}
	for i := range mine.Steps {
		a, b := mine.Steps[i], tr.Steps[i]
		if a.Actor != b.Actor || a.Outcome != b.Outcome || a.Loc != b.Loc || a.Text != b.Text || a.Changes != b.Changes {
			t.Fatalf("step %d differs:\n%+v\n%+v", i+1, a, b)
		}
	}
	if _, err := scheduler.Replay(mine); err != nil {
		t.Fatalf("the saved trace does not replay: %v", err)
	}
}

// TestPlayTurn checks what one turn shows and the commands that do not move.
func TestPlayTurn(t *testing.T) {
	code, out, stderr := playCLI(t, "submitter\nstate\nundo\nundo\nhelp\n\nquit\n", "--version", "before", "--scenario", "double-completion")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"-- move 1 --", "state: as at the start", "can run:", "submitter  fs/aio.c@v2.6.20:1554-1580 (io_submit_one)",
		"cannot run: bio0 (its bio has not been submitted)",
		"play> submitter\nmove 1: submitter at fs/aio.c@v2.6.20:1554-1580\n  => mem.kiocb: unallocated->live",
		"state: mem.kiocb=live* kiocb.ki_users=2* kiocb.ki_left=8192*",
		"  * kiocb.ki_users                   2",
		"undone: back before move 1", "nothing to undo", "Commands: undo, hint", "bye: 0 moves played",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// Several moves on a line, and the outcomes of a fault point.
	code, out, _ = playCLI(t, strings.Repeat("submitter, ", 9)+"submitter\n", "--version", "before", "--scenario", "double-completion")
	if code != 0 || !strings.Contains(out, "outcomes: ok, gup:-EFAULT@block0, gup:-EFAULT@block1") || !strings.Contains(out, "move 10: submitter at") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

// TestPlayBadInput: bad usage and, in a scripted game, a bad move end with
// exit status 2 and one line on stderr.
func TestPlayBadInput(t *testing.T) {
	ten := strings.Repeat("submitter\n", 10)
	cases := []struct {
		name  string
		input string
		args  []string
		want  string
	}{
		{"no version", "", []string{}, "--version is required"},
		{"unknown version", "", []string{"--version", "2.6.19"}, "unknown version"},
		{"unknown scenario", "", []string{"--version", "before", "--scenario", "nope"}, "unknown scenario"},
		{"bad scenario flag", "", []string{"--version", "before", "--blocks", "0"}, "blocks must be between"},
		{"extra argument", "", []string{"--version", "before", "x"}, "unexpected argument"},
		{"unknown actor", "bio7\n", []string{"--version", "before", "--scenario", "double-completion"}, `unknown actor "bio7"`},
		{"actor that cannot run", "bio0\n", []string{"--version", "before", "--scenario", "double-completion"}, "bio0 cannot run now: its bio has not been submitted"},
		{"unknown outcome", ten + "submitter meteor\n", []string{"--version", "before", "--scenario", "double-completion"}, `no outcome "meteor"`},
		{"missing outcome", ten + "submitter\n", []string{"--version", "before", "--scenario", "double-completion"}, "is at a fault point: say which outcome"},
		{"outcome on a plain step", "submitter ok\n", []string{"--version", "before", "--scenario", "double-completion"}, "has a single outcome"},
		{"too many words", "submitter ok now\n", []string{"--version", "before", "--scenario", "double-completion"}, "at most one outcome"},
		{"trace without file", "trace\n", []string{"--version", "before", "--scenario", "double-completion"}, "trace needs a file name"},
		{"trace to a bad path", "trace /nonexistent/dir/x.trace\n", []string{"--version", "before", "--scenario", "double-completion"}, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := playCLI(t, c.input, c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not say %q", stderr, c.want)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "dio-sim: ") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
		})
	}
}

// TestPlayAfterRefuses replays the moves of the double completion on
// after: the moves stop matching (the code is different), and from every
// state the learner reaches on the way the exhaustive hint agrees with the
// plain search on exactly-once.
func TestPlayAfterRefuses(t *testing.T) {
	tr := loadTrace(t, dcTrace)
	mod, _ := model.Lookup("after")
	sc := tr.Scenario
	s := mod.Init(&sc)
	applied := 0
	for _, st := range tr.Steps {
		a := -1
		for i := range s.Actors {
			if model.ActorName(s, i) == st.Actor {
				a = i
			}
		}
		if a < 0 || !mod.Enabled(s, a) {
			break
		}
		choice := -1
		for k := 0; k < mod.Outcomes(s, a); k++ {
			name := mod.OutcomeName(s, a, k)
			if name == "" {
				name = "-"
			}
			if name == st.Outcome {
				choice = k
			}
		}
		if choice < 0 {
			break
		}
		mod.Apply(s, model.Move{Actor: a, Choice: choice})
		applied++
		if s.Reqs[0].Facts.Deliveries > 1 {
			t.Fatalf("after: the before moves gave a double completion at move %d", applied)
		}
	}
	if applied == len(tr.Steps) {
		t.Fatalf("after accepted every move of the before trace")
	}
}

// TestAfterNoDoubleCompletion backs the tutorial: no state reachable in the
// double-completion scenario on after has the iocb completed twice, while
// on before some do.
func TestAfterNoDoubleCompletion(t *testing.T) {
	cases := []struct {
		version string
		double  bool
	}{
		{"before", true},
		{"after", false},
	}
	for _, c := range cases {
		m, _ := model.Lookup(c.version)
		n, err := diosimLookup("double-completion")
		if err != nil {
			t.Fatal(err)
		}
		s0 := m.Init(&n)
		seen := map[string]bool{string(s0.Encode(nil)): true}
		queue := []*sim.State{s0}
		double := false
		for len(queue) > 0 {
			s := queue[0]
			queue = queue[1:]
			double = double || s.Reqs[0].Facts.Deliveries > 1
			for _, mv := range m.Moves(s, nil) {
				c := s.Clone()
				m.Apply(c, mv)
				if k := string(c.Encode(nil)); !seen[k] {
					seen[k] = true
					queue = append(queue, c)
				}
			}
		}
		if double != c.double {
			t.Errorf("%s: a double completion is reachable: %v, want %v (%d states)", c.version, double, c.double, len(seen))
		}
	}
}

func diosimLookup(name string) (sim.Scenario, error) {
	n, err := diosim.Lookup(name)
	if err != nil {
		return sim.Scenario{}, err
	}
	return n.Scenario, nil
}

// TestPlayInteractive: typed at a terminal, a bad move is reported and the
// game goes on (the prompt is not followed by an echo of the input).
func TestPlayInteractive(t *testing.T) {
	m, _ := model.Lookup("before")
	sc, err := diosimLookup("double-completion")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	g := &game{m: m, sc: sc, out: bufio.NewWriter(&out), scripted: false, width: 100}
	code, err := g.play(strings.NewReader("bio7\nsubmitter\nquit\n"))
	g.out.Flush()
	if err != nil || code != 0 {
		t.Fatalf("exit %d, %v", code, err)
	}
	for _, want := range []string{"play> error: play: unknown actor \"bio7\"", "play> move 1: submitter at", "play> bye: 1 moves played"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
