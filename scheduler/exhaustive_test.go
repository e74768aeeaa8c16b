package scheduler

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"diosim"
	"diosim/internal/testbudget"
	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// defaultSet is the default scenario set; under the race detector (5 to
// 20 times slower) every third scenario of it.
func defaultSet() []diosim.Named {
	set := diosim.DefaultSet()
	if !testbudget.Race() {
		return set
	}
	var out []diosim.Named
	for i := 0; i < len(set); i += 3 {
		out = append(out, set[i])
	}
	return out
}

func violatedSet(c *Certificate) string {
	var out []string
	for _, id := range properties.All {
		if c.Properties[string(id)].Verdict == "violated" {
			out = append(out, string(id))
		}
	}
	return strings.Join(out, ",")
}

// TestReductionsPreserveVerdicts: symmetry and partial-order reduction give
// the same verdict on every property, every version, every default
// scenario; symmetry alone keeps the counterexample lengths.
func TestReductionsPreserveVerdicts(t *testing.T) {
	for _, m := range model.Versions() {
		for _, n := range defaultSet() {
			sc := n.Scenario
			full, err := Exhaustive(m, &sc, ExhaustiveOptions{NoSymmetry: true, NoPOR: true})
			if err != nil {
				t.Fatal(err)
			}
			sym, _ := Exhaustive(m, &sc, ExhaustiveOptions{NoPOR: true})
			both, _ := Exhaustive(m, &sc, ExhaustiveOptions{})
			if !full.Complete || !sym.Complete || !both.Complete {
				t.Fatalf("%s %s: incomplete", m.Name, n.Name)
			}
			if a, b, c := violatedSet(full), violatedSet(sym), violatedSet(both); a != b || a != c {
				t.Errorf("%s %s: full %q, symmetry %q, symmetry+POR %q", m.Name, n.Name, a, b, c)
			}
			for id, v := range full.Properties {
				if sym.Properties[id].Length != v.Length {
					t.Errorf("%s %s %s: symmetry changed the shortest length %d -> %d", m.Name, n.Name, id, v.Length, sym.Properties[id].Length)
				}
			}
			if both.States > sym.States || sym.States > full.States {
				t.Errorf("%s %s: reductions grew the state space: %d, %d, %d", m.Name, n.Name, full.States, sym.States, both.States)
			}
		}
	}
}

// TestCounterexamplesReplay: every counterexample is a schedule that,
// replayed from the initial state, shows its violation at its last step.
func TestCounterexamplesReplay(t *testing.T) {
	for _, m := range model.Versions() {
		for _, n := range defaultSet() {
			sc := n.Scenario
			c, _ := Exhaustive(m, &sc, ExhaustiveOptions{})
			for id, v := range c.Properties {
				if v.Verdict != "violated" {
					continue
				}
				_, res, err := Record(m, &sc, 0, "exhaustive", v.Moves)
				if err != nil {
					t.Fatalf("%s %s %s: %v", m.Name, n.Name, id, err)
				}
				ok := false
				for _, rv := range res.Violations {
					if string(rv.Prop) == id && rv.Step == len(v.Moves) {
						ok = true
					}
				}
				if !ok {
					t.Errorf("%s %s %s: the counterexample shows %v", m.Name, n.Name, id, res.Violations)
				}
			}
		}
	}
}

// TestRandomAgreesWithExhaustive: on small scenarios, random runs find
// nothing the exhaustive search says cannot happen, and the exhaustive
// search finds every violation the random runs find.
func TestRandomAgreesWithExhaustive(t *testing.T) {
	for _, m := range model.Versions() {
		for _, n := range defaultSet() {
			sc := n.Scenario
			c, _ := Exhaustive(m, &sc, ExhaustiveOptions{})
			cr, err := RandomCampaign(m, &sc, 11, 1500, 0)
			if err != nil {
				t.Fatal(err)
			}
			for id := range cr.Found {
				if c.Properties[string(id)].Verdict != "violated" {
					t.Errorf("%s %s: random found %s, exhaustive says %s", m.Name, n.Name, id, c.Properties[string(id)].Verdict)
				}
				if f := cr.Found[id]; len(f.Moves) < c.Properties[string(id)].Length-countPrivateSlack {
					t.Errorf("%s %s %s: random found a shorter run (%d) than the breadth-first search (%d)", m.Name, n.Name, id, len(f.Moves), c.Properties[string(id)].Length)
				}
			}
			for _, id := range properties.All {
				if c.Properties[string(id)].Verdict == "holds" {
					if _, ok := cr.Found[id]; ok {
						t.Errorf("%s %s: exhaustive says %s holds, random violated it", m.Name, n.Name, id)
					}
				}
			}
		}
	}
}

// countPrivateSlack is how much longer a counterexample of the reduced
// search may be than the shortest run (it takes pending private steps first).
const countPrivateSlack = 4

func certJSON(t *testing.T, c *Certificate) string {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestWorkersAndShards: the certificate does not depend on the number of
// workers, and shards merged give the same verdicts and counterexamples.
func TestWorkersAndShards(t *testing.T) {
	cases := []struct {
		ver string
		sc  sim.Scenario
	}{
		{"v2.6.20", sim.Scenario{Op: sim.Read, Blocks: 6, Faults: sim.FaultSet(sim.FaultGUP)}},
		{"before", sim.Scenario{Op: sim.Read, Blocks: 4, Faults: sim.FaultSet(sim.FaultGUP | sim.FaultEIO)}},
		{"after", sim.Scenario{Op: sim.Write, Blocks: 3, OSync: true, Faults: sim.FaultSet(sim.FaultOSync | sim.FaultHole)}},
	}
	for _, c := range cases {
		m := mustModel(t, c.ver)
		sc := c.sc
		one, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int{2, 3, 8} {
			got, _ := Exhaustive(m, &sc, ExhaustiveOptions{Workers: w})
			if certJSON(t, got) != certJSON(t, one) {
				t.Errorf("%s %s: %d workers give another certificate", c.ver, sc, w)
			}
		}
		for _, n := range []int{2, 3, 5} {
			var shards []*Certificate
			for i := 0; i < n; i++ {
				s, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 2, Shard: i, Shards: n})
				if err != nil {
					t.Fatal(err)
				}
				shards = append(shards, s)
			}
			merged, err := MergeCertificates(shards)
			if err != nil {
				t.Fatal(err)
			}
			if !merged.Complete {
				t.Fatalf("%s: merged shards incomplete", c.ver)
			}
			for _, id := range properties.All {
				a, b := one.Properties[string(id)], merged.Properties[string(id)]
				if a.Verdict != b.Verdict || a.Length != b.Length || a.Key != b.Key || fmt.Sprint(a.Moves) != fmt.Sprint(b.Moves) {
					t.Errorf("%s %s %s (%d shards): single %s/%d, merged %s/%d", c.ver, sc, id, n, a.Verdict, a.Length, b.Verdict, b.Length)
				}
			}
		}
	}
}

func TestMergeRejects(t *testing.T) {
	m := mustModel(t, "after")
	sc := sim.Scenario{Op: sim.Read, Blocks: 3}
	s0, _ := Exhaustive(m, &sc, ExhaustiveOptions{Shard: 0, Shards: 2})
	s1, _ := Exhaustive(m, &sc, ExhaustiveOptions{Shard: 1, Shards: 2})
	whole, _ := Exhaustive(m, &sc, ExhaustiveOptions{})
	other := sim.Scenario{Op: sim.Read, Blocks: 4}
	o1, _ := Exhaustive(m, &other, ExhaustiveOptions{Shard: 1, Shards: 2})
	cases := []struct {
		certs []*Certificate
		want  string
	}{
		{nil, "no certificates"},
		{[]*Certificate{s0}, "missing shards: 1/2"},
		{[]*Certificate{s0, s0}, "given twice"},
		{[]*Certificate{s0, o1}, "another search"},
		{[]*Certificate{s0, whole}, "not one shard"},
	}
	for _, c := range cases {
		if _, err := MergeCertificates(c.certs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("merge: %v, want %q", err, c.want)
		}
	}
	if _, err := MergeCertificates([]*Certificate{s1, s0}); err != nil {
		t.Errorf("merge in any order: %v", err)
	}
}

// TestSameEncodingSameFuture: states with equal encodings (a state, its
// clone, its canonical form, a copy whose finished actors' locals and
// released bios' fields were scribbled on) have the same verdicts from
// there on, and the canonical form of a canonical state is itself.
func TestSameEncodingSameFuture(t *testing.T) {
	m := mustModel(t, "before")
	sc := sim.Scenario{Op: sim.Read, Blocks: 3, Faults: sim.FaultSet(sim.FaultGUP | sim.FaultEIO)}
	seeds := testbudget.Pick[uint64](15, 4, 40)
	for seed := uint64(0); seed < seeds; seed++ {
		res, err := Run(m, &sc, NewRandom(seed), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for cut := 5; cut < len(res.Moves); cut += 7 {
			s := m.Init(&sc)
			for _, mv := range res.Moves[:cut] {
				m.Apply(s, mv)
			}
			variant := s.Clone()
			for i := range variant.Actors {
				if variant.Actors[i].Done {
					variant.Actors[i].L.Remaining += 17
					variant.Actors[i].L.Tmp = -3
				}
			}
			for r := range variant.Reqs {
				bios := variant.Reqs[r].Bios
				for i := range bios {
					if bios[i].State == sim.BioEnded {
						bios[i].Uptodate = !bios[i].Uptodate
					}
				}
			}
			canon := s.Clone()
			canon.Canonicalize()
			again := canon.Clone()
			if again.Canonicalize() != nil {
				t.Fatalf("seed %d cut %d: canonicalizing a canonical state moved bios", seed, cut)
			}
			vc := variant.Clone()
			vc.Canonicalize()
			if string(vc.Encode(nil)) != string(canon.Encode(nil)) {
				t.Fatalf("seed %d cut %d: dead fields change the encoding", seed, cut)
			}
			want := futureOf(t, m, s)
			for name, st := range map[string]*sim.State{"variant": variant, "canonical": canon} {
				if got := futureOf(t, m, st); got != want {
					t.Errorf("seed %d cut %d: the %s state's future is %s, the state's is %s", seed, cut, name, got, want)
				}
			}
		}
	}
}

// futureOf summarises what can happen from s: the violated properties and
// their shortest distances, searched without any reduction.
func futureOf(t *testing.T, m *model.Model, s *sim.State) string {
	t.Helper()
	c, err := ExhaustiveFrom(m, s, ExhaustiveOptions{NoSymmetry: true, NoPOR: true, Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for id, v := range c.Properties {
		out = append(out, fmt.Sprintf("%s:%s:%d", id, v.Verdict, v.Length))
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func TestBounds(t *testing.T) {
	m := mustModel(t, "after")
	sc := sim.Scenario{Op: sim.Read, Blocks: 6, Faults: sim.FaultSet(sim.FaultGUP | sim.FaultEIO)}
	cases := []struct {
		opt  ExhaustiveOptions
		stop string
	}{
		{ExhaustiveOptions{MaxStates: 100}, "states"},
		{ExhaustiveOptions{MaxDepth: 10}, "depth"},
		{ExhaustiveOptions{MaxMemory: 1}, "memory"},
		{ExhaustiveOptions{Stop: closed()}, "interrupt"},
	}
	for _, c := range cases {
		cert, err := Exhaustive(m, &sc, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		if cert.Complete || cert.StoppedBy != c.stop {
			t.Errorf("%+v: complete %v stopped by %q", c.opt, cert.Complete, cert.StoppedBy)
		}
		for id, v := range cert.Properties {
			if v.Verdict == "holds" {
				t.Errorf("%s holds in an incomplete search", id)
			}
		}
	}
}

func closed() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}

// TestStateBoundWorkers: a state bound that falls inside a level stops
// the search at exactly that many states, with the same certificate
// (counts, violations recorded up to the bound) whatever the number of
// workers.
func TestStateBoundWorkers(t *testing.T) {
	cases := []struct {
		ver string
		sc  sim.Scenario
		max int64
	}{
		{"v2.6.20", sim.Scenario{Op: sim.Read, Blocks: 8, Faults: sim.FaultSet(sim.FaultGUP)}, 777},
		{"before", sim.Scenario{Op: sim.Read, Blocks: 4, Faults: sim.FaultSet(sim.FaultGUP | sim.FaultEIO)}, 1000},
		{"before", sim.Scenario{Op: sim.Read, Blocks: 4, Faults: sim.FaultSet(sim.FaultGUP | sim.FaultEIO)}, 1001},
	}
	for _, c := range cases {
		m := mustModel(t, c.ver)
		sc := c.sc
		one, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1, MaxStates: c.max})
		if err != nil {
			t.Fatal(err)
		}
		if one.States != c.max || one.StoppedBy != "states" {
			t.Fatalf("%s %s: %d states, stopped by %q; want %d, states", c.ver, sc, one.States, one.StoppedBy, c.max)
		}
		for _, w := range []int{2, 3} {
			got, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: w, MaxStates: c.max})
			if err != nil {
				t.Fatal(err)
			}
			if certJSON(t, got) != certJSON(t, one) {
				t.Errorf("%s %s, at most %d states: %d workers give another certificate", c.ver, sc, c.max, w)
			}
		}
	}
}

// TestAmpleMoves: the ample set the search finds without listing every
// move is the moves, among all the enabled ones (model.Moves), of the
// lowest actor whose next step is Private, on the first states of a
// one-iocb and a two-iocb scenario of every version.
func TestAmpleMoves(t *testing.T) {
	scs := []sim.Scenario{
		{Op: sim.Read, Blocks: 3, Faults: sim.FaultSet(sim.FaultGUP | sim.FaultEIO)},
		{Op: sim.Write, Blocks: 2, Iocbs: 2, Faults: sim.FaultSet(sim.FaultHole)},
	}
	withAmple, without := 0, 0
	for _, m := range model.Versions() {
		for _, sc := range scs {
			x := &search{m: m}
			queue := []*sim.State{m.Init(&sc)}
			var buf []model.Move
			for n := 0; n < 300 && len(queue) > 0; n++ {
				s := queue[0]
				queue = queue[1:]
				all := m.Moves(s, nil)
				var want []model.Move
				for i := 0; i < len(all) && want == nil; {
					j := i
					for j < len(all) && all[j].Actor == all[i].Actor {
						j++
					}
					if st := m.Next(s, all[i].Actor); st != nil && usablePrivate(st, s) {
						want = all[i:j]
					}
					i = j
				}
				buf = x.ampleMoves(s, buf)
				if fmt.Sprint(buf) != fmt.Sprint(want) && len(buf)+len(want) > 0 {
					t.Fatalf("%s %s, state %d: ampleMoves %v, want %v", m.Name, sc, n, buf, want)
				}
				if len(want) > 0 {
					withAmple++
				} else {
					without++
				}
				for _, mv := range all {
					c := s.Clone()
					m.Apply(c, mv)
					queue = append(queue, c)
				}
			}
		}
	}
	if withAmple == 0 || without == 0 {
		t.Errorf("%d states with an ample set, %d without: the test needs both", withAmple, without)
	}
}
