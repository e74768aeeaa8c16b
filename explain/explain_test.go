package explain

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

const dcTrace = "../testdata/traces/commit-message/before-double-completion-exactly-once.trace"

func load(t *testing.T, path string) *scheduler.Trace {
	t.Helper()
	tr, err := scheduler.ReadTraceFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

var stories = map[string]*Story{}

// story returns the story of the trace at path (built once per test
// binary: the tests only read it).
func story(t *testing.T, path string) *Story {
	t.Helper()
	if st, ok := stories[path]; ok {
		return st
	}
	st, err := New(load(t, path))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	stories[path] = st
	return st
}

func allTraces(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../testdata/traces/*/*.trace")
	if err != nil || len(files) == 0 {
		t.Fatalf("no committed traces: %v", err)
	}
	return files
}

// stepsWhere returns the numbers of the trace's steps whose state change
// matches re (read from the trace file, independently of the story).
func stepsWhere(tr *scheduler.Trace, re string) []int {
	r := regexp.MustCompile(re)
	var out []int
	for _, s := range tr.Steps {
		if r.MatchString(s.Changes) {
			out = append(out, s.N)
		}
	}
	return out
}

func stepsWithText(tr *scheduler.Trace, sub string) []int {
	var out []int
	for _, s := range tr.Steps {
		if strings.Contains(s.Text, sub) {
			out = append(out, s.N)
		}
	}
	return out
}

var stepRefRe = regexp.MustCompile(`step (\d+)`)

// TestAccountsOfCommittedTraces explains every committed trace and checks
// the general promises of an account: one per violation, in order; every
// step it names exists and is listed in Cited; and the focused accounts
// (not the generic one) for the properties that have one.
func TestAccountsOfCommittedTraces(t *testing.T) {
	focused := map[properties.ID]bool{properties.ExactlyOnce: true, properties.OnlyAfterQueued: true, properties.NoHang: true,
		properties.IsizeVisible: true, properties.DioLifetime: true, properties.ObjectLifetime: true, properties.ResultValue: true}
	for _, path := range allTraces(t) {
		st := story(t, path)
		if len(st.Accounts) != len(st.Trace.Violations) {
			t.Errorf("%s: %d accounts for %d violations", path, len(st.Accounts), len(st.Trace.Violations))
			continue
		}
		for i, a := range st.Accounts {
			v := st.Trace.Violations[i]
			if a.Prop != v.Prop || a.Step != v.Step || a.Message != v.Msg {
				t.Errorf("%s: account %d is of %s@%d, the violation %s@%d", path, i, a.Prop, a.Step, v.Prop, v.Step)
			}
			if len(a.Lines) < 2 {
				t.Errorf("%s: %s: account too short: %q", path, a.Prop, a.Lines)
			}
			cited := map[int]bool{}
			for _, n := range a.Cited {
				cited[n] = true
				if n < 1 || n > len(st.Steps) {
					t.Errorf("%s: %s cites step %d of %d", path, a.Prop, n, len(st.Steps))
				}
			}
			for _, l := range a.Lines {
				for _, m := range stepRefRe.FindAllStringSubmatch(l, -1) {
					if n, _ := strconv.Atoi(m[1]); !cited[n] {
						t.Errorf("%s: %s names step %d but does not cite it", path, a.Prop, n)
					}
				}
			}
			generic := strings.HasPrefix(a.Lines[0], "The property broke at") || strings.HasPrefix(a.Lines[0], "The run ended after")
			if focused[a.Prop] && generic {
				t.Errorf("%s: %s got the generic account:\n%s", path, a.Prop, strings.Join(a.Lines, "\n"))
			}
		}
	}
}

// TestFocusedAccounts checks, on every committed trace, that each focused
// account names the steps that the trace file itself shows set the
// violation up.
func TestFocusedAccounts(t *testing.T) {
	checks := []struct {
		name  string
		match func(a Account) bool
		check func(t *testing.T, tr *scheduler.Trace, a Account)
	}{
		{"double completion names both completions, the fault and the last reference", func(a Account) bool {
			return a.Prop == properties.ExactlyOnce && strings.Contains(a.Message, "2 times")
		}, func(t *testing.T, tr *scheduler.Trace, a Account) {
			deliveries := stepsWhere(tr, `aio_complete\.calls: \d+->\d+`)
			if len(deliveries) < 2 {
				t.Fatalf("the trace shows %d deliveries", len(deliveries))
			}
			text := strings.Join(a.Lines, "\n")
			for _, d := range deliveries[:2] {
				if !cites(a, d) {
					t.Errorf("does not cite delivery step %d", d)
				}
			}
			for _, f := range faultSteps(tr) {
				if strings.Contains(text, tr.Steps[f-1].Outcome) && !cites(a, f) {
					t.Errorf("names fault %s without its step %d", tr.Steps[f-1].Outcome, f)
				}
			}
			if !strings.Contains(text, "AIO core") || !strings.Contains(text, "Why") {
				t.Errorf("does not say which paths completed and why:\n%s", text)
			}
			if last := stepsWhere(tr, `dio\.refcount: 1->0`); len(last) > 0 && last[0] < deliveries[1] && !cites(a, last[0]) {
				t.Errorf("does not cite the step that dropped the last reference (%d)", last[0])
			}
		}},
		{"lost wake-up names the load, the store, the test and the decrement", func(a Account) bool {
			return a.Prop == properties.NoHang && strings.Contains(a.Message, "sleeps forever")
		}, func(t *testing.T, tr *scheduler.Trace, a Account) {
			stores := stepsWhere(tr, `dio\.waiter: NULL->submitter`)
			loads := stepsWithText(tr, "= !!dio->waiter")
			if len(stores) == 0 || len(loads) == 0 || loads[0] > stores[0] {
				return // not a lost wake-up on dio->waiter
			}
			text := strings.Join(a.Lines, "\n")
			if !strings.Contains(text, "lost wake-up") {
				t.Errorf("no lost wake-up:\n%s", text)
			}
			if !cites(a, loads[0]) || !cites(a, stores[len(stores)-1]) {
				t.Errorf("does not cite the load %d and the store %d: %v", loads[0], stores[len(stores)-1], a.Cited)
			}
			decs := stepsWhere(tr, `dio\.refcount: 2->1`)
			if len(decs) > 0 && !cites(a, decs[len(decs)-1]) {
				t.Errorf("does not cite the late decrement %d", decs[len(decs)-1])
			}
		}},
		{"stale i_size names the completion and the stat", func(a Account) bool {
			return a.Prop == properties.IsizeVisible
		}, func(t *testing.T, tr *scheduler.Trace, a Account) {
			c := stepsWhere(tr, `aio_complete\.calls: 0->1`)
			stat := stepsWhere(tr, `userspace\.stat_i_size`)
			if len(c) == 0 || len(stat) == 0 || !cites(a, c[0]) || !cites(a, stat[0]) {
				t.Errorf("cites %v; completion %v, stat %v", a.Cited, c, stat)
			}
		}},
		{"use after free names the free", func(a Account) bool {
			return strings.HasPrefix(a.Message, "use after free of the ")
		}, func(t *testing.T, tr *scheduler.Trace, a Account) {
			obj := strings.Fields(strings.TrimPrefix(a.Message, "use after free of the "))[0]
			frees := stepsWhere(tr, `mem\.`+obj+`: live->freed`)
			if len(frees) == 0 || !cites(a, frees[0]) {
				t.Errorf("frees %v, cited %v", frees, a.Cited)
			}
		}},
		{"leak names the allocation", func(a Account) bool {
			return strings.Contains(a.Message, "was never freed")
		}, func(t *testing.T, tr *scheduler.Trace, a Account) {
			allocs := stepsWhere(tr, `mem\.\w+: unallocated->live`)
			ok := false
			for _, n := range allocs {
				ok = ok || cites(a, n)
			}
			if !ok {
				t.Errorf("allocations %v, cited %v", allocs, a.Cited)
			}
		}},
	}
	seen := map[string]int{}
	for _, path := range allTraces(t) {
		st := story(t, path)
		for _, a := range st.Accounts {
			for _, c := range checks {
				if c.match(a) {
					seen[c.name]++
					t.Run(c.name+"/"+filepath.Base(path), func(t *testing.T) { c.check(t, st.Trace, a) })
				}
			}
		}
	}
	for _, c := range checks {
		if seen[c.name] == 0 {
			t.Errorf("no committed trace exercises %q", c.name)
		}
	}
}

func cites(a Account, n int) bool {
	for _, c := range a.Cited {
		if c == n {
			return true
		}
	}
	return false
}

func faultSteps(tr *scheduler.Trace) []int {
	var out []int
	for _, s := range tr.Steps {
		if s.Outcome != "-" && s.Outcome != "ok" {
			out = append(out, s.N)
		}
	}
	return out
}

// TestCommitMessageStory checks the story of the commit message's double
// completion in detail.
func TestCommitMessageStory(t *testing.T) {
	st := story(t, dcTrace)
	tr := st.Trace
	if got, want := len(st.Steps), len(tr.Steps); got != want {
		t.Fatalf("%d steps, want %d", got, want)
	}
	if strings.Join(st.Lanes, " ") != "submitter bio0" || strings.Join(st.Idle, " ") != "bio1 reaper" {
		t.Errorf("lanes %v, idle %v", st.Lanes, st.Idle)
	}
	for i, s := range st.Steps {
		if s.TraceStep.Changes != tr.Steps[i].Changes {
			t.Fatalf("step %d: changes %q, the trace says %q", s.N, s.TraceStep.Changes, tr.Steps[i].Changes)
		}
		var parts []string
		for _, c := range s.Changes {
			parts = append(parts, c.String())
		}
		if strings.Join(parts, ", ") != tr.Steps[i].Changes {
			t.Errorf("step %d: parsed changes %q, the trace says %q", s.N, parts, tr.Steps[i].Changes)
		}
	}
	var eo *Account
	for i := range st.Accounts {
		if st.Accounts[i].Prop == properties.ExactlyOnce {
			eo = &st.Accounts[i]
		}
	}
	if eo == nil {
		t.Fatal("no exactly-once account")
	}
	text := strings.Join(eo.Lines, "\n")
	for _, want := range []string{"aio_run_iocb", "dio_complete_aio", "-EFAULT", "4096", "gup:-EFAULT@block1", "dio.refcount: 1->0", "not -EIOCBQUEUED"} {
		if !strings.Contains(text, want) {
			t.Errorf("the account does not mention %q:\n%s", want, text)
		}
	}
	// Value and field access.
	if v, ok := st.Value(0, "dio.refcount"); !ok || v != "0" {
		t.Errorf("initial refcount %q %v", v, ok)
	}
	if _, ok := st.Value(1, "no.such.field"); ok {
		t.Error("an unknown field exists")
	}
}

// TestReads checks the probe that finds which steps read a piece of
// state, on steps whose statements say what they read.
func TestReads(t *testing.T) {
	st := story(t, "../testdata/traces/exhaustive/after-double-completion-no-hang--hang-asleep-forever--dio_await_one-io-schedule.trace")
	cases := []struct {
		text  string // a statement of the trace
		field string
		want  bool
	}{
		{"waiter_holds_ref = !!dio->waiter", "dio.waiter", true},
		{"waiter_holds_ref = !!dio->waiter", "dio.refcount", false},
		{"if wait_for_more_bios(dio): atomic_read(&dio->refcount) > 1 && dio->bio_list == NULL", "dio.refcount", true},
		{"set_current_state(TASK_UNINTERRUPTIBLE)", "dio.refcount", false},
		{"set_current_state(TASK_UNINTERRUPTIBLE)", "dio.waiter", false},
		{"dio_bio_submit: bio->bi_private = dio; atomic_inc(&dio->refcount)", "dio.refcount", false},
	}
	for _, c := range cases {
		ns := stepsWithText(st.Trace, c.text)
		if len(ns) == 0 {
			t.Errorf("no step %q", c.text)
			continue
		}
		got := len(st.readsFields(ns[0], []string{c.field})) > 0
		if got != c.want {
			t.Errorf("step %d (%s) reads %s: %v, want %v", ns[0], c.text, c.field, got, c.want)
		}
	}
}

func TestNewBadTrace(t *testing.T) {
	tr := load(t, dcTrace)
	tr.Steps[5].Outcome = "eio" // another run: a divergence
	if _, err := New(tr); err == nil || !strings.Contains(err.Error(), "diverges") {
		t.Errorf("an edited trace: %v", err)
	}
	tr = load(t, dcTrace)
	tr.Steps[5].Text += " (reworded)" // the same run, another annotation: drift
	if _, err := New(tr); err != nil {
		t.Errorf("a trace with a drifted annotation: %v", err)
	}
}

var ansiRe = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestWriteText(t *testing.T) {
	st := story(t, dcTrace)
	st.Name = "x.trace"
	for _, w := range []int{60, 100, 160} {
		for _, color := range []bool{false, true} {
			t.Run(fmt.Sprintf("width %d color %v", w, color), func(t *testing.T) {
				var b bytes.Buffer
				if err := st.WriteText(&b, Options{Width: w, Color: color}); err != nil {
					t.Fatal(err)
				}
				out := b.String()
				if has := strings.Contains(out, "\x1b["); has != color {
					t.Errorf("escape codes: %v, colour %v", has, color)
				}
				plain := ansiRe.ReplaceAllString(out, "")
				for i, l := range strings.Split(plain, "\n") {
					if len(l) > w {
						t.Errorf("line %d is %d columns wide (> %d): %q", i+1, len(l), w, l)
					}
				}
				for _, want := range []string{"dio-sim explain: x.trace", "What went wrong", "step  submitter", "!! exactly-once broke here", "gup:-EFAULT@block1", "=> dio.refcount: 1->2"} {
					if !strings.Contains(plain, want) && !strings.Contains(strings.Join(strings.Fields(plain), " "), want) {
						t.Errorf("output lacks %q", want)
					}
				}
			})
		}
	}
}

func TestWriteTextSource(t *testing.T) {
	st := story(t, dcTrace)
	dir := t.TempDir()
	// Made-up files long enough for every location of the trace but one:
	// fs/aio.c is missing, and the tree has both layouts.
	made := map[string]int{}
	for _, s := range st.Steps {
		if l, ok := ParseLocation(s.Loc); ok {
			key := filepath.Join(l.Version, l.Path)
			if l.Path == "mm/filemap.c" {
				key = l.Path
			}
			made[key] = max(made[key], l.Last+3)
		}
	}
	for p, n := range made {
		if strings.HasSuffix(p, "fs/aio.c") {
			continue
		}
		var b strings.Builder
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "made-up line %d of %s\n", i, filepath.Base(p))
		}
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := st.WriteText(&b, Options{Width: 120, Sources: NewSources(dir)}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if n := strings.Count(out, "no file for fs/aio.c@v2.6.20"); n != 1 {
		t.Errorf("the missing fs/aio.c is reported %d times, want once", n)
	}
	for _, want := range []string{">   267  made-up line 267 of direct-io.c", "    265  made-up line 265 of direct-io.c", "made-up line 1184 of filemap.c"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

func TestWrapIndent(t *testing.T) {
	cases := []struct {
		in     string
		width  int
		indent int
		want   []string
	}{
		{"a b c", 20, 0, []string{"a b c"}},
		{"aaaa bbbb cccc", 10, 0, []string{"aaaa bbbb", "cccc"}},
		{"  - aaaa bbbb cccc", 14, 4, []string{"  - aaaa bbbb", "    cccc"}},
		{"  - aaaa bbbb cccc", 8, 4, []string{"  - aaaa bbbb", "    cccc"}}, // widened to indent+10
		{"abcdefghijklmnopqrstuvwxyz", 12, 2, []string{"abcdefghijkl", "  mnopqrstuv", "  wxyz"}},
		{"", 10, 0, []string{""}},
	}
	for _, c := range cases {
		got := wrapIndent(c.in, c.width, c.indent)
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("wrapIndent(%q, %d, %d) = %q, want %q", c.in, c.width, c.indent, got, c.want)
		}
	}
}

// cleanTrace records a run of a plain AIO read of n blocks on after, where
// every bio completes (nothing breaks), taking the last enabled move each
// time so that the bios' completions interleave.
func cleanTrace(t *testing.T, n int) *scheduler.Trace {
	t.Helper()
	m, err := model.Lookup("after")
	if err != nil {
		t.Fatal(err)
	}
	sc := sim.Scenario{Name: "aio-read", Op: sim.Read, Blocks: n}
	s := m.Init(&sc)
	var moves []model.Move
	for {
		ms := m.Moves(s, nil)
		if len(ms) == 0 {
			break
		}
		mv := ms[len(ms)-1]
		m.Apply(s, mv)
		moves = append(moves, mv)
	}
	tr, _, err := scheduler.Record(m, &sc, 0, "test", moves)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// TestWriteTextManyLanes: with many actors the lanes narrow to fit the
// width, and a trace that breaks nothing says so and has no accounts.
func TestWriteTextManyLanes(t *testing.T) {
	st, err := New(cleanTrace(t, 8))
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Violations) != 0 || len(st.Accounts) != 0 {
		t.Fatalf("a clean run: %v", st.Violations)
	}
	if len(st.Lanes) != 10 {
		t.Fatalf("lanes %v, want the submitter, 8 bios and the reaper", st.Lanes)
	}
	for _, w := range []int{60, 100} {
		var b bytes.Buffer
		if err := st.WriteText(&b, Options{Width: w}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for i, l := range strings.Split(out, "\n") {
			if len(l) > w {
				t.Errorf("width %d: line %d is %d wide: %q", w, i+1, len(l), l)
			}
		}
		if !strings.Contains(out, "no property breaks in this trace") || strings.Contains(out, "What went wrong") {
			t.Errorf("width %d: a clean trace is not reported as clean", w)
		}
		// Ten lanes are too narrow for their names: they are labelled a, b, c, ...
		if !strings.Contains(out, "lanes: a=submitter, b=bio0,") || !strings.Contains(out, "step  a ") {
			t.Errorf("width %d: lane legend:\n%.600s", w, out)
		}
		// Every lane's steps start in its own column.
		col := map[string]int{}
		numbered := regexp.MustCompile(`^ *\d+  `)
		for _, l := range strings.Split(out, "\n") {
			if i := strings.IndexAny(l, "*!"); i > 0 && numbered.MatchString(l) {
				name := strings.Fields(l[i+1:])[0]
				if c, ok := col[name]; ok && c != i {
					t.Errorf("width %d: %s's steps start in columns %d and %d", w, name, c, i)
				}
				col[name] = i
			}
		}
		if len(col) != 10 {
			t.Errorf("width %d: steps found in %d lanes, want 10", w, len(col))
		}
	}
}
