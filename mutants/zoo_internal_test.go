package mutants

import (
	"reflect"
	"testing"
)

// TestBugChanges: the kill criterion's second half, the bug signatures
// that appear or go, after the mutant's moved steps are renamed back.
func TestBugChanges(t *testing.T) {
	swap := &Mutant{sameStep: map[string]string{"f:a": "f:b", "f:b": "f:a"}}
	split := &Mutant{sameStep: map[string]string{"f:a-load": "f:a"}}
	for _, c := range []struct {
		name     string
		mu       *Mutant
		was, got []string
		want     []string
	}{
		{"same bugs", &Mutant{}, []string{"no-hang: x at f:a", "p: leak"}, []string{"no-hang: x at f:a", "p: leak"}, nil},
		{"a new bug behind a violated property", &Mutant{}, []string{"p: uaf at f:a"}, []string{"p: leak", "p: uaf at f:a"},
			[]string{"s: new bug: p: leak"}},
		{"a bug gone", &Mutant{}, []string{"p: leak", "p: uaf at f:a"}, []string{"p: uaf at f:a"}, []string{"s: bug gone: p: leak"}},
		{"a swap moves the statement, not the bug", swap, []string{"p: uaf at f:a"}, []string{"p: uaf at f:b"}, nil},
		{"a swap that makes a new bug at another step", swap, []string{"p: uaf at f:a"}, []string{"p: uaf at f:c"},
			[]string{"s: new bug: p: uaf at f:c", "s: bug gone: p: uaf at f:a"}},
		{"a split atomic's load is its step's first half", split, []string{"p: uaf at f:a"}, []string{"p: uaf at f:a", "p: uaf at f:a-load"}, nil},
	} {
		if got := bugChanges("s", c.was, c.mu.sameSigs(c.got)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestNoteFor: a rule without a version applies to every version, "V/"
// to V only, "V+/" to V and the releases descended from it.
func TestNoteFor(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"after/swap/dio_complete:up-alloc-sem+dio_complete:ret", true},
		{"v2.6.18/split-atomic/finished_one_bio:drop-count", true},
		{"before/split-atomic/finished_one_bio:drop-count", false},
		{"v2.6.20/drop-guard/dio_bio_end_aio:drop-ref", true},
		{"v2.6.21/drop-guard/dio_bio_end_aio:drop-ref", true}, // a release after v2.6.20
		{"after/drop-guard/dio_bio_end_aio:drop-ref", false},  // after is v2.6.20's parent
		{"after/remove-op/nothing:here", false},
		{"no-slash", false},
	} {
		if _, ok := NoteFor(c.name); ok != c.ok {
			t.Errorf("NoteFor(%q): ok %v, want %v", c.name, ok, c.ok)
		}
	}
}

func TestWithVerdict(t *testing.T) {
	for _, c := range []struct{ verdict, text, want string }{
		{"equivalent", "equivalent: the guard is always true", "equivalent: the guard is always true"},
		{"equivalent", "equivalent in the model: one step", "equivalent in the model: one step"},
		{"not equivalent", "a second task takes the lock", "not equivalent: a second task takes the lock"},
		{"not equivalent", "not equivalent: needs two tasks", "not equivalent: needs two tasks"},
	} {
		if got := withVerdict(c.verdict, c.text); got != c.want {
			t.Errorf("withVerdict(%q, %q) = %q, want %q", c.verdict, c.text, got, c.want)
		}
	}
}
