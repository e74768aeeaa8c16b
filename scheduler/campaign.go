package scheduler

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// Found is the shortest violation of one property (or of one signature)
// found by a campaign.
type Found struct {
	Prop  properties.ID
	Msg   string
	Viol  properties.Violation // the violation itself: its kind and location
	Seed  uint64               // the run's own seed (RunSeed of the campaign seed)
	Run   int                  // index of the run in the campaign
	Moves []model.Move         // the schedule up to the step that broke the property, for Record
}

// CampaignResult summarises a random or rapid campaign on one scenario.
type CampaignResult struct {
	Runs  int
	Steps int64                   // steps simulated in all runs
	Found map[properties.ID]Found // shortest violation per property
	// Stopped says why the campaign ended before making every run it was
	// asked for: "interrupt" (its context was cancelled) or "timeout" (its
	// context's deadline passed); "" when it made them all. What was found
	// until then is kept.
	Stopped string
	// Bugs holds the shortest violation of every distinct signature found.
	Bugs map[properties.Signature]Found
}

// StopReason names why ctx is done: "timeout" for a deadline, else
// "interrupt"; "" while it is not done.
func StopReason(ctx context.Context) string {
	switch err := ctx.Err(); {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	}
	return "interrupt"
}

// RandomProgress is a snapshot of a running random campaign.
type RandomProgress struct {
	Runs       int // runs finished so far
	Of         int // runs asked for
	Violations int // properties found violated so far
	Elapsed    time.Duration
}

// RandomOptions control RandomCampaignContext.
type RandomOptions struct {
	Workers     int                  // goroutines (0: GOMAXPROCS); the result does not depend on it
	OnProgress  func(RandomProgress) // called every ProgressDur from a separate goroutine
	ProgressDur time.Duration        // 0: one second
}

// RandomCampaign runs n random runs of sc on m, run i with RunSeed(seed, i),
// on up to workers goroutines (0: GOMAXPROCS). For each property it keeps
// the shortest violating run, ties going to the lowest run index, so the
// result does not depend on the number of workers.
func RandomCampaign(m *model.Model, sc *sim.Scenario, seed uint64, n, workers int) (*CampaignResult, error) {
	return RandomCampaignContext(context.Background(), m, sc, seed, n, RandomOptions{Workers: workers})
}

// RandomCampaignContext is RandomCampaign that stops when ctx is done:
// every worker checks ctx before each run, so it returns within one run
// of the cancellation, with the violations found so far and Stopped set.
// A campaign cut short depends on when it was stopped; one that makes all
// its runs does not.
func RandomCampaignContext(ctx context.Context, m *model.Model, sc *sim.Scenario, seed uint64, n int, opt RandomOptions) (*CampaignResult, error) {
	return campaignContext(ctx, m, sc, seed, n, opt, func() reseeder { return NewRandom(0) })
}

// campaignContext runs n runs of sc on m, run i with a chooser from mk
// reseeded with RunSeed(seed, i): the loop every seeded strategy shares
// (random walks, PCT).
func campaignContext(ctx context.Context, m *model.Model, sc *sim.Scenario, seed uint64, n int, opt RandomOptions, mk func() reseeder) (*CampaignResult, error) {
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	if workers < 1 {
		workers = 1
	}
	type part struct {
		res   *CampaignResult
		err   error
		first int
	}
	parts := make([]part, workers)
	var done, nviol atomic.Int64
	if opt.OnProgress != nil {
		stop, exited := make(chan struct{}), make(chan struct{})
		defer func() { close(stop); <-exited }() // no report after the campaign returns
		go func(start time.Time) {
			defer close(exited)
			d := opt.ProgressDur
			if d <= 0 {
				d = time.Second
			}
			tick := time.NewTicker(d)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					opt.OnProgress(RandomProgress{Runs: int(done.Load()), Of: n, Violations: int(nviol.Load()), Elapsed: time.Since(start)})
				}
			}
		}(time.Now())
	}
	cancelled := ctx.Done()
	var seenProps sync.Map
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			cr := &CampaignResult{Found: map[properties.ID]Found{}, Bugs: map[properties.Signature]Found{}}
			ch := mk()
			for i := w; i < n; i += workers {
				select {
				case <-cancelled:
					parts[w] = part{res: cr, first: -1}
					return
				default:
				}
				rs := RunSeed(seed, i)
				ch.Reseed(rs)
				res, err := Run(m, sc, ch, Options{})
				if err != nil {
					parts[w] = part{err: err, first: i}
					return
				}
				cr.Runs++
				cr.Steps += int64(len(res.Moves))
				done.Add(1)
				for _, v := range res.Violations {
					if _, dup := seenProps.LoadOrStore(v.Prop, true); !dup {
						nviol.Add(1)
					}
					old, ok := cr.Found[v.Prop]
					if !ok || better(v.Step, i, len(old.Moves), old.Run) {
						cr.Found[v.Prop] = Found{Prop: v.Prop, Msg: v.Msg, Viol: v.Violation, Seed: rs, Run: i, Moves: append([]model.Move(nil), res.Moves[:v.Step]...)}
					}
					g := v.Signature()
					if old, ok := cr.Bugs[g]; !ok || better(v.Step, i, len(old.Moves), old.Run) {
						cr.Bugs[g] = Found{Prop: v.Prop, Msg: v.Msg, Viol: v.Violation, Seed: rs, Run: i, Moves: append([]model.Move(nil), res.Moves[:v.Step]...)}
					}
				}
			}
			parts[w] = part{res: cr, first: -1}
		}(w)
	}
	wg.Wait()
	out := &CampaignResult{Found: map[properties.ID]Found{}, Bugs: map[properties.Signature]Found{}}
	var firstErr error
	errRun := -1
	for _, p := range parts {
		if p.err != nil {
			if errRun < 0 || p.first < errRun {
				firstErr, errRun = p.err, p.first
			}
			continue
		}
		out.Runs += p.res.Runs
		out.Steps += p.res.Steps
		for id, f := range p.res.Found {
			old, ok := out.Found[id]
			if !ok || better(len(f.Moves), f.Run, len(old.Moves), old.Run) {
				out.Found[id] = f
			}
		}
		for g, f := range p.res.Bugs {
			old, ok := out.Bugs[g]
			if !ok || better(len(f.Moves), f.Run, len(old.Moves), old.Run) {
				out.Bugs[g] = f
			}
		}
	}
	out.Stopped = StopReason(ctx)
	if out.Runs == n {
		out.Stopped = ""
	}
	return out, firstErr
}

func better(len1, run1, len2, run2 int) bool {
	return len1 < len2 || len1 == len2 && run1 < run2
}
