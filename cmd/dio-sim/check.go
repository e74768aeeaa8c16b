package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// scenarioFlags are the flags that describe a scenario.
type scenarioFlags struct {
	name    *string
	op      *string
	sync    *bool
	blocks  *int
	extend  *bool
	pastEOF *bool
	osync   *bool
	fs      *string
	faults  *string
}

func addScenarioFlags(c *command) *scenarioFlags {
	fs := c.fs
	return &scenarioFlags{
		name:    fs.String("scenario", "", "a named scenario (see `dio-sim scenarios`) instead of the flags below"),
		op:      fs.String("op", "read", "operation: read or write"),
		sync:    fs.Bool("sync", false, "a synchronous read(2)/write(2) instead of io_submit"),
		blocks:  fs.Int("blocks", 2, fmt.Sprintf("size of the request in blocks, one bio per block (1 to %d)", sim.MaxBlocks)),
		extend:  fs.Bool("extend", false, "the write extends the file (starts one block before EOF)"),
		pastEOF: fs.Bool("past-eof", false, "the read's last block straddles EOF"),
		osync:   fs.Bool("osync", false, "the file is opened O_SYNC (writes)"),
		fs:      fs.String("fs", "generic", "filesystem: generic (blockdev_direct_IO, DIO_LOCKING) or xfs"),
		faults:  fs.String("faults", "", "faults that may fire, comma-separated: "+strings.Join(sim.FaultNames(), ",")),
	}
}

// scenario builds the scenario from the flags.
func (f *scenarioFlags) scenario(c *command) (sim.Scenario, error) {
	flagSet := false
	c.fs.Visit(func(fl *flag.Flag) {
		switch fl.Name {
		case "op", "sync", "blocks", "extend", "past-eof", "osync", "fs", "faults":
			flagSet = true
		}
	})
	if *f.name != "" {
		if flagSet {
			return sim.Scenario{}, usagef("give --scenario or the scenario flags (--op, --blocks, ...), not both")
		}
		n, err := diosim.Lookup(*f.name)
		if err != nil {
			return sim.Scenario{}, usagef("%v", err)
		}
		return n.Scenario, nil
	}
	sc := sim.Scenario{Blocks: *f.blocks, Sync: *f.sync, OSync: *f.osync}
	switch *f.op {
	case "read":
		sc.Op = sim.Read
	case "write":
		sc.Op = sim.Write
	default:
		return sc, usagef("unknown --op %q (read or write)", *f.op)
	}
	switch *f.fs {
	case "generic":
		sc.FS = sim.Generic
	case "xfs":
		sc.FS = sim.XFS
	default:
		return sc, usagef("unknown --fs %q (generic or xfs)", *f.fs)
	}
	if *f.extend && *f.pastEOF {
		return sc, usagef("--extend and --past-eof exclude each other")
	}
	if *f.extend {
		sc.Place = sim.Extend
	}
	if *f.pastEOF {
		sc.Place = sim.PastEOF
	}
	faults, err := sim.ParseFaults(*f.faults)
	if err != nil {
		return sc, usagef("%v", err)
	}
	sc.Faults = faults
	if err := sc.Validate(); err != nil {
		return sc, usagef("%v", err)
	}
	return sc, nil
}

// searchFlags are the flags of a search.
type searchFlags struct {
	strategy *string
	runs     *int
	seed     *uint64
	traceDir *string
	json     *bool
	workers  *int
}

const maxRuns = 100_000_000

func addSearchFlags(c *command, defRuns int) *searchFlags {
	fs := c.fs
	return &searchFlags{
		strategy: fs.String("strategy", "random", "exploration strategy: random (seeded random walks)"),
		runs:     fs.Int("runs", defRuns, "number of random runs per scenario"),
		seed:     fs.Uint64("seed", 1, "seed of the campaign; run i uses a seed derived from it"),
		traceDir: fs.String("trace-dir", "dio-sim-traces", "directory for the trace files of the shortest violations"),
		json:     fs.Bool("json", false, "print the result as JSON"),
		workers:  fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS); results do not depend on it"),
	}
}

func (f *searchFlags) validate() error {
	if *f.strategy != "random" {
		return usagef("unknown --strategy %q (available: random)", *f.strategy)
	}
	if *f.runs < 1 || *f.runs > maxRuns {
		return usagef("--runs must be between 1 and %d, got %d", maxRuns, *f.runs)
	}
	if *f.workers < 0 || *f.workers > 1024 {
		return usagef("--workers must be between 0 and 1024, got %d", *f.workers)
	}
	return nil
}

// propResult is the verdict on one property, as printed and as JSON.
type propResult struct {
	Verdict  string `json:"verdict"` // violated, holds, not-found
	Message  string `json:"message,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	Trace    string `json:"trace,omitempty"`
	Length   int    `json:"length,omitempty"`
}

// checkReport is the JSON form of `dio-sim check`.
type checkReport struct {
	Version    string                `json:"version"`
	Scenario   string                `json:"scenario"`
	Strategy   string                `json:"strategy"`
	Seed       uint64                `json:"seed"`
	Runs       int                   `json:"runs"`
	Steps      int64                 `json:"steps"`
	Complete   bool                  `json:"complete"`
	Properties map[string]propResult `json:"properties"`
}

func cmdCheck(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("check", "dio-sim check --version V [--scenario NAME | --op read|write --sync --blocks N --extend|--past-eof --osync --fs generic|xfs --faults LIST] [--strategy random] [--runs N] [--seed N] [--trace-dir DIR] [--json]",
		"Checks every property on one scenario of one kernel version and writes the shortest violation of each property as a trace file.", stdout)
	version := c.fs.String("version", "", "kernel version: v2.6.18, before, after or v2.6.20 (required)")
	scf := addScenarioFlags(c)
	sf := addSearchFlags(c, 2000)
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() > 0 {
		return exitUsage, usagef("check: unexpected argument %q", c.fs.Arg(0))
	}
	if *version == "" {
		return exitUsage, usagef("check: --version is required (v2.6.18, before, after, v2.6.20)")
	}
	m, err := model.Lookup(*version)
	if err != nil {
		return exitUsage, usagef("%v", err)
	}
	sc, err := scf.scenario(c)
	if err != nil {
		return exitUsage, err
	}
	if err := sf.validate(); err != nil {
		return exitUsage, err
	}
	cr, err := scheduler.RandomCampaign(m, &sc, *sf.seed, *sf.runs, *sf.workers)
	if err != nil {
		if errors.Is(err, scheduler.ErrStepLimit) {
			return exitLimit, fmt.Errorf("a run hit the step limit (%d steps): %v", scheduler.DefaultMaxSteps, err)
		}
		return exitUsage, err
	}
	rep := checkReport{Version: m.Name, Scenario: sc.String(), Strategy: "random", Seed: *sf.seed, Runs: cr.Runs, Steps: cr.Steps, Properties: map[string]propResult{}}
	violated := false
	for _, id := range properties.All {
		f, ok := cr.Found[id]
		if !ok {
			rep.Properties[string(id)] = propResult{Verdict: "not-found"}
			continue
		}
		violated = true
		path, err := writeTrace(*sf.traceDir, m, &sc, f)
		if err != nil {
			return exitUsage, err
		}
		rep.Properties[string(id)] = propResult{Verdict: "violated", Message: f.Msg, Scenario: scenarioName(&sc), Trace: path, Length: len(f.Moves)}
	}
	if *sf.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return exitUsage, err
		}
	} else {
		fmt.Fprintf(stdout, "version %s, scenario %s\n%d random runs (seed %d), %d steps simulated\n\n", m.Name, sc, cr.Runs, *sf.seed, cr.Steps)
		for _, id := range properties.All {
			r := rep.Properties[string(id)]
			if r.Verdict != "violated" {
				fmt.Fprintf(stdout, "  %-18s not found\n", id)
				continue
			}
			fmt.Fprintf(stdout, "  %-18s VIOLATED in %d steps: %s\n  %-18s trace: %s\n", id, r.Length, r.Message, "", r.Trace)
		}
	}
	if violated {
		return exitViolation, nil
	}
	return exitOK, nil
}

func scenarioName(sc *sim.Scenario) string {
	if sc.Name == "" {
		return "custom"
	}
	return sc.Name
}

// writeTrace records the found violation as a trace file in dir and
// returns its path.
func writeTrace(dir string, m *model.Model, sc *sim.Scenario, f scheduler.Found) (string, error) {
	t, _, err := scheduler.Record(m, sc, f.Seed, "random", f.Moves)
	if err != nil {
		return "", fmt.Errorf("recording the trace of %s: %v", f.Prop, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("trace directory: %v", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.trace", m.Name, scenarioName(sc), f.Prop))
	out, err := os.Create(path)
	if err != nil {
		return "", fmt.Errorf("writing trace: %v", err)
	}
	if err := t.Write(out); err != nil {
		out.Close()
		return "", fmt.Errorf("writing trace: %v", err)
	}
	if err := out.Close(); err != nil {
		return "", fmt.Errorf("writing trace: %v", err)
	}
	return path, nil
}
