package scheduler

import (
	"context"
	"testing"
	"time"

	"diosim/properties"
)

// TestRandomCampaignStops: a campaign stops soon after its context is
// cancelled (here from its first progress report), says why, and keeps
// what it found; a deadline says "timeout".
func TestRandomCampaignStops(t *testing.T) {
	m := mustModel(t, "before")
	sc := doubleCompletion
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	reports := 0
	cr, err := RandomCampaignContext(ctx, m, &sc, 1, 100_000_000, RandomOptions{
		ProgressDur: time.Millisecond,
		OnProgress: func(p RandomProgress) {
			if p.Runs > 500 {
				reports++
				cancel()
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Stopped != "interrupt" || cr.Runs >= 100_000_000 || reports == 0 {
		t.Fatalf("stopped %q after %d runs (%d reports)", cr.Stopped, cr.Runs, reports)
	}
	if _, ok := cr.Found[properties.ExactlyOnce]; !ok {
		t.Errorf("the double completion found before the stop was lost: %v", cr.Found)
	}
	tctx, tcancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer tcancel()
	<-tctx.Done()
	cr, err = RandomCampaignContext(tctx, m, &sc, 1, 1000, RandomOptions{})
	if err != nil || cr.Stopped != "timeout" || cr.Runs != 0 {
		t.Errorf("past its deadline: %v, stopped %q after %d runs", err, cr.Stopped, cr.Runs)
	}
	// A campaign that makes every run says nothing stopped it.
	cr, _ = RandomCampaignContext(context.Background(), m, &sc, 1, 50, RandomOptions{})
	if cr.Stopped != "" || cr.Runs != 50 {
		t.Errorf("a whole campaign: stopped %q after %d runs", cr.Stopped, cr.Runs)
	}
}

// TestRapidCampaignStops: a rapid campaign stops soon after its context is
// cancelled, keeps the violations found before, and says why.
func TestRapidCampaignStops(t *testing.T) {
	m := mustModel(t, "before")
	sc := doubleCompletion
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cr, err := RapidCampaignContext(ctx, m, &sc, 1, 100_000_000, func(p RapidProgress) {
		// no-hang is not violated here: without the stop its
		// search would run 100 million checks.
		if p.Prop == properties.NoHang && p.Runs >= 100 {
			cancel()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if cr.Stopped != "interrupt" {
		t.Fatalf("stopped %q", cr.Stopped)
	}
	for _, id := range []properties.ID{properties.ExactlyOnce, properties.OnlyAfterQueued} {
		f, ok := cr.Found[id]
		if !ok {
			t.Errorf("%s, found before the stop, was lost", id)
			continue
		}
		if err := VerifyCounterexample(m, &sc, id, f.Msg, f.Moves); err != nil {
			t.Errorf("%s: %v", id, err)
		}
	}
}
