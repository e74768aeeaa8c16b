package scheduler

import (
	"math/rand/v2"

	"diosim/model"
	"diosim/sim"
)

// Random is the seeded random walk: at each step it picks an enabled actor
// uniformly, then, at a fault point, lets the fault fire with probability
// one half (each way it can fire equally likely). The same seed gives the
// same run on every machine.
type Random struct {
	rng    *rand.Rand
	firsts []int
}

// NewRandom returns a random chooser seeded with seed.
func NewRandom(seed uint64) *Random {
	return &Random{rng: rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))}
}

// Reseed restarts the chooser's stream from seed (reusing its buffers).
func (r *Random) Reseed(seed uint64) {
	r.rng = rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// Choose implements Chooser.
func (r *Random) Choose(s *sim.State, m *model.Model, moves []model.Move) (int, error) {
	// moves are grouped by actor; firsts holds the index of each group.
	r.firsts = r.firsts[:0]
	last := -1
	for i, mv := range moves {
		if mv.Actor != last {
			r.firsts = append(r.firsts, i)
			last = mv.Actor
		}
	}
	g := r.rng.IntN(len(r.firsts))
	start := r.firsts[g]
	end := len(moves)
	if g+1 < len(r.firsts) {
		end = r.firsts[g+1]
	}
	n := end - start
	if n == 1 || r.rng.IntN(2) == 0 {
		return start, nil
	}
	return start + 1 + r.rng.IntN(n-1), nil
}

// RunSeed derives the seed of run i of a campaign started with seed, so
// runs can be replayed one by one and split across workers.
func RunSeed(seed uint64, i int) uint64 {
	z := seed + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
