package scheduler

import (
	"errors"
	"strings"
	"testing"

	"diosim"
	"diosim/model"
	"diosim/properties"
)

// spinner is v2.6.18 with the end of direct_io_worker's async wait loop
// made a loop of its own: once an async write's bios are all done
// (bio_count == 0) the submitter runs spin_unlock_irqrestore's step again
// and again, holding bio_lock, and never frees the dio or returns (the
// shape of the zoo's mutant
// v2.6.18/swap/direct_io_worker:async-wait-relock+direct_io_worker:async-wait-unlock).
func spinner(t *testing.T) *model.Model {
	t.Helper()
	d := stepOf(t, "v2.6.18", "direct_io_worker:async-wait-unlock")
	d.Do = func(c *model.Ctx) { c.SetNextPC(int(c.Act.PC)) }
	return registerTest(t, model.Version{Name: "v2.6.18+test-spin", Parent: "v2.6.18", Patch: &model.Patch{
		Title: "test: the async wait's exit spins forever", Edits: []model.Edit{{Op: model.Replace, Step: d.ID, With: []model.StepDef{d}}}}})
}

func livelockOf(c *Certificate) *Bug {
	for i := range c.Bugs {
		if c.Bugs[i].Kind == properties.KindLivelock {
			return &c.Bugs[i]
		}
	}
	return nil
}

// TestLivelock: the exhaustive search reports a state from which no run
// can end as a no-hang violation, with and without the reductions, with a
// lasso that replays (Record, VerifyCounterexample) to the same verdict;
// where the spin can still end (the parent) there is no livelock.
func TestLivelock(t *testing.T) {
	n, err := diosim.Lookup("aio-write-hole")
	if err != nil {
		t.Fatal(err)
	}
	sc := n.Scenario
	m := spinner(t)
	for _, tc := range []struct {
		name string
		opt  ExhaustiveOptions
	}{
		{"reduced", ExhaustiveOptions{Workers: 2}},
		{"full", ExhaustiveOptions{Workers: 1, NoSymmetry: true, NoPOR: true}},
		{"shards", ExhaustiveOptions{Workers: 1, Shards: 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var certs []*Certificate
			shards := max(1, tc.opt.Shards)
			for i := 0; i < shards; i++ {
				opt := tc.opt
				opt.Shard = i
				c, err := Exhaustive(m, &sc, opt)
				if err != nil {
					t.Fatal(err)
				}
				certs = append(certs, c)
			}
			c := certs[0]
			if shards > 1 {
				if c, err = MergeCertificates(certs); err != nil {
					t.Fatal(err)
				}
			}
			b := livelockOf(c)
			if b == nil {
				t.Fatalf("no livelock found; bugs: %v", c.Bugs)
			}
			if b.Prop != properties.NoHang || b.StepID != "direct_io_worker:async-wait-unlock" {
				t.Errorf("livelock signature %v", b.Signature)
			}
			if !strings.Contains(b.Message, "one step back to the same state (submitter direct_io_worker:async-wait-unlock)") {
				t.Errorf("message %q does not show the cycle", b.Message)
			}
			if err := VerifyCounterexample(m, &sc, properties.NoHang, b.Message, b.Moves); err != nil {
				t.Errorf("the lasso does not verify: %v", err)
			}
			tr, res, err := Record(m, &sc, 0, "exhaustive", b.Moves)
			if err != nil {
				t.Fatal(err)
			}
			if res.Ended || len(res.Violations) == 0 || res.Violations[len(res.Violations)-1].Kind != properties.KindLivelock {
				t.Errorf("the recorded lasso does not end in the livelock: %v", res.Violations)
			}
			if _, err := Replay(tr); err != nil {
				t.Errorf("the trace does not replay: %v", err)
			}
		})
	}
	// The same lasso whatever the number of workers.
	one, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	two, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := livelockOf(one), livelockOf(two); a == nil || b == nil || a.Key != b.Key || a.Message != b.Message {
		t.Errorf("one worker and two give different livelocks: %+v, %+v", a, b)
	}
	// The parent: the same scenario ends in every run.
	p, _ := model.Lookup("v2.6.18")
	c, err := Exhaustive(p, &sc, ExhaustiveOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	if b := livelockOf(c); b != nil {
		t.Errorf("v2.6.18 shows a livelock: %s", b.Message)
	}
}

// TestLivelockPrefix: a trace cut one step before the cycle closes, or
// one that closes a cycle that can still be left, is no livelock.
func TestLivelockPrefix(t *testing.T) {
	n, _ := diosim.Lookup("aio-write-hole")
	sc := n.Scenario
	m := spinner(t)
	c, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	b := livelockOf(c)
	if b == nil {
		t.Fatal("no livelock")
	}
	res, err := Run(m, &sc, &Fixed{Moves: b.Moves[:len(b.Moves)-1]}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Violations {
		if v.Kind == properties.KindLivelock {
			t.Errorf("a prefix that closes no cycle reports %s", v.Msg)
		}
	}
	// A random run of the spinner that reaches the spin never ends: the
	// step bound stops it, and that proves nothing.
	for seed := uint64(0); seed < 50; seed++ {
		res, err := Run(m, &sc, NewRandom(seed), Options{MaxSteps: 500})
		if errors.Is(err, ErrStepLimit) {
			for _, v := range res.Violations {
				if v.Kind == properties.KindLivelock {
					t.Errorf("seed %d: a run stopped by its bound reports a livelock", seed)
				}
			}
			return
		}
	}
	t.Error("no random run reached the spin")
}

// TestCannotEnd: from the initial state every run can end; from a state
// spinning forever none can.
func TestCannotEnd(t *testing.T) {
	n, _ := diosim.Lookup("aio-write-hole")
	sc := n.Scenario
	m := spinner(t)
	if cannotEnd(m, m.Init(&sc)) {
		t.Error("the initial state cannot end")
	}
	c, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init(&sc)
	for _, mv := range livelockOf(c).Moves {
		m.Apply(s, mv)
	}
	if !cannotEnd(m, s) {
		t.Error("the spinning state can end")
	}
}
