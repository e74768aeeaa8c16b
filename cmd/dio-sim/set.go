package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
)

// setReport is the result of dio-sim --set NAME: for every scenario of the
// set and every version, whether the scenario's own check passes.
type setReport struct {
	Set       string                            `json:"set"`
	Strategy  string                            `json:"strategy"`
	Complete  bool                              `json:"complete"`
	States    int64                             `json:"states,omitempty"`
	Order     []string                          `json:"version_order"`
	Scenarios []string                          `json:"scenarios"`
	Results   map[string]map[string]checkResult `json:"results"` // scenario -> version -> result
}

// checkResult is one scenario's check on one version.
type checkResult struct {
	// Verdict: "passes" (no property of the check is violated and the
	// search was complete), "fails" (one is), or "not-found" (none
	// found by an incomplete search).
	Verdict string `json:"verdict"`
	// Failed lists the violated properties of the check, with their
	// shortest violation and its trace.
	Failed []propResult `json:"failed,omitempty"`
	// Other lists the properties outside the check that the search found
	// violated (reported, not part of the verdict).
	Other []string `json:"other,omitempty"`
}

// runSet runs every scenario of a named set on every version and judges
// each by its own check (Named.Check): the xfstests programs' pass/fail
// conditions expressed as properties.
func runSet(ctx context.Context, name string, set []diosim.Named, vers []*model.Model, sf *searchFlags, stdout, stderr io.Writer) (int, error) {
	rep := setReport{Set: name, Strategy: *sf.strategy, Complete: *sf.strategy == "exhaustive", Results: map[string]map[string]checkResult{}}
	for _, m := range vers {
		rep.Order = append(rep.Order, m.Name)
	}
	failed := false
	for _, n := range set {
		if len(n.Check) == 0 {
			return exitUsage, fmt.Errorf("scenario %s has no check: line", n.Name)
		}
		rep.Scenarios = append(rep.Scenarios, n.Name)
		rep.Results[n.Name] = map[string]checkResult{}
		inCheck := map[properties.ID]bool{}
		for _, id := range n.Check {
			inCheck[id] = true
		}
		for _, m := range vers {
			sc := n.Scenario
			res, err := sf.run(ctx, m, &sc, stderr)
			if err != nil {
				if errors.Is(err, scheduler.ErrStepLimit) {
					return exitLimit, fmt.Errorf("%s/%s: a run hit the step limit: %v", m.Name, n.Name, err)
				}
				return exitUsage, err
			}
			complete := res.complete()
			if res.cert != nil {
				rep.States += res.cert.States
			}
			rep.Complete = rep.Complete && complete
			cr := checkResult{Verdict: "not-found"}
			if complete {
				cr.Verdict = "passes"
			}
			for _, id := range properties.All {
				fd, ok := res.found[id]
				if !ok {
					continue
				}
				if !inCheck[id] {
					cr.Other = append(cr.Other, string(id))
					continue
				}
				// The trace is the property's shortest bug, named by its
				// signature as every trace is (res.bugs is by property,
				// then length).
				sig := properties.Signature{Prop: id}
				for _, b := range res.bugs {
					if b.sig.Prop == id {
						sig, fd = b.sig, b.finding
						break
					}
				}
				wt, err := writeTrace(stderr, *sf.traceDir, m, &sc, *sf.strategy, sig, fd)
				if err != nil {
					return exitUsage, err
				}
				cr.Verdict = "fails"
				failed = true
				cr.Failed = append(cr.Failed, propResult{Verdict: "violated", Message: string(id) + ": " + fd.msg, Scenario: n.Name, Trace: wt.path, Length: wt.n})
			}
			rep.Results[n.Name][m.Name] = cr
		}
	}
	if *sf.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return exitUsage, err
		}
	} else {
		printSet(stdout, &rep, set)
	}
	return exitFor(failed, !rep.Complete && *sf.strategy == "exhaustive"), nil
}

func printSet(w io.Writer, rep *setReport, set []diosim.Named) {
	what := "complete"
	if rep.Strategy != "exhaustive" {
		what = rep.Strategy + " runs: \"not found\" is not a proof"
	} else if !rep.Complete {
		what = "INCOMPLETE (a bound stopped a search)"
	}
	fmt.Fprintf(w, "dio-sim: the %s set, %d scenarios, each judged by its own check; %s; %d states in all\n\n", rep.Set, len(rep.Scenarios), what, rep.States)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "scenario\tcheck")
	for _, v := range rep.Order {
		fmt.Fprintf(tw, "\t%s", v)
	}
	fmt.Fprintln(tw)
	for _, n := range set {
		var ids []string
		for _, id := range n.Check {
			ids = append(ids, string(id))
		}
		fmt.Fprintf(tw, "%s\t%s", n.Name, strings.Join(ids, ","))
		for _, v := range rep.Order {
			r := rep.Results[n.Name][v]
			switch r.Verdict {
			case "fails":
				broken := map[string]bool{}
				for _, f := range r.Failed {
					broken[strings.SplitN(f.Message, ":", 2)[0]] = true
				}
				fmt.Fprintf(tw, "\tFAILS %d/%d", len(broken), len(n.Check))
			case "passes":
				fmt.Fprint(tw, "\tpasses")
			default:
				fmt.Fprint(tw, "\tnot found")
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fmt.Fprintln(w, "\n\"passes\": no property of the scenario's check is violated in any reachable state.")
	fmt.Fprintln(w, "\"FAILS k/n\": k of the n properties of its check are violated (each is listed below).")
	fmt.Fprintln(w, "\nEach failure, shortest violation first found, with the trace to replay (dio-sim replay FILE):")
	for _, n := range set {
		for _, v := range rep.Order {
			for _, f := range rep.Results[n.Name][v].Failed {
				fmt.Fprintf(w, "  %-8s %-22s %s\n  %-8s %-22s %s\n", v, n.Name, f.Message, "", "", f.Trace)
			}
		}
	}
}
