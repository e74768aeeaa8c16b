package model

import (
	"fmt"
	"strings"
	"sync"

	"diosim/sim"
)

// Model is one kernel version: the programs of its actors.
type Model struct {
	Name    string // v2.6.18, before, after, v2.6.20, or a registered variant
	Doc     string
	Version *Version
	progs   [4]*Program       // indexed by sim.ActorKind; the submitter's is in subs
	subs    [2][2][2]*Program // submitter programs by [sync][op][fs]
	works   [3]*Program       // the worker's programs by ioend work function (sim.WorkWritten, ...); nil: progs[sim.Worker]
}

// Move is one transition: actor A runs its next step with outcome Choice.
type Move struct {
	Actor  int
	Choice int
}

// modelBuild is what the builders of one version share.
type modelBuild struct {
	v     *Version
	lin   []*Version
	files map[string]string
	edits map[string][]levelEdit
}

// buildModel builds every program of version v (registered or about to
// be). It panics on a malformed version; Register recovers.
func buildModel(v *Version) *Model {
	lin := chain(v)
	if lin[len(lin)-1] != v {
		lin = append(lin, v)
	}
	mb := &modelBuild{v: v, lin: lin, files: lineageFiles(lin), edits: indexEdits(lin)}
	md := &Model{Name: v.Name, Doc: v.Doc, Version: v}
	for sync := 0; sync < 2; sync++ {
		for op := sim.Read; op <= sim.Write; op++ {
			for fs := sim.Generic; fs <= sim.XFS; fs++ {
				md.subs[sync][op][fs] = buildSubmitter(mb, sync == 1, op, fs)
			}
		}
	}
	md.progs[sim.BioEnd] = buildBioEnd(mb)
	md.progs[sim.Reaper] = buildReaper(mb)
	md.progs[sim.Worker] = buildWorker(mb)
	md.works = buildWorks(mb)
	if un := unusedEdits(v, mb.edits); len(un) > 0 {
		panic(fmt.Sprintf("the patch edits steps that %s does not have: %s", v.Parent, strings.Join(un, ", ")))
	}
	return md
}

// models holds every registered version's model, by name. It is built on
// first use, after every init function has registered the root's
// function models (rootFuncs).
var (
	modelsOnce sync.Once
	modelsMap  map[string]*Model
)

func registry() map[string]*Model {
	modelsOnce.Do(func() {
		modelsMap = map[string]*Model{}
		for _, v := range builtinLineage() {
			versions = append(versions, v)
			modelsMap[v.Name] = buildModel(v)
		}
		builtins = len(versions)
	})
	return modelsMap
}

// Versions lists the kernel's versions in chronological order (not the
// variants registered on top of them: see Variants).
func Versions() []*Model {
	models := registry()
	var out []*Model
	for _, v := range versions[:builtins] {
		out = append(out, models[v.Name])
	}
	return out
}

// Variants lists the registered variants (candidate fixes, mutants), in
// the order they were registered.
func Variants() []*Model {
	models := registry()
	var out []*Model
	for _, v := range versions[builtins:] {
		out = append(out, models[v.Name])
	}
	return out
}

// Builtin reports whether m is one of the kernel's versions (whose steps'
// annotations for the search's reductions are argued in this package),
// not a registered variant.
func (m *Model) Builtin() bool {
	registry()
	for _, v := range versions[:builtins] {
		if v == m.Version {
			return true
		}
	}
	return false
}

// Lookup returns the model of a version or variant.
func Lookup(name string) (*Model, error) {
	models := registry()
	if m, ok := models[name]; ok {
		return m, nil
	}
	var names []string
	for _, v := range versions {
		names = append(names, v.Name)
	}
	return nil, fmt.Errorf("unknown version %q (known: %s)", name, strings.Join(names, ", "))
}

// Program returns the program actor a of s runs.
func (m *Model) Program(s *sim.State, a int) *Program {
	k := s.Actors[a].Kind
	if k == sim.Submitter {
		sync := 0
		if s.Scn.Sync {
			sync = 1
		}
		return m.subs[sync][s.Scn.Op][s.Scn.FS]
	}
	if k == sim.Worker {
		// The work item runs the function its ioend's io_work was set to.
		if w := m.works[s.ReqOf(a).Kiocb.IoendWork]; w != nil {
			return w
		}
	}
	return m.progs[k]
}

// Programs returns every program of the model (for listings and tests).
func (m *Model) Programs() []*Program {
	var out []*Program
	for sync := 0; sync < 2; sync++ {
		for op := 0; op < 2; op++ {
			for fs := 0; fs < 2; fs++ {
				out = append(out, m.subs[sync][op][fs])
			}
		}
	}
	out = append(out, m.progs[sim.BioEnd], m.progs[sim.Reaper], m.progs[sim.Worker])
	for _, w := range m.works {
		if w != nil {
			out = append(out, w)
		}
	}
	return out
}

// Next returns the step actor a runs next, or nil if it has finished.
func (m *Model) Next(s *sim.State, a int) *Step {
	act := &s.Actors[a]
	if act.Done || act.Dead {
		return nil
	}
	p := m.Program(s, a)
	if int(act.PC) >= len(p.Steps) {
		return nil
	}
	return &p.Steps[act.PC]
}

// Enabled reports whether actor a can take a step now.
func (m *Model) Enabled(s *sim.State, a int) bool {
	return m.EnabledStep(s, a) != nil
}

// EnabledStep returns the step actor a runs next if it can take it now,
// else nil.
func (m *Model) EnabledStep(s *sim.State, a int) *Step {
	act := &s.Actors[a]
	if act.Done || act.Dead || act.Asleep {
		return nil
	}
	switch act.Kind {
	case sim.BioEnd:
		if s.Reqs[act.Req].Bios[act.Index].State < sim.BioSubmitted {
			return nil
		}
	case sim.Worker:
		if !s.Reqs[act.Req].Kiocb.IoendQueued {
			return nil
		}
	}
	p := m.Program(s, a)
	if int(act.PC) >= len(p.Steps) {
		return nil
	}
	st := &p.Steps[act.PC]
	if st.Guard != nil && !st.Guard(s, a) {
		return nil
	}
	return st
}

// Outcomes returns how many outcomes actor a's next step has now.
func (m *Model) Outcomes(s *sim.State, a int) int {
	st := m.Next(s, a)
	if st == nil {
		return 1
	}
	return st.NumOutcomes(s, a)
}

// NumOutcomes returns how many outcomes st has now, as actor a's next
// step in s.
func (st *Step) NumOutcomes(s *sim.State, a int) int {
	if st.Outcomes == nil {
		return 1
	}
	return st.Outcomes(s, a)
}

// OutcomeName names outcome k of actor a's next step ("" for a step with
// one outcome).
func (m *Model) OutcomeName(s *sim.State, a, k int) string {
	st := m.Next(s, a)
	if st == nil || st.Outcomes == nil || st.Outcomes(s, a) == 1 {
		return ""
	}
	return st.OutcomeName(s, a, k)
}

// Moves appends every enabled move of s to buf, in actor order and then
// outcome order, and returns it.
func (m *Model) Moves(s *sim.State, buf []Move) []Move {
	buf = buf[:0]
	for a := range s.Actors {
		st := m.EnabledStep(s, a)
		if st == nil {
			continue
		}
		n := st.NumOutcomes(s, a)
		for k := 0; k < n; k++ {
			buf = append(buf, Move{Actor: a, Choice: k})
		}
	}
	return buf
}

// Apply performs move mv on s in place.
func (m *Model) Apply(s *sim.State, mv Move) {
	m.ApplyWith(new(Ctx), s, mv)
}

// ApplyWith is Apply running the step in c, which it overwrites: a
// caller applying many moves (a search) passes the same c each time
// rather than have Apply allocate one per step.
func (m *Model) ApplyWith(c *Ctx, s *sim.State, mv Move) {
	act := &s.Actors[mv.Actor]
	p := m.Program(s, mv.Actor)
	st := &p.Steps[act.PC]
	*c = Ctx{S: s, A: mv.Actor, Act: act, Choice: mv.Choice, Step: st, R: s.ReqOf(mv.Actor), next: int(act.PC) + 1, prog: p}
	st.Do(c)
	if act.Dead {
		return
	}
	if c.next&doneBit != 0 || c.next >= len(p.Steps) {
		act.Done = true
		return
	}
	act.PC = int16(c.next)
}

// Init returns the initial state of a scenario.
func (m *Model) Init(sc *sim.Scenario) *sim.State {
	return sim.NewState(sc)
}

// ActorName names actor a for traces: submitter, bio0, bio1, ..., reaper,
// xfsdatad.
func ActorName(s *sim.State, a int) string { return s.ActorLabel(a) }

// Where returns the location an actor is stopped at: for a task asleep in
// schedule(), the step that put it to sleep; otherwise its next step.
func (m *Model) Where(s *sim.State, a int) string {
	act := &s.Actors[a]
	p := m.Program(s, a)
	pc := int(act.PC)
	if act.Asleep && pc > 0 {
		pc--
	}
	if pc >= len(p.Steps) {
		return "the end of its program"
	}
	return p.Steps[pc].Loc.String()
}
