package scheduler

import (
	"strings"
	"testing"

	"diosim"
	"diosim/internal/testbudget"
	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// TestSeveralIocbs: scenarios with several iocbs run to the end on every
// version, exhaustively and at random, the searches agree, the
// certificate does not depend on the workers, and counterexamples replay.
// The plain run covers the fixed versions (the fastest searches);
// DIOSIM_LONG=1 covers every version with two worker counts.
func TestSeveralIocbs(t *testing.T) {
	versions := testbudget.Pick([]string{"after", "v2.6.20"}, []string{"after"}, []string{"v2.6.18", "before", "after", "v2.6.20"})
	for _, name := range []string{"two-aio-writers", "two-aio-readers-gup"} {
		var sc sim.Scenario
		if name == "two-aio-writers" {
			n, _ := diosim.Lookup("three-aio-writers")
			sc = n.Scenario
			sc.Name, sc.Iocbs = name, 2
		} else {
			// two-aio-readers-gup with one block per read: without
			// partial-order reduction (several iocbs) the 2-block version
			// takes half a minute per version.
			n, err := diosim.Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			sc = n.Scenario
			sc.Blocks = 1
		}
		for _, v := range versions {
			m := mustModel(t, v)
			c1, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1})
			if err != nil || !c1.Complete {
				t.Fatalf("%s %s: %v", m.Name, name, err)
			}
			if !c1.POR {
				t.Errorf("%s %s: partial-order reduction not used with several iocbs", m.Name, name)
			}
			if testbudget.Long() || name == "two-aio-writers" {
				c2, _ := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 3})
				if certJSON(t, c1) != certJSON(t, c2) {
					t.Errorf("%s %s: workers change the certificate", m.Name, name)
				}
			}
			cr, err := RandomCampaign(m, &sc, 5, 400, 0)
			if err != nil {
				t.Fatal(err)
			}
			for id := range cr.Found {
				if c1.Properties[string(id)].Verdict != "violated" {
					t.Errorf("%s %s: random found %s, exhaustive says %s", m.Name, name, id, c1.Properties[string(id)].Verdict)
				}
			}
			for _, id := range properties.All {
				v := c1.Properties[string(id)]
				if v.Verdict != "violated" {
					continue
				}
				tr, res, err := Record(m, &sc, 0, "exhaustive", v.Moves)
				if err != nil || !res.Has(id) {
					t.Errorf("%s %s %s: counterexample does not replay: %v %v", m.Name, name, id, err, res.Violations)
					continue
				}
				var b strings.Builder
				if err := tr.Write(&b); err != nil {
					t.Fatal(err)
				}
				parsed, err := ParseTrace(strings.NewReader(b.String()))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := Replay(parsed); err != nil {
					t.Errorf("%s %s %s: %v", m.Name, name, id, err)
				}
			}
		}
	}
}

// TestIocbsStaleSize: with two writers, the last extending the file,
// before still completes an extending write before its i_size update, and
// after does not.
func TestIocbsStaleSize(t *testing.T) {
	n, _ := diosim.Lookup("three-aio-writers")
	sc := n.Scenario
	sc.Iocbs = 2
	cases := map[string]string{"before": "violated", "v2.6.18": "violated", "after": "holds", "v2.6.20": "holds"}
	if testbudget.Race() {
		// The two searches that find the violation take most of the time
		// (the plain run has them).
		delete(cases, "v2.6.18")
		delete(cases, "before")
	}
	for ver, want := range cases {
		c, _ := Exhaustive(mustModel(t, ver), &sc, ExhaustiveOptions{})
		if got := c.Properties[string(properties.IsizeVisible)].Verdict; got != want {
			t.Errorf("%s: isize-visible %s, want %s", ver, got, want)
		}
	}
}

// TestThreeIocbsRandom: the scenarios with three iocbs run to the end on
// every version at random, and every trace they give replays.
func TestThreeIocbsRandom(t *testing.T) {
	for _, name := range []string{"three-aio-writers", "three-xfs-writers"} {
		n, _ := diosim.Lookup(name)
		sc := n.Scenario
		for _, m := range model.Versions() {
			cr, err := RandomCampaign(m, &sc, 9, 300, 0)
			if err != nil {
				t.Fatalf("%s %s: %v", m.Name, name, err)
			}
			for id, f := range cr.Found {
				if _, res, err := Record(m, &sc, f.Seed, "random", f.Moves); err != nil || !res.Has(id) {
					t.Errorf("%s %s %s: does not replay: %v", m.Name, name, id, err)
				}
			}
		}
	}
}

// TestThreeIocbsLinearizable: with three iocbs in flight and the reaper
// observing after each completion, the histories are checked for
// linearizability on every version: before and v2.6.18 show the stale
// i_size to userspace, every version shows XFS data read back before its
// unwritten extents are converted, and after keeps three generic writers
// linearizable.
func TestThreeIocbsLinearizable(t *testing.T) {
	cases := []struct {
		scenario, version string
		want              bool
	}{
		{"three-aio-writers", "v2.6.18", true},
		{"three-aio-writers", "before", true},
		{"three-aio-writers", "after", false},
		{"three-aio-writers", "v2.6.20", false},
		{"three-xfs-writers", "v2.6.18", true},
		{"three-xfs-writers", "before", true},
		{"three-xfs-writers", "after", true},
		{"three-xfs-writers", "v2.6.20", true},
	}
	if testbudget.Race() {
		cases = cases[1:3] // one version that breaks, one that does not
	}
	for _, c := range cases {
		n, _ := diosim.Lookup(c.scenario)
		sc := n.Scenario
		cr, err := RandomCampaign(mustModel(t, c.version), &sc, 21, 1000, 0)
		if err != nil {
			t.Fatal(err)
		}
		f, got := cr.Found[properties.Linearizable]
		if got != c.want {
			t.Errorf("%s on %s: linearizable violated %v, want %v", c.scenario, c.version, got, c.want)
		}
		if got && !strings.Contains(f.Msg, "not linearizable") && !strings.Contains(f.Msg, "malformed") {
			t.Errorf("%s on %s: message %q", c.scenario, c.version, f.Msg)
		}
	}
}
