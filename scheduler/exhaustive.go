package scheduler

// Exhaustive search.
//
// The search visits every state reachable from the initial state of a
// scenario, over every interleaving of every actor and every outcome of
// every fault point, level by level (breadth first), so the first violating
// state found for each property is at the smallest depth. Within a level,
// states are expanded in the order they were first reached and each state's
// moves in actor-then-outcome order; with the deterministic merge below this
// makes the counterexample of each property the lexicographically smallest
// shortest path (in canonical moves), whatever the number of workers.
//
// State caching. A state is identified by a 128-bit fingerprint
// (sim.State.Fingerprint): a sum of hashes of the state's components (the
// inode, ring and history key; each request's kiocb, dio and facts; each
// actor; each bio with its completion and block), which together cover
// every field sim.State.EncodeKey serialises: every field that determines
// the state's future and its verdicts. Of the history, that is its key
// (sim.State.HistoryKey): what the properties that read the history still
// need of it (sim.RegisterHistoryView), so states whose histories differ
// only in what no property can tell any more (two iocbs submitted in
// either order; which of two equivalent pasts led to the same states of
// the file) are one state. The state kept is the first reached, with its
// own whole history, which the counterexample's trace and messages show
// (the path to it is the smallest of its class, so they are the ones a
// search without keys gives). Nothing else influences a step: the
// model's programs are fixed per version and scenario, and a step reads
// only the state it is given. So two states with the same encoding have
// the same future; a test checks it. Two different states collide in the
// fingerprint with probability about n^2/2^129 for n states (3e-24 for a
// billion states), the usual hash-compaction trade.
//
// Cost per transition. The moves of a state are tried one after the other
// on one scratch copy of it: a move is applied, the fingerprint is updated
// from the parent's by hashing again only the components that changed (the
// moving actor, those it woke, a request whose objects changed, a bio that
// changed), and the scratch is put back (sim.State.ResetTo). A successor
// is kept only if no earlier level visited its fingerprint and no earlier
// successor of the level has it: then the scratch itself is kept, and the
// next move takes a new copy of the parent. The after-step properties are
// checked on the scratch, and the linearizability verdict of a history is
// remembered. So a transition costs about the same at every N, but for
// the comparisons of a request's bios, done as one memory comparison.
// The visited set is a table keyed by the fingerprint's own bits
// (fpTable); a state expanded goes back at once to its worker's free
// list, whose next copy reuses its memory while it is still in cache.
//
// Workers. A level is cut into many more pieces than workers, which each
// worker takes from its own range of the level first, then from the ends
// of the others' (pieceQueue); the successors keep their position in the
// level (piece, index), and the first successor of each new fingerprint in
// that order becomes the new state, whoever found it first (claim). The
// merge then runs in parallel too (see expandLevel), so ids, counts,
// verdicts and counterexamples are the same for any number of workers.
//
// Symmetry reduction. With Symmetry on, the fingerprint of a bio that may
// be renamed names no bio index, so all renamings of a state (submitted
// bios are interchangeable: the 8! orders in which 8 identical bios can
// complete) have one fingerprint, and a state kept is put in canonical
// form (sim.State.Canonicalize) before it is expanded, so that moves name
// the actors of the canonical form. Counterexample lengths are unchanged
// (the renaming is an isomorphism of the state graph). Interchangeable
// iocbs (sim.Scenario.IocbsInterchangeable; sim/canon.go argues which)
// are renamed by the fingerprint alone: it hashes each iocb as a whole,
// so renamings of iocbs share it, and the state kept is the first reached,
// never renamed, so its moves and traces are real runs.
//
// Partial-order reduction. With POR on, a state where some actor's next
// step is marked Private (model.Step.Private: it commutes with every step
// of every other actor and is invisible to the properties) is expanded by
// that step alone: the lowest such actor, all of its outcomes. This is the
// ample-set method with singleton ample sets: C0 (non-empty), C1 (no step
// dependent on it can happen first, since it is independent of all other
// actors' steps) and C2 (invisible) hold by the step's annotation, and the
// cycle proviso C3 is enforced by expanding fully any state whose ample
// successor was already visited. With several iocbs a step is also
// independent of the other iocbs' actors only if it touches none of what
// they share: the inode (i_mutex, i_alloc_sem, i_size, the page cache, the
// blocks) and what userspace records (the history of calls); such steps
// are marked Inode as well and are ample only with one iocb. Every other
// Private step reads and writes its own request's objects (its kiocb, dio,
// bios), which no actor of another request reaches. Every violating state of the full graph
// then has a violating counterpart in the reduced graph (reached after the
// postponed private steps, which change no property), and every terminal
// state is kept, so verdicts are the same; a shortest counterexample can be
// longer by the private steps it had to take first. Turn POR off for
// counterexamples that are shortest in the full graph.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"runtime"
	"runtime/metrics"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// ExhaustiveOptions control an exhaustive search. The zero value searches
// everything on GOMAXPROCS workers with symmetry and partial-order reduction.
type ExhaustiveOptions struct {
	Workers     int           // 0: GOMAXPROCS
	MaxStates   int64         // stop after this many states (0: no bound)
	MaxDepth    int           // do not expand states at this depth (0: no bound)
	Timeout     time.Duration // stop after this long (0: none)
	MaxMemory   uint64        // stop when the Go heap exceeds this many bytes (0: none)
	NoSymmetry  bool          // turn symmetry reduction off
	NoPOR       bool          // turn partial-order reduction off
	Shard       int           // this shard's index, 0 <= Shard < Shards
	Shards      int           // split the search into this many parts (0 or 1: no split)
	Stop        <-chan struct{}
	OnProgress  func(Progress) // called about once a second from a separate goroutine
	ProgressDur time.Duration  // 0: one second
	// Coverage records every step the search runs, with where the actor
	// went next (Certificate.Coverage).
	Coverage bool
}

// Progress is a snapshot of a running search.
type Progress struct {
	States, Transitions int64
	Depth, Queue        int
	HeapBytes           uint64
	Elapsed             time.Duration
}

// Verdict is a certificate's verdict on one property.
type Verdict struct {
	Verdict string `json:"verdict"` // holds, violated, not-found
	Message string `json:"message,omitempty"`
	Length  int    `json:"length,omitempty"`
	// Moves is the counterexample as concrete moves from the initial state
	// (actor index, outcome index), replayable with Record.
	Moves Moves `json:"moves,omitempty"`
	// Key orders counterexamples of equal length (the canonical path); it
	// makes merging shards give the same counterexample as one search.
	Key string `json:"key,omitempty"`
}

// Moves is a list of moves that encodes in JSON with lower-case keys, as
// every other key: [{"actor": 0, "choice": 1}, ...]. It decodes the
// same, and the capitalised keys of older certificates.
type Moves []model.Move

type jsonMove struct {
	Actor  int `json:"actor"`
	Choice int `json:"choice"`
}

// MarshalJSON implements json.Marshaler.
func (ms Moves) MarshalJSON() ([]byte, error) {
	out := make([]jsonMove, len(ms))
	for i, m := range ms {
		out[i] = jsonMove{m.Actor, m.Choice}
	}
	return json.Marshal(out)
}

// UnmarshalJSON implements json.Unmarshaler.
func (ms *Moves) UnmarshalJSON(b []byte) error {
	var in []jsonMove
	if err := json.Unmarshal(b, &in); err != nil {
		return err
	}
	*ms = make(Moves, len(in))
	for i, m := range in {
		(*ms)[i] = model.Move{Actor: m.Actor, Choice: m.Choice}
	}
	return nil
}

// Certificate is the result of an exhaustive search.
type Certificate struct {
	Version     string `json:"version"`
	Scenario    string `json:"scenario"`
	Strategy    string `json:"strategy"`
	Symmetry    bool   `json:"symmetry"`
	POR         bool   `json:"por"`
	Shard       string `json:"shard,omitempty"` // "i/n"
	SplitDepth  int    `json:"split_depth,omitempty"`
	States      int64  `json:"states"`
	Transitions int64  `json:"transitions"`
	MaxDepth    int    `json:"max_depth"`
	Complete    bool   `json:"complete"`
	StoppedBy   string `json:"stopped_by,omitempty"` // states, depth, timeout, memory, interrupt
	// Properties lists every property (see properties.All) with its
	// verdict: the shortest violation of any signature, holds (complete
	// search) or not-found.
	Properties map[string]Verdict `json:"properties"`
	// Bugs is the shortest violation of every distinct signature reached
	// (every one there is, when Complete), by property (in the order of
	// properties.All), then length, then Key.
	Bugs []Bug `json:"bugs,omitempty"`
	// Sometimes lists, per property, the situations of
	// properties.Sometimes that apply to the scenario, each with whether
	// the search reached it (vacuity: see Vacuous).
	Sometimes map[string][]Situation `json:"sometimes,omitempty"`
	// Coverage is what the search ran (ExhaustiveOptions.Coverage).
	Coverage Coverage `json:"-"`
}

// Bug is the shortest violation of one signature: a distinct bug.
type Bug struct {
	properties.Signature
	// Where is the C location of the signature's step in this version.
	Where string `json:"where,omitempty"`
	Verdict
}

// Situation is one `sometimes` situation of a property and whether a
// search reached it.
type Situation struct {
	Name    string `json:"name"`
	Reached bool   `json:"reached"`
}

// Vacuous returns the situations of property id that the search never
// reached: a "holds" with any of them unreached means nothing for them.
func (c *Certificate) Vacuous(id properties.ID) []string {
	var out []string
	for _, s := range c.Sometimes[string(id)] {
		if !s.Reached {
			out = append(out, s.Name)
		}
	}
	return out
}

// Edge is one step a search ran: program Prog's step at PC, after which
// the actor went on to step Next (-1: it finished; -2: it was killed by
// a BUG or oops).
type Edge struct {
	Prog     *model.Program
	PC, Next int16
}

// Coverage is the set of edges a search ran.
type Coverage map[Edge]bool

// Add adds every edge of o to c.
func (c Coverage) Add(o Coverage) {
	for e := range o {
		c[e] = true
	}
}

type fingerprint [2]uint64

// node is what the search keeps of a visited state: how it was first reached.
type node struct {
	parent int32
	actor  int8
	choice int16
}

// found is the first (so shortest) violation of a signature: reached at
// state id, or (edge) by move mv from state parent.
type found struct {
	depth  int
	seq    int // order of recording: ties between equal depths
	id     int32
	edge   bool
	parent int32
	mv     model.Move
	viol   properties.Violation
	tail   []model.Move // moves after state id's path (a livelock's cycle)
}

// succ is one successor produced while expanding a level.
type succ struct {
	parent int32 // id of the state expanded
	actor  int8
	choice int16
	id     int32 // the successor's id, once the level's merge gave it one (st != nil)
	fp     fingerprint
	st     *sim.State // a copy of the successor, if it may be new (see keep)
	viol   []properties.Violation
}

// VariantCheckStates is how many states CheckReductions tries on a
// registered variant before its exhaustive search.
const VariantCheckStates = 2000

// Exhaustive searches every reachable state of sc on m.
func Exhaustive(m *model.Model, sc *sim.Scenario, opt ExhaustiveOptions) (*Certificate, error) {
	return ExhaustiveFrom(m, m.Init(sc), opt)
}

// ExhaustiveFrom searches every state reachable from s0 (for instance the
// state a learner has reached in `dio-sim play`). Counterexample moves
// start at s0. Violations already visible in s0 count at length 0.
func ExhaustiveFrom(m *model.Model, s0 *sim.State, opt ExhaustiveOptions) (*Certificate, error) {
	sc := s0.Scn
	if opt.Shards > 1 && (opt.Shard < 0 || opt.Shard >= opt.Shards) {
		return nil, fmt.Errorf("shard %d out of range 0..%d", opt.Shard, opt.Shards-1)
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	start := time.Now()
	x := &search{m: m, sc: sc, init: s0.Clone(), opt: opt, sym: !opt.NoSymmetry, por: !opt.NoPOR, workers: make([]worker, workers),
		// The built-in versions' steps change no actor but their own and
		// those they wake (TestFingerprint); a variant's step might, so
		// its successors are compared with their parent actor by actor.
		anyActor: !m.Builtin()}
	if !m.Builtin() && (x.sym || x.por) {
		// A variant's steps carry no argument for the reductions: test
		// their assumptions on the first states and refuse the search if
		// a step breaks one, rather than search it wrongly.
		if err := CheckReductions(m, s0, VariantCheckStates, x.sym, x.por); err != nil {
			return nil, err
		}
	}
	cert := &Certificate{Version: m.Name, Scenario: sc.String(), Strategy: "exhaustive", Symmetry: x.sym, POR: x.por, Properties: map[string]Verdict{}}
	if opt.Shards > 1 {
		cert.Shard = fmt.Sprintf("%d/%d", opt.Shard, opt.Shards)
	}

	for k, st := range properties.Sometimes {
		if st.Applies == nil || st.Applies(sc) {
			x.sits = append(x.sits, k)
		}
	}
	for i := range x.workers {
		w := &x.workers[i]
		w.reached = make([]bool, len(x.sits))
		w.left = len(x.sits)
		if opt.Coverage {
			w.cov = Coverage{}
		}
	}
	s0 = s0.Clone()
	x.sometimes(&x.workers[0], s0)
	if x.sym {
		s0.Canonicalize()
	}
	x.insert(x.fp(s0), node{parent: -1})
	x.record(properties.AfterStep(s0), 0, 0)
	frontier := []*sim.State{s0}
	ids := []int32{0}

	var stopProgress chan struct{}
	if opt.OnProgress != nil {
		stopProgress = make(chan struct{})
		exited := make(chan struct{})
		go func() { x.progress(start, stopProgress); close(exited) }()
		defer func() { close(stopProgress); <-exited }() // no report after the search returns
	}

	split := opt.Shards > 1
	depth := 0
	for len(frontier) > 0 {
		if split && len(frontier) >= 4*opt.Shards {
			x.otherShards = othersOf(ids, opt.Shard, opt.Shards)
			frontier, ids = shardOf(frontier, ids, opt.Shard, opt.Shards)
			cert.SplitDepth = depth
			split = false
		}
		atomic.StoreInt32(&x.depth, int32(depth))
		atomic.StoreInt64(&x.queue, int64(len(frontier)))
		if opt.MaxDepth > 0 && depth >= opt.MaxDepth {
			cert.StoppedBy = "depth"
			break
		}
		if why := x.limit(start); why != "" {
			cert.StoppedBy = why
			break
		}
		next, nextIDs, why := x.expandLevel(frontier, ids, depth, workers, start)
		if why == "crash" {
			return nil, fmt.Errorf("%s on %s: a step panicked at depth %d (the model broke an assumption of the world): %s", m.Name, sc, depth, *x.crash.Load())
		}
		if why != "" {
			cert.StoppedBy = why
			break
		}
		cert.MaxDepth = depth
		frontier, ids = next, nextIDs
		if len(frontier) > 0 {
			depth++
		}
	}
	if split {
		// The whole graph was smaller than the split level: shard 0 keeps
		// it all, the others have nothing of their own to add.
		cert.SplitDepth = depth
		if opt.Shard != 0 {
			x.best = map[properties.Signature]found{}
		}
	}
	if cert.StoppedBy == "" {
		if err := x.livelock(); err != nil {
			return nil, fmt.Errorf("%s on %s: %v", m.Name, sc, err)
		}
	}
	cert.States = int64(len(x.nodes))
	cert.Transitions = x.transitions.Load()
	if opt.Coverage {
		cert.Coverage = Coverage{}
		for i := range x.workers {
			cert.Coverage.Add(x.workers[i].cov)
		}
	}
	cert.Sometimes = map[string][]Situation{}
	for i, k := range x.sits {
		reached := false
		for w := range x.workers {
			reached = reached || x.workers[w].reached[i]
		}
		st := properties.Sometimes[k]
		cert.Sometimes[string(st.Prop)] = append(cert.Sometimes[string(st.Prop)], Situation{Name: st.Name, Reached: reached})
	}
	cert.Complete = cert.StoppedBy == ""
	bugs := map[properties.ID][]found{}
	for _, f := range x.best {
		bugs[f.viol.Prop] = append(bugs[f.viol.Prop], f)
	}
	for _, id := range properties.All {
		fs := bugs[id]
		sort.Slice(fs, func(i, j int) bool {
			return fs[i].depth < fs[j].depth || fs[i].depth == fs[j].depth && fs[i].seq < fs[j].seq
		})
		var vs []Bug
		for _, f := range fs {
			path := x.path(f.id)
			if f.edge {
				path = append(x.path(f.parent), f.mv)
			}
			path = append(path, f.tail...)
			moves, err := x.concretize(path)
			if err != nil {
				return nil, fmt.Errorf("%s: rebuilding the counterexample: %v", f.viol.Signature(), err)
			}
			vs = append(vs, Bug{Signature: f.viol.Signature(), Where: f.viol.Where,
				Verdict: Verdict{Verdict: "violated", Message: f.viol.Msg, Length: len(moves), Moves: moves, Key: pathKey(path)}})
		}
		sortBugs(vs)
		cert.Bugs = append(cert.Bugs, vs...)
		switch {
		case len(fs) > 0:
			// The first recorded, as when one violation per property was kept.
			for _, b := range vs {
				if b.Signature == fs[0].viol.Signature() {
					cert.Properties[string(id)] = b.Verdict
				}
			}
		case cert.Complete && cert.Shard == "":
			cert.Properties[string(id)] = Verdict{Verdict: "holds"}
		case cert.Complete:
			cert.Properties[string(id)] = Verdict{Verdict: "holds-in-shard"}
		default:
			cert.Properties[string(id)] = Verdict{Verdict: "not-found"}
		}
	}
	return cert, nil
}

type search struct {
	m        *model.Model
	sc       *sim.Scenario
	init     *sim.State // the concrete starting state
	opt      ExhaustiveOptions
	sym, por bool
	anyActor bool // a step may change any actor (see sim.State.FingerprintAfter)
	// visited holds the id of every state of the levels merged so far,
	// by fingerprint shard (shardOfFP). It is only read while a level is
	// expanded, and written by the level's merge, a goroutine per shard.
	visited      [visitedShards]fpTable[int32]
	nodes        []node
	best         map[properties.Signature]found
	transitions  atomic.Int64
	statesApprox atomic.Uint64
	depth        int32
	queue        int64
	stopped      atomic.Bool
	workers      []worker
	poolMu       sync.Mutex
	pool         []*sim.State // states free for reuse, shared by the workers
	poolLen      atomic.Int64 // len(pool), read without the lock
	// level holds, by fingerprint shard, the first position (see claim)
	// of each fingerprint among the successors of the level being
	// expanded that no earlier level visited.
	level [visitedShards]levelShard
	// The level being expanded, cut into pieces (see expandLevel): each
	// piece's successors and terminal violations, and how many of its
	// successors are new. Kept from level to level for their memory.
	chunks [][]succ
	terms  [][]termViol
	fresh  []int
	violIn []bool // a successor of the piece has violations
	pieceQ pieceQueue
	// spare is a frontier no longer used, whose memory the next one
	// takes.
	spare    []*sim.State
	spareIDs []int32
	sits     []int // indexes in properties.Sometimes of the situations that apply
	crash    atomic.Pointer[string]
	// edges and otherShards are the explored graph for the livelock
	// check (livelock.go): every transition, and the states of the split
	// level left to other shards.
	edges       []edge
	otherShards []int32
}

// levelShard is one shard of a level's claims, alone on its cache lines.
type levelShard struct {
	mu sync.Mutex
	t  fpTable[uint64]
	_  [64]byte
}

// poolBatch is how many free states a worker takes from the pool at once.
const poolBatch = 256

func (x *search) insert(fp fingerprint, n node) int32 {
	id := int32(len(x.nodes))
	x.visited[shardOfFP(fp)].put(fp, id)
	x.nodes = append(x.nodes, n)
	return id
}

// record keeps the violations vs of state id at depth, each unless its
// signature was already found.
func (x *search) record(vs []properties.Violation, depth int, id int32) {
	x.recordAt(vs, found{depth: depth, id: id})
}

// recordEdge keeps the violations vs of the state reached by mv from state
// parent, at depth: the state itself may have been reached first by
// another path, on which another step broke the property.
func (x *search) recordEdge(vs []properties.Violation, depth int, parent int32, mv model.Move) {
	x.recordAt(vs, found{depth: depth, edge: true, parent: parent, mv: mv})
}

func (x *search) recordAt(vs []properties.Violation, f found) {
	if x.best == nil {
		x.best = map[properties.Signature]found{}
	}
	for _, v := range vs {
		if _, ok := x.best[v.Signature()]; !ok {
			f.viol, f.seq = v, len(x.best)
			x.best[v.Signature()] = f
		}
	}
}

// sortBugs orders the bugs of one property: by length, then key.
func sortBugs(bs []Bug) {
	sort.SliceStable(bs, func(i, j int) bool {
		return bs[i].Length < bs[j].Length || bs[i].Length == bs[j].Length && bs[i].Key < bs[j].Key
	})
}

func (x *search) limit(start time.Time) string {
	if x.opt.MaxStates > 0 && int64(len(x.nodes)) >= x.opt.MaxStates {
		return "states"
	}
	if x.opt.Timeout > 0 && time.Since(start) > x.opt.Timeout {
		return "timeout"
	}
	if x.opt.MaxMemory > 0 && heapBytes() > x.opt.MaxMemory {
		return "memory"
	}
	if x.opt.Stop != nil {
		select {
		case <-x.opt.Stop:
			return "interrupt"
		default:
		}
	}
	return ""
}

// heapBytes is the heap in use (HeapAlloc), read without stopping the
// world as runtime.ReadMemStats does: the memory bound is checked often.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

func (x *search) progress(start time.Time, stop chan struct{}) {
	d := x.opt.ProgressDur
	if d <= 0 {
		d = time.Second
	}
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			x.opt.OnProgress(Progress{States: int64(x.statesApprox.Load()), Transitions: x.transitions.Load(),
				Depth: int(atomic.LoadInt32(&x.depth)), Queue: int(atomic.LoadInt64(&x.queue)), HeapBytes: ms.HeapAlloc, Elapsed: time.Since(start)})
		}
	}
}

// expandLevel expands every state of a level on workers goroutines and
// merges the successors in (parent, move) order, so ids and verdicts do not
// depend on the number of workers. A level cut short by a bound is dropped
// whole: the certificate then covers the levels before it.
//
// The level is cut into many more pieces than workers; each worker takes
// the pieces of its own range of the level, then helps the others (two
// fixed halves left one worker idle while the other finished a heavier
// half; one queue for all had each worker expand states the other had
// kept, from the other's cache). Each piece's successors are kept in
// frontier order, so the merge does not depend on who expanded what. A
// successor's position in the level is its piece and its index in the
// piece's output (see claim). The merge has no serial pass over the
// successors: the claims already name, for every fingerprint no earlier
// level visited, its first successor in the level, which is the new
// state; the pieces count their new states, a prefix sum gives each
// piece its first id, and the pieces then take their ids, and the visited
// shards their entries, in parallel.
func (x *search) expandLevel(frontier []*sim.State, ids []int32, depth, workers int, start time.Time) ([]*sim.State, []int32, string) {
	if workers > len(frontier) {
		workers = len(frontier)
	}
	pieces := 1
	if workers > 1 {
		pieces = min(len(frontier), 64*workers)
	}
	for len(x.chunks) < pieces {
		x.chunks = append(x.chunks, nil)
		x.terms = append(x.terms, nil)
		x.fresh = append(x.fresh, 0)
		x.violIn = append(x.violIn, false)
	}
	x.parallelPieces(workers, pieces, func(w *worker, p int) {
		lo, hi := p*len(frontier)/pieces, (p+1)*len(frontier)/pieces
		clear(x.chunks[p]) // drop the last level's states and violations
		x.chunks[p], x.terms[p] = x.expandRange(w, p, frontier[lo:hi], ids[lo:hi], x.chunks[p][:0], x.terms[p][:0], start)
	})
	if msg := x.crash.Load(); msg != nil {
		return nil, nil, "crash"
	}
	if x.stopped.Load() {
		return nil, nil, x.stopReason(start)
	}
	chunks := x.chunks[:pieces]

	// A: the new states of each piece: a successor is new if it holds the
	// claim of its fingerprint (no earlier level has it: keep did not
	// claim it otherwise). A successor whose copy lost the claim to an
	// earlier one of the level gives the copy back.
	x.parallelPieces(workers, pieces, func(w *worker, p int) {
		n := 0
		x.violIn[p] = false
		for i := range chunks[p] {
			sc := &chunks[p][i]
			if len(sc.viol) > 0 {
				x.violIn[p] = true
			}
			if sc.st == nil {
				continue
			}
			if key, _ := x.level[shardOfFP(sc.fp)].t.get(sc.fp); key != levelKey(p, i) {
				x.free(w, sc.st)
				sc.st = nil
				continue
			}
			n++
		}
		x.fresh[p] = n
	})

	// B: violations in order: the terminal states of this level, in id
	// order, then those the steps caused, in (parent, move) order, as far
	// as the state bound lets the level go.
	for _, tv := range x.terms[:pieces] {
		for _, t := range tv {
			x.record(t.viol, depth, t.id)
		}
	}
	base := len(x.nodes)
	total := 0
	for _, n := range x.fresh[:pieces] {
		total += n
	}
	stopped := ""
	cutP, cutI := pieces, 0 // the successors before (cutP, cutI) get ids
	if x.opt.MaxStates > 0 && int64(base+total) >= x.opt.MaxStates {
		// The bound is reached at the need-th new state: the successors
		// after it get no id and their violations are not recorded.
		stopped = "states"
		need := int(x.opt.MaxStates) - base
		for p := range chunks {
			if x.fresh[p] < need {
				need -= x.fresh[p]
				continue
			}
			for i := range chunks[p] {
				if chunks[p][i].st != nil {
					if need--; need == 0 {
						cutP, cutI = p, i+1
						break
					}
				}
			}
			break
		}
		total = int(x.opt.MaxStates) - base
	}
	for p := range chunks {
		if !x.violIn[p] {
			continue
		}
		for i := range chunks[p] {
			if p > cutP || p == cutP && i >= cutI {
				break
			}
			if sc := &chunks[p][i]; len(sc.viol) > 0 {
				x.recordEdge(sc.viol, depth+1, sc.parent, model.Move{Actor: int(sc.actor), Choice: int(sc.choice)})
			}
		}
	}

	// C: ids in order, each piece from the prefix sum of the new states
	// before it.
	x.nodes = slicesGrow(x.nodes, total)
	next, nextIDs := slicesGrow(x.spare[:0], total), slicesGrow(x.spareIDs[:0], total)
	first := make([]int, pieces)
	for p, k := 0, 0; p < pieces; p++ {
		first[p] = k
		k += x.fresh[p]
	}
	x.parallelPieces(workers, pieces, func(w *worker, p int) {
		k := first[p]
		for i := range chunks[p] {
			sc := &chunks[p][i]
			if sc.st == nil {
				continue
			}
			if k >= total {
				break
			}
			id := int32(base + k)
			sc.id = id
			x.nodes[id] = node{parent: sc.parent, actor: sc.actor, choice: sc.choice}
			next[k], nextIDs[k] = sc.st, id
			if w.left > 0 {
				// Every reachable state is new once: the situations are
				// looked for in each state once.
				x.sometimes(w, sc.st)
			}
			k++
		}
	})
	x.statesApprox.Store(uint64(len(x.nodes)))
	if stopped != "" {
		return nil, nil, stopped
	}

	// D: the new states' ids in the visited set, each goroutine on the
	// shards it owns, whose claims it then clears for the next level.
	x.parallelShards(workers, func(mine func(int) bool) {
		for sh := range x.level {
			if !mine(sh) {
				continue
			}
			v := &x.visited[sh]
			x.level[sh].t.all(func(fp fingerprint, key uint64) {
				v.put(fp, chunks[key>>32][uint32(key)].id)
			})
			x.level[sh].t.reset()
		}
	})
	// Every successor of the level now has its state's id in the visited
	// set (lookup): the new ones, and those an earlier level visited.
	x.logEdges(chunks)
	x.spare, x.spareIDs = frontier[:0], ids[:0]
	return next, nextIDs, ""
}

// slicesGrow returns s extended by n elements.
func slicesGrow[T any](s []T, n int) []T {
	if cap(s)-len(s) < n {
		t := make([]T, len(s), len(s)+n+len(s)/4)
		copy(t, s)
		s = t
	}
	return s[:len(s)+n]
}

// levelKey is the position of successor i of piece p in its level, as
// claim takes it.
func levelKey(p, i int) uint64 { return uint64(p)<<32 | uint64(i) }

// parallelPieces runs f on every piece p < pieces, on workers goroutines,
// each piece once: a goroutine takes the next piece (pieceQueue) when it
// is done with one, and passes its own worker. A panic in f (a mutant or variant
// breaking an assumption of the world: an index out of range, a jump to
// nowhere) stops the search with an error naming the step.
func (x *search) parallelPieces(workers, pieces int, f func(w *worker, p int)) {
	q := x.pieces(workers, pieces)
	run := func(w int) {
		defer func() {
			if r := recover(); r != nil {
				msg := fmt.Sprint(r)
				if wk := &x.workers[w]; wk.cur != nil {
					a := wk.curMove.Actor
					if st := x.m.Next(wk.cur, a); st != nil {
						msg = fmt.Sprintf("%s, running %s's step %s (%s)", msg, model.ActorName(wk.cur, a), st.ID, st.Loc)
					}
				}
				x.crash.CompareAndSwap(nil, &msg)
				x.stopped.Store(true)
			}
		}()
		for {
			p, ok := q.next(w)
			if !ok {
				return
			}
			f(&x.workers[w], p)
		}
	}
	onWorkers(workers, run)
}

// pieceRange is the pieces [lo, hi) of a level that one worker owns,
// packed as lo<<32 | hi, alone on its cache line.
type pieceRange struct {
	v atomic.Uint64
	_ [56]byte
}

// pieceQueue hands out the pieces of a level: worker w owns a contiguous
// range of them and takes them from the front; a worker whose own are
// done takes the last piece left in another's range. Each worker so
// mostly expands the states it kept in the last level, and frees into its
// own free list the states its next copies reuse, while they are in its
// cache; which worker expands a piece changes nothing in the result.
type pieceQueue []pieceRange

// pieces returns the pieces of a level shared among workers.
func (x *search) pieces(workers, pieces int) pieceQueue {
	if cap(x.pieceQ) < workers {
		x.pieceQ = make(pieceQueue, workers)
	}
	q := x.pieceQ[:workers]
	for w := range q {
		lo, hi := w*pieces/workers, (w+1)*pieces/workers
		q[w].v.Store(uint64(lo)<<32 | uint64(hi))
	}
	return q
}

// next returns the next piece for worker w, and false when none is left.
func (q pieceQueue) next(w int) (int, bool) {
	for i := range q {
		r := &q[(w+i)%len(q)].v
		for {
			v := r.Load()
			lo, hi := v>>32, v&0xffffffff
			if lo >= hi {
				break
			}
			if i == 0 {
				if r.CompareAndSwap(v, (lo+1)<<32|hi) {
					return int(lo), true
				}
			} else if r.CompareAndSwap(v, lo<<32|(hi-1)) {
				return int(hi - 1), true
			}
		}
	}
	return 0, false
}

// visitedShards splits the visited set so a level's merge can look up and
// insert on several goroutines.
const visitedShards = 64

func shardOfFP(fp fingerprint) int { return int(fp[0] >> 58) }

// seen reports whether an earlier level visited fp.
func (x *search) seen(fp fingerprint) bool {
	return x.visited[shardOfFP(fp)].has(fp)
}

// lookup returns the id of the state with fingerprint fp, once the level
// that reached it is merged.
func (x *search) lookup(fp fingerprint) (int32, bool) {
	return x.visited[shardOfFP(fp)].get(fp)
}

type termViol struct {
	id   int32
	viol []properties.Violation
}

func (x *search) stopReason(start time.Time) string {
	if why := x.limit(start); why != "" {
		return why
	}
	return "interrupt"
}

// worker holds one goroutine's buffers.
type worker struct {
	ctx     model.Ctx // the context of the steps the worker runs
	moves   []model.Move
	cs      sim.CanonScratch
	free    []*sim.State
	cov     Coverage
	reached []bool // by position in search.sits
	left    int    // situations not reached yet
	cur     *sim.State
	curMove model.Move
	scratch *sim.State                        // a copy of the state being expanded, on which its moves are tried
	hist    map[string][]properties.Violation // linearizability verdicts by history
	histKey []byte
	// The workers are one slice: what one writes at every step (ctx,
	// cur, scratch, free) must not share a cache line with the next.
	_ [128]byte
}

// newState returns a copy of from, in a state w or the shared pool has
// free if there is one.
func (x *search) newState(w *worker, from *sim.State) *sim.State {
	if len(w.free) == 0 && x.poolLen.Load() > 0 {
		// Take a batch from the shared pool.
		x.poolMu.Lock()
		k := max(0, len(x.pool)-poolBatch)
		w.free = append(w.free, x.pool[k:]...)
		clear(x.pool[k:])
		x.pool = x.pool[:k]
		x.poolLen.Store(int64(k))
		x.poolMu.Unlock()
	}
	if n := len(w.free); n > 0 {
		c := w.free[n-1]
		w.free = w.free[:n-1]
		c.CopyFrom(from)
		return c
	}
	return from.Clone()
}

// free gives back a state no longer needed: to w's own free list, which
// newState takes from first (the state was just used, so its memory is
// likely in w's cache), and the surplus of a worker that frees more than
// it takes to the shared pool.
func (x *search) free(w *worker, s *sim.State) {
	w.free = append(w.free, s)
	if len(w.free) >= 2*poolBatch {
		k := len(w.free) - poolBatch
		x.poolMu.Lock()
		x.pool = append(x.pool, w.free[k:]...)
		x.poolLen.Store(int64(len(x.pool)))
		x.poolMu.Unlock()
		clear(w.free[k:])
		w.free = w.free[:k]
	}
}

// mover is the actor whose move changed a successor, for
// sim.State.FingerprintAfter (-1: any actor may have changed).
func (x *search) mover(mv model.Move) int {
	if x.anyActor {
		return -1
	}
	return mv.Actor
}

// probe returns the fingerprint of the successor of s by mv.
func (x *search) probe(w *worker, s *sim.State, mv model.Move) fingerprint {
	c := w.scratch
	w.cur, w.curMove = s, mv
	x.m.ApplyWith(&w.ctx, c, mv)
	fp := c.FingerprintAfter(s, x.sym, x.mover(mv))
	c.ResetTo(s)
	return fp
}

// claim records that the successor at position key of this level (piece
// << 32 | index in the piece's output) has fingerprint fp, and reports
// whether it is the first in level order seen so far: only that one may
// become the state's representative, so only it needs a copy.
func (x *search) claim(fp fingerprint, key uint64) bool {
	l := &x.level[shardOfFP(fp)]
	l.mu.Lock()
	old, added := l.t.ref(fp)
	first := added || key < *old
	if first {
		*old = key
	}
	l.mu.Unlock()
	return first
}

// apply applies mv to w's scratch copy of s and returns the fingerprint
// of the result; keep, or the scratch's ResetTo, must follow.
func (x *search) apply(w *worker, s *sim.State, mv model.Move) fingerprint {
	c := w.scratch
	w.cur, w.curMove = s, mv
	x.m.ApplyWith(&w.ctx, c, mv)
	if w.cov != nil {
		a := &c.Actors[mv.Actor]
		next := a.PC
		switch {
		case a.Dead:
			next = -2
		case a.Done:
			next = -1
		}
		w.cov[Edge{Prog: x.m.Program(s, mv.Actor), PC: s.Actors[mv.Actor].PC, Next: next}] = true
	}
	// The fingerprint is the same for every renaming of c among its
	// interchangeable bios: a state is put in canonical form only if it
	// is kept (expandRange), and only the components of c that the move
	// changed are hashed again.
	return c.FingerprintAfter(s, x.sym, x.mover(mv))
}

// keep appends to out the successor of s (id parent) by mv, which apply
// left in w's scratch with fingerprint fp, with the violations its step
// caused. The successor's state is kept only if no earlier level visited
// it (seen) and no earlier successor of this level has it (claim, with
// its position in the level: piece and index in out): then the scratch
// itself is kept, and w is left without one (the next move takes a new
// copy of s); else the scratch is made a copy of s again.
func (x *search) keep(w *worker, s *sim.State, mv model.Move, fp fingerprint, seen bool, parent int32, piece int, out []succ) []succ {
	c := w.scratch
	sc := succ{parent: parent, actor: int8(mv.Actor), choice: int16(mv.Choice), fp: fp, viol: x.violations(w, s, c, mv.Actor)}
	if !seen && x.claim(fp, levelKey(piece, len(out))) {
		c.Settle()
		sc.st, w.scratch = c, nil
	} else {
		c.ResetTo(s)
	}
	return append(out, sc)
}

// sometimes marks the situations state s reaches.
func (x *search) sometimes(w *worker, s *sim.State) {
	for i, k := range x.sits {
		if !w.reached[i] && properties.Sometimes[k].Reached(x.m, s) {
			w.reached[i] = true
			w.left--
		}
	}
}

// parallelShards runs f on workers goroutines; goroutine w owns the
// visited shards s with s % workers == w.
func (x *search) parallelShards(workers int, f func(mine func(int) bool)) {
	if workers <= 1 {
		f(func(int) bool { return true })
		return
	}
	onWorkers(workers, func(w int) { f(func(s int) bool { return s%workers == w }) })
}

// onWorkers runs f(0), ..., f(workers-1), each on a goroutine of its own
// (one worker: on the caller's), and returns when all have.
func onWorkers(workers int, f func(w int)) {
	if workers <= 1 {
		f(0)
		return
	}
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			f(w)
		}(w)
	}
	wg.Wait()
}

// expandRange expands a contiguous part of a level, piece piece,
// appending the successors to out and the violations of its terminal
// states to terms. Each state goes back to w's free list once expanded.
func (x *search) expandRange(w *worker, piece int, states []*sim.State, ids []int32, out []succ, terms []termViol, start time.Time) ([]succ, []termViol) {
	var trans int64
	defer func() { x.transitions.Add(trans) }()
	for k, s := range states {
		if k%256 == 0 && k > 0 {
			x.transitions.Add(trans)
			trans = 0
			if x.stopped.Load() {
				return out, terms
			}
			if why := x.limit(start); why != "" && why != "states" {
				x.stopped.Store(true)
				return out, terms
			}
		}
		n := len(out)
		out = x.expand(w, piece, s, ids[k], out)
		if len(out) == n {
			// No move: only what the end shows (a standing fact was
			// recorded at the step that set it).
			if vs := properties.Fresh(s, properties.AtEnd(x.m, s), nil); len(vs) > 0 {
				terms = append(terms, termViol{ids[k], vs})
			}
		}
		trans += int64(len(out) - n)
		x.free(w, s)
	}
	return out, terms
}

// expand appends the successors of state s (id id) to out: by every
// enabled move, or by those of an ample set (see the package doc).
func (x *search) expand(w *worker, piece int, s *sim.State, id int32, out []succ) []succ {
	// The scratch copy comes first: s has not been read since it was
	// kept, and one pass over it in order brings it into the cache for
	// what follows.
	x.scratch(w, s)
	if x.sym {
		// s was kept as first reached; its successors' moves name
		// the actors of its canonical form.
		if s.CanonicalizeFingerprinted(&w.cs) != nil {
			w.scratch.CopyFrom(s)
		}
	}
	if x.por {
		// The ample set is found before the other actors' moves are
		// listed: most states have one, and then the rest are not
		// needed.
		if moves := x.ampleMoves(s, w.moves); len(moves) > 0 {
			w.moves = moves
			proviso := false
			if len(moves) == 1 {
				// One move (the common case): tried once.
				mv := moves[0]
				fp := x.apply(w, s, mv)
				if !x.seen(fp) {
					return x.keep(w, s, mv, fp, false, id, piece, out)
				}
				w.scratch.ResetTo(s)
				proviso = true
			} else {
				for _, mv := range moves {
					if x.seen(x.probe(w, s, mv)) {
						proviso = true
						break
					}
				}
			}
			if !proviso {
				return x.keepAll(w, s, id, piece, out)
			}
			// The proviso: an ample successor was visited, so s is
			// expanded fully (the scratch is a copy of s again).
			w.moves = x.m.Moves(s, w.moves)
			return x.keepAll(w, s, id, piece, out)
		}
	}
	w.moves = x.m.Moves(s, w.moves)
	return x.keepAll(w, s, id, piece, out)
}

// scratch makes w's scratch a copy of s.
func (x *search) scratch(w *worker, s *sim.State) {
	if w.scratch == nil {
		w.scratch = x.newState(w, s)
	} else {
		w.scratch.CopyFrom(s)
	}
}

// keepAll appends the successors of s by every move of w.moves to out;
// w's scratch is a copy of s, or nil.
func (x *search) keepAll(w *worker, s *sim.State, id int32, piece int, out []succ) []succ {
	for _, mv := range w.moves {
		if w.scratch == nil {
			// The last successor kept took the scratch.
			w.scratch = x.newState(w, s)
		}
		fp := x.apply(w, s, mv)
		out = x.keep(w, s, mv, fp, x.seen(fp), id, piece, out)
	}
	return out
}

// violations checks the after-step properties of c, reached from s by a
// step of actor a, and returns the violations the step caused
// (properties.Fresh).
func (x *search) violations(w *worker, s, c *sim.State, a int) []properties.Violation {
	var vs []properties.Violation
	if properties.SameFacts(s, c) {
		// The standing violations are s's: only a history check can be
		// new (the common case), which is what properties.AfterStep
		// would add: the linearizability of a history that grew by a
		// return. Its verdict is a function of the history, kept per
		// worker.
		n := len(c.History)
		if n <= int(c.HistChecked) {
			return nil
		}
		c.HistChecked = int16(n)
		if !c.History[n-1].Return {
			return nil
		}
		vs = x.historyViolations(w, c)
	} else {
		vs = properties.AfterStep(c)
	}
	if len(vs) == 0 {
		return nil
	}
	return properties.Fresh(s, vs, x.m.Next(s, a))
}

// histCacheMax bounds the histories a worker remembers the verdict of.
const histCacheMax = 1 << 14

// historyViolations is properties.HistoryViolations(c, false), remembered
// by history. It returns a fresh slice (Fresh modifies its argument).
func (x *search) historyViolations(w *worker, c *sim.State) []properties.Violation {
	w.histKey = sim.AppendHistory(w.histKey[:0], c.History)
	vs, ok := w.hist[string(w.histKey)]
	if !ok {
		vs = properties.HistoryViolations(c, false)
		if w.hist == nil || len(w.hist) >= histCacheMax {
			w.hist = map[string][]properties.Violation{}
		}
		w.hist[string(w.histKey)] = vs
	}
	if len(vs) == 0 {
		return nil
	}
	return append([]properties.Violation(nil), vs...)
}

// ampleMoves returns in buf the moves of the lowest enabled actor of s
// whose next step is Private (usablePrivate), and none if there is no
// such actor: the moves of that actor that m.Moves lists, without
// listing every other actor's.
func (x *search) ampleMoves(s *sim.State, buf []model.Move) []model.Move {
	buf = buf[:0]
	for a := range s.Actors {
		if st := x.m.EnabledStep(s, a); st != nil && usablePrivate(st, s) {
			for k, n := 0, st.NumOutcomes(s, a); k < n; k++ {
				buf = append(buf, model.Move{Actor: a, Choice: k})
			}
			if len(buf) > 0 {
				return buf
			}
		}
	}
	return buf
}

// shardOf keeps the states of a level whose position is shard modulo n.
func shardOf(frontier []*sim.State, ids []int32, shard, n int) ([]*sim.State, []int32) {
	var f []*sim.State
	var is []int32
	for i := range frontier {
		if i%n == shard {
			f = append(f, frontier[i])
			is = append(is, ids[i])
		}
	}
	return f, is
}

// othersOf lists the ids of a level that shardOf gives to other shards.
func othersOf(ids []int32, shard, n int) []int32 {
	var out []int32
	for i, id := range ids {
		if i%n != shard {
			out = append(out, id)
		}
	}
	return out
}

func (x *search) fp(s *sim.State) fingerprint { return s.Fingerprint(nil, x.sym) }

// path returns the canonical moves from the initial state to state id.
func (x *search) path(id int32) []model.Move {
	var rev []model.Move
	for id > 0 {
		n := x.nodes[id]
		rev = append(rev, model.Move{Actor: int(n.actor), Choice: int(n.choice)})
		id = n.parent
	}
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	return rev
}

// concretize turns a path of canonical moves into moves on the concrete
// states reached from the initial state (renaming bio actors back).
func (x *search) concretize(path []model.Move) ([]model.Move, error) {
	s := x.init.Clone()
	out := make([]model.Move, 0, len(path))
	var buf []model.Move
	for k, mv := range path {
		a := mv.Actor
		if x.sym {
			// a names an actor of the canonical form of s: find it in s.
			if perm := s.Clone().Canonicalize(); perm != nil {
				for old, nw := range perm {
					if int(nw) == mv.Actor {
						a = old
						break
					}
				}
			}
		}
		cm := model.Move{Actor: a, Choice: mv.Choice}
		ok := false
		for _, e := range x.m.Moves(s, buf) {
			if e == cm {
				ok = true
			}
		}
		if !ok {
			return nil, fmt.Errorf("move %d (%s, outcome %d) is not enabled", k+1, model.ActorName(s, a), mv.Choice)
		}
		x.m.Apply(s, cm)
		out = append(out, cm)
	}
	return out, nil
}

func pathKey(p []model.Move) string {
	var b strings.Builder
	for _, mv := range p {
		fmt.Fprintf(&b, "%03d.%03d,", mv.Actor, mv.Choice)
	}
	return b.String()
}

// MergeCertificates combines the certificates of the shards of one search
// into one. All shards must be present, of the same search, and complete for
// a property to hold.
func MergeCertificates(certs []*Certificate) (*Certificate, error) {
	if len(certs) == 0 {
		return nil, errors.New("no certificates to merge")
	}
	first := certs[0]
	var n int
	seen := map[int]bool{}
	for _, c := range certs {
		i, k, err := ParseShard(c.Shard)
		if err != nil {
			return nil, fmt.Errorf("the certificate of %s %s is not one shard of a split search (shard %q)", c.Version, c.Scenario, c.Shard)
		}
		if n == 0 {
			n = k
		}
		if k != n || c.Version != first.Version || c.Scenario != first.Scenario || c.Symmetry != first.Symmetry || c.POR != first.POR || c.SplitDepth != first.SplitDepth {
			return nil, fmt.Errorf("shard %s is of another search (%s, %s, split at depth %d)", c.Shard, c.Version, c.Scenario, c.SplitDepth)
		}
		if seen[i] {
			return nil, fmt.Errorf("shard %d/%d given twice", i, n)
		}
		seen[i] = true
	}
	if len(seen) != n {
		var missing []string
		for i := 0; i < n; i++ {
			if !seen[i] {
				missing = append(missing, fmt.Sprintf("%d/%d", i, n))
			}
		}
		return nil, fmt.Errorf("missing shards: %s", strings.Join(missing, ", "))
	}
	out := &Certificate{Version: first.Version, Scenario: first.Scenario, Strategy: "exhaustive", Symmetry: first.Symmetry, POR: first.POR,
		Complete: true, Properties: map[string]Verdict{}}
	var stops []string
	for _, c := range certs {
		if c.States < 0 || c.Transitions < 0 || out.States > math.MaxInt64-c.States || out.Transitions > math.MaxInt64-c.Transitions {
			return nil, fmt.Errorf("shard %s: impossible counts (states %d, transitions %d)", c.Shard, c.States, c.Transitions)
		}
		out.States += c.States
		out.Transitions += c.Transitions
		if c.MaxDepth > out.MaxDepth {
			out.MaxDepth = c.MaxDepth
		}
		if !c.Complete {
			out.Complete = false
			stops = append(stops, c.Shard+":"+c.StoppedBy)
		}
	}
	sort.Strings(stops)
	out.StoppedBy = strings.Join(stops, ",")
	// A situation is reached by the whole search when a shard reached it.
	for _, c := range certs {
		for p, sits := range c.Sometimes {
			if out.Sometimes == nil {
				out.Sometimes = map[string][]Situation{}
			}
			if out.Sometimes[p] == nil {
				out.Sometimes[p] = append([]Situation(nil), sits...)
				continue
			}
			for i, st := range sits {
				if i < len(out.Sometimes[p]) && out.Sometimes[p][i].Name == st.Name {
					out.Sometimes[p][i].Reached = out.Sometimes[p][i].Reached || st.Reached
				}
			}
		}
	}
	bugs := map[properties.Signature]Bug{}
	for _, c := range certs {
		for _, b := range c.Bugs {
			old, ok := bugs[b.Signature]
			if !ok || b.Length < old.Length || b.Length == old.Length && b.Key < old.Key {
				bugs[b.Signature] = b
			}
		}
	}
	for _, id := range properties.All {
		var bs []Bug
		for _, b := range bugs {
			if b.Prop == id {
				bs = append(bs, b)
			}
		}
		sortBugs(bs)
		out.Bugs = append(out.Bugs, bs...)
	}
	for _, id := range properties.All {
		var best *Verdict
		for _, c := range certs {
			v, ok := c.Properties[string(id)]
			if !ok || v.Verdict != "violated" {
				continue
			}
			if best == nil || v.Length < best.Length || v.Length == best.Length && v.Key < best.Key {
				vv := v
				best = &vv
			}
		}
		switch {
		case best != nil:
			out.Properties[string(id)] = *best
		case out.Complete:
			out.Properties[string(id)] = Verdict{Verdict: "holds"}
		default:
			out.Properties[string(id)] = Verdict{Verdict: "not-found"}
		}
	}
	return out, nil
}
