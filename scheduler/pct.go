package scheduler

import (
	"context"
	"math"
	"math/rand/v2"

	"diosim/model"
	"diosim/sim"
)

// PCT is probabilistic concurrency testing (Burckhardt, Kothari,
// Musuvathi, Nagarakatte, "A randomized scheduler with probabilistic
// guarantees of finding bugs", ASPLOS 2010): every actor gets a random
// distinct priority, and d-1 change points are drawn uniformly among the
// run's first K steps; at each step the enabled actor with the highest
// priority runs, and when the run reaches change point j the actor that
// runs there drops to priority j, below every initial priority. A bug of
// depth d (d ordering constraints between steps) in a program of n
// actors and at most K steps is found by one run with probability at
// least 1/(n K^(d-1)). Fault points take a fault with probability one
// half, as in the random walk. The same seed gives the same run.
type PCT struct {
	Depth int // the bug depth d (>= 1)
	K     int // the number of steps change points are drawn from

	rng     *rand.Rand
	prio    []int // by actor; larger runs first
	changes []int // step index of change point j (j = 0..d-2), sorted by j
	step    int
}

// NewPCT returns a PCT chooser for bugs of depth d in runs of at most k
// steps, seeded with seed.
func NewPCT(seed uint64, depth, k int) *PCT {
	p := &PCT{Depth: depth, K: k}
	p.Reseed(seed)
	return p
}

// Reseed starts a new run drawn from seed.
func (p *PCT) Reseed(seed uint64) {
	p.rng = rand.New(rand.NewPCG(seed, 0x7c7c7c7c7c7c7c7c))
	p.prio = p.prio[:0]
	p.changes = p.changes[:0]
	p.step = 0
	k := p.K
	if k < 1 {
		k = 1
	}
	for j := 0; j < p.Depth-1; j++ {
		p.changes = append(p.changes, p.rng.IntN(k))
	}
}

// Choose implements Chooser.
func (p *PCT) Choose(s *sim.State, m *model.Model, moves []model.Move) (int, error) {
	if len(p.prio) < len(s.Actors) {
		// Priorities d .. d+n-1 in a random order (drawn at the first
		// step, when the number of actors is known).
		n := len(s.Actors)
		perm := p.rng.Perm(n)
		p.prio = make([]int, n)
		for a := range perm {
			p.prio[a] = p.Depth + perm[a]
		}
	}
	best := -1
	for i, mv := range moves {
		if best < 0 || p.prio[mv.Actor] > p.prio[moves[best].Actor] {
			best = i
		}
	}
	a := moves[best].Actor
	for j, c := range p.changes {
		if c == p.step {
			p.prio[a] = j + 1 // below every initial priority (>= d)
		}
	}
	p.step++
	// The outcomes of actor a's step are moves[best:end].
	end := best
	for end < len(moves) && moves[end].Actor == a {
		end++
	}
	n := end - best
	if n == 1 || p.rng.IntN(2) == 0 {
		return best, nil
	}
	return best + 1 + p.rng.IntN(n-1), nil
}

// PCTBound returns PCT's lower bound on the probability that runs runs
// find a given bug of depth d, with n actors and at most k steps:
// 1 - (1 - 1/(n k^(d-1)))^runs.
func PCTBound(n, k, depth, runs int) float64 {
	p := 1 / (float64(n) * math.Pow(float64(k), float64(depth-1)))
	return 1 - math.Pow(1-p, float64(runs))
}

// PCTSize estimates the n and k of PCT's bound for sc on m: the number of
// actors, and the longest of a few random runs (the change points are
// drawn among its steps).
func PCTSize(m *model.Model, sc *sim.Scenario) (n, k int, err error) {
	ch := NewRandom(0)
	for i := 0; i < 16; i++ {
		ch.Reseed(RunSeed(0x9c7, i))
		res, err := Run(m, sc, ch, Options{})
		if err != nil {
			return 0, 0, err
		}
		if len(res.Moves) > k {
			k = len(res.Moves)
		}
		n = len(res.Final.Actors)
	}
	return n, k, nil
}

// PCTCampaign runs n PCT runs of sc on m for bugs of depth depth, run i
// seeded with RunSeed(seed, i), on up to workers goroutines; like
// RandomCampaign it keeps the shortest violation of each property, ties
// to the lowest run, whatever the number of workers. k is the number of
// steps change points are drawn from (0: PCTSize's estimate).
func PCTCampaign(m *model.Model, sc *sim.Scenario, seed uint64, n, depth, k, workers int) (*CampaignResult, error) {
	if k <= 0 {
		var err error
		if _, k, err = PCTSize(m, sc); err != nil {
			return nil, err
		}
	}
	return PCTCampaignContext(context.Background(), m, sc, seed, n, depth, k, workers)
}

// PCTCampaignContext is PCTCampaign that stops when ctx is done, with the
// violations found so far (CampaignResult.Stopped says why).
func PCTCampaignContext(ctx context.Context, m *model.Model, sc *sim.Scenario, seed uint64, n, depth, k, workers int) (*CampaignResult, error) {
	return campaignContext(ctx, m, sc, seed, n, RandomOptions{Workers: workers}, func() reseeder { return NewPCT(0, depth, k) })
}

// reseeder is a chooser that restarts from a seed for each run.
type reseeder interface {
	Chooser
	Reseed(seed uint64)
}
