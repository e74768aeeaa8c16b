package main

import (
	"fmt"
	"io"
	"runtime"
	"sort"
	"time"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// findTarget is one known violation, on a configuration out of
// exhaustive reach.
type findTarget struct {
	version  string
	scenario string // the named scenario it comes from
	prop     properties.ID
}

// The known violations of the default table (README), one per bug.
var findTargets = []findTarget{
	{"before", "double-completion", properties.ExactlyOnce},
	{"before", "stale-isize", properties.IsizeVisible},
	{"after", "xfs-aio-read-gup", properties.NoHang},
	{"after", "aio-osync-write", properties.ExactlyOnce},
	{"v2.6.20", "aio-read", properties.DioLifetime},
	{"v2.6.20", "xfs-aio-write", properties.Linearizable},
}

// findConfigs make a named scenario large: 16 blocks, or three iocbs of 4.
var findConfigs = []struct {
	name string
	make func(sc sim.Scenario) sim.Scenario
}{
	{"16 blocks", func(sc sim.Scenario) sim.Scenario { sc.Blocks = 16; sc.Iocbs = 0; return sc }},
	{"3 iocbs x 4 blocks", func(sc sim.Scenario) sim.Scenario { sc.Blocks = 4; sc.Iocbs = 3; return sc }},
}

// findOne is one search until the first violation of the target.
type findOne struct {
	found   bool
	runs    int
	elapsed time.Duration
	length  int // the length of the violation found (shrunk, for rapid)
}

// firstFind runs chooser runs (run i reseeded with RunSeed(seed, i))
// until one violates prop, at most budget runs.
func firstFind(m *model.Model, sc *sim.Scenario, ch interface {
	scheduler.Chooser
	Reseed(uint64)
}, prop properties.ID, seed uint64, budget int, stop <-chan struct{}) (findOne, error) {
	start := time.Now()
	for i := 0; i < budget; i++ {
		if i%64 == 0 {
			select {
			case <-stop:
				return findOne{runs: i, elapsed: time.Since(start)}, nil
			default:
			}
		}
		ch.Reseed(scheduler.RunSeed(seed, i))
		res, err := scheduler.Run(m, sc, ch, scheduler.Options{})
		if err != nil {
			return findOne{}, err
		}
		for _, v := range res.Violations {
			if v.Prop == prop {
				return findOne{found: true, runs: i + 1, elapsed: time.Since(start), length: v.Step}, nil
			}
		}
	}
	return findOne{runs: budget, elapsed: time.Since(start)}, nil
}

func benchFind(w io.Writer, seeds, budget int, stop <-chan struct{}) (int, error) {
	fmt.Fprintf(w, "dio-sim bench --find on %d CPUs (GOMAXPROCS %d): %d seeds per cell, at most %d runs per search; medians over the seeds (a search that found nothing counts as not found)\n\n",
		runtime.NumCPU(), runtime.GOMAXPROCS(0), seeds, budget)
	fmt.Fprintf(w, "| configuration | version | bug (scenario, property) | strategy | found | median runs | median time | median length |\n|---|---|---|---|---|---|---|---|\n")
	for _, cfg := range findConfigs {
		for _, tg := range findTargets {
			m, err := model.Lookup(tg.version)
			if err != nil {
				return exitUsage, err
			}
			n, err := diosim.Lookup(tg.scenario)
			if err != nil {
				return exitUsage, err
			}
			sc := cfg.make(n.Scenario)
			if err := sc.Validate(); err != nil {
				return exitUsage, fmt.Errorf("%s %s: %v", cfg.name, tg.scenario, err)
			}
			_, k, err := scheduler.PCTSize(m, &sc)
			if err != nil {
				return exitUsage, err
			}
			for _, strat := range []string{"random", "pct", "rapid"} {
				var rs []findOne
				for sd := 1; sd <= seeds; sd++ {
					var r findOne
					switch strat {
					case "random":
						r, err = firstFind(m, &sc, scheduler.NewRandom(0), tg.prop, uint64(sd), budget, stop)
					case "pct":
						r, err = firstFind(m, &sc, scheduler.NewPCT(0, 3, k), tg.prop, uint64(sd), budget, stop)
					case "rapid":
						r, err = rapidFind(m, &sc, tg.prop, uint64(sd), budget)
					}
					if err != nil {
						return exitUsage, fmt.Errorf("%s %s %s: %v", cfg.name, tg.version, strat, err)
					}
					rs = append(rs, r)
				}
				fmt.Fprintf(w, "| %s | %s | %s %s | %s | %s |\n", cfg.name, tg.version, tg.scenario, tg.prop, strat, summarize(rs))
			}
		}
	}
	fmt.Fprintln(w, "\nrandom and pct: runs until the first run that violates the property, and that run's length up to the violation (not shrunk).")
	fmt.Fprintln(w, "pct: depth 3, change points among the longest of 16 random runs' steps. rapid: runs before the first failing one (+1), the time of the")
	fmt.Fprintln(w, "whole search of that property (shrinking included), and the length of the shrunk counterexample.")
	return exitOK, nil
}

// rapidFind runs rapid's search for prop alone (checks runs at most).
func rapidFind(m *model.Model, sc *sim.Scenario, prop properties.ID, seed uint64, budget int) (findOne, error) {
	start := time.Now()
	f, runs, err := scheduler.RapidFind(m, sc, prop, seed, budget)
	el := time.Since(start)
	if err != nil {
		return findOne{}, err
	}
	if f == nil {
		return findOne{runs: runs, elapsed: el}, nil
	}
	return findOne{found: true, runs: f.Run + 1, elapsed: el, length: len(f.Moves)}, nil
}

func summarize(rs []findOne) string {
	var runs, lens []int
	var times []time.Duration
	found := 0
	for _, r := range rs {
		if !r.found {
			continue
		}
		found++
		runs = append(runs, r.runs)
		lens = append(lens, r.length)
		times = append(times, r.elapsed)
	}
	if found == 0 {
		return fmt.Sprintf("0/%d | - | - | -", len(rs))
	}
	sort.Ints(runs)
	sort.Ints(lens)
	sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
	return fmt.Sprintf("%d/%d | %d | %s | %d", found, len(rs), runs[len(runs)/2], roundDur(times[len(times)/2]), lens[len(lens)/2])
}

// roundDur keeps about three significant digits.
func roundDur(d time.Duration) time.Duration {
	switch {
	case d >= 10*time.Second:
		return d.Round(100 * time.Millisecond)
	case d >= time.Second:
		return d.Round(10 * time.Millisecond)
	case d >= 100*time.Millisecond:
		return d.Round(time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(10 * time.Microsecond)
}
