package lint

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// qfile is lib/queue.c of the synthetic tree (lines numbered in the
// comments of this test, not in the file).
const qfile = `#include "queue.h"

static void
queue_grow(struct queue *q)
{
	q->cap *= 2;
	q->slot = resize(q->slot, q->cap);
}

int queue_push(struct queue *q, int v)
{
	spin_lock(&q->q_lock);
	if (q->count == q->cap)
		queue_grow(q);
	q->slot[q->count++] = v;
	spin_unlock(&q->q_lock);
	/* done */
	return 0;
}
`

// cfile is lib/core.c: a function in another file, for inlines and labels.
const cfile = `int core_run(struct queue *q)
{
	return queue_push(q, core_seed);
}
`

func tree() fstest.MapFS {
	return fstest.MapFS{
		"v1/lib/queue.c": {Data: []byte(qfile)},
		"v1/lib/core.c":  {Data: []byte(cfile)},
		"v1/MANIFEST":    {Data: []byte("lib/queue.c v1 0000\nlib/core.c v0 0000\n")},
		"v2/lib/queue.c": {Data: []byte(qfile)},
	}
}

func entry(fn string, line, end int, text string) Entry {
	return Entry{Version: "v1", Func: fn, File: "lib/queue.c", FileVersion: "v1", Line: line, End: end, Text: text}
}

func TestCheck(t *testing.T) {
	cases := []struct {
		name  string
		e     Entry
		kinds []Kind
		msg   string // a part of the first problem's message
	}{
		{"clean", entry("queue_push", 12, 12, "spin_lock(&q->q_lock)"), nil, ""},
		{"clean range with own name", entry("queue_push", 13, 15, "queue_push: if q->count == q->cap: queue_grow(q); store v"), nil, ""},
		{"names outside the lines", entry("queue_push", 15, 15, "q->slot[q->count++] = v; spin_unlock(&q->q_lock)"), []Kind{MissingNames}, "spin_unlock, q_lock"},
		{"missing lists the names", entry("queue_push", 12, 12, "spin_lock(&q->q_lock); q->count_max"), []Kind{MissingNames}, "count_max"},
		{"no file", Entry{Version: "v1", Func: "f", File: "lib/none.c", FileVersion: "v1", Line: 1, End: 1}, []Kind{NoFile}, "lib/none.c"},
		{"past the end", entry("queue_push", 19, 30, ""), []Kind{BadLines}, "has 19 lines"},
		{"reversed range", entry("queue_push", 14, 13, ""), []Kind{BadLines}, ""},
		{"comment only", entry("queue_push", 17, 17, ""), []Kind{NoCode}, ""},
		{"unknown function", entry("queue_pop", 12, 12, "spin_lock(&q->q_lock)"), []Kind{NoFunc}, "queue_pop is not defined"},
		{"outside the function", entry("queue_grow", 8, 12, "spin_lock(&q->q_lock)"), []Kind{OutsideFunc}, "lines 10-12 outside queue_grow (3-8)"},
		{"alternatives cover the range", entry("queue_grow/queue_push", 6, 12, "q->cap *= 2; spin_lock(&q->q_lock)"), nil, ""},
		{"blank lines between functions are not outside", entry("queue_grow/queue_push", 8, 10, ""), nil, ""},
		{"wrong file version", Entry{Version: "v1", Func: "core_run", File: "lib/core.c", FileVersion: "v1", Line: 3, End: 3, Text: "queue_push(q, core_seed)"}, []Kind{WrongVersion}, "the file of v0"},
		{"unlisted in manifest", Entry{Version: "v1", Func: "core_run", File: "lib/core.c", FileVersion: "v0", Line: 3, End: 3}, nil, ""},
		{"inline same file", withInlines(entry("queue_push", 14, 14, "queue_grow(q): q->cap *= 2; resize(q->slot)"), "queue_grow"), nil, ""},
		{"inline another file", withInlines(entry("queue_push", 14, 14, "queue_grow(q); core_seed"), "lib/core.c:core_run"), nil, ""},
		{"inline not found", withInlines(entry("queue_push", 14, 14, "queue_grow(q)"), "queue_shrink"), []Kind{BadInline}, "queue_shrink"},
		{"inline file not found", withInlines(entry("queue_push", 14, 14, "queue_grow(q)"), "lib/x.c:f"), []Kind{BadInline}, "lib/x.c"},
		{"text citation edge on a comment", entry("queue_push", 14, 14, "queue_grow(q) (lib/queue.c:16-17)"), []Kind{BadTextCite}, "without code"},
		{"label names a function of the version", entry("queue_grow", 6, 6, "core_run: q->cap *= 2"), nil, ""},
		{"label names nothing", entry("queue_grow", 6, 6, "core_walk: q->cap *= 2"), []Kind{MissingNames}, "core_walk"},
		{"text citation supplies names", entry("queue_push", 14, 14, "queue_grow(q), which sets q->cap and q->slot (lib/queue.c:6-7)"), nil, ""},
		{"text citation past the end", entry("queue_push", 14, 14, "queue_grow(q) (lib/queue.c:60-70)"), []Kind{BadTextCite}, "lib/queue.c:60-70"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rep, err := Check(tree(), []Entry{c.e})
			if err != nil {
				t.Fatal(err)
			}
			var kinds []Kind
			for _, p := range rep.Problems {
				kinds = append(kinds, p.Kind)
			}
			if !reflect.DeepEqual(kinds, c.kinds) {
				t.Fatalf("kinds = %v, want %v; problems %+v", kinds, c.kinds, rep.Problems)
			}
			if c.msg != "" && !strings.Contains(rep.Problems[0].Msg, c.msg) {
				t.Errorf("message %q does not say %q", rep.Problems[0].Msg, c.msg)
			}
			if rep.OK() != (len(c.kinds) == 0) {
				t.Errorf("OK() = %v with %d problems", rep.OK(), len(rep.Problems))
			}
		})
	}
}

// TestCheckFallback: a version without its own directory reads the file
// from the directory of the file version it cites.
func TestCheckFallback(t *testing.T) {
	entries := []Entry{
		entry("queue_push", 12, 12, "spin_lock"),
		{Version: "v3", Func: "queue_push", File: "lib/queue.c", FileVersion: "v2", Line: 12, End: 12, Text: "spin_lock(&q->q_lock)"},
	}
	rep, err := Check(tree(), entries)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("problems: %+v", rep.Problems)
	}
}

func withInlines(e Entry, in ...string) Entry {
	e.Inlines = in
	return e
}

func TestCheckCounts(t *testing.T) {
	entries := []Entry{
		entry("queue_push", 12, 12, "spin_lock(&q->q_lock)"),
		entry("queue_pop", 12, 12, "q->nothing_here"),
		{Version: "v1", File: "userspace", Func: "read", Text: "read(2)"},
		{Version: "v2", Func: "queue_push", File: "lib/queue.c", FileVersion: "v2", Line: 40, End: 41},
	}
	rep, err := Check(tree(), entries)
	if err != nil {
		t.Fatal(err)
	}
	want := []Count{
		{Version: "v1", Steps: 3, Skipped: 1, Clean: 1, Failing: 1, ByKind: map[Kind]int{NoFunc: 1, MissingNames: 1}},
		{Version: "v2", Steps: 1, Failing: 1, ByKind: map[Kind]int{BadLines: 1}},
	}
	if !reflect.DeepEqual(rep.Counts, want) {
		t.Errorf("Counts = %+v, want %+v", rep.Counts, want)
	}
	if got := rep.Problems[0].Entry; got != 1 {
		t.Errorf("first problem is of entry %d, want 1", got)
	}
	var buf bytes.Buffer
	if err := rep.WriteText(&buf, entries); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, s := range []string{
		"v1 lib/queue.c@v1:12 queue_pop\n",
		"    no-func: queue_pop is not defined in lib/queue.c\n",
		"    names: not in the cited lines: nothing_here\n",
		"v1: 3 steps, 2 checked, 1 clean, 1 with problems (no-func 1, names 1)\n",
		"v2: 1 steps, 1 checked, 0 clean, 1 with problems (bad-lines 1)\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
}

func TestCheckNoTrees(t *testing.T) {
	_, err := Check(fstest.MapFS{"other/x.c": {Data: []byte("")}}, []Entry{entry("f", 1, 1, "")})
	if !errors.Is(err, ErrNoTrees) {
		t.Errorf("err = %v, want ErrNoTrees", err)
	}
}

// TestCheckDeterministic: the same entries give the same report, byte for
// byte, whatever order map iteration takes.
func TestCheckDeterministic(t *testing.T) {
	entries := []Entry{
		entry("queue_push", 12, 16, "spin_lock(&q->q_lock); a_b; c_d; e_f; g_h; i_j; k_l"),
		entry("queue_grow", 3, 12, "q->zz_top"),
	}
	var first string
	for i := 0; i < 20; i++ {
		rep, err := Check(tree(), entries)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := rep.WriteText(&buf, entries); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.String()
		} else if buf.String() != first {
			t.Fatalf("run %d differs:\n%s\nvs\n%s", i, buf.String(), first)
		}
	}
}
