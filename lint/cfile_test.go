package lint

import (
	"reflect"
	"sort"
	"testing"
)

// sample is a small C file written for these tests.
const sample = `/*
 * A sample: queue_push(q) in a comment is not a definition.
 */
#include "queue.h"

int queue_push(struct queue *q, int v);

#define QUEUE_EMPTY(q) \
	((q)->count == 0)

static int
queue_push(struct queue *q, int v)
{
	if (q->count == q->cap) {
		log_msg("full {"); /* a brace in a string */
		return -1;
	}
	q->slot[q->count++] = v;	// store
	return 0;
}
EXPORT_SYMBOL(queue_push);

static inline int queue_len(struct queue *q) { return q->count; }

STATIC int
queue_pop(
	struct queue	*q,
	int		*out)
{
#ifdef QUEUE_DEBUG
	if (q->count == 0) {
#else
	if (!q->count) {
#endif
		return -1;
	}
	*out = q->slot[--q->count];
	return 0;
}

int (*queue_hook)(struct queue *q) = queue_len;

SYSCALL_DEFINE2(qctl, int, cmd, long, arg)
{
	return queue_ctl(cmd, arg);
}
`

func TestFuncExtents(t *testing.T) {
	f := ParseFile(sample)
	cases := []struct {
		name string
		want []Extent
	}{
		{"queue_push", []Extent{{Start: 11, Name: 12, End: 20}}},
		{"queue_len", []Extent{{Start: 23, Name: 23, End: 23}}},
		{"queue_pop", []Extent{{Start: 25, Name: 26, End: 39}}},
		{"QUEUE_EMPTY", []Extent{{Start: 8, Name: 8, End: 9}}},
		{"sys_qctl", []Extent{{Start: 43, Name: 43, End: 46}}},
		{"qctl", []Extent{{Start: 43, Name: 43, End: 46}}},
		{"queue_hook", nil}, // a variable, not a function
		{"queue_ctl", nil},  // only called
		{"queue", nil},      // a struct tag
		{"log_msg", nil},
	}
	for _, c := range cases {
		if got := f.FuncExtents(c.name); !reflect.DeepEqual(got, c.want) {
			t.Errorf("FuncExtents(%q) = %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestParseFileComments(t *testing.T) {
	f := ParseFile(sample)
	if f.NumLines() != 46 {
		t.Fatalf("NumLines = %d, want 46", f.NumLines())
	}
	if f.HasCode(1, 3) {
		t.Error("lines 1-3 are a comment, HasCode says code")
	}
	if !f.HasCode(3, 4) {
		t.Error("line 4 is an #include, HasCode says no code")
	}
	if f.HasCode(5, 5) {
		t.Error("line 5 is blank, HasCode says code")
	}
	got := keys(f.Idents(15, 15))
	want := []string{"log_msg"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Idents(15) = %q, want %q (comment text must not count, a string's words neither)", got, want)
	}
	got = keys(f.Idents(18, 18))
	want = []string{"count", "q", "slot", "v"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Idents(18) = %q, want %q", got, want)
	}
}

func TestParseFileStringsAndCRLF(t *testing.T) {
	f := ParseFile("a = \"/* no\"; b_x = 1; /* c_y\r\n d_z */ e_w = '\"';\r\n")
	if got, want := keys(f.Idents(1, 2)), []string{"a", "b_x", "e_w"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Idents = %q, want %q", got, want)
	}
}

func TestCodeIdentsSkipsNumbers(t *testing.T) {
	if got, want := codeIdents("x = 0x1fUL + 10 + y2;"), []string{"x", "y2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("codeIdents = %q, want %q", got, want)
	}
}

func keys(m map[string]bool) []string {
	out := []string{}
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
