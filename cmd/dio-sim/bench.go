package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"strings"
	"sync"
	"time"

	"diosim"
	"diosim/model"
	"diosim/scheduler"
	"diosim/sim"
)

// referenceScenario is the benchmark's question: the v2.6.20 async read of
// n blocks where get_user_pages may fail at any block.
func referenceScenario(n int) sim.Scenario {
	return sim.Scenario{Name: fmt.Sprintf("reference-%d", n), Op: sim.Read, Blocks: n, Faults: sim.FaultSet(sim.FaultGUP)}
}

// benchRun is one measured exhaustive search.
type benchRun struct {
	cert    *scheduler.Certificate
	elapsed time.Duration
	peak    uint64
}

func measureExhaustive(ctx context.Context, m *model.Model, sc sim.Scenario, workers int) (benchRun, error) {
	runtime.GC()
	var peak uint64
	var mu sync.Mutex
	opt := scheduler.ExhaustiveOptions{Workers: workers, Stop: ctx.Done(), ProgressDur: 20 * time.Millisecond, OnProgress: func(p scheduler.Progress) {
		mu.Lock()
		if p.HeapBytes > peak {
			peak = p.HeapBytes
		}
		mu.Unlock()
	}}
	start := time.Now()
	cert, err := scheduler.Exhaustive(m, &sc, opt)
	el := time.Since(start)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	mu.Lock()
	defer mu.Unlock()
	if ms.HeapAlloc > peak {
		peak = ms.HeapAlloc
	}
	if err == nil && !cert.Complete {
		err = errBenchStopped
	}
	return benchRun{cert, el, peak}, err
}

var errBenchStopped = errors.New("bench: stopped before it finished (Ctrl-C)")

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("bench", "dio-sim bench [--max-n N] [--repeat K] | dio-sim bench --find [--seeds K] [--max-runs N]",
		"Measures the exhaustive search on the reference question (the v2.6.20 async read of N blocks where get_user_pages\nmay fail at any block, fully checked) for N = 2, 4, 8, 16, ..., the speed-up of 2 workers, and the random strategy.\n"+
			"With --find: random, pct and rapid against each other, to the first find of each known violation on configurations\nout of exhaustive reach (16 blocks; three iocbs of 4 blocks).", stdout)
	maxN := c.fs.Int("max-n", 16, "largest N (a power of two, or a multiple of 16, up to 64): N = 2, 4, 8, ... and the largest")
	multi := c.fs.String("multi", "", "instead: exhaustive searches with several iocbs, one worker, each once: a comma-separated list of\n"+
		"readers (two 2-block AIO readers, get_user_pages may fail, on before), writers (two 2-block writers, hole,eio, every version),\n"+
		"three (three 2-block readers, get_user_pages may fail, every version); each stops at --multi-timeout")
	multiTimeout := c.fs.Duration("multi-timeout", 2*time.Minute, "--multi: stop each search after this long")
	find := c.fs.Bool("find", false, "instead: random, pct and rapid against each other on configurations out of exhaustive reach (16 blocks; three iocbs of 4 blocks), runs and time to the first find of each known violation")
	seeds := c.fs.Int("seeds", 3, "--find: seeds per strategy and target (the median is printed)")
	budget := c.fs.Int("max-runs", 20000, "--find: give up after this many runs of one search")
	repeat := c.fs.Int("repeat", 3, "measure each figure this many times and keep the best")
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() > 0 {
		return exitUsage, usagef("bench: unexpected argument %q", c.fs.Arg(0))
	}
	if *maxN < 2 || *maxN > sim.MaxBlocks || *maxN&(*maxN-1) != 0 && *maxN%16 != 0 {
		return exitUsage, usagef("bench: --max-n must be a power of two or a multiple of 16 between 2 and %d, got %d", sim.MaxBlocks, *maxN)
	}
	if *repeat < 1 || *repeat > 100 {
		return exitUsage, usagef("bench: --repeat must be between 1 and 100, got %d", *repeat)
	}
	if *seeds < 1 || *seeds > 100 || *budget < 1 || *budget > maxRuns {
		return exitUsage, usagef("bench: --seeds must be between 1 and 100 and --max-runs between 1 and %d", maxRuns)
	}
	if *find {
		return benchFind(stdout, *seeds, *budget, ctx.Done())
	}
	if *multi != "" {
		return benchMulti(ctx, stdout, *multi, *multiTimeout)
	}
	m, _ := model.Lookup("v2.6.20")
	fmt.Fprintf(stdout, "dio-sim bench on %d CPUs (GOMAXPROCS %d)\n\n", runtime.NumCPU(), runtime.GOMAXPROCS(0))
	fmt.Fprintln(stdout, "Exhaustive search, one worker: v2.6.20 async read of N blocks, get_user_pages may fail at any block")
	fmt.Fprintf(stdout, "%6s %10s %12s %9s %10s %14s %9s  %s\n", "N", "states", "transitions", "max depth", "time", "transitions/s", "heap MB", "complete")
	var prev int64
	var prevN int
	var growth []string
	var last benchRun
	var lastN int
	var ns []int
	for n := 2; n <= *maxN; n *= 2 {
		ns = append(ns, n)
	}
	if ns[len(ns)-1] != *maxN {
		ns = append(ns, *maxN)
	}
	for _, n := range ns {
		var best benchRun
		for r := 0; r < *repeat; r++ {
			br, err := measureExhaustive(ctx, m, referenceScenario(n), 1)
			if errors.Is(err, errBenchStopped) {
				return exitLimit, err
			}
			if err != nil {
				return exitUsage, err
			}
			if r == 0 || br.elapsed < best.elapsed {
				best = br
			}
		}
		cert := best.cert
		fmt.Fprintf(stdout, "%6d %10d %12d %9d %10s %14.0f %9.1f  %v\n", n, cert.States, cert.Transitions, cert.MaxDepth,
			best.elapsed.Round(time.Microsecond), float64(cert.Transitions)/best.elapsed.Seconds(), float64(best.peak)/(1<<20), cert.Complete)
		if prev > 0 {
			k := math.Log(float64(cert.States)/float64(prev)) / math.Log(float64(n)/float64(prevN))
			growth = append(growth, fmt.Sprintf("N=%d->%d: x%.1f (N^%.1f)", prevN, n, float64(cert.States)/float64(prev), k))
		}
		prev, prevN = cert.States, n
		last, lastN = best, n
	}
	fmt.Fprintln(stdout, "\nGrowth of the state count with N:")
	if len(growth) == 0 {
		fmt.Fprintln(stdout, "  (one N only: give --max-n 4 or more)")
	}
	for _, g := range growth {
		fmt.Fprintln(stdout, "  "+g)
	}
	// Workers: the largest N again with two workers.
	var two benchRun
	for r := 0; r < *repeat; r++ {
		br, err := measureExhaustive(ctx, m, referenceScenario(lastN), 2)
		if errors.Is(err, errBenchStopped) {
			return exitLimit, err
		}
		if err != nil {
			return exitUsage, err
		}
		if r == 0 || br.elapsed < two.elapsed {
			two = br
		}
	}
	t1 := float64(last.cert.Transitions) / last.elapsed.Seconds()
	t2 := float64(two.cert.Transitions) / two.elapsed.Seconds()
	fmt.Fprintf(stdout, "\nN=%d with 2 workers: %s, %.0f transitions/s: x%.2f the single-worker throughput (same certificate: %v)\n",
		lastN, two.elapsed.Round(time.Microsecond), t2, t2/t1, two.cert.States == last.cert.States && two.cert.Transitions == last.cert.Transitions)

	// Random strategy on the default set, one core.
	set := diosim.DefaultSet()
	ms := model.Versions()
	ch := scheduler.NewRandom(0)
	var steps, runs int64
	start := time.Now()
	for time.Since(start) < time.Second && ctx.Err() == nil {
		for i := 0; i < 1000; i++ {
			mm := ms[int(runs)%len(ms)]
			sc := set[(int(runs)/len(ms))%len(set)].Scenario
			ch.Reseed(uint64(runs))
			res, err := scheduler.Run(mm, &sc, ch, scheduler.Options{})
			if err != nil {
				return exitUsage, err
			}
			steps += int64(len(res.Moves))
			runs++
		}
	}
	if ctx.Err() != nil {
		return exitLimit, errBenchStopped
	}
	el := time.Since(start).Seconds()
	fmt.Fprintf(stdout, "\nRandom strategy on the default scenario set, one core: %.0f steps/s, %.0f runs/s\n", float64(steps)/el, float64(runs)/el)
	return exitOK, nil
}

// multiBench is one of bench --multi's questions: a scenario on some
// versions.
type multiBench struct {
	versions []string
	sc       sim.Scenario
}

func multiBenches() map[string]multiBench {
	var all []string
	for _, m := range model.Versions() {
		all = append(all, m.Name)
	}
	return map[string]multiBench{
		"readers": {[]string{"before"}, sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 2, Faults: sim.FaultSet(sim.FaultGUP)}},
		"writers": {all, sim.Scenario{Op: sim.Write, Blocks: 2, Iocbs: 2, Faults: sim.FaultSet(sim.FaultHole) | sim.FaultSet(sim.FaultEIO)}},
		"three":   {all, sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 3, Faults: sim.FaultSet(sim.FaultGUP)}},
	}
}

func benchMulti(ctx context.Context, stdout io.Writer, list string, timeout time.Duration) (int, error) {
	benches := multiBenches()
	var names []string
	for _, n := range strings.Split(list, ",") {
		if _, ok := benches[n]; !ok {
			return exitUsage, usagef("bench: --multi: unknown question %q (readers, writers, three)", n)
		}
		names = append(names, n)
	}
	fmt.Fprintf(stdout, "dio-sim bench --multi on %d CPUs, one worker, each search stopped after %s\n", runtime.NumCPU(), timeout)
	fmt.Fprintf(stdout, "%-8s %-8s %10s %12s %10s %9s  %s\n", "question", "version", "states", "transitions", "time", "heap MB", "complete")
	for _, n := range names {
		b := benches[n]
		for _, v := range b.versions {
			m, err := model.Lookup(v)
			if err != nil {
				return exitUsage, err
			}
			tctx, cancel := context.WithTimeout(ctx, timeout)
			br, err := measureExhaustive(tctx, m, b.sc, 1)
			cancel()
			if ctx.Err() != nil {
				return exitLimit, errBenchStopped
			}
			if err != nil && !errors.Is(err, errBenchStopped) {
				return exitUsage, err
			}
			fmt.Fprintf(stdout, "%-8s %-8s %10d %12d %10s %9.1f  %v\n", n, v, br.cert.States, br.cert.Transitions,
				br.elapsed.Round(time.Millisecond), float64(br.peak)/(1<<20), br.cert.Complete)
		}
	}
	return exitOK, nil
}
