package mutants

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// Baseline is what the default set says about one version: the verdict
// of every property on every scenario, what the searches ran (coverage),
// and what each step was seen to do (effects), from which the mutants of
// the version are generated and against which they are judged.
type Baseline struct {
	Model    *model.Model
	Set      []diosim.Named
	Verdicts map[string]string // "scenario property" -> holds, violated or vacuous
	// Bugs holds, per scenario, the signatures of the distinct bugs its
	// search found (properties.Signature's String), sorted.
	Bugs     map[string][]string
	Certs    []*scheduler.Certificate
	Coverage scheduler.Coverage
	// Effects maps a step id to what it was seen to change in random runs
	// of the default set.
	Effects map[string]Effect
}

// Effect is a bit set of what a step changes.
type Effect uint8

// Effects a step can have.
const (
	Counter Effect = 1 << iota // a reference count or counter: dio refcount/bio_count/bios_in_flight, ki_users, io_remaining, i_alloc_sem readers
	Frees                      // frees the dio, the kiocb or the ioend
	Locks                      // takes or releases i_mutex or bio_lock
)

// Options bound the searches of a baseline or a mutant.
type Options struct {
	Workers   int   // 0: GOMAXPROCS
	MaxStates int64 // per scenario; 0: 1,000,000
	Stop      <-chan struct{}
}

func (o Options) exhaustive(cov bool) scheduler.ExhaustiveOptions {
	ms := o.MaxStates
	if ms == 0 {
		ms = 1_000_000
	}
	return scheduler.ExhaustiveOptions{Workers: o.Workers, MaxStates: ms, Stop: o.Stop, Coverage: cov}
}

// verdicts runs the set exhaustively on m: the verdicts by "scenario
// property", the certificates, and the bug signatures by scenario.
func verdicts(m *model.Model, set []diosim.Named, opt Options, cov bool) (map[string]string, []*scheduler.Certificate, map[string][]string, error) {
	out := map[string]string{}
	bugs := map[string][]string{}
	var certs []*scheduler.Certificate
	for _, n := range set {
		sc := n.Scenario
		eo := opt.exhaustive(cov)
		cert, err := scheduler.Exhaustive(m, &sc, eo)
		// A mutant may break an assumption of a reduction (it is refused
		// then): search it again without that reduction.
		var re *scheduler.ReductionError
		for tries := 0; errors.As(err, &re) && tries < 2; tries++ {
			if re.Reduction == "symmetry" {
				eo.NoSymmetry = true
			} else {
				eo.NoPOR = true
			}
			cert, err = scheduler.Exhaustive(m, &sc, eo)
		}
		if err != nil {
			return nil, nil, nil, err
		}
		if !cert.Complete {
			return out, certs, bugs, fmt.Errorf("%s on %s: the search stopped at the %s bound (%d states)", m.Name, n.Name, cert.StoppedBy, cert.States)
		}
		certs = append(certs, cert)
		for _, id := range properties.All {
			out[n.Name+" "+string(id)] = cert.Properties[string(id)].Verdict
		}
		var sigs []string
		for _, b := range cert.Bugs {
			sigs = append(sigs, b.Signature.String())
		}
		sort.Strings(sigs)
		bugs[n.Name] = sigs
	}
	return out, certs, bugs, nil
}

// NewBaseline runs the default set (or set) on version m with coverage,
// and random runs to see what each step does.
func NewBaseline(m *model.Model, set []diosim.Named, opt Options) (*Baseline, error) {
	if set == nil {
		set = diosim.DefaultSet()
	}
	v, certs, bugs, err := verdicts(m, set, opt, true)
	if err != nil {
		return nil, err
	}
	b := &Baseline{Model: m, Set: set, Verdicts: v, Bugs: bugs, Certs: certs, Coverage: scheduler.Coverage{}, Effects: map[string]Effect{}}
	for _, c := range certs {
		b.Coverage.Add(c.Coverage)
	}
	for i, n := range set {
		sc := n.Scenario
		observeEffects(m, &sc, uint64(i), 200, b.Effects)
	}
	return b, nil
}

// observeEffects runs n seeded random runs of sc on m and records, per
// step id, what the step changed.
func observeEffects(m *model.Model, sc *sim.Scenario, seed uint64, n int, out map[string]Effect) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	var moves []model.Move
	for run := 0; run < n; run++ {
		s := m.Init(sc)
		for steps := 0; steps < 10000; steps++ {
			moves = m.Moves(s, moves)
			if len(moves) == 0 {
				break
			}
			mv := moves[rng.IntN(len(moves))]
			st := m.Next(s, mv.Actor)
			before := snapshot(s)
			m.Apply(s, mv)
			after := snapshot(s)
			out[st.ID] |= before.diff(after)
		}
	}
}

type counters struct {
	c     []int32
	mem   []uint8
	locks []int8
}

func snapshot(s *sim.State) counters {
	var k counters
	k.c = append(k.c, int32(s.Inode.AllocSem))
	k.locks = append(k.locks, s.Inode.IMutex)
	for r := range s.Reqs {
		q := &s.Reqs[r]
		k.c = append(k.c, q.Dio.Refcount, q.Dio.BioCount, q.Dio.BiosInFlight, q.Kiocb.Users, q.Kiocb.IoendRemaining)
		k.mem = append(k.mem, q.Mem[:]...)
		k.locks = append(k.locks, q.Dio.BioLock)
	}
	return k
}

func (a counters) diff(b counters) Effect {
	var e Effect
	for i := range a.c {
		if a.c[i] != b.c[i] {
			e |= Counter
		}
	}
	for i := range a.mem {
		if a.mem[i] != sim.Freed && b.mem[i] == sim.Freed {
			e |= Frees
		}
	}
	for i := range a.locks {
		if a.locks[i] != b.locks[i] {
			e |= Locks
		}
	}
	return e
}

// site is one occurrence of a step: a program and a pc.
type site struct {
	prog *model.Program
	pc   int
}

// successors returns, for every step the baseline ran, the distinct
// steps its actor went on to, sorted (-1: finished, -2: killed).
func (b *Baseline) successors() map[site][]int {
	out := map[site][]int{}
	for e := range b.Coverage {
		k := site{e.Prog, int(e.PC)}
		out[k] = append(out[k], int(e.Next))
	}
	for k, v := range out {
		sort.Ints(v)
		out[k] = v
	}
	return out
}

// Unreached returns the steps of the version's programs the baseline's
// searches never ran, one entry per step id (with its citation), in
// program order, and the number of distinct step ids reached.
func (b *Baseline) Unreached() (unreached []model.Step, reached int) {
	ran := map[string]bool{}
	for e := range b.Coverage {
		ran[e.Prog.Steps[e.PC].ID] = true
	}
	seen := map[string]bool{}
	for _, p := range b.Model.Programs() {
		for _, st := range p.Steps {
			if seen[st.ID] {
				continue
			}
			seen[st.ID] = true
			if !ran[st.ID] {
				unreached = append(unreached, st)
			}
		}
	}
	return unreached, len(ran)
}
