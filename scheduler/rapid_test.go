package scheduler_test

import (
	"flag"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"pgregory.net/rapid"

	"diosim"
	"diosim/internal/testbudget"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// zeros is a bitstream of zero draws, long enough for any run here.
var zeros = make([]byte, 8*8192)

// With every draw 0, a run keeps the actor that moved last while it can
// move, then goes on with the next enabled actor after it (round robin),
// and never lets a fault fire.
func TestRapidChooserZeros(t *testing.T) {
	for _, name := range []string{"double-completion", "stale-isize", "xfs-aio-write", "sync-read-faults"} {
		n, err := diosim.Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range model.Versions() {
			t.Run(name+"/"+m.Name, func(t *testing.T) {
				var got []model.Move
				rapid.MakeFuzz(func(rt *rapid.T) {
					res, err := scheduler.Run(m, &n.Scenario, &scheduler.RapidChooser{T: rt}, scheduler.Options{})
					if err != nil {
						rt.Fatal(err)
					}
					got = res.Moves
				})(t, zeros)
				// The same rule, by hand.
				s := m.Init(&n.Scenario)
				last := 0
				for i := 0; ; i++ {
					moves := m.Moves(s, nil)
					if len(moves) == 0 {
						if i != len(got) {
							t.Fatalf("the run took %d moves, the rule %d", len(got), i)
						}
						return
					}
					want := moves[0]
					for _, mv := range moves {
						if mv.Actor >= last {
							want = mv
							break
						}
					}
					if i >= len(got) || got[i] != want {
						t.Fatalf("move %d: got %v, want %v", i+1, got[i:], want)
					}
					m.Apply(s, want)
					last = want.Actor
				}
			})
		}
	}
}

// Every scenario RapidScenario draws is valid, zero draws give the
// simplest one, and every field takes every value.
func TestRapidScenario(t *testing.T) {
	rapid.MakeFuzz(func(rt *rapid.T) {
		if sc := scheduler.RapidScenario(rt, 4, 3); sc != (sim.Scenario{Op: sim.Read, Blocks: 1}) {
			t.Errorf("zero draws gave %s", sc)
		}
	})(t, zeros)
	seen := map[string]bool{}
	rapid.Check(t, func(rt *rapid.T) {
		sc := scheduler.RapidScenario(rt, 4, 3)
		if err := sc.Validate(); err != nil {
			rt.Fatalf("%s: %v", sc, err)
		}
		if sc.Blocks < 1 || sc.Blocks > 4 || sc.NumIocbs() > 3 {
			rt.Fatalf("out of range: %s", sc)
		}
		for _, f := range strings.Fields(sc.String()) {
			seen[f] = true
		}
		for _, f := range strings.Split(sc.Faults.String(), ",") {
			seen["fault="+f] = true
		}
	})
	for _, f := range []string{"op=read", "op=write", "mode=sync", "mode=async", "blocks=1", "blocks=4", "place=inside", "place=past-eof", "place=extend",
		"osync=true", "fs=xfs", "fs=generic", "iocbs=3", "fault=gup", "fault=getblock", "fault=hole", "fault=eio", "fault=osync", "fault=invalidate", "fault=none"} {
		if !seen[f] && !(f == "fault=none") {
			t.Errorf("never drew %s", f)
		}
	}
}

func TestFormatSchedule(t *testing.T) {
	m, _ := model.Lookup("before")
	sc := sim.Scenario{Op: sim.Read, Blocks: 1, Faults: sim.FaultSet(sim.FaultGUP)}
	s := m.Init(&sc)
	var moves []model.Move
	for len(moves) < 12 {
		mv := m.Moves(s, nil)
		pick := mv[len(mv)-1] // last actor, last outcome: the fault fires
		m.Apply(s, pick)
		moves = append(moves, pick)
	}
	out, err := scheduler.FormatSchedule(m, &sc, moves)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(moves) || lines[0] != "step 1: submitter - fs/aio.c@v2.6.20:1554-1580" || !strings.Contains(out, " gup:-EFAULT@block0 ") {
		t.Errorf("schedule:\n%s", out)
	}
	if _, err := scheduler.FormatSchedule(m, &sc, []model.Move{{Actor: 1}}); err == nil {
		t.Errorf("a move that is not enabled was formatted")
	}
}

func TestRapidTB(t *testing.T) {
	// No fail file (rapid would write testdata/rapid/x/x-*.fail here).
	old := flag.Lookup("rapid.nofailfile").Value.String()
	if err := flag.Set("rapid.nofailfile", "true"); err != nil {
		t.Fatal(err)
	}
	defer flag.Set("rapid.nofailfile", old)
	tb := &scheduler.RapidTB{TestName: "x"}
	rapid.Check(tb, func(rt *rapid.T) {
		if rapid.IntRange(0, 1000).Draw(rt, "n") > 10 {
			rt.Fatalf("too big")
		}
	})
	if !tb.Failed() || len(tb.Errors) == 0 || !strings.Contains(tb.Errors[0], "too big") {
		t.Fatalf("failed %t, errors %q", tb.Failed(), tb.Errors)
	}
	if tb.FailingSeed() == 0 {
		t.Errorf("no seed in %q", tb.Errors[0])
	}
}

func rapidFlags() map[string]string {
	out := map[string]string{}
	flag.VisitAll(func(f *flag.Flag) {
		if strings.HasPrefix(f.Name, "rapid.") {
			out[f.Name] = f.Value.String()
		}
	})
	return out
}

func TestRapidCampaign(t *testing.T) {
	cases := []struct {
		version, scenario string
		checks            int
		found, notFound   []properties.ID
	}{
		{"before", "double-completion", 300, []properties.ID{properties.ExactlyOnce, properties.OnlyAfterQueued, properties.DioLifetime, properties.NoBug, properties.ResultValue, properties.Linearizable}, []properties.ID{properties.IsizeVisible}},
		{"before", "stale-isize", 300, []properties.ID{properties.IsizeVisible, properties.Linearizable}, []properties.ID{properties.ExactlyOnce}},
		// The use after free needs a rare interleaving: found at run 657.
		{"v2.6.20", "aio-read", 1000, []properties.ID{properties.DioLifetime}, []properties.ID{properties.NoHang, properties.IsizeVisible, properties.Linearizable, properties.ExactlyOnce}},
	}
	for _, c := range cases {
		t.Run(c.version+"/"+c.scenario, func(t *testing.T) {
			m, _ := model.Lookup(c.version)
			n, _ := diosim.Lookup(c.scenario)
			sc := n.Scenario
			before := rapidFlags()
			cr, err := scheduler.RapidCampaign(m, &sc, 1, c.checks)
			if err != nil {
				t.Fatal(err)
			}
			if after := rapidFlags(); !reflect.DeepEqual(before, after) {
				t.Errorf("rapid flags changed: %v -> %v", before, after)
			}
			for _, id := range c.notFound {
				if f, ok := cr.Found[id]; ok {
					t.Errorf("found %s: %s", id, f.Msg)
				}
			}
			cert, err := scheduler.Exhaustive(m, &sc, scheduler.ExhaustiveOptions{NoPOR: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, id := range c.found {
				f, ok := cr.Found[id]
				if !ok {
					t.Errorf("%s not found", id)
					continue
				}
				tr, res, err := scheduler.Record(m, &sc, f.Seed, "rapid", f.Moves)
				if err != nil {
					t.Fatal(err)
				}
				if id == properties.Linearizable {
					if properties.CheckHistory(&sc, res.Final.History, res.Ended).OK {
						t.Errorf("linearizable: the schedule's history is linearizable")
					}
					continue
				}
				if !res.Has(id) || tr.Violations[len(tr.Violations)-1].Step != len(f.Moves) {
					t.Errorf("%s: replay shows %v at %d steps", id, tr.Violations, len(f.Moves))
				}
				// Shrunk: within 1.5x of the shortest (see properties/rapid_test.go).
				if best := cert.Properties[string(id)].Length; float64(len(f.Moves)) > 1.5*float64(best) {
					t.Errorf("%s: %d steps, the shortest has %d", id, len(f.Moves), best)
				}
			}
			// Deterministic for a seed (not rerun under the race detector).
			if testbudget.Race() {
				return
			}
			again, err := scheduler.RapidCampaign(m, &sc, 1, c.checks)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cr, again) {
				t.Errorf("two campaigns with seed 1 differ")
			}
		})
	}
}

// A rapid campaign on the commit message's scenario finds the double
// completion and shrinks it.
func ExampleRapidCampaign() {
	m, _ := model.Lookup("before")
	sc := sim.Scenario{Op: sim.Read, Blocks: 2, Faults: sim.FaultSet(sim.FaultGUP)}
	cr, err := scheduler.RapidCampaign(m, &sc, 1, 100)
	if err != nil {
		fmt.Println(err)
		return
	}
	f := cr.Found[properties.ExactlyOnce]
	tr, _, _ := scheduler.Record(m, &sc, f.Seed, "rapid", f.Moves)
	last := tr.Steps[len(tr.Steps)-1]
	fmt.Println(f.Msg)
	fmt.Println(last.Actor, last.Loc)
	// Output:
	// the iocb was completed 2 times (double completion): first with -EFAULT
	// bio0 fs/direct-io.c@before:267
}

// TestRapidCampaignIgnoresShort: a campaign gives the same result whether
// or not the test binary runs with -short (rapid runs a fifth of its
// checks under -short; the campaign makes up for it).
func TestRapidCampaignIgnoresShort(t *testing.T) {
	m, _ := model.Lookup("v2.6.20")
	n, _ := diosim.Lookup("aio-read")
	sc := n.Scenario
	old := flag.Lookup("test.short").Value.String()
	defer flag.Set("test.short", old)
	var res [2]*scheduler.CampaignResult
	for i, short := range []string{"false", "true"} {
		if err := flag.Set("test.short", short); err != nil {
			t.Fatal(err)
		}
		cr, err := scheduler.RapidCampaign(m, &sc, 1, 40)
		if err != nil {
			t.Fatal(err)
		}
		res[i] = cr
	}
	if res[0].Runs != res[1].Runs || !reflect.DeepEqual(res[0], res[1]) {
		t.Errorf("-short changes the campaign: %d runs without, %d with", res[0].Runs, res[1].Runs)
	}
}
