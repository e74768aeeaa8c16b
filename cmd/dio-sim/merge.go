package main

import (
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
		"Combines the certificates of the shards of one exhaustive search (dio-sim check --strategy exhaustive --shard i/n --certificate FILE)\n"+
			"into one certificate: states and transitions are summed over the shards (a state reached by several shards counts once per shard),\n"+
			"a property holds when every shard is complete and none violates it, and the shortest counterexample of all shards is kept.\n"+
			"Every certificate is checked first (format, counts, verdicts) and every counterexample is replayed on the model: a certificate\n"+
			"that does not hold up is refused (exit 2). Flags may follow the file names.\n"+exitRule, stdout)
	jsonOut := c.fs.Bool("json", false, "print the merged certificate as JSON")
	traceDir := c.fs.String("trace-dir", "dio-sim-traces", "directory for the trace files of the violations")
	out := c.fs.String("o", "", "also write the merged certificate (JSON) to this file")
	files, err := parseInterspersed(c, args)
	if err != nil {
		return exitUsage, err
	}
	if len(files) == 0 {
		return exitUsage, usagef("merge: give the certificate files of every shard")
	}
	if len(files) > scheduler.MaxShards {
		return exitUsage, usagef("merge: %d files, more than the %d shards a search can have", len(files), scheduler.MaxShards)
	}
	if err := checkOutputDir("--trace-dir", *traceDir); err != nil {
		return exitUsage, err
	}
	if *out != "" {
		if err := checkOutputFile("-o", *out); err != nil {
			return exitUsage, err
		}
		for _, path := range files {
			if sameFile(path, *out) {
				return exitUsage, usagef("merge: -o %s is one of the certificates to merge; refusing to overwrite it", *out)
			}
		}
	}
	var certs []*scheduler.Certificate
	for _, path := range files {
		cert, err := readCertificateFile(path)
		if err != nil {
			return exitUsage, err
		}
		certs = append(certs, cert)
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
		if err := scheduler.VerifyCounterexample(m, &sc, b.Prop, b.Message, b.Moves); err != nil {
			return exitUsage, usagef("merge: %s: %v", b.Signature, err)
		}
		wt, err := writeTrace(stderr, *traceDir, m, &sc, "exhaustive", b.Signature, finding{msg: b.Message, moves: b.Moves})
		if err != nil {
			return exitUsage, usagef("merge: %v", err)
		}
		rows = append(rows, bugResult{Signature: b.Signature, Where: b.Where, Message: wt.msg, Scenario: scenarioName(&sc), Length: wt.n, Trace: wt.path})
		if v := merged.Properties[string(b.Prop)]; v.Key == b.Key && paths[b.Prop] == "" {
			paths[b.Prop] = wt.path
		}
	}
	for _, id := range properties.All {
		v := merged.Properties[string(id)]
		if v.Verdict != "violated" || paths[id] != "" {
			continue
		}
		violated = true
		// Replayed already by readCertificateFile; check the kept one again
		// so no unverified counterexample is ever reported.
		if err := scheduler.VerifyCounterexample(m, &sc, id, v.Message, v.Moves); err != nil {
			return exitUsage, usagef("merge: %s: %v", id, err)
		}
		wt, err := writeTrace(stderr, *traceDir, m, &sc, "exhaustive", properties.Signature{Prop: id, Kind: "shortest"}, finding{msg: v.Message, moves: v.Moves})
		if err != nil {
			return exitUsage, usagef("merge: %v", err)
		}
		paths[id] = wt.path
	}
	if *out != "" {
		if err := writeOutputFile(stderr, "-o", *out, jsonBytes(merged)); err != nil {
			return exitUsage, err
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
				if un := merged.Vacuous(id); len(un) > 0 {
					fmt.Fprintf(stdout, "  %-18s vacuous (no violation, but the search never reached: %s)\n", id, strings.Join(un, "; "))
					continue
				}
				fmt.Fprintf(stdout, "  %-18s holds\n", id)
			default:
				fmt.Fprintf(stdout, "  %-18s not found\n", id)
			}
		}
	}
	return exitFor(violated, !merged.Complete), nil
}

// readCertificateFile reads and checks one certificate
// (scheduler.ReadCertificate); its errors are usage errors naming the file.
func readCertificateFile(path string) (*scheduler.Certificate, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("merge: %v", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return nil, usagef("merge: %s: is a directory", path)
	}
	cert, err := scheduler.ReadCertificate(f)
	if err != nil {
		return nil, usagef("merge: %s: %v", path, err)
	}
	return cert, nil
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	fa, err1 := os.Stat(a)
	fb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(fa, fb)
}
