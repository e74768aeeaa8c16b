package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// searchFlags are the flags of a search, random, rapid or exhaustive.
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
	depth       *int
	coverage    *bool
}

const maxRuns = 100_000_000

func addSearchFlags(c *command, defStrategy string, defRuns int) *searchFlags {
	fs := c.fs
	return &searchFlags{
		strategy:    fs.String("strategy", defStrategy, "exploration strategy: exhaustive (every interleaving and fault, breadth first), random (seeded random walks), pct (probabilistic concurrency testing: random priorities, --depth - 1 priority change points) or rapid (property-based: pgregory.net/rapid draws every choice and shrinks a failure to a minimal schedule)"),
		depth:       fs.Int("depth", 3, "pct: the bug depth d (d-1 priority change points per run)"),
		coverage:    fs.Bool("coverage", false, "exhaustive: report which steps of the version's programs the search ran, and which it never did"),
		runs:        fs.Int("runs", defRuns, "random: number of runs per scenario; rapid: checks per property"),
		seed:        fs.Uint64("seed", 1, "random and rapid: seed of the campaign"),
		traceDir:    fs.String("trace-dir", "dio-sim-traces", "directory for the trace files of the shortest violations (a shorter trace already there is kept)"),
		json:        fs.Bool("json", false, "print the result as JSON"),
		workers:     fs.Int("workers", 0, "worker goroutines (0: GOMAXPROCS); results do not depend on it"),
		maxStates:   fs.Int64("max-states", 0, "exhaustive: stop after this many states (0: no bound)"),
		maxDepth:    fs.Int("max-depth", 0, "exhaustive: do not go deeper than this many steps (0: no bound)"),
		timeout:     fs.Duration("timeout", 0, "every strategy: stop each search after this long, e.g. 30s, keeping what it found (0: no bound)"),
		maxMemory:   fs.String("max-memory", "", "exhaustive: stop when the heap exceeds this, e.g. 2GB or 500MB (default: half of this machine's memory; off: no bound)"),
		shard:       fs.String("shard", "", "exhaustive: search only part i of n (i/n, 0-based); combine the certificates with \"dio-sim merge\""),
		noSymmetry:  fs.Bool("no-symmetry", false, "exhaustive: turn off the symmetry reduction (over bios, and over interchangeable iocbs)"),
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
		return 0, fmt.Errorf("--max-memory %q is not a size like 512MB or 2GB (or off)", s)
	}
	return n * mult, nil
}

// memoryBound is the heap bound of an exhaustive search: --max-memory,
// else defaultMaxMemory; 0 with --max-memory off.
func memoryBound(flag string) (uint64, error) {
	switch strings.ToLower(strings.TrimSpace(flag)) {
	case "off", "none":
		return 0, nil
	case "":
		return defaultMaxMemory(), nil
	}
	return parseBytes(flag)
}

// defaultMaxMemory is half of the memory this process may use: the
// machine's (MemTotal in /proc/meminfo) or its cgroup's limit if lower;
// 4 GB when neither can be read.
func defaultMaxMemory() uint64 {
	total := uint64(0)
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			f := strings.Fields(l)
			if len(f) >= 2 && f[0] == "MemTotal:" {
				if kb, err := strconv.ParseUint(f[1], 10, 64); err == nil {
					total = kb << 10
				}
			}
		}
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if lim, err := strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64); err == nil && lim > 0 && (total == 0 || lim < total) {
			total = lim
		}
	}
	if total == 0 {
		return 4 << 30
	}
	return total / 2
}

func parseShard(s string) (int, int, error) {
	if s == "" {
		return 0, 0, nil
	}
	i, n, err := scheduler.ParseShard(s)
	if err != nil {
		return 0, 0, fmt.Errorf("--shard %q is not i/n with 0 <= i < n <= %d", s, scheduler.MaxShards)
	}
	return i, n, nil
}

func (f *searchFlags) validate() error {
	switch *f.strategy {
	case "random", "exhaustive", "rapid", "pct":
	default:
		return usagef("unknown --strategy %q (available: exhaustive, random, pct, rapid)", *f.strategy)
	}
	if *f.depth < 1 || *f.depth > 10 {
		return usagef("--depth must be between 1 and 10, got %d", *f.depth)
	}
	if *f.coverage && *f.strategy != "exhaustive" {
		return usagef("--coverage needs --strategy exhaustive")
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
	if _, err := memoryBound(*f.maxMemory); err != nil {
		return usagef("%v", err)
	}
	if _, _, err := parseShard(*f.shard); err != nil {
		return usagef("%v", err)
	}
	if *f.strategy != "exhaustive" && (*f.shard != "" || *f.certificate != "" || *f.maxStates != 0 || *f.maxDepth != 0 || *f.maxMemory != "" || *f.noSymmetry || *f.noPOR) {
		return usagef("--shard, --certificate, --max-states, --max-depth, --max-memory, --no-symmetry and --no-por need --strategy exhaustive")
	}
	if err := checkOutputDir("--trace-dir", *f.traceDir); err != nil {
		return err
	}
	if *f.certificate != "" {
		if err := checkOutputFile("--certificate", *f.certificate); err != nil {
			return err
		}
	}
	return nil
}

// checkOutputFile says, before any work, whether a file can be written at
// path: its directory exists and takes new files, and path is not a
// directory.
func checkOutputFile(flagName, path string) error {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return usagef("%s %s: is a directory", flagName, path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return usagef("%s %s: %v", flagName, path, err)
	}
	if !fi.IsDir() {
		return usagef("%s %s: %s is not a directory", flagName, path, dir)
	}
	return probeDir(flagName, path, dir)
}

// checkOutputDir says, before any work, whether files can be written in
// dir: dir, or the closest of its parents that exists (dir is created
// when a trace is written), is a directory that takes new files.
func checkOutputDir(flagName, dir string) error {
	d := filepath.Clean(dir)
	for {
		fi, err := os.Stat(d)
		if err == nil {
			if !fi.IsDir() {
				return usagef("%s %s: %s is not a directory", flagName, dir, d)
			}
			return probeDir(flagName, dir, d)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return usagef("%s %s: %v", flagName, dir, err)
		}
		parent := filepath.Dir(d)
		if parent == d {
			return usagef("%s %s: %v", flagName, dir, err)
		}
		d = parent
	}
}

// probeDir creates and removes a file in dir, the only sure test that
// files can be written there.
func probeDir(flagName, path, dir string) error {
	f, err := os.CreateTemp(dir, ".dio-sim-probe-*")
	if err != nil {
		return usagef("%s %s: cannot write in %s: %v", flagName, path, dir, unwrapPathError(err))
	}
	name := f.Name()
	f.Close()
	os.Remove(name)
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
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
	stopped  string // random, rapid, pct: why the campaign ended early ("" when it made every run)
	pctN     int    // pct: actors, steps and depth of the bound
	pctK     int
	pctD     int
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

// complete reports whether the search did all it was asked to: a complete
// exhaustive search, or every random or rapid run.
func (r *searchResult) complete() bool {
	if r.cert != nil {
		return r.cert.Complete
	}
	return r.stopped == ""
}

// stoppedBy says which bound stopped the search ("" if none).
func (r *searchResult) stoppedBy() string {
	if r.cert != nil {
		return r.cert.StoppedBy
	}
	return r.stopped
}

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

// isTerminal reports whether w is a terminal (for progress lines).
func isTerminal(w io.Writer) bool {
	f, ok := underlying(w).(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// quietProgressEvery is how often a search writes a progress line when
// stderr is not a terminal (on a terminal one line is redrawn every
// progressEvery). Variables for the tests.
var (
	quietProgressEvery = 5 * time.Second
	progressEvery      = time.Second
)

// progressLine writes progress to stderr: on a terminal it redraws one
// line; elsewhere it writes a full line at most every quietProgressEvery.
// done clears the terminal line.
type progressLine struct {
	w     io.Writer
	tty   bool
	last  time.Time
	drawn bool
	mu    sync.Mutex
}

func newProgressLine(w io.Writer) *progressLine {
	return &progressLine{w: w, tty: isTerminal(w), last: time.Now()}
}

func (p *progressLine) printf(format string, args ...any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.tty {
		// rapid reports every 50 runs: redraw at most ten times a second.
		if p.drawn && time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		fmt.Fprintf(p.w, "\r\033[K"+format, args...)
		p.drawn = true
		return
	}
	if time.Since(p.last) < quietProgressEvery {
		return
	}
	p.last = time.Now()
	fmt.Fprintf(p.w, "dio-sim: "+format+"\n", args...)
}

func (p *progressLine) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// run searches sc on m as the flags say, until ctx is done.
func (f *searchFlags) run(ctx context.Context, m *model.Model, sc *sim.Scenario, stderr io.Writer) (*searchResult, error) {
	res := &searchResult{strategy: *f.strategy, found: map[properties.ID]finding{}}
	pl := newProgressLine(stderr)
	defer pl.done()
	if *f.strategy == "rapid" || *f.strategy == "random" {
		if *f.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, *f.timeout)
			defer cancel()
		}
		var cr *scheduler.CampaignResult
		var err error
		start := time.Now()
		if *f.strategy == "rapid" {
			cr, err = scheduler.RapidCampaignContext(ctx, m, sc, *f.seed, *f.runs, func(p scheduler.RapidProgress) {
				pl.printf("%s %s: rapid, %s: %d checks, %s violated so far, %s", m.Name, scenarioName(sc), p.Prop, p.Runs,
					plural(p.Violations, "property", "properties"), time.Since(start).Round(time.Second))
			})
		} else {
			cr, err = scheduler.RandomCampaignContext(ctx, m, sc, *f.seed, *f.runs, scheduler.RandomOptions{Workers: *f.workers, ProgressDur: progressEvery,
				OnProgress: func(p scheduler.RandomProgress) {
					pl.printf("%s %s: random, %d of %d runs, %s violated so far, %s", m.Name, scenarioName(sc), p.Runs, p.Of,
						plural(p.Violations, "property", "properties"), p.Elapsed.Round(time.Second))
				}})
		}
		if err != nil {
			return nil, err
		}
		res.runs, res.steps, res.stopped = cr.Runs, cr.Steps, cr.Stopped
		for id, fd := range cr.Found {
			res.found[id] = finding{msg: fd.Msg, seed: fd.Seed, moves: fd.Moves}
		}
		res.bugs = campaignBugs(cr)
		return res, nil
	}
	if *f.strategy == "pct" {
		if *f.timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, *f.timeout)
			defer cancel()
		}
		n, k, err := scheduler.PCTSize(m, sc)
		if err != nil {
			return nil, err
		}
		cr, err := scheduler.PCTCampaignContext(ctx, m, sc, *f.seed, *f.runs, *f.depth, k, *f.workers)
		if err != nil {
			return nil, err
		}
		res.runs, res.steps, res.stopped, res.pctN, res.pctK, res.pctD = cr.Runs, cr.Steps, cr.Stopped, n, k, *f.depth
		for id, fd := range cr.Found {
			res.found[id] = finding{msg: fd.Msg, seed: fd.Seed, moves: fd.Moves}
		}
		res.bugs = campaignBugs(cr)
		return res, nil
	}
	mem, _ := memoryBound(*f.maxMemory)
	shard, shards, _ := parseShard(*f.shard)
	opt := scheduler.ExhaustiveOptions{Workers: *f.workers, MaxStates: *f.maxStates, MaxDepth: *f.maxDepth, Timeout: *f.timeout,
		MaxMemory: mem, NoSymmetry: *f.noSymmetry, NoPOR: *f.noPOR, Shard: shard, Shards: shards, Stop: ctx.Done(), ProgressDur: progressEvery, Coverage: *f.coverage}
	opt.OnProgress = func(p scheduler.Progress) {
		pl.printf("%s %s: exhaustive, %d states, %.0f states/s, depth %d, queue %d, heap %d MB, %s",
			m.Name, scenarioName(sc), p.States, float64(p.States)/p.Elapsed.Seconds(), p.Depth, p.Queue, p.HeapBytes>>20, p.Elapsed.Round(time.Second))
	}
	setMemoryLimit(mem)
	cert, err := scheduler.Exhaustive(m, sc, opt)
	pl.done()
	if err != nil {
		return nil, err
	}
	if cert.StoppedBy == "memory" {
		fmt.Fprintf(stderr, "dio-sim: %s %s: the search stopped at the memory bound (%d MB of heap; --max-memory to change it)\n", m.Name, scenarioName(sc), mem>>20)
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
		if err := writeOutputFile(stderr, "--certificate", *f.certificate, jsonBytes(cert)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// traceName is the file name of the trace of bug g of version on sc:
// VERSION-SCENARIO-SIGNATURE.trace (see properties.Signature.Slug).
func traceName(version string, sc *sim.Scenario, g properties.Signature) string {
	return fmt.Sprintf("%s-%s-%s.trace", version, scenarioName(sc), g.Slug())
}

// setMemoryLimit asks the garbage collector to keep the heap near a bound
// of mem bytes (a little above it), so the process's memory follows the
// heap that the bound measures.
func setMemoryLimit(mem uint64) {
	if mem > 0 && mem < math.MaxInt64/2 {
		debug.SetMemoryLimit(int64(mem + mem/4))
	}
}

// writeOutputFile writes data to path, saying on stderr when it replaces a
// file that was there.
func writeOutputFile(stderr io.Writer, flagName, path string, data []byte) error {
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		fmt.Fprintf(stderr, "dio-sim: %s: replacing %s (%d bytes)\n", flagName, sanitize(path), fi.Size())
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return fmt.Errorf("%s: %w", flagName, err)
	}
	return nil
}

// writtenTrace is the trace file of a finding: where, how many steps,
// and the violation's message as that trace shows it.
type writtenTrace struct {
	path string
	n    int
	msg  string
}

// writeTrace records a finding as a trace file in dir. A trace of the same
// version, scenario and property already at that path that replays and
// is not longer is kept (and described); a longer one, or any other file,
// is replaced, and stderr says so.
func writeTrace(stderr io.Writer, dir string, m *model.Model, sc *sim.Scenario, strategy string, g properties.Signature, fd finding) (writtenTrace, error) {
	t, _, err := scheduler.Record(m, sc, fd.seed, strategy, fd.moves)
	if err != nil {
		return writtenTrace{}, fmt.Errorf("recording the trace of %s: %v", g, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return writtenTrace{}, fmt.Errorf("trace directory: %v", err)
	}
	path := filepath.Join(dir, traceName(m.Name, sc, g))
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return writtenTrace{}, fmt.Errorf("writing trace: %s is not a regular file", path)
		}
		old, err := scheduler.ReadTraceFile(path)
		if err == nil {
			_, err = scheduler.Replay(old)
		}
		switch {
		case err == nil && old.Version == t.Version && old.Scenario.String() == t.Scenario.String() && violationMsg(old, g.Prop) != "" && len(old.Steps) <= len(t.Steps):
			if len(old.Steps) < len(t.Steps) {
				fmt.Fprintf(stderr, "dio-sim: kept %s (%d steps, by %s), shorter than the %d steps found now\n", sanitize(path), len(old.Steps), sanitize(old.Strategy), len(t.Steps))
			}
			return writtenTrace{path, len(old.Steps), violationMsg(old, g.Prop)}, nil
		case err == nil:
			fmt.Fprintf(stderr, "dio-sim: replacing %s (%d steps, by %s) with a trace of %d steps\n", sanitize(path), len(old.Steps), sanitize(old.Strategy), len(t.Steps))
		default:
			fmt.Fprintf(stderr, "dio-sim: replacing %s (not a trace of this search)\n", sanitize(path))
		}
	}
	var b bytes.Buffer
	if err := t.Write(&b); err != nil {
		return writtenTrace{}, fmt.Errorf("writing trace: %v", err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return writtenTrace{}, fmt.Errorf("writing trace: %v", err)
	}
	return writtenTrace{path, len(t.Steps), fd.msg}, nil
}

// violationMsg is the message of t's violation of id ("" if none).
func violationMsg(t *scheduler.Trace, id properties.ID) string {
	for _, v := range t.Violations {
		if v.Prop == id {
			return v.Msg
		}
	}
	return ""
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
func writeBugs(stderr io.Writer, dir string, m *model.Model, sc *sim.Scenario, res *searchResult) ([]bugResult, error) {
	var out []bugResult
	for _, b := range res.bugs {
		wt, err := writeTrace(stderr, dir, m, sc, res.strategy, b.sig, b.finding)
		if err != nil {
			return nil, err
		}
		out = append(out, bugResult{Signature: b.sig, Where: b.where, Message: wt.msg, Scenario: scenarioName(sc), Length: wt.n, Trace: wt.path})
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

// jsonBytes is v as indented JSON without HTML escaping, with a final
// newline (the form every JSON file of the tool has).
func jsonBytes(v any) []byte {
	var b bytes.Buffer
	writeJSON(&b, v)
	return b.Bytes()
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
	Complete    bool                   `json:"complete"`             // a complete exhaustive search (a proof for "holds")
	StoppedBy   string                 `json:"stopped_by,omitempty"` // the bound or "interrupt" that ended the search early
	Certificate *scheduler.Certificate `json:"certificate,omitempty"`
	Properties  map[string]propResult  `json:"properties"`
	Bugs        []bugResult            `json:"bugs"` // every distinct bug found, by property, then length
}

func cmdCheck(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("check", "dio-sim check --version V [--scenario NAME | --op read|write --sync --blocks N --extend|--past-eof --osync --fs generic|xfs --faults LIST --iocbs N] [--strategy exhaustive|random|rapid] [search flags] [--trace-dir DIR] [--json]",
		"Checks every property on one scenario of one kernel version and writes the shortest violation of each property as a trace file.\n"+
			"Ctrl-C stops the search: what it found so far is printed and written.\n"+exitRule, stdout)
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
	if *htmlOut != "" {
		if err := checkOutputFile("--html", *htmlOut); err != nil {
			return exitUsage, err
		}
	}
	res, err := sf.run(ctx, m, &sc, stderr)
	if err != nil {
		if errors.Is(err, scheduler.ErrStepLimit) {
			return exitLimit, fmt.Errorf("a run hit the step limit (%d steps): %v", scheduler.DefaultMaxSteps, err)
		}
		return exitUsage, err
	}
	rep := checkReport{Version: m.Name, Scenario: scenarioName(&sc), Parameters: sc.String(), Strategy: res.strategy, Runs: res.runs, Steps: res.steps,
		Complete: res.cert != nil && res.complete(), StoppedBy: res.stoppedBy(), Certificate: res.cert, Properties: map[string]propResult{}}
	if res.strategy != "exhaustive" {
		rep.Seed = *sf.seed
	}
	violated := false
	rep.Bugs, err = writeBugs(stderr, *sf.traceDir, m, &sc, res)
	if err != nil {
		return exitUsage, err
	}
	for _, id := range properties.All {
		v := res.verdict(id)
		if v == "holds" && len(res.cert.Vacuous(id)) > 0 {
			rep.Properties[string(id)] = propResult{Verdict: "vacuous", Message: "never reached: " + strings.Join(res.cert.Vacuous(id), "; ")}
			continue
		}
		if v != "violated" {
			rep.Properties[string(id)] = propResult{Verdict: v}
			continue
		}
		violated = true
		fd := res.found[id]
		rep.Properties[string(id)] = propResult{Verdict: v, Message: fd.msg, Scenario: scenarioName(&sc), Trace: propTrace(id, fd, res.bugs, rep.Bugs), Length: len(fd.moves)}
	}
	htmlErr := error(nil)
	if *htmlOut != "" {
		b, err := selectBug(res.bugs, *htmlProp, *htmlSig)
		if err != nil {
			htmlErr = err
		} else {
			about := fmt.Sprintf("%s, %s: %s: %s%s, %d steps (%s)", m.Name, scenarioName(&sc), b.sig.Prop, b.sig.Kind, atWhere(b.where), len(b.moves), b.msg)
			if err := writeHistoryHTML(stderr, *htmlOut, m, &sc, b.moves, about); err != nil {
				htmlErr = err
			}
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
			case "vacuous":
				fmt.Fprintf(stdout, "  %-18s vacuous (no violation, but the search %s)\n", id, r.Message)
			case "holds-in-shard":
				fmt.Fprintf(stdout, "  %-18s holds in this shard\n", id)
			default:
				fmt.Fprintf(stdout, "  %-18s not found\n", id)
			}
		}
	}
	if *sf.coverage && res.cert != nil && !*sf.json {
		fmt.Fprintln(stdout)
		printCoverage(stdout, m, res.cert.Coverage)
	}
	if htmlErr != nil {
		return exitUsage, htmlErr
	}
	return exitFor(violated, !res.complete()), nil
}

// exitFor is the exit status rule (exitRule): a violation found wins over
// a search stopped early, which wins over nothing found.
func exitFor(violated, stoppedEarly bool) int {
	switch {
	case violated:
		return exitViolation
	case stoppedEarly:
		return exitLimit
	}
	return exitOK
}

// describeSearch says what a search covered, in one line.
func describeSearch(r *searchResult, seed uint64) string {
	stopped := ""
	if r.cert == nil && r.stopped != "" {
		stopped = fmt.Sprintf("STOPPED EARLY by %s: ", stopWhat(r.stopped))
	}
	if r.cert == nil && r.strategy == "rapid" {
		return fmt.Sprintf("%srapid: %d runs (seed %d, shrinking included), %d steps simulated; each violation shrunk to a minimal schedule; \"not found\" is not a proof", stopped, r.runs, seed, r.steps)
	}
	if r.cert == nil && r.strategy == "pct" {
		return fmt.Sprintf("%spct: %d runs (seed %d, depth %d), %d steps simulated; with %d actors and runs of at most %d steps, each bug of depth %d is found with probability >= %.4g (1 - (1 - 1/(n k^(d-1)))^runs); \"not found\" is not a proof",
			stopped, r.runs, seed, r.pctD, r.steps, r.pctN, r.pctK, r.pctD, scheduler.PCTBound(r.pctN, r.pctK, r.pctD, r.runs))
	}
	if r.cert == nil {
		return fmt.Sprintf("%s%d random runs (seed %d), %d steps simulated; \"not found\" is not a proof", stopped, r.runs, seed, r.steps)
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
		what = "INCOMPLETE, stopped by " + stopWhat(c.StoppedBy)
	}
	shard := ""
	if c.Shard != "" {
		shard = fmt.Sprintf(", shard %s (split at depth %d)", c.Shard, c.SplitDepth)
	}
	return fmt.Sprintf("exhaustive search %s: %d states, %d transitions, max depth %d (%s%s)", what, c.States, c.Transitions, c.MaxDepth, strings.Join(red, ", "), shard)
}

// stopWhat names what stopped a search: "the states bound", "Ctrl-C".
func stopWhat(why string) string {
	if why == "interrupt" {
		return "Ctrl-C"
	}
	return "the " + why + " bound"
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
func writeHistoryHTML(stderr io.Writer, path string, m *model.Model, sc *sim.Scenario, moves []model.Move, about string) error {
	h, anns, err := properties.AnnotationsFromRun(m, sc, moves)
	if err != nil {
		return fmt.Errorf("--html: %v", err)
	}
	final := m.Init(sc)
	for _, mv := range moves {
		m.Apply(final, mv)
	}
	var b bytes.Buffer
	if err := properties.VisualizeRun(&b, sc, h, anns, properties.VisualizeOptions{About: about, Final: final}); err != nil {
		return fmt.Errorf("--html: %v", err)
	}
	return writeOutputFile(stderr, "--html", path, b.Bytes())
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
