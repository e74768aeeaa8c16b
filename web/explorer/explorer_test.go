package explorer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"diosim/scheduler"
)

// TestHintAlongShortestPath follows the hint's first move from the start
// of the double-completion scenario on before: every move takes exactly
// one off the distance, and the last one breaks the property.
func TestHintAlongShortestPath(t *testing.T) {
	x, err := New("before", "double-completion")
	if err != nil {
		t.Fatal(err)
	}
	h, err := x.Hint("exactly-once", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h.Verdict != "violated" || !h.Complete || h.Length == 0 {
		t.Fatalf("hint from the start: %+v, want a complete search finding a violation", h)
	}
	for d := h.Length; d > 0; d-- {
		if err := x.Move(h.Actor, h.Choice, false); err != nil {
			t.Fatalf("%d moves from the violation: %v", d, err)
		}
		if h, err = x.Hint("exactly-once", 0, nil); err != nil {
			t.Fatal(err)
		}
		if h.Verdict != "violated" || h.Length != d-1 {
			t.Fatalf("after a hinted move the distance is %d (%s), want %d", h.Length, h.Verdict, d-1)
		}
	}
	v, err := x.View()
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Violations) == 0 || len(v.Accounts) == 0 {
		t.Fatalf("at the violation the view has %d violations and %d accounts", len(v.Violations), len(v.Accounts))
	}
	found := false
	for _, a := range v.Accounts {
		found = found || a.Prop == "exactly-once" && len(a.Lines) > 0
	}
	if !found {
		t.Errorf("no account of exactly-once: %+v", v.Accounts)
	}
}

// TestHintHolds: once the run has ended without breaking a property, the
// hint proves it cannot break any more.
func TestHintHolds(t *testing.T) {
	x, err := New("after", "aio-read")
	if err != nil {
		t.Fatal(err)
	}
	h, err := x.Hint("exactly-once", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h.Verdict != "holds" || !h.Complete || h.Actor != -1 {
		t.Errorf("exactly-once on after/aio-read: %+v, want holds", h)
	}
	h, err = x.Hint("exactly-once", 10, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h.Verdict != "not-found" || h.Complete || h.StoppedBy != "states" {
		t.Errorf("with a bound of 10 states: %+v, want not-found, stopped by states", h)
	}
}

func TestUndoRedoAuto(t *testing.T) {
	x, err := New("before", "double-completion")
	if err != nil {
		t.Fatal(err)
	}
	if n := x.AutoRun(); n == 0 {
		t.Fatal("no forced move at the start of double-completion")
	}
	forced := len(x.Moves())
	if len(x.m.Moves(x.s, nil)) < 2 {
		t.Fatalf("auto-run stopped at a state with %d moves", len(x.m.Moves(x.s, nil)))
	}
	v, _ := x.View()
	var a ActorView
	for _, a = range v.Actors {
		if a.Enabled {
			break
		}
	}
	if err := x.Move(a.ID, 0, true); err != nil {
		t.Fatal(err)
	}
	after := x.Moves()
	if !x.Undo() || len(x.Moves()) != forced {
		t.Fatalf("undo: %d moves, want %d", len(x.Moves()), forced)
	}
	if !x.Redo() || len(x.Moves()) != len(after) {
		t.Fatalf("redo: %d moves, want %d", len(x.Moves()), len(after))
	}
	if x.Redo() {
		t.Error("redo with nothing undone")
	}
	if err := x.Move(99, 0, false); err == nil {
		t.Error("a move of actor 99 was accepted")
	}
	x.Undo()
	x.Undo()
	if len(x.Moves()) != 0 || x.Undo() {
		t.Errorf("after undoing everything: %d moves", len(x.Moves()))
	}
}

func TestLinkRoundTrip(t *testing.T) {
	x, err := New("before", "double-completion")
	if err != nil {
		t.Fatal(err)
	}
	h, _ := x.Hint("exactly-once", 0, nil)
	for i := 0; i < h.Length-3; i++ {
		h, _ = x.Hint("exactly-once", 0, nil)
		x.Move(h.Actor, h.Choice, false)
	}
	link := x.Link()
	if !strings.Contains(link, "submitter*") || !strings.Contains(link, "~gup") {
		t.Errorf("link %q has no run-length or no outcome", link)
	}
	y, err := Open(link)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := EncodeMoves(x.m, &x.sc, x.Moves()), EncodeMoves(y.m, &y.sc, y.Moves()); a != b || len(y.Moves()) != len(x.Moves()) {
		t.Errorf("reopened link has moves %q, want %q", b, a)
	}
	for _, bad := range []string{"v=before", "v=nope&s=aio-read", "v=before&s=aio-read&m=bio0", "v=before&s=aio-read&m=submitter*x", "v=before&s=double-completion&m=submitter*20,submitter~nope"} {
		if _, err := Open(bad); err == nil {
			t.Errorf("Open(%q) accepted", bad)
		}
	}
}

func TestFromTrace(t *testing.T) {
	b, err := os.ReadFile("../../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	if err != nil {
		t.Fatal(err)
	}
	x, err := FromTrace(string(b))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := scheduler.ParseTrace(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Moves()) != len(tr.Steps) {
		t.Errorf("session from the trace has %d moves, the trace %d steps", len(x.Moves()), len(tr.Steps))
	}
	text, err := x.Trace()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := FromTrace(text); err != nil {
		t.Errorf("the session's own trace does not reopen: %v", err)
	}
	if _, err := FromTrace("not a trace"); err == nil {
		t.Error("FromTrace accepted garbage")
	}
}

// TestChallengesWinnable: each level that asks to break a property can be
// won within its budget (the shortest violation from the start fits), and
// the level that asks for a clean run has one that fits.
func TestChallengesWinnable(t *testing.T) {
	for _, c := range Challenges() {
		t.Run(c.ID, func(t *testing.T) {
			x, err := New(c.Version, c.Scenario)
			if err != nil {
				t.Fatal(err)
			}
			if c.Break {
				h, err := x.Hint(c.Prop, 0, nil)
				if err != nil {
					t.Fatal(err)
				}
				if h.Verdict != "violated" || h.Length > c.Budget {
					t.Errorf("%s on %s/%s: %s in %d moves, budget %d", c.Prop, c.Version, c.Scenario, h.Verdict, h.Length, c.Budget)
				}
				return
			}
			// A clean run: always the first move, the first outcome.
			for len(x.m.Moves(x.s, nil)) > 0 && len(x.Moves()) <= c.Budget {
				mv := x.m.Moves(x.s, nil)[0]
				x.Move(mv.Actor, mv.Choice, false)
			}
			v, err := x.View()
			if err != nil {
				t.Fatal(err)
			}
			if !v.Ended || v.N > c.Budget {
				t.Errorf("a first-move run takes %d moves (ended %v), budget %d", v.N, v.Ended, c.Budget)
			}
			for _, vi := range v.Violations {
				if vi.Prop == c.Prop {
					t.Errorf("a first-move run breaks %s", c.Prop)
				}
			}
		})
	}
}

func TestWhy(t *testing.T) {
	for _, sc := range []string{"double-completion", "two-aio-readers-gup"} {
		x, err := New("before", sc)
		if err != nil {
			t.Fatal(err)
		}
		v, err := x.View()
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range v.Actors {
			want := ""
			switch {
			case strings.HasPrefix(a.Name, "bio"):
				want = "its bio has not been submitted"
			case a.Name == "reaper":
				want = "waits in io_getevents for a completion event"
			}
			if a.Enabled != (want == "") || a.Why != want {
				t.Errorf("%s at the start of %s: enabled %v, why %q; want %q", a.Name, sc, a.Enabled, a.Why, want)
			}
		}
	}
}

// TestStepReads: every step the page shows says what shared state it read;
// the decisive step of after's lost wake-up (bio0 loads dio->waiter at
// fs/direct-io.c@after:279 before the submitter stores it) reads NULL.
func TestStepReads(t *testing.T) {
	files, _ := filepath.Glob("../../testdata/traces/exhaustive/after-aio-write-hole-no-hang*.trace")
	if len(files) == 0 {
		t.Fatal("no committed lost wake-up trace of after")
	}
	b, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	x, err := FromTrace(string(b))
	if err != nil {
		t.Fatal(err)
	}
	v, err := x.View()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range v.Steps {
		if s.Reads == nil {
			t.Fatalf("step %d has no reads list", s.N)
		}
		if s.Name == "bio0" && strings.Contains(s.Loc, "fs/direct-io.c@after:279") {
			for _, r := range s.Reads {
				if r.Field == "dio.waiter" && r.Val == "NULL" {
					found = true
				}
			}
		}
	}
	if !found {
		t.Error("no step of bio0 at fs/direct-io.c@after:279 reads dio.waiter = NULL")
	}
}
