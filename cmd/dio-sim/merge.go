package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

func cmdMerge(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("merge", "dio-sim merge [--json] [--trace-dir DIR] [-o FILE] CERT...",
		"Combines the certificates of the shards of one exhaustive search (dio-sim check --strategy exhaustive --shard i/n --certificate FILE)\ninto one certificate: states and transitions are summed over the shards (a state reached by several shards counts once per shard),\na property holds when every shard is complete and none violates it, and the shortest counterexample of all shards is kept.", stdout)
	jsonOut := c.fs.Bool("json", false, "print the merged certificate as JSON")
	traceDir := c.fs.String("trace-dir", "dio-sim-traces", "directory for the trace files of the violations")
	out := c.fs.String("o", "", "also write the merged certificate (JSON) to this file")
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() == 0 {
		return exitUsage, usagef("merge: give the certificate files of every shard")
	}
	var certs []*scheduler.Certificate
	for _, path := range c.fs.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			return exitUsage, usagef("merge: %v", err)
		}
		var cert scheduler.Certificate
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cert); err != nil || cert.Strategy != "exhaustive" {
			return exitUsage, usagef("merge: %s is not a dio-sim certificate", path)
		}
		certs = append(certs, &cert)
	}
	merged, err := scheduler.MergeCertificates(certs)
	if err != nil {
		return exitUsage, usagef("merge: %v", err)
	}
	m, err := model.Lookup(merged.Version)
	if err != nil {
		return exitUsage, usagef("merge: %v", err)
	}
	sc, err := sim.ParseScenario(merged.Scenario)
	if err != nil {
		return exitUsage, usagef("merge: certificate scenario: %v", err)
	}
	violated := false
	paths := map[properties.ID]string{}
	var rows []bugResult
	for _, b := range merged.Bugs {
		violated = true
		// A shard's moves are checked here: a forged certificate fails.
		p, err := writeTrace(*traceDir, m, &sc, "exhaustive", b.Signature, finding{msg: b.Message, moves: b.Moves})
		if err != nil {
			return exitUsage, usagef("merge: the counterexample of %s does not replay: %v", b.Signature, err)
		}
		rows = append(rows, bugResult{Signature: b.Signature, Where: b.Where, Message: b.Message, Scenario: scenarioName(&sc), Length: b.Length, Trace: p})
		if v := merged.Properties[string(b.Prop)]; v.Key == b.Key && paths[b.Prop] == "" {
			paths[b.Prop] = p
		}
	}
	for _, id := range properties.All {
		v := merged.Properties[string(id)]
		if v.Verdict != "violated" || paths[id] != "" {
			continue
		}
		violated = true
		p, err := writeTrace(*traceDir, m, &sc, "exhaustive", properties.Signature{Prop: id, Kind: "shortest"}, finding{msg: v.Message, moves: v.Moves})
		if err != nil {
			return exitUsage, usagef("merge: the counterexample of %s does not replay: %v", id, err)
		}
		paths[id] = p
	}
	if *out != "" {
		if err := writeJSONFile(*out, merged); err != nil {
			return exitUsage, fmt.Errorf("writing %s: %v", *out, err)
		}
	}
	if *jsonOut {
		if err := writeJSON(stdout, merged); err != nil {
			return exitUsage, err
		}
	} else {
		fmt.Fprintf(stdout, "version %s, scenario %s\n%s (merged from %d shards)\n\n", merged.Version, merged.Scenario,
			describeSearch(&searchResult{cert: merged}, 0), len(certs))
		for _, id := range properties.All {
			v := merged.Properties[string(id)]
			switch v.Verdict {
			case "violated":
				fmt.Fprintf(stdout, "  %-18s VIOLATED in %d steps: %s\n", id, v.Length, v.Message)
				printBugLines(stdout, id, rows)
			case "holds":
				fmt.Fprintf(stdout, "  %-18s holds\n", id)
			default:
				fmt.Fprintf(stdout, "  %-18s not found\n", id)
			}
		}
	}
	return exitFor(violated, !merged.Complete), nil
}
