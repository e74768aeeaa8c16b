// Package model holds the kernel code paths of each modelled version as
// step machines: for every actor kind a flat program of steps, built once
// per version. One step is what the kernel does atomically: an atomic
// read-modify-write, a section under a lock that every competing access also
// takes, or one plain load or store of state another actor can reach at
// that time. Purely local computation, and loads of fields nobody else
// writes while they can be read, are folded into the neighbouring step; the
// step's location then spans those lines.
//
// Every step names its version, the kernel function, the file and line
// (range) in that version's file, and a short description of the
// statement in our words. Function calls are inlined at every call site
// when the program is built, so a program counter is one integer.
//
// Memory is modelled as sequentially consistent: each step's accesses take
// effect at once, in step order.
package model

import (
	"fmt"
	"strconv"
	"strings"

	"diosim/sim"
)

// Loc is a source location in one version of a kernel file.
type Loc struct {
	Func string // kernel function
	File string // path in the kernel tree
	Ver  string // file version: v2.6.18, before, after or v2.6.20
	Line int    // first line
	End  int    // last line (== Line for one line)

	id string // the id of the step being cited (set by the builder's citation helpers)
}

// Userspace reports whether the location is a step of the userspace
// program around the kernel (the test's calls and observations), which
// cites no kernel source.
func (l Loc) Userspace() bool { return l.File == userFile }

// String renders the location in the spec's citation form, e.g.
// fs/direct-io.c@before:289 or fs/direct-io.c@after:386-391.
func (l Loc) String() string {
	if l.File == userFile {
		return "userspace:" + l.Func
	}
	if l.End > l.Line {
		return fmt.Sprintf("%s@%s:%d-%d", l.File, l.Ver, l.Line, l.End)
	}
	return fmt.Sprintf("%s@%s:%d", l.File, l.Ver, l.Line)
}

// Step is one atomic step of an actor's program.
type Step struct {
	// ID is the step's stable id, "function:label": it names the step in
	// traces, citation tables and patches, and survives edits of the
	// step's text and citation. A step of an inlined function has the
	// same id at every call site.
	ID   string
	Loc  Loc
	Text string // the statement(s), in our words
	// Guard, when set, must hold for the step to be enabled (a lock that
	// must be free, an event that must be present).
	Guard func(s *sim.State, a int) bool
	// Outcomes, when set, returns how many outcomes the step has now
	// (fault points: "ok" and each way the fault can fire); nil means one.
	Outcomes func(s *sim.State, a int) int
	// OutcomeName names outcome k (only called when Outcomes is set).
	OutcomeName func(s *sim.State, a int, k int) string
	// Do performs the step.
	Do func(c *Ctx)
	// Private marks a step that, in every state where it can run, reads
	// and writes only its actor's locals and objects no other actor can
	// reach at that time (the dio while the submitter still holds its
	// reference and no completion can be delivered, a bio's own struct,
	// locks only this actor takes). It commutes with every step of every
	// other actor and changes nothing a property looks at before the end
	// of the run (fault records are accumulated, read only at the end), so
	// the exhaustive search may run it before anything else (partial-order
	// reduction). The argument for each such step is in its builder; it
	// assumes one iocb (with several, the submitters share i_mutex, i_size
	// and the page cache, and the search does not use the flag).
	Private bool
	// Inode marks a Private step that reads or writes state every iocb of
	// the file shares (i_mutex, i_alloc_sem, i_size, the page cache, the
	// file's blocks, the completion ring): private with one iocb, not with
	// several (see scheduler's partial-order reduction).
	Inode bool
	// Inlines names the callees whose statements the step's text also
	// describes (the step folds them in): "func" for a function of the
	// step's own file, "path:func" for one of another file of the same
	// version. dio-sim lint looks for the text's C names in their bodies.
	Inlines []string
}

// Ctx is what a step's Do sees.
type Ctx struct {
	S      *sim.State
	A      int        // actor index
	Act    *sim.Actor // &S.Actors[A]
	Choice int        // the outcome chosen
	Step   *Step      // the step being run
	R      *sim.Req   // the request the actor works for: &S.Reqs[Act.Req]
	next   int
	prog   *Program
}

// Goto makes l the next step of the actor.
func (c *Ctx) Goto(l *Label) { c.next = l.pc }

// GotoStep makes the next occurrence of step id (after this step, in
// program order) the next step of the actor: a forward jump to a step
// named by its id, for steps defined outside this package. A jump to a
// step that does not follow is a bug in the variant: it panics, and the
// exhaustive search (and CheckReductions) turn the panic into an error
// naming the step.
func (c *Ctx) GotoStep(id string) {
	for pc := int(c.Act.PC) + 1; pc < len(c.prog.Steps); pc++ {
		if c.prog.Steps[pc].ID == id {
			c.next = pc
			return
		}
	}
	panic(fmt.Sprintf("GotoStep(%q): no such step after %s in %s", id, c.Step.ID, c.prog.Name))
}

// Finish ends the actor's program after this step.
func (c *Ctx) Finish() { c.next = doneBit }

// L returns the actor's locals.
func (c *Ctx) L() *sim.Locals { return &c.Act.L }

const doneBit = 1 << 14

// Label is a position in a program, resolved when the program is built.
type Label struct {
	pc     int
	name   string
	set    bool
	stepID string // labelAt: resolved to the first step with this id at or after from
	from   int
}

// Program is the flat step list of one actor kind in one version.
type Program struct {
	Name  string
	Steps []Step
}

// rootFiles gives which version of each kernel file the root version
// (v2.6.18) uses; patches move files on (Patch.Files).
var rootFiles = map[string]string{dioFile: "v2.6.18", filemapFile: "v2.6.18", aioFile: "v2.6.18", xfsFile: "v2.6.18", rwFile: "v2.6.18", lrwFile: "v2.6.18", bioFile: "v2.6.18"}

const (
	dioFile     = "fs/direct-io.c"
	filemapFile = "mm/filemap.c"
	aioFile     = "fs/aio.c"
	xfsFile     = "fs/xfs/linux-2.6/xfs_aops.c"
	rwFile      = "fs/read_write.c"
	lrwFile     = "fs/xfs/linux-2.6/xfs_lrw.c"
	xfsFileFile = "fs/xfs/linux-2.6/xfs_file.c" // from 2.6.36, where xfs_lrw.c is gone
	bioFile     = "fs/bio.c"
	userFile    = "userspace"
)

// builder assembles one program of one version: the code in this package
// is the root version's, and the builder applies the lineage's patches as
// it goes (a replaced function's model, edits of single steps by id).
type builder struct {
	ver    string // model version
	op     sim.Op // the submitter's operation (submitter programs only)
	fs     sim.FS
	sync   bool
	prog   *Program
	labels []*Label

	lin   []*Version             // the lineage, root first
	files map[string]string      // file -> file version
	edits map[string][]levelEdit // step edits of the lineage, by step id
	level int                    // lineage level of the code being emitted
	// last is the index of the step the modifiers (private, lastGuard)
	// apply to; -1 when the step added last was replaced or removed by a
	// patch (the modifiers then go to scratch).
	last    int
	scratch Step
	pending []func() // inserted or replacing steps, emitted before the next step or label
	// arg is the local variable that receives the result of the function
	// being inlined (dio_complete's ret), for code that needs it.
	arg localSel
	// noEndIO: the filesystem's direct_IO passes __blockdev_direct_IO no
	// end_io (XFS reads from 2.6.36), so dio->end_io is NULL.
	noEndIO bool
	// scopes are the labels of the functions being emitted, innermost
	// last, by name: a patch's replacement code finds the labels of the
	// function it edits with named.
	scopes []map[string]*Label
}

func newBuilder(m *modelBuild, name string) *builder {
	return &builder{ver: m.v.Name, prog: &Program{Name: name}, lin: m.lin, files: m.files, edits: m.edits, last: -1, scopes: []map[string]*Label{{}}}
}

func (b *builder) write() bool { return b.op == sim.Write }
func (b *builder) xfsFS() bool { return b.fs == sim.XFS }

// label makes a new unresolved label.
func (b *builder) label(name string) *Label {
	l := &Label{name: name}
	b.labels = append(b.labels, l)
	if len(b.scopes) > 0 {
		b.scopes[len(b.scopes)-1][name] = l
	}
	return l
}

// named returns the label called name of the innermost function being
// emitted that has one (for a patch's code replacing a step of it).
func (b *builder) named(name string) *Label {
	for i := len(b.scopes) - 1; i >= 0; i-- {
		if l := b.scopes[i][name]; l != nil {
			return l
		}
	}
	panic("no label " + name + " in the functions being emitted")
}

// labelAt makes a label resolved to the first step with id emitted from
// now on (a forward jump to a step a patch may have moved).
func (b *builder) labelAt(id string) *Label {
	l := &Label{name: id, stepID: id, from: len(b.prog.Steps)}
	b.labels = append(b.labels, l)
	return l
}

// mark resolves l to the next step added.
func (b *builder) mark(l *Label) {
	b.flush()
	if l.set {
		panic("label marked twice: " + l.name)
	}
	l.pc = len(b.prog.Steps)
	l.set = true
}

// here returns a label resolved to the next step added.
func (b *builder) here(name string) *Label {
	l := b.label(name)
	b.mark(l)
	return l
}

// flush emits the steps patches queued after the step added last.
func (b *builder) flush() {
	for len(b.pending) > 0 {
		p := b.pending
		b.pending = nil
		for _, f := range p {
			f()
		}
	}
}

// sec emits the model of function (section) name as the lineage has it:
// the last patch that replaced it, else the root's.
func (b *builder) sec(name string) {
	b.flush()
	for lvl := len(b.lin) - 1; lvl >= 1; lvl-- {
		if f := b.lin[lvl].Patch.funcs[name]; f != nil {
			b.at(lvl, f)
			return
		}
	}
	f := rootFuncs[name]
	if f == nil {
		panic("no model of function " + name)
	}
	b.at(0, f)
}

// at runs emitter f as code of lineage level lvl: only later patches'
// edits apply to the steps it emits.
func (b *builder) at(lvl int, f func(b *builder)) {
	saved := b.level
	b.level = lvl
	b.scopes = append(b.scopes, map[string]*Label{})
	f(b)
	b.flush()
	b.scopes = b.scopes[:len(b.scopes)-1]
	b.level = saved
}

// atLevel runs f with the lineage level set to lvl, in the same label
// scope (an edit's code belongs to the function it edits).
func (b *builder) atLevel(lvl int, f func()) {
	saved := b.level
	b.level = lvl
	f()
	b.level = saved
}

// rootCode marks the function it is deferred in as the root version's
// code, whoever calls it: patches' edits apply to its steps. It returns
// the function that restores the caller's level.
func (b *builder) rootCode() func() {
	saved := b.level
	b.level = 0
	return func() { b.level = saved }
}

// add appends a step, unless a patch later in the lineage than the code
// adding it replaces or removes it; inserted steps follow.
func (b *builder) add(loc Loc, text string, do func(c *Ctx)) *Step {
	b.flush()
	id := loc.id
	if id == "" {
		panic(fmt.Sprintf("%s: step %q has no id", b.prog.Name, text))
	}
	// The edits of the first patch after the code emitting the step.
	var es []*levelEdit
	for i := range b.edits[id] {
		le := &b.edits[id][i]
		if le.level > b.level && (len(es) == 0 || le.level == es[0].level) {
			es = append(es, le)
		}
	}
	if len(es) == 0 {
		if loc.Line == 0 && loc.File != userFile {
			panic(fmt.Sprintf("%s: step %s has no line in %s@%s (cites/%s@%s.cites)", b.ver, id, loc.File, loc.Ver, strings.ReplaceAll(loc.File, "/", "-"), loc.Ver))
		}
		b.prog.Steps = append(b.prog.Steps, Step{ID: id, Loc: loc, Text: text, Do: do})
		b.last = len(b.prog.Steps) - 1
		return &b.prog.Steps[b.last]
	}
	lvl := es[0].level
	var before, after []*Edit
	var repl *Edit
	keep := true
	for _, le := range es {
		*le.used = true
		switch le.edit.Op {
		case InsertBefore:
			before = append(before, le.edit)
		case InsertAfter:
			after = append(after, le.edit)
		case Replace, Remove:
			if !keep {
				panic(fmt.Sprintf("the patch replaces or removes step %s twice", id))
			}
			keep = false
			if le.edit.Op == Replace {
				repl = le.edit
			}
		}
	}
	for _, e := range before {
		b.atLevel(lvl, func() { b.emitEdit(e, loc) })
		b.flush()
	}
	for _, e := range append([]*Edit{repl}, after...) {
		if e != nil {
			b.pending = append(b.pending, func() { b.atLevel(lvl, func() { b.emitEdit(e, loc) }) })
		}
	}
	if keep {
		// The original stays the step the modifiers apply to.
		var st *Step
		pending := b.pending
		b.pending = nil
		b.atLevel(lvl, func() { st = b.add(loc, text, do) })
		b.pending = append(b.pending, pending...)
		return st
	}
	b.scratch = Step{}
	b.last = -1
	return &b.scratch
}

// emitEdit emits an edit's new steps; loc is the edited step's location,
// the default citation of the new ones.
func (b *builder) emitEdit(e *Edit, loc Loc) {
	if e.emit != nil {
		e.emit(b)
		return
	}
	for _, d := range e.With {
		l := loc
		if d.Cite != "" {
			var err error
			if l, err = ParseLoc(d.Cite); err != nil {
				panic(fmt.Sprintf("step %s: %v", d.ID, err))
			}
		}
		if d.ID == "" || d.Do == nil {
			panic(fmt.Sprintf("a step of the edit of %s has no id or no Do", e.Step))
		}
		l.id = d.ID
		st := b.add(l, d.Text, d.Do)
		st.Guard, st.Outcomes, st.OutcomeName, st.Private, st.Inlines = d.Guard, d.Outcomes, d.OutcomeName, d.Private, d.Inlines
		if (d.Outcomes == nil) != (d.OutcomeName == nil) {
			panic(fmt.Sprintf("step %s: Outcomes and OutcomeName go together", d.ID))
		}
	}
}

// lastStep is the step the modifiers apply to.
func (b *builder) lastStep() *Step {
	if b.last < 0 {
		return &b.scratch
	}
	return &b.prog.Steps[b.last]
}

// private marks the step added last as Private (see Step.Private).
func (b *builder) private() { b.lastStep().Private = true }

// privateInode marks the step added last as Private with one iocb only: it
// touches the inode every iocb shares (see Step.Inode).
func (b *builder) privateInode() { st := b.lastStep(); st.Private, st.Inode = true, true }

// inlines records that the step added last folds in the bodies of the
// named callees (see Step.Inlines).
func (b *builder) inlines(callees ...string) {
	st := b.lastStep()
	st.Inlines = append(st.Inlines, callees...)
}

// guarded adds a step with a guard.
func (b *builder) guarded(loc Loc, text string, guard func(s *sim.State, a int) bool, do func(c *Ctx)) {
	st := b.add(loc, text, do)
	st.Guard = guard
}

// choice adds a step with several outcomes.
func (b *builder) choice(loc Loc, text string, n func(s *sim.State, a int) int, name func(s *sim.State, a, k int) string, do func(c *Ctx)) {
	st := b.add(loc, text, do)
	st.Outcomes = n
	st.OutcomeName = name
}

func (b *builder) finish() *Program {
	b.flush()
	b.alter()
	for _, l := range b.labels {
		if l.stepID != "" {
			for pc := l.from; pc < len(b.prog.Steps); pc++ {
				if b.prog.Steps[pc].ID == l.stepID {
					l.pc, l.set = pc, true
					break
				}
			}
		}
		if !l.set {
			panic(fmt.Sprintf("%s/%s: label %q never marked", b.ver, b.prog.Name, l.name))
		}
	}
	if len(b.prog.Steps) >= doneBit {
		panic("program too long")
	}
	return b.prog
}

// cite builds the location of step id in file, from the citation table
// of the file version the lineage uses.
func (b *builder) cite(file, id string) Loc {
	fv := fileVersion{file, b.files[file]}
	table := citeTables[fv]
	if table == nil {
		panic(fmt.Sprintf("%s: no citation table for %s", b.ver, fv))
	}
	c, ok := table[id]
	if !ok {
		// Only an error if the step is emitted (a patch may replace it).
		return Loc{File: file, Ver: fv.Ver, id: id}
	}
	return Loc{Func: c.Func, File: file, Ver: fv.Ver, Line: c.Line, End: c.End, id: id}
}

// ref renders the lines that key names in the table of the version of
// file being built as a citation inside a step's text ("fs/direct-io.c:705-717"):
// for a step that also describes a few lines of its caller (the tables
// list such keys after the steps).
func (b *builder) ref(file, key string) string {
	fv := fileVersion{file, b.files[file]}
	c, ok := citeTables[fv][key]
	if !ok {
		panic(fmt.Sprintf("%s: no lines %q in cites/%s@%s.cites", b.ver, key, strings.ReplaceAll(file, "/", "-"), fv.Ver))
	}
	if c.End > c.Line {
		return fmt.Sprintf("%s:%d-%d", file, c.Line, c.End)
	}
	return fmt.Sprintf("%s:%d", file, c.Line)
}

// refLine is the first line that key names in the table of the version of
// file being built (for a text that mentions where a call is).
func (b *builder) refLine(file, key string) string {
	c, ok := citeTables[fileVersion{file, b.files[file]}][key]
	if !ok {
		panic(fmt.Sprintf("%s: no lines %q for %s", b.ver, key, file))
	}
	return strconv.Itoa(c.Line)
}

// citeAs is the location of step id taken from the table's entry key:
// for a step whose lines depend on the operation (do_sync_read or
// do_sync_write) under one stable id.
func (b *builder) citeAs(file, key, id string) Loc {
	l := b.cite(file, key)
	l.id = id
	return l
}

// ParseLoc parses a citation in the form Loc.String gives:
// fs/direct-io.c@after:279 or fs/direct-io.c@after:279-283.
func ParseLoc(s string) (Loc, error) {
	fileVer, lines, ok := strings.Cut(s, ":")
	file, ver, ok2 := strings.Cut(fileVer, "@")
	if !ok || !ok2 || file == "" || ver == "" {
		return Loc{}, fmt.Errorf("citation %q: want FILE@VERSION:LINE[-END]", s)
	}
	first, last, isRange := strings.Cut(lines, "-")
	l, err := strconv.Atoi(first)
	e := l
	if err == nil && isRange {
		e, err = strconv.Atoi(last)
	}
	if err != nil || l <= 0 || e < l {
		return Loc{}, fmt.Errorf("citation %q: bad line range", s)
	}
	return Loc{File: file, Ver: ver, Line: l, End: e}, nil
}

// The citation helpers, one per kernel file: the location of step id.
func (b *builder) dio(id string) Loc  { return b.cite(dioFile, id) }
func (b *builder) fm(id string) Loc   { return b.cite(filemapFile, id) }
func (b *builder) aio(id string) Loc  { return b.cite(aioFile, id) }
func (b *builder) xfs(id string) Loc  { return b.cite(xfsFile, id) }
func (b *builder) bio(id string) Loc  { return b.cite(bioFile, id) }
func (b *builder) lrw(id string) Loc  { return b.cite(lrwFile, id) }
func (b *builder) xfsf(id string) Loc { return b.cite(xfsFileFile, id) }

// user names a userspace step (a system call as the program sees it).
func (b *builder) user(fn string) Loc { return Loc{Func: fn, File: userFile, id: "userspace:" + fn} }
