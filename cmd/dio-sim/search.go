package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// searchFlags are the flags of a search, random or exhaustive.
type searchFlags struct {
	strategy    *string
	runs        *int
	seed        *uint64
	traceDir    *string
	json        *bool
	workers     *int
	maxStates   *int64
	maxDepth    *int
	timeout     *time.Duration
	maxMemory   *string
	shard       *string
	noSymmetry  *bool
	noPOR       *bool
	certificate *string
}

const maxRuns = 100_000_000

func addSearchFlags(c *command, defStrategy string, defRuns int) *searchFlags {
	fs := c.fs
	return &searchFlags{
		strategy:    fs.String("strategy", defStrategy, "exploration strategy: exhaustive (every interleaving and fault, breadth first), random (seeded random walks) or rapid (property-based: pgregory.net/rapid draws every choice and shrinks a failure to a minimal schedule)"),
		runs:        fs.Int("runs", defRuns, "random: number of runs per scenario; rapid: checks per property"),
		seed:        fs.Uint64("seed", 1, "random and rapid: seed of the campaign"),
		traceDir:    fs.String("trace-dir", "dio-sim-traces", "directory for the trace files of the shortest violations"),
		json:        fs.Bool("json", false, "print the result as JSON"),
		workers:     fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS); results do not depend on it"),
		maxStates:   fs.Int64("max-states", 0, "exhaustive: stop after this many states (0: no bound)"),
		maxDepth:    fs.Int("max-depth", 0, "exhaustive: do not go deeper than this many steps (0: no bound)"),
		timeout:     fs.Duration("timeout", 0, "exhaustive: stop after this long, e.g. 30s (0: no bound)"),
		maxMemory:   fs.String("max-memory", "", "exhaustive: stop when the heap exceeds this, e.g. 2GB or 500MB (empty: no bound)"),
		shard:       fs.String("shard", "", "exhaustive: search only part i of n (i/n, 0-based); combine the certificates with `dio-sim merge`"),
		noSymmetry:  fs.Bool("no-symmetry", false, "exhaustive: turn off the symmetry reduction over bios"),
		noPOR:       fs.Bool("no-por", false, "exhaustive: turn off partial-order reduction (counterexamples shortest in the full state graph)"),
		certificate: fs.String("certificate", "", "exhaustive: write the certificate (JSON) to this file"),
	}
}

func parseBytes(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	mult := uint64(1)
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, suf := range []struct {
		s string
		m uint64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(u, suf.s) {
			mult = suf.m
			u = strings.TrimSuffix(u, suf.s)
			break
		}
	}
	n, err := strconv.ParseUint(strings.TrimSpace(u), 10, 64)
	if err != nil || n == 0 || n > (1<<50)/mult {
		return 0, fmt.Errorf("--max-memory %q is not a size like 512MB or 2GB", s)
	}
	return n * mult, nil
}

func parseShard(s string) (int, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	var i, n int
	if _, err := fmt.Sscanf(s, "%d/%d", &i, &n); err != nil || n < 1 || n > 4096 || i < 0 || i >= n || fmt.Sprintf("%d/%d", i, n) != s {
		return 0, 0, fmt.Errorf("--shard %q is not i/n with 0 <= i < n <= 4096", s)
	}
	return i, n, nil
}

func (f *searchFlags) validate() error {
	switch *f.strategy {
	case "random", "exhaustive", "rapid":
	default:
		return usagef("unknown --strategy %q (available: exhaustive, random, rapid)", *f.strategy)
	}
	if *f.runs < 1 || *f.runs > maxRuns {
		return usagef("--runs must be between 1 and %d, got %d", maxRuns, *f.runs)
	}
	if *f.workers < 0 || *f.workers > 1024 {
		return usagef("--workers must be between 0 and 1024, got %d", *f.workers)
	}
	if *f.maxStates < 0 || *f.maxDepth < 0 || *f.timeout < 0 {
		return usagef("--max-states, --max-depth and --timeout must not be negative")
	}
	if _, err := parseBytes(*f.maxMemory); err != nil {
		return usagef("%v", err)
	}
	if _, _, err := parseShard(*f.shard); err != nil {
		return usagef("%v", err)
	}
	if *f.strategy != "exhaustive" && (*f.shard != "" || *f.certificate != "" || *f.maxStates != 0 || *f.maxDepth != 0 || *f.maxMemory != "" || *f.noSymmetry || *f.noPOR) {
		return usagef("--shard, --certificate, --max-states, --max-depth, --max-memory, --no-symmetry and --no-por need --strategy exhaustive")
	}
	return nil
}

// finding is the shortest violation of one property or signature.
type finding struct {
	msg   string
	seed  uint64
	moves []model.Move
}

// bugFinding is the shortest violation of one signature: a distinct bug.
type bugFinding struct {
	sig   properties.Signature
	where string // the C location of the signature's step in this version
	finding
}

// searchResult is the outcome of a search on one scenario.
type searchResult struct {
	strategy string
	runs     int
	steps    int64
	cert     *scheduler.Certificate
	found    map[properties.ID]finding
	bugs     []bugFinding // every distinct signature found, by property, then length
}

// campaignBugs lists a campaign's bugs in report order.
func campaignBugs(cr *scheduler.CampaignResult) []bugFinding {
	var out []bugFinding
	for g, f := range cr.Bugs {
		out = append(out, bugFinding{sig: g, where: f.Viol.Where, finding: finding{msg: f.Msg, seed: f.Seed, moves: f.Moves}})
	}
	sortBugFindings(out)
	return out
}

// sortBugFindings orders bugs by property (properties.All), then length,
// then signature.
func sortBugFindings(bs []bugFinding) {
	rank := map[properties.ID]int{}
	for i, id := range properties.All {
		rank[id] = i
	}
	sort.SliceStable(bs, func(i, j int) bool {
		a, b := bs[i], bs[j]
		if rank[a.sig.Prop] != rank[b.sig.Prop] {
			return rank[a.sig.Prop] < rank[b.sig.Prop]
		}
		if len(a.moves) != len(b.moves) {
			return len(a.moves) < len(b.moves)
		}
		return a.sig.String() < b.sig.String()
	})
}

func (r *searchResult) complete() bool { return r.cert != nil && r.cert.Complete }

// verdict is holds, violated or not-found (holds only from a complete
// exhaustive search).
func (r *searchResult) verdict(id properties.ID) string {
	if _, ok := r.found[id]; ok {
		return "violated"
	}
	if r.cert != nil {
		return r.cert.Properties[string(id)].Verdict
	}
	return "not-found"
}

// interruptible returns a channel closed on Ctrl-C, and a stop function.
func interruptible() (<-chan struct{}, func()) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	return ctx.Done(), stop
}

// isTerminal reports whether w is a terminal (for progress lines).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// run searches sc on m as the flags say.
func (f *searchFlags) run(m *model.Model, sc *sim.Scenario, stop <-chan struct{}, stderr io.Writer) (*searchResult, error) {
	res := &searchResult{strategy: *f.strategy, found: map[properties.ID]finding{}}
	if *f.strategy == "rapid" {
		var progress func(scheduler.RapidProgress)
		if isTerminal(stderr) {
			progress = func(p scheduler.RapidProgress) {
				fmt.Fprintf(stderr, "\r%s %s: rapid, %s: %d checks, %d properties violated so far   ", m.Name, scenarioName(sc), p.Prop, p.Runs, p.Violations)
			}
		}
		cr, err := scheduler.RapidCampaignProgress(m, sc, *f.seed, *f.runs, progress)
		if progress != nil {
			fmt.Fprint(stderr, "\r\033[K")
		}
		if err != nil {
			return nil, err
		}
		res.runs, res.steps = cr.Runs, cr.Steps
		for id, fd := range cr.Found {
			res.found[id] = finding{msg: fd.Msg, seed: fd.Seed, moves: fd.Moves}
		}
		res.bugs = campaignBugs(cr)
		return res, nil
	}
	if *f.strategy == "random" {
		cr, err := scheduler.RandomCampaign(m, sc, *f.seed, *f.runs, *f.workers)
		if err != nil {
			return nil, err
		}
		res.runs, res.steps = cr.Runs, cr.Steps
		for id, fd := range cr.Found {
			res.found[id] = finding{msg: fd.Msg, seed: fd.Seed, moves: fd.Moves}
		}
		res.bugs = campaignBugs(cr)
		return res, nil
	}
	mem, _ := parseBytes(*f.maxMemory)
	shard, shards, _ := parseShard(*f.shard)
	opt := scheduler.ExhaustiveOptions{Workers: *f.workers, MaxStates: *f.maxStates, MaxDepth: *f.maxDepth, Timeout: *f.timeout,
		MaxMemory: mem, NoSymmetry: *f.noSymmetry, NoPOR: *f.noPOR, Shard: shard, Shards: shards, Stop: stop}
	if isTerminal(stderr) {
		opt.OnProgress = func(p scheduler.Progress) {
			fmt.Fprintf(stderr, "\r%s %s: %d states, %.0f states/s, depth %d, queue %d, heap %d MB   ",
				m.Name, scenarioName(sc), p.States, float64(p.States)/p.Elapsed.Seconds(), p.Depth, p.Queue, p.HeapBytes>>20)
		}
	}
	cert, err := scheduler.Exhaustive(m, sc, opt)
	if opt.OnProgress != nil {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return nil, err
	}
	res.cert = cert
	for _, id := range properties.All {
		if v := cert.Properties[string(id)]; v.Verdict == "violated" {
			res.found[id] = finding{msg: v.Message, moves: v.Moves}
		}
	}
	for _, b := range cert.Bugs {
		res.bugs = append(res.bugs, bugFinding{sig: b.Signature, where: b.Where, finding: finding{msg: b.Message, moves: b.Moves}})
	}
	if *f.certificate != "" {
		if err := writeJSONFile(*f.certificate, cert); err != nil {
			return nil, fmt.Errorf("writing the certificate: %v", err)
		}
	}
	return res, nil
}

// traceName is the file name of the trace of bug g of version on sc:
// VERSION-SCENARIO-SIGNATURE.trace (see properties.Signature.Slug).
func traceName(version string, sc *sim.Scenario, g properties.Signature) string {
	return fmt.Sprintf("%s-%s-%s.trace", version, scenarioName(sc), g.Slug())
}

// writeTrace records a finding as a trace file in dir, named by its
// signature, and returns its path.
func writeTrace(dir string, m *model.Model, sc *sim.Scenario, strategy string, g properties.Signature, fd finding) (string, error) {
	t, _, err := scheduler.Record(m, sc, fd.seed, strategy, fd.moves)
	if err != nil {
		return "", fmt.Errorf("recording the trace of %s: %v", g, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("trace directory: %v", err)
	}
	path := filepath.Join(dir, traceName(m.Name, sc, g))
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

// scenarioName names a scenario in file names and tables: its name, or for
// an ad-hoc scenario "custom-" and its parameters, e.g.
// custom-read-async-2blocks-inside-generic-gup, so two ad-hoc scenarios
// never share a name.
func scenarioName(sc *sim.Scenario) string {
	if sc.Name != "" {
		return sc.Name
	}
	mode := "async"
	if sc.Sync {
		mode = "sync"
	}
	parts := []string{"custom", sc.Op.String(), mode, fmt.Sprintf("%dblocks", sc.Blocks), sc.Place.String()}
	if sc.OSync {
		parts = append(parts, "osync")
	}
	parts = append(parts, sc.FS.String())
	if f := strings.ReplaceAll(strings.ReplaceAll(sc.Faults.String(), ",", "+"), " ", ""); f != "" && f != "none" {
		parts = append(parts, f)
	}
	if sc.NumIocbs() > 1 {
		parts = append(parts, fmt.Sprintf("%diocbs", sc.Iocbs))
	}
	return strings.Join(parts, "-")
}

// propResult is the verdict on one property, as printed and as JSON.
type propResult struct {
	Verdict  string `json:"verdict"` // violated, holds, not-found
	Message  string `json:"message,omitempty"`
	Scenario string `json:"scenario,omitempty"`
	Trace    string `json:"trace,omitempty"`
	Length   int    `json:"length,omitempty"`
}

// bugResult is one distinct bug (a signature's shortest violation), as
// JSON.
type bugResult struct {
	properties.Signature
	Where    string `json:"where,omitempty"` // the C location of the step in this version
	Message  string `json:"message"`
	Scenario string `json:"scenario"`
	Length   int    `json:"length"`
	Trace    string `json:"trace"`
}

// writeBugs writes the trace of every bug of res (named by signature) and
// returns the bugs as JSON rows, in res.bugs order.
func writeBugs(dir string, m *model.Model, sc *sim.Scenario, res *searchResult) ([]bugResult, error) {
	var out []bugResult
	for _, b := range res.bugs {
		path, err := writeTrace(dir, m, sc, res.strategy, b.sig, b.finding)
		if err != nil {
			return nil, err
		}
		out = append(out, bugResult{Signature: b.sig, Where: b.where, Message: b.msg, Scenario: scenarioName(sc), Length: len(b.moves), Trace: path})
	}
	return out, nil
}

// propTrace returns the trace of the bug that is property id's shortest
// violation fd (the bug of that property with the same moves).
func propTrace(id properties.ID, fd finding, bugs []bugFinding, rows []bugResult) string {
	for i, b := range bugs {
		if b.sig.Prop == id && sameMoves(b.moves, fd.moves) {
			return rows[i].Trace
		}
	}
	return ""
}

func sameMoves(a, b []model.Move) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// writeJSON writes v as indented JSON, without escaping <, > and &.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeJSONFile writes v as indented JSON to path.
func writeJSONFile(path string, v any) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeJSON(f, v); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// checkReport is the JSON form of `dio-sim check`.
type checkReport struct {
	Version     string                 `json:"version"`
	Scenario    string                 `json:"scenario"`   // its name, as in the violations and trace names
	Parameters  string                 `json:"parameters"` // the scenario in full (sim.Scenario.String)
	Strategy    string                 `json:"strategy"`
	Seed        uint64                 `json:"seed,omitempty"`
	Runs        int                    `json:"runs,omitempty"`
	Steps       int64                  `json:"steps,omitempty"`
	Complete    bool                   `json:"complete"`
	Certificate *scheduler.Certificate `json:"certificate,omitempty"`
	Properties  map[string]propResult  `json:"properties"`
	Bugs        []bugResult            `json:"bugs"` // every distinct bug found, by property, then length
}

func cmdCheck(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("check", "dio-sim check --version V [--scenario NAME | --op read|write --sync --blocks N --extend|--past-eof --osync --fs generic|xfs --faults LIST] [--strategy exhaustive|random] [search flags] [--trace-dir DIR] [--json]",
		"Checks every property on one scenario of one kernel version and writes the shortest violation of each property as a trace file.\nExit status: 0 no violation, 1 a violation, 2 bad usage or input, 3 stopped by a bound before finishing.", stdout)
	version := c.fs.String("version", "", "kernel version: v2.6.18, before, after or v2.6.20 (required)")
	scf := addScenarioFlags(c)
	sf := addSearchFlags(c, "random", 2000)
	htmlOut := c.fs.String("html", "", "write porcupine's visualization of the history of one violation (--property, --signature; default the first bug in the order of the main table), annotated with the kernel steps, to this file")
	htmlProp := c.fs.String("property", "", "with --html: draw the shortest violation of this property")
	htmlSig := c.fs.String("signature", "", "with --html: draw the violation of this signature (as in the JSON's bugs or a trace file's name, e.g. exactly-once--double-completion-of-a-read--aio_run_iocb-aio-complete)")
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	m, sc, err := modelAndScenario(c, *version, scf)
	if err != nil {
		return exitUsage, err
	}
	if err := sf.validate(); err != nil {
		return exitUsage, err
	}
	if (*htmlProp != "" || *htmlSig != "") && *htmlOut == "" {
		return exitUsage, usagef("check: --property and --signature go with --html")
	}
	if *htmlProp != "" {
		if _, err := properties.Lookup(*htmlProp); err != nil {
			return exitUsage, usagef("check: --property: %v", err)
		}
	}
	stop, release := interruptible()
	defer release()
	res, err := sf.run(m, &sc, stop, stderr)
	if err != nil {
		if errors.Is(err, scheduler.ErrStepLimit) {
			return exitLimit, fmt.Errorf("a run hit the step limit (%d steps): %v", scheduler.DefaultMaxSteps, err)
		}
		return exitUsage, err
	}
	rep := checkReport{Version: m.Name, Scenario: scenarioName(&sc), Parameters: sc.String(), Strategy: res.strategy, Runs: res.runs, Steps: res.steps,
		Complete: res.complete(), Certificate: res.cert, Properties: map[string]propResult{}}
	if res.strategy != "exhaustive" {
		rep.Seed = *sf.seed
	}
	violated := false
	rep.Bugs, err = writeBugs(*sf.traceDir, m, &sc, res)
	if err != nil {
		return exitUsage, err
	}
	for _, id := range properties.All {
		v := res.verdict(id)
		if v != "violated" {
			rep.Properties[string(id)] = propResult{Verdict: v}
			continue
		}
		violated = true
		fd := res.found[id]
		rep.Properties[string(id)] = propResult{Verdict: v, Message: fd.msg, Scenario: scenarioName(&sc), Trace: propTrace(id, fd, res.bugs, rep.Bugs), Length: len(fd.moves)}
	}
	if *htmlOut != "" {
		b, err := selectBug(res.bugs, *htmlProp, *htmlSig)
		if err != nil {
			return exitUsage, err
		}
		about := fmt.Sprintf("%s, %s: %s: %s%s, %d steps (%s)", m.Name, scenarioName(&sc), b.sig.Prop, b.sig.Kind, atWhere(b.where), len(b.moves), b.msg)
		if err := writeHistoryHTML(*htmlOut, m, &sc, b.moves, about); err != nil {
			return exitUsage, err
		}
	}
	if *sf.json {
		if rep.Certificate != nil {
			rep.Certificate = withoutMoves(rep.Certificate)
		}
		if err := writeJSON(stdout, rep); err != nil {
			return exitUsage, err
		}
	} else {
		fmt.Fprintf(stdout, "version %s, scenario %s\n%s\n\n", m.Name, sc, describeSearch(res, *sf.seed))
		for _, id := range properties.All {
			r := rep.Properties[string(id)]
			switch r.Verdict {
			case "violated":
				fmt.Fprintf(stdout, "  %-18s VIOLATED in %d steps: %s\n", id, r.Length, r.Message)
				printBugLines(stdout, id, rep.Bugs)
			case "holds":
				fmt.Fprintf(stdout, "  %-18s holds\n", id)
			case "holds-in-shard":
				fmt.Fprintf(stdout, "  %-18s holds in this shard\n", id)
			default:
				fmt.Fprintf(stdout, "  %-18s not found\n", id)
			}
		}
	}
	return exitFor(violated, res.strategy == "exhaustive" && !res.complete()), nil
}

func exitFor(violated, incomplete bool) int {
	switch {
	case violated:
		return exitViolation
	case incomplete:
		return exitLimit
	}
	return exitOK
}

// describeSearch says what a search covered, in one line.
func describeSearch(r *searchResult, seed uint64) string {
	if r.cert == nil && r.strategy == "rapid" {
		return fmt.Sprintf("rapid: %d runs (seed %d, shrinking included), %d steps simulated; each violation shrunk to a minimal schedule; \"not found\" is not a proof", r.runs, seed, r.steps)
	}
	if r.cert == nil {
		return fmt.Sprintf("%d random runs (seed %d), %d steps simulated; \"not found\" is not a proof", r.runs, seed, r.steps)
	}
	c := r.cert
	red := []string{}
	if c.Symmetry {
		red = append(red, "symmetry")
	}
	if c.POR {
		red = append(red, "partial-order reduction")
	}
	if len(red) == 0 {
		red = append(red, "no reduction")
	}
	what := "complete"
	if !c.Complete {
		what = "INCOMPLETE, stopped by the " + c.StoppedBy + " bound"
	}
	shard := ""
	if c.Shard != "" {
		shard = fmt.Sprintf(", shard %s (split at depth %d)", c.Shard, c.SplitDepth)
	}
	return fmt.Sprintf("exhaustive search %s: %d states, %d transitions, max depth %d (%s%s)", what, c.States, c.Transitions, c.MaxDepth, strings.Join(red, ", "), shard)
}

// selectBug picks the bug an --html page is about: the one of signature
// sig (its String or Slug), else the shortest of property prop, else the
// first in the order of the main table (the commit message's bugs first).
func selectBug(bugs []bugFinding, prop, sig string) (bugFinding, error) {
	if len(bugs) == 0 {
		return bugFinding{}, usagef("--html: no violation was found, so there is no failing history to draw")
	}
	var names []string
	for _, b := range bugs {
		names = append(names, b.sig.Slug())
		switch {
		case sig != "" && (sig == b.sig.String() || sig == b.sig.Slug()):
			return b, nil
		case sig == "" && prop != "" && string(b.sig.Prop) == prop:
			return b, nil // bugs are by property, then length
		}
	}
	if sig != "" {
		return bugFinding{}, usagef("--signature %q: no such bug was found (found: %s)", sig, strings.Join(names, ", "))
	}
	if prop != "" {
		return bugFinding{}, usagef("--property %s: not violated in this search", prop)
	}
	for _, n := range storyNames {
		for _, b := range bugs {
			if b.sig.Prop == n.prop && b.sig.Kind == n.kind {
				return b, nil
			}
		}
	}
	return bugs[0], nil
}

// writeHistoryHTML writes porcupine's visualization of the history of the
// run made of moves, annotated with the kernel steps and headed by about
// (the violation the page is about), to path.
func writeHistoryHTML(path string, m *model.Model, sc *sim.Scenario, moves []model.Move, about string) error {
	h, anns, err := properties.AnnotationsFromRun(m, sc, moves)
	if err != nil {
		return fmt.Errorf("--html: %v", err)
	}
	final := m.Init(sc)
	for _, mv := range moves {
		m.Apply(final, mv)
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--html: %v", err)
	}
	if err := properties.VisualizeRun(f, sc, h, anns, properties.VisualizeOptions{About: about, Final: final}); err != nil {
		f.Close()
		return fmt.Errorf("--html: %v", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("--html: %v", err)
	}
	return nil
}

// atWhere renders " at LOC", or "" for no location.
func atWhere(where string) string {
	if where == "" {
		return ""
	}
	return " at " + where
}

// withoutMoves returns a copy of c without the counterexamples' moves and
// keys (they are in the trace files), to keep the JSON readable.
func withoutMoves(c *scheduler.Certificate) *scheduler.Certificate {
	cc := *c
	cc.Properties = map[string]scheduler.Verdict{}
	for k, v := range c.Properties {
		v.Moves, v.Key = nil, ""
		cc.Properties[k] = v
	}
	cc.Bugs = nil
	for _, b := range c.Bugs {
		b.Moves, b.Key = nil, ""
		cc.Bugs = append(cc.Bugs, b)
	}
	return &cc
}

// printBugLines prints the distinct bugs of property id, one a line: how
// it broke, where, the length of its shortest trace and the trace file.
func printBugLines(w io.Writer, id properties.ID, bugs []bugResult) {
	for _, b := range bugs {
		if b.Prop == id {
			fmt.Fprintf(w, "  %-18s - %s%s, %d steps: %s\n", "", b.Kind, atWhere(b.Where), b.Length, b.Trace)
		}
	}
}
