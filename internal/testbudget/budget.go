// Package testbudget tells the tests how much work they may do.
//
// Plain `go test ./...` must finish in about two minutes on two idle cores
// and stay under the per-package timeout even on a machine five times
// slower, with -race as well. The long campaigns (every version in every
// search, thousands of rapid checks, the full fuzz-style sweeps) run only
// when the environment variable DIOSIM_LONG is set to 1:
//
//	DIOSIM_LONG=1 go test -timeout 60m ./...
//
// Tests call Long to choose their budget, and Race to shrink it further
// when the race detector (which slows the code down 5 to 20 times) is on.
package testbudget

import (
	"flag"
	"os"
	"testing"
)

// EnvLong is the environment variable that turns the long campaigns on.
const EnvLong = "DIOSIM_LONG"

// Long reports whether the long campaigns are asked for (DIOSIM_LONG=1).
func Long() bool { return os.Getenv(EnvLong) == "1" }

// Race reports whether the test binary was built with -race.
func Race() bool { return raceEnabled }

// SkipUnlessLong skips t unless the long campaigns are asked for.
func SkipUnlessLong(t testing.TB, what string) {
	t.Helper()
	if !Long() {
		t.Skipf("%s: a long campaign; set %s=1 to run it", what, EnvLong)
	}
}

// Pick returns long when the long campaigns are asked for, else race
// under the race detector or with -short, else normal.
func Pick[T any](normal, race, long T) T {
	switch {
	case Long():
		return long
	case Race() || testing.Short():
		return race
	}
	return normal
}

// FuzzMinimizeDefault is the -test.fuzzminimizetime that SetFuzzDefaults
// gives when the command line gives none. Go's default (60s) spends a
// minute minimizing every new interesting input: with the structured
// inputs here (a rapid bitstream, a certificate, a trace) almost no
// removal keeps the input meaningful, so the fuzzer would run a few
// inputs a minute.
const FuzzMinimizeDefault = "20x"

// SetFuzzDefaults sets -test.fuzzminimizetime to FuzzMinimizeDefault
// unless the command line set it. Call it from TestMain after flag.Parse.
func SetFuzzDefaults() {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.fuzzminimizetime" })
	if !set && flag.Lookup("test.fuzzminimizetime") != nil {
		_ = flag.Set("test.fuzzminimizetime", FuzzMinimizeDefault)
	}
}

// Run is the body of a package's TestMain: it parses the flags, sets the
// fuzzing defaults (SetFuzzDefaults) and runs the tests, returning the
// exit code for os.Exit.
func Run(m *testing.M) int {
	flag.Parse()
	SetFuzzDefaults()
	return m.Run()
}
