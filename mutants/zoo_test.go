
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
