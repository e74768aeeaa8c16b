package scheduler

import (
	"runtime"
	"sync"

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

// CampaignResult summarises a random campaign on one scenario.
type CampaignResult struct {
	Runs  int
	Steps int64                   // steps simulated in all runs
	Found map[properties.ID]Found // shortest violation per property
	// Bugs holds the shortest violation of every distinct signature found.
	Bugs map[properties.Signature]Found
}

// RandomCampaign runs n random runs of sc on m, run i with RunSeed(seed, i),
// on up to workers goroutines (0: GOMAXPROCS). For each property it keeps
// the shortest violating run, ties going to the lowest run index, so the
// result does not depend on the number of workers.
func RandomCampaign(m *model.Model, sc *sim.Scenario, seed uint64, n, workers int) (*CampaignResult, error) {
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
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			cr := &CampaignResult{Found: map[properties.ID]Found{}, Bugs: map[properties.Signature]Found{}}
			ch := NewRandom(0)
			for i := w; i < n; i += workers {
				rs := RunSeed(seed, i)
				ch.Reseed(rs)
				res, err := Run(m, sc, ch, Options{})
				if err != nil {
					parts[w] = part{err: err, first: i}
					return
				}
				cr.Runs++
				cr.Steps += int64(len(res.Moves))
				for _, v := range res.Violations {
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
	return out, firstErr
}

func better(len1, run1, len2, run2 int) bool {
	return len1 < len2 || len1 == len2 && run1 < run2
}
