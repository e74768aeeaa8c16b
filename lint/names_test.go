package lint

import (
	"fmt"
	"reflect"
	"testing"
)

func idents(ns []Name) []string {
	out := []string{}
	for _, n := range ns {
		s := n.Ident
		if n.Label {
			s += ":"
		}
		out = append(out, s)
	}
	return out
}

func TestNames(t *testing.T) {
	cases := []struct {
		name string
		text string
		want []string // a trailing ":" marks a label
	}{
		{"underscore", "the queue_len grows", []string{"queue_len"}},
		{"call", "kfree(obj) releases it", []string{"kfree"}},
		{"call needs no blank", "wait (a while) here", []string{}},
		{"arrow chain", "ctx->req->rq_pos = 0", []string{"ctx", "req", "rq_pos"}},
		{"address of member", "lock(&ctx->guard)", []string{"lock", "ctx", "guard"}},
		{"dot member", "the value of hdr.b_len", []string{"hdr", "b_len"}},
		{"sentence dot is not a member", "It ends. Then more", []string{}},
		{"constant", "ret = -EAGAIN when mode == READ", []string{"EAGAIN", "READ"}},
		{"short capitals are words", "an IO at EOF with AIO and XFS", []string{}},
		{"keywords", "if (x) while (y) return sizeof(z)", []string{}},
		{"label", "my_func: queue_len++", []string{"my_func:", "queue_len"}},
		{"label and use", "my_func: call my_func(x) again", []string{"my_func"}},
		{"not a label", "a::b_c and done_flag:1", []string{"b_c"}},
		{"file names", "see lib/foo_bar.c and inc/x_y.h", []string{}},
		{"citation", "as in (lib/foo_bar.c:12-20) and lib/q.c@v1.2:7", []string{}},
		{"bare citation", "same as after:165-180 there", []string{}},
		{"man page", "read(2)/write(2) return", []string{}},
		{"numbers", "0x1f_ff and 10UL", []string{}},
		{"alternatives", "do_one/do_two(x)", []string{"do_one", "do_two"}},
		{"each once in order", "b_x a_y b_x", []string{"b_x", "a_y"}},
		{"lone underscores", "__ and _", []string{}},
		{"ternary", "fn = async ? end_async : end_sync", []string{"end_async", "end_sync"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := idents(Names(c.text)); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Names(%q) = %q, want %q", c.text, got, c.want)
			}
		})
	}
}

func TestTextCites(t *testing.T) {
	cases := []struct {
		text string
		want []Cite
	}{
		{"x (lib/a.c:12-20) y", []Cite{{File: "lib/a.c", Line: 12, End: 20}}},
		{"lib/a.c@v1:7 and b.h:3", []Cite{{File: "lib/a.c", Ver: "v1", Line: 7, End: 7}, {File: "b.h", Line: 3, End: 3}}},
		{"lib/a.c alone is no citation", nil},
	}
	for _, c := range cases {
		if got := TextCites(c.text); !reflect.DeepEqual(got, c.want) {
			t.Errorf("TextCites(%q) = %+v, want %+v", c.text, got, c.want)
		}
	}
}

func ExampleNames() {
	for _, n := range Names("push_one: lock(&q->q_lock); q->count++ (see lib/queue.c:40-44); return EAGAIN") {
		fmt.Println(n.Ident, n.Label)
	}
	// Output:
	// push_one true
	// lock false
	// q false
	// q_lock false
	// count false
	// EAGAIN false
}
