package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"diosim"
	"diosim/explain"
	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// matrixReport is the JSON form of the default run.
type matrixReport struct {
	Strategy  string                           `json:"strategy"`
	Seed      uint64                           `json:"seed,omitempty"`
	Runs      int                              `json:"runs_per_scenario,omitempty"`
	Scenarios []string                         `json:"scenarios"`
	Complete  bool                             `json:"complete"`
	StoppedBy string                           `json:"stopped_by,omitempty"` // the bound or "interrupt" that ended a search early
	States    int64                            `json:"states,omitempty"`
	Steps     int64                            `json:"steps,omitempty"`
	Versions  map[string]map[string]propResult `json:"versions"`
	Order     []string                         `json:"version_order"` // the versions' order in the table
	// Bugs are the distinct bugs (signatures) found on any version: the
	// story table's rows, in its order.
	Bugs []storyRow `json:"bugs"`
	// PCT is, with --strategy pct, the weakest of the searches' PCT
	// bounds: the scenario and version where a bug of the depth is least
	// sure to be found.
	PCT *pctBound `json:"pct,omitempty"`
}

// pctBound is PCT's probabilistic guarantee for one search: with Actors
// actors and runs of at most Steps steps, Runs runs find each bug of
// depth Depth with probability at least Bound.
type pctBound struct {
	Version  string  `json:"version"`
	Scenario string  `json:"scenario"`
	Actors   int     `json:"actors"`
	Steps    int     `json:"steps"`
	Depth    int     `json:"depth"`
	Runs     int     `json:"runs"`
	Bound    float64 `json:"bound"`
}

// storyRow is one distinct bug across the versions.
type storyRow struct {
	properties.Signature
	// Story is set on the commit message's two bugs, which come first.
	Story string `json:"story,omitempty"`
	// Versions maps a version to the bug's shortest violation there; a
	// version where it was not found is absent (see AbsentOn).
	Versions map[string]bugResult `json:"versions"`
	// AbsentOn lists the versions where a complete exhaustive search of
	// every default scenario proves the bug absent.
	AbsentOn []string `json:"absent_on"`
}

// storyNames are the commit message's two bugs, by property and kind.
var storyNames = []struct {
	prop properties.ID
	kind string
	name string
}{
	{properties.ExactlyOnce, properties.KindDoubleRead, "the commit message's double completion (a failed read completed twice)"},
	{properties.IsizeVisible, properties.KindStaleIsize, "the commit message's stale i_size (an extending AIO write)"},
}

func cmdMatrix(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("dio-sim", "dio-sim [--versions V1,V2,...] [--strategy exhaustive|random|rapid] [search flags] [--trace-dir DIR] [--json]",
		"Runs the default scenario set (see \"dio-sim scenarios\") on every version and prints, version by property,\n\"holds\" (proved by a complete exhaustive search), the shortest violation found (with its trace file), or \"not found\".\n"+
			"Ctrl-C stops the searches: what they found so far is printed and written.\n"+exitRule, stdout)
	sf := addSearchFlags(c, "exhaustive", 5000)
	versionList := c.fs.String("versions", "", "comma-separated versions or variants to check, in this order (default: every kernel version; \"dio-sim versions\" lists them)")
	observe := c.fs.String("observe", "", "override when the reaper reads the file back in every io_submit scenario: after-reap, at-rest or both (default: as each scenario says)")
	setName := c.fs.String("set", "default", "the scenario `set` to run: default (the table by property), or xfstests (each scenario's own check, by scenario; \"dio-sim scenarios\" lists them)")
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() > 0 {
		return exitUsage, usagef("unexpected argument %q (commands: %s)", c.fs.Arg(0), commandList)
	}
	vers, err := parseVersionList(*versionList)
	if err != nil {
		return exitUsage, err
	}
	if err := sf.validate(); err != nil {
		return exitUsage, err
	}
	if *sf.shard != "" || *sf.certificate != "" {
		return exitUsage, usagef("--shard and --certificate work on one scenario: use \"dio-sim check\"")
	}
	set := diosim.InSet(*setName)
	if len(set) == 0 {
		return exitUsage, usagef("--set: unknown set %q (known: %s)", *setName, strings.Join(diosim.Sets(), ", "))
	}
	if *observe != "" {
		o, err := sim.ParseObserve(*observe)
		if err != nil {
			return exitUsage, usagef("--observe: %v", err)
		}
		for i := range set {
			if !set[i].Sync {
				set[i].Observe = o
			}
		}
	}
	if *setName != "default" {
		return runSet(ctx, *setName, set, vers, sf, stdout, stderr)
	}
	// Complete is a proof's word: only an exhaustive search that finished
	// everywhere is complete; StoppedBy says a search ended early.
	rep := matrixReport{Strategy: *sf.strategy, Complete: *sf.strategy == "exhaustive", Versions: map[string]map[string]propResult{}}
	for _, m := range vers {
		rep.Order = append(rep.Order, m.Name)
	}
	if *sf.strategy != "exhaustive" {
		rep.Seed, rep.Runs = *sf.seed, *sf.runs
	}
	for _, n := range set {
		rep.Scenarios = append(rep.Scenarios, n.Name)
	}
	violated := false
	var covs []scheduler.Coverage
	rows := map[properties.Signature]*storyRow{}
	var rowOrder []properties.Signature
	versionComplete := map[string]bool{}
	for _, m := range vers {
		type bestBug struct {
			b  bugFinding
			sc int
		}
		bugs := map[properties.Signature]bestBug{}
		var sigs []properties.Signature
		complete := *sf.strategy == "exhaustive"
		holds := map[properties.ID]bool{}
		vac := vacuity{}
		cov := scheduler.Coverage{}
		for _, id := range properties.All {
			holds[id] = *sf.strategy == "exhaustive"
		}
		for i, n := range set {
			sc := n.Scenario
			res, err := sf.run(ctx, m, &sc, stderr)
			if err != nil {
				if errors.Is(err, scheduler.ErrStepLimit) {
					return exitLimit, fmt.Errorf("%s/%s: a run hit the step limit: %v", m.Name, n.Name, err)
				}
				return exitUsage, err
			}
			rep.Steps += res.steps
			if *sf.strategy == "pct" {
				b := scheduler.PCTBound(res.pctN, res.pctK, res.pctD, res.runs)
				if rep.PCT == nil || b < rep.PCT.Bound {
					rep.PCT = &pctBound{Version: m.Name, Scenario: n.Name, Actors: res.pctN, Steps: res.pctK, Depth: res.pctD, Runs: res.runs, Bound: b}
				}
			}
			if res.cert != nil {
				vac.add(res.cert)
				cov.Add(res.cert.Coverage)
				rep.States += res.cert.States
				complete = complete && res.cert.Complete
			}
			if !res.complete() {
				rep.Complete = false
				if rep.StoppedBy == "" {
					rep.StoppedBy = res.stoppedBy()
				}
			}
			for _, id := range properties.All {
				if res.verdict(id) != "holds" {
					holds[id] = false
				}
			}
			for _, b := range res.bugs {
				old, seen := bugs[b.sig]
				if !seen {
					sigs = append(sigs, b.sig)
				}
				if !seen || len(b.moves) < len(old.b.moves) {
					bugs[b.sig] = bestBug{b, i}
				}
			}
		}
		versionComplete[m.Name] = complete
		// The shortest bug of each property is the property's verdict.
		bests := map[properties.ID]bugResult{}
		for _, g := range sigs {
			b := bugs[g]
			sc := set[b.sc].Scenario
			wt, err := writeTrace(stderr, *sf.traceDir, m, &sc, *sf.strategy, g, b.b.finding)
			if err != nil {
				return exitUsage, err
			}
			br := bugResult{Signature: g, Where: b.b.where, Message: wt.msg, Scenario: sc.Name, Length: wt.n, Trace: wt.path}
			if old, ok := bests[g.Prop]; !ok || br.Length < old.Length {
				bests[g.Prop] = br
			}
			r, ok := rows[g]
			if !ok {
				r = &storyRow{Signature: g, Versions: map[string]bugResult{}}
				rows[g] = r
				rowOrder = append(rowOrder, g)
			}
			r.Versions[m.Name] = br
		}
		row := map[string]propResult{}
		for _, id := range properties.All {
			b, ok := bests[id]
			if !ok {
				v := "not-found"
				msg := ""
				if holds[id] {
					v = "holds"
					if un := vac.unreached(string(id)); len(un) > 0 {
						v, msg = "vacuous", "never reached: "+strings.Join(un, "; ")
					}
				}
				row[string(id)] = propResult{Verdict: v, Message: msg}
				continue
			}
			violated = true
			row[string(id)] = propResult{Verdict: "violated", Message: b.Message, Scenario: b.Scenario, Trace: b.Trace, Length: b.Length}
		}
		rep.Versions[m.Name] = row
		if *sf.coverage {
			covs = append(covs, cov)
		}
	}
	rep.Bugs = storyRows(rows, rowOrder, rep.Order, versionComplete)
	if *sf.json {
		if err := writeJSON(stdout, rep); err != nil {
			return exitUsage, err
		}
	} else {
		printMatrix(stdout, &rep)
		if *sf.coverage {
			fmt.Fprintln(stdout)
			for i, m := range vers {
				printCoverage(stdout, m, covs[i])
			}
		}
	}
	return exitFor(violated, rep.StoppedBy != ""), nil
}

func printMatrix(w io.Writer, rep *matrixReport) {
	if rep.Strategy != "exhaustive" {
		stopped := ""
		if rep.StoppedBy != "" {
			stopped = fmt.Sprintf(" STOPPED EARLY by %s: some runs were not made;", stopWhat(rep.StoppedBy))
		}
		fmt.Fprintf(w, "dio-sim: %d scenarios x %d %s runs each (seed %d) on every version;%s %d steps simulated\n",
			len(rep.Scenarios), rep.Runs, rep.Strategy, rep.Seed, stopped, rep.Steps)
		if b := rep.PCT; b != nil {
			fmt.Fprintf(w, "pct, depth %d: each bug of depth %d is found with probability >= %.4g in every scenario; the weakest bound is %s on %s\n"+
				"(%d actors, runs of at most %d steps, %d runs: 1 - (1 - 1/(n k^(d-1)))^runs); every other search's bound is at least as high\n",
				b.Depth, b.Depth, b.Bound, b.Scenario, b.Version, b.Actors, b.Steps, b.Runs)
		}
		fmt.Fprintln(w)
	} else {
		what := "complete"
		if !rep.Complete {
			what = "INCOMPLETE (" + stopWhat(rep.StoppedBy) + " stopped a search)"
		}
		fmt.Fprintf(w, "dio-sim: exhaustive search of %d scenarios on every version, %s; %d states in all\n\n", len(rep.Scenarios), what, rep.States)
	}
	printStory(w, rep)
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "property")
	for _, name := range rep.Order {
		fmt.Fprintf(tw, "\t%s", name)
	}
	fmt.Fprintln(tw)
	for _, id := range properties.All {
		fmt.Fprint(tw, id)
		for _, name := range rep.Order {
			r := rep.Versions[name][string(id)]
			switch r.Verdict {
			case "violated":
				fmt.Fprintf(tw, "\tVIOLATED %d", r.Length)
			case "holds":
				fmt.Fprint(tw, "\tholds")
			case "vacuous":
				fmt.Fprint(tw, "\tvacuous")
			default:
				fmt.Fprint(tw, "\tnot found")
			}
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	if rep.Strategy != "exhaustive" {
		fmt.Fprintln(w, "\n\"not found\" means no run showed a violation; it is not a proof.")
	} else {
		fmt.Fprintln(w, "\n\"holds\": every reachable state of every default scenario was checked.")
		fmt.Fprintln(w, "\"VIOLATED N\": the shortest counterexample takes N steps.")
	}
	for _, name := range rep.Order {
		for _, id := range properties.All {
			if r := rep.Versions[name][string(id)]; r.Verdict == "vacuous" {
				fmt.Fprintf(w, "  %-8s %-18s vacuous: %s\n", name, id, r.Message)
			}
		}
	}
	fmt.Fprintln(w, "\nShortest violation of each property, with the trace to replay (dio-sim replay FILE; every bug's\ntrace is in the trace directory, named by its signature; --json lists them):")
	for _, name := range rep.Order {
		for _, id := range properties.All {
			r := rep.Versions[name][string(id)]
			if r.Verdict != "violated" {
				continue
			}
			fmt.Fprintf(w, "  %-8s %-18s %s: %s\n  %-8s %-18s %s\n", name, id, r.Scenario, r.Message, "", "", r.Trace)
		}
	}
}

func cmdReplay(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("replay", "dio-sim replay [--version V] [--brief] [--strict] [--update] [--source DIR] [--html FILE] TRACE",
		"Prints a trace step by step (actor, step id, kernel location, statement, state changed), replays it on the model\n"+
			"and re-checks every property. A trace whose run no longer matches the model (another actor, enabled set,\n"+
			"step id, outcome or verdict) is an error (exit 2). A step whose statement text, citation or state-change\n"+
			"rendering was edited since the trace was written is drift: a warning on stderr naming the step, old and new;\n"+
			"--update rewrites the trace's annotations as the model has them now, --strict makes drift an error.\n"+
			"Traces of format v1 (no step ids) replay too; --update rewrites them as v2.", stdout)
	version := c.fs.String("version", "", "the version the trace must be of (default: the one in its header)")
	brief := c.fs.Bool("brief", false, "print only the verdict, not every step")
	srcFlag := addSourceFlag(c)
	htmlOut := c.fs.String("html", "", "write porcupine's visualization of the trace's user-visible history, annotated with the kernel steps, to this file")
	htmlProp := c.fs.String("property", "", "with --html: the violation of the trace the page is about (default: its first)")
	strict := c.fs.Bool("strict", false, "treat drift (a changed statement, citation or state-change text) as a divergence")
	update := c.fs.Bool("update", false, "rewrite TRACE with the model's current annotations when only drift separates them (format v2)")
	files, err := parseInterspersed(c, args)
	if err != nil {
		return exitUsage, err
	}
	if *strict && *update {
		return exitUsage, usagef("replay: --strict and --update exclude each other")
	}
	src, err := srcFlag()
	if err != nil {
		return exitUsage, err
	}
	if len(files) != 1 {
		return exitUsage, usagef("replay: give exactly one trace file")
	}
	path := files[0]
	if *htmlOut != "" {
		if sameFile(path, *htmlOut) {
			return exitUsage, usagef("replay: --html %s is the trace being replayed; refusing to overwrite it", *htmlOut)
		}
		if err := checkOutputFile("--html", *htmlOut); err != nil {
			return exitUsage, err
		}
	}
	t, err := readTrace("replay", path)
	if err != nil {
		return exitUsage, err
	}
	if *version != "" {
		if _, err := model.Lookup(*version); err != nil {
			return exitUsage, usagef("%v", err)
		}
		if *version != t.Version {
			return exitUsage, usagef("replay %s: the trace is of version %s, not %s", path, t.Version, *version)
		}
	}
	res, drift, err := scheduler.ReplayWith(t, scheduler.ReplayOptions{Strict: *strict})
	if err != nil {
		return exitUsage, usagef("replay %s: %v", path, err)
	}
	for _, d := range drift {
		fmt.Fprintf(stderr, "dio-sim: replay %s: drift: %s\n", path, d)
	}
	if *update && (len(drift) > 0 || t.Format != 2) {
		if err := rewriteTrace(path, scheduler.UpdateTrace(t, res)); err != nil {
			return exitUsage, usagef("replay %s: --update: %v", path, err)
		}
		fmt.Fprintf(stderr, "dio-sim: replay %s: rewrote the trace (%d steps drifted)\n", path, len(drift))
	}
	if *htmlOut != "" {
		m, _ := model.Lookup(t.Version)
		about := fmt.Sprintf("%s: no violation", filepath.Base(path))
		found := *htmlProp == ""
		vs := append([]scheduler.Violation(nil), res.Violations...)
		// The commit message's bugs first, as in the main table.
		sort.SliceStable(vs, func(i, j int) bool { return storyRank(vs[i].Violation) < storyRank(vs[j].Violation) })
		for _, v := range vs {
			if *htmlProp == "" || string(v.Prop) == *htmlProp {
				about = fmt.Sprintf("%s, %s: %s: %s%s, at step %d (%s)", t.Version, scenarioName(&t.Scenario), v.Prop, v.Kind, atWhere(v.Where), v.Step, v.Msg)
				found = true
				break
			}
		}
		if !found {
			return exitUsage, usagef("replay %s: --property %s: the trace does not violate it", path, *htmlProp)
		}
		if err := writeHistoryHTML(stderr, *htmlOut, m, &t.Scenario, res.Moves, about); err != nil {
			return exitUsage, err
		}
	}
	fmt.Fprintf(stdout, "trace %s\nversion %s, scenario %s, seed %d, strategy %s, %d steps\n", sanitize(path), sanitize(t.Version), sanitize(t.Scenario.String()), t.Seed, sanitize(t.Strategy), len(t.Steps))
	if !*brief {
		fmt.Fprintln(stdout)
		m, _ := model.Lookup(t.Version)
		reads := explain.RunReads(m, &t.Scenario, res.Moves)
		for _, st := range res.Steps {
			fmt.Fprintf(stdout, "%4d  %-10s %s  [%s]\n", st.N, st.Actor, st.Loc, st.ID)
			printSource(stdout, src, st.Loc, "      ")
			fmt.Fprintf(stdout, "      %-10s %s\n", "", st.Text)
			if st.Outcome != "-" {
				fmt.Fprintf(stdout, "      %-10s outcome: %s\n", "", st.Outcome)
			}
			if r := reads[st.N-1]; len(r) > 0 {
				fmt.Fprintf(stdout, "      %-10s reads %s\n", "", explain.FormatReads(r))
			}
			if st.Changes != "" {
				fmt.Fprintf(stdout, "      %-10s => %s\n", "", st.Changes)
			}
			for _, v := range res.Violations {
				if v.Step == st.N {
					fmt.Fprintf(stdout, "      %-10s !! %s violated: %s\n", "", v.Prop, v.Msg)
				}
			}
		}
	}
	fmt.Fprintln(stdout, "\nreplay: every step matches the model.")
	if len(res.Violations) == 0 {
		fmt.Fprintln(stdout, "verdict: no violation")
		return exitOK, nil
	}
	for _, v := range res.Violations {
		fmt.Fprintf(stdout, "verdict: %s violated at step %d: %s\n", v.Prop, v.Step, v.Msg)
	}
	return exitViolation, nil
}

func cmdScenarios(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("scenarios", "dio-sim scenarios", "Lists the named scenarios (testdata/scenarios/scenarios.txt); * marks the default set. A scenario of another set\n"+
		"(dio-sim --set NAME) says which program it models, what that program checks, and the properties that express it.", stdout)
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() > 0 {
		return exitUsage, usagef("scenarios: unexpected argument %q", c.fs.Arg(0))
	}
	for _, n := range diosim.Scenarios() {
		mark := " "
		if n.Default {
			mark = "*"
		}
		fields := strings.TrimPrefix(n.Scenario.String(), "name="+n.Name+" ")
		fmt.Fprintf(stdout, "%s %-22s %s\n  %-22s %s\n", mark, n.Name, n.Doc, "", fields)
		if n.Set != "" {
			fmt.Fprintf(stdout, "  %-22s set: %s (dio-sim --set %s)\n", "", n.Set, n.Set)
		}
		if n.Models != "" {
			var ids []string
			for _, id := range n.Check {
				ids = append(ids, string(id))
			}
			fmt.Fprintf(stdout, "  %-22s models: %s\n  %-22s checks: %s\n  %-22s check: %s\n", "", n.Models, "", n.Checks, "", strings.Join(ids, ", "))
		}
	}
	return exitOK, nil
}

// rewriteTrace replaces the trace file at path with t, through a
// temporary file in the same directory, so a failed write leaves the old
// trace in place.
func rewriteTrace(path string, t *scheduler.Trace) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".dio-sim-trace-*")
	if err != nil {
		return err
	}
	if err := t.Write(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	return os.Rename(f.Name(), path)
}

// storyRows orders the rows of the story table: the commit message's two
// bugs first, then by property (properties.All), then by the first version
// (in order) where the bug is found, its length there, and its signature.
func storyRows(rows map[properties.Signature]*storyRow, order []properties.Signature, versions []string, complete map[string]bool) []storyRow {
	rank := func(r *storyRow) (story, prop, first, length int) {
		story = len(storyNames)
		for i, n := range storyNames {
			if r.Prop == n.prop && r.Kind == n.kind {
				story = i
			}
		}
		for i, id := range properties.All {
			if id == r.Prop {
				prop = i
			}
		}
		first = len(versions)
		for i, v := range versions {
			if b, ok := r.Versions[v]; ok {
				first, length = i, b.Length
				break
			}
		}
		return
	}
	var out []storyRow
	for _, g := range order {
		r := rows[g]
		for i, n := range storyNames {
			if r.Prop == n.prop && r.Kind == n.kind {
				r.Story = storyNames[i].name
			}
		}
		r.AbsentOn = []string{}
		for _, v := range versions {
			if _, ok := r.Versions[v]; !ok && complete[v] {
				r.AbsentOn = append(r.AbsentOn, v)
			}
		}
		out = append(out, *r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		s1, p1, f1, l1 := rank(&out[i])
		s2, p2, f2, l2 := rank(&out[j])
		switch {
		case s1 != s2:
			return s1 < s2
		case p1 != p2:
			return p1 < p2
		case f1 != f2:
			return f1 < f2
		case l1 != l2:
			return l1 < l2
		}
		return out[i].Signature.String() < out[j].Signature.String()
	})
	return out
}

// storyWidth is the width of the story table on a terminal.
const storyWidth = 100

// printStory prints the story table: distinct bugs by version.
func printStory(w io.Writer, rep *matrixReport) {
	colW := make([]int, len(rep.Order))
	total := 0
	for i, v := range rep.Order {
		colW[i] = max(len(v), 5) + 1
		total += colW[i]
	}
	labelW := max(storyWidth-total, 32)
	fmt.Fprintln(w, "Distinct bugs: the shortest counterexample in steps on each version; — absent (proved by the")
	fmt.Fprintln(w, "complete search); · not found. A bug is a property, how it broke and the step that broke it.")
	fmt.Fprintln(w)
	fmt.Fprint(w, pad("bug (how it broke, where)", labelW))
	for i, v := range rep.Order {
		fmt.Fprint(w, padLeft(v, colW[i]))
	}
	fmt.Fprintln(w)
	cells := func(lengths map[string]int, absent func(string) bool) {
		for i, v := range rep.Order {
			cell := "·"
			if n, ok := lengths[v]; ok {
				cell = fmt.Sprint(n)
			} else if absent(v) {
				cell = "—"
			}
			fmt.Fprint(w, padLeft(cell, colW[i]))
		}
		fmt.Fprintln(w)
	}
	label := func(kind, where string) {
		l := "  " + kind
		if where != "" {
			l += "  " + where
		}
		fmt.Fprint(w, pad(clip(l, labelW-1), labelW))
	}
	// The commit message's bugs: one row each, whatever step broke it
	// (the patch moved the aio_complete calls; the rows by step are in
	// --json), at the C location of the shortest on the first version.
	fmt.Fprintln(w, "the commit message's two bugs")
	for _, n := range storyNames {
		lengths := map[string]int{}
		where := map[string]string{}
		absentAll := map[string]int{}
		rows := 0
		for _, r := range rep.Bugs {
			if r.Prop != n.prop || r.Kind != n.kind {
				continue
			}
			rows++
			for v, b := range r.Versions {
				if old, ok := lengths[v]; !ok || b.Length < old {
					lengths[v], where[v] = b.Length, shortWhere(b.Where)
				}
			}
			for _, v := range r.AbsentOn {
				absentAll[v]++
			}
		}
		first := ""
		for _, v := range rep.Order {
			if _, ok := lengths[v]; ok {
				first = where[v]
				break
			}
		}
		label(string(n.prop)+": "+n.kind, first)
		cells(lengths, func(v string) bool {
			return absentAll[v] == rows && (rows > 0 || rep.Complete && rep.Strategy == "exhaustive")
		})
	}
	group := ""
	for _, r := range rep.Bugs {
		if r.Story != "" {
			continue
		}
		if g := string(r.Prop); g != group {
			fmt.Fprintln(w, g)
			group = g
		}
		where := ""
		lengths := map[string]int{}
		for _, v := range rep.Order {
			if b, ok := r.Versions[v]; ok {
				if where == "" {
					where = shortWhere(b.Where)
				}
				lengths[v] = b.Length
			}
		}
		label(r.Kind, where)
		cells(lengths, func(v string) bool { return contains(r.AbsentOn, v) })
	}
}

// shortWhere abbreviates a C location for the story table:
// fs/direct-io.c@before:291 becomes direct-io.c:291.
func shortWhere(where string) string {
	file, line, ok := strings.Cut(where, "@")
	if !ok {
		return where
	}
	if i := strings.LastIndex(file, "/"); i >= 0 {
		file = file[i+1:]
	}
	if _, l, ok := strings.Cut(line, ":"); ok {
		line = l
	}
	return file + ":" + line
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// clip shortens s to n runes, ending it with "…" when cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func pad(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return s + strings.Repeat(" ", n-k)
	}
	return s
}

func padLeft(s string, n int) string {
	if k := utf8.RuneCountInString(s); k < n {
		return strings.Repeat(" ", n-k) + s
	}
	return s
}

// storyRank is the place of v's kind among the commit message's bugs
// (storyNames), len(storyNames) for the others.
func storyRank(v properties.Violation) int {
	for i, n := range storyNames {
		if v.Prop == n.prop && v.Kind == n.kind {
			return i
		}
	}
	return len(storyNames)
}
