package main

import (
	"flag"
	"fmt"
	"strings"

	"diosim"
	"diosim/model"
	"diosim/sim"
)

// scenarioFlags are the flags that describe a scenario.
type scenarioFlags struct {
	name      *string
	op        *string
	sync      *bool
	blocks    *int
	extend    *bool
	pastEOF   *bool
	osync     *bool
	fs        *string
	faults    *string
	iocbs     *int
	observe   *string
	mapping   *string
	overwrite *bool
}

func addScenarioFlags(c *command) *scenarioFlags {
	fs := c.fs
	return &scenarioFlags{
		name:      fs.String("scenario", "", "a named scenario (see \"dio-sim scenarios\"); excludes --op, --blocks and the other scenario flags"),
		op:        fs.String("op", "read", "operation: read or write"),
		sync:      fs.Bool("sync", false, "a synchronous read(2)/write(2) instead of io_submit"),
		blocks:    fs.Int("blocks", 2, fmt.Sprintf("size of the request in blocks (1 to %d); one bio per block unless --map extent", sim.MaxBlocks)),
		extend:    fs.Bool("extend", false, "the write extends the file (starts one block before EOF)"),
		pastEOF:   fs.Bool("past-eof", false, "the read's last block straddles EOF"),
		osync:     fs.Bool("osync", false, "the file is opened O_SYNC (writes)"),
		fs:        fs.String("fs", "generic", "filesystem: generic (blockdev_direct_IO, DIO_LOCKING) or xfs"),
		faults:    fs.String("faults", "", "faults that may fire, comma-separated: "+strings.Join(sim.FaultNames(), ",")),
		iocbs:     fs.Int("iocbs", 1, fmt.Sprintf("iocbs in flight on the same file, each on its own range of --blocks blocks (1 to %d)", sim.MaxIocbs)),
		observe:   fs.String("observe", "", "when the reaper reads the file back: after-reap (after each event, the default), at-rest (once every kernel actor has finished) or both"),
		mapping:   fs.String("map", "", "how get_block maps the file: block (one block per call, each elsewhere on disk, one bio per block: the default) or extent (the file is one extent: one call maps every following block mapped alike, and contiguous blocks share one bio)"),
		overwrite: fs.Bool("overwrite", false, "XFS writes: the range is written extents holding the file's data (get_block leaves map_bh.b_private NULL, nothing is converted) instead of unwritten extents; with --scenario, overrides the scenario's"),
	}
}

// scenario builds the scenario from the flags.
func (f *scenarioFlags) scenario(c *command) (sim.Scenario, error) {
	flagSet, iocbsSet, nameSet := false, false, false
	c.fs.Visit(func(fl *flag.Flag) {
		if fl.Name == "iocbs" {
			iocbsSet = true
		}
		if fl.Name == "scenario" {
			nameSet = true
		}
		switch fl.Name {
		case "op", "sync", "blocks", "extend", "past-eof", "osync", "fs", "faults":
			flagSet = true
		}
	})
	if nameSet && strings.TrimSpace(*f.name) == "" {
		return sim.Scenario{}, usagef("--scenario needs a name (see \"dio-sim scenarios\")")
	}
	iocbs := *f.iocbs
	if iocbs < 1 || iocbs > sim.MaxIocbs {
		return sim.Scenario{}, usagef("iocbs must be between 1 and %d, got %d", sim.MaxIocbs, iocbs)
	}
	if iocbs == 1 {
		iocbs = 0
	}
	observe := sim.AfterReap
	if *f.observe != "" {
		o, err := sim.ParseObserve(*f.observe)
		if err != nil {
			return sim.Scenario{}, usagef("--observe: %v", err)
		}
		observe = o
	}
	extent := false
	switch *f.mapping {
	case "", "block":
	case "extent":
		extent = true
	default:
		return sim.Scenario{}, usagef("unknown --map %q (block or extent)", *f.mapping)
	}
	if *f.name != "" {
		if flagSet {
			return sim.Scenario{}, usagef("give --scenario or the scenario flags (--op, --blocks, ...), not both")
		}
		n, err := diosim.Lookup(*f.name)
		if err != nil {
			return sim.Scenario{}, usagef("%v", err)
		}
		sc := n.Scenario
		if iocbsSet {
			sc.Iocbs = iocbs
		}
		if *f.observe != "" {
			sc.Observe = observe
		}
		if *f.mapping != "" {
			sc.Extent = extent
		}
		if *f.overwrite {
			sc.Overwrite = true
		}
		if err := sc.Validate(); err != nil {
			return sc, usagef("%v", err)
		}
		return sc, nil
	}
	sc := sim.Scenario{Blocks: *f.blocks, Sync: *f.sync, OSync: *f.osync, Iocbs: iocbs, Observe: observe, Extent: extent, Overwrite: *f.overwrite}
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

// modelAndScenario finishes parsing a command that takes --version and the
// scenario flags and no arguments: it checks the arguments and returns the
// model and the scenario.
func modelAndScenario(c *command, version string, scf *scenarioFlags) (*model.Model, sim.Scenario, error) {
	name := c.fs.Name()
	if c.fs.NArg() > 0 {
		return nil, sim.Scenario{}, usagef("%s: unexpected argument %q (%s takes flags only)", name, c.fs.Arg(0), name)
	}
	if version == "" {
		return nil, sim.Scenario{}, usagef("%s: --version is required (v2.6.18, before, after, v2.6.20)", name)
	}
	m, err := model.Lookup(version)
	if err != nil {
		return nil, sim.Scenario{}, usagef("%v", err)
	}
	sc, err := scf.scenario(c)
	if err != nil {
		return nil, sim.Scenario{}, err
	}
	return m, sc, nil
}
