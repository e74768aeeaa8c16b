package testbudget

import "testing"

func TestPick(t *testing.T) {
	cases := []struct {
		env  string
		want string
	}{
		{"1", "long"},
		{"", map[bool]string{true: "race", false: "normal"}[Race() || testing.Short()]},
		{"0", map[bool]string{true: "race", false: "normal"}[Race() || testing.Short()]},
	}
	for _, c := range cases {
		t.Setenv(EnvLong, c.env)
		if got := Pick("normal", "race", "long"); got != c.want {
			t.Errorf("%s=%q: got %s, want %s", EnvLong, c.env, got, c.want)
		}
	}
}
