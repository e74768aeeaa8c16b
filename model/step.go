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
}

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
}

// Ctx is what a step's Do sees.
type Ctx struct {
	S      *sim.State
	A      int        // actor index
	Act    *sim.Actor // &S.Actors[A]
	Choice int        // the outcome chosen
	Step   *Step      // the step being run
	next   int
}

// Goto makes l the next step of the actor.
func (c *Ctx) Goto(l *Label) { c.next = l.pc }

// Finish ends the actor's program after this step.
func (c *Ctx) Finish() { c.next = doneBit }

// L returns the actor's locals.
func (c *Ctx) L() *sim.Locals { return &c.Act.L }

const doneBit = 1 << 14

// Label is a position in a program, resolved when the program is built.
type Label struct {
	pc   int
	name string
	set  bool
}

// Program is the flat step list of one actor kind in one version.
type Program struct {
	Name  string
	Steps []Step
}

// fileVersions gives, per model version, which version of each file it uses
// (spec README, "Which file version each model uses").
var fileVersions = map[string]map[string]string{
	"v2.6.18": {dioFile: "v2.6.18", filemapFile: "v2.6.18", aioFile: "v2.6.18", xfsFile: "v2.6.18", rwFile: "v2.6.20", lrwFile: "v2.6.20", bioFile: "v2.6.20"},
	"before":  {dioFile: "before", filemapFile: "before", aioFile: "v2.6.20", xfsFile: "v2.6.18", rwFile: "v2.6.20", lrwFile: "v2.6.20", bioFile: "v2.6.20"},
	"after":   {dioFile: "after", filemapFile: "v2.6.20", aioFile: "v2.6.20", xfsFile: "v2.6.20", rwFile: "v2.6.20", lrwFile: "v2.6.20", bioFile: "v2.6.20"},
	"v2.6.20": {dioFile: "v2.6.20", filemapFile: "v2.6.20", aioFile: "v2.6.20", xfsFile: "v2.6.20", rwFile: "v2.6.20", lrwFile: "v2.6.20", bioFile: "v2.6.20"},
}

const (
	dioFile     = "fs/direct-io.c"
	filemapFile = "mm/filemap.c"
	aioFile     = "fs/aio.c"
	xfsFile     = "fs/xfs/linux-2.6/xfs_aops.c"
	rwFile      = "fs/read_write.c"
	lrwFile     = "fs/xfs/linux-2.6/xfs_lrw.c"
	bioFile     = "fs/bio.c"
	userFile    = "userspace"
)

// builder assembles one program.
type builder struct {
	ver    string // model version
	op     sim.Op // the submitter's operation (submitter programs only)
	fs     sim.FS
	sync   bool
	prog   *Program
	labels []*Label
}

func newBuilder(ver, name string) *builder {
	return &builder{ver: ver, prog: &Program{Name: name}}
}

func (b *builder) write() bool { return b.op == sim.Write }
func (b *builder) xfsFS() bool { return b.fs == sim.XFS }

func (b *builder) is(vers ...string) bool {
	for _, v := range vers {
		if v == b.ver {
			return true
		}
	}
	return false
}

// label makes a new unresolved label.
func (b *builder) label(name string) *Label {
	l := &Label{name: name}
	b.labels = append(b.labels, l)
	return l
}

// mark resolves l to the next step added.
func (b *builder) mark(l *Label) {
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

func (b *builder) add(loc Loc, text string, do func(c *Ctx)) *Step {
	b.prog.Steps = append(b.prog.Steps, Step{Loc: loc, Text: text, Do: do})
	return &b.prog.Steps[len(b.prog.Steps)-1]
}

// private marks the step added last as Private (see Step.Private).
func (b *builder) private() { b.prog.Steps[len(b.prog.Steps)-1].Private = true }

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
	for _, l := range b.labels {
		if !l.set {
			panic(fmt.Sprintf("%s/%s: label %q never marked", b.ver, b.prog.Name, l.name))
		}
	}
	if len(b.prog.Steps) >= doneBit {
		panic("program too long")
	}
	return b.prog
}

// at builds a location. lines lists the line spec for each model version
// in the order the caller's helper defines; spec "-" means the line does not
// exist in that version (using it is a bug in the model, caught when the
// programs are built).
func (b *builder) at(file, fn, spec string) Loc {
	ver := fileVersions[b.ver][file]
	if spec == "-" || spec == "" {
		panic(fmt.Sprintf("%s: %s %s has no line in %s", b.ver, file, fn, ver))
	}
	first, last, isRange := strings.Cut(spec, "-")
	l, err := strconv.Atoi(first)
	if err != nil {
		panic(fmt.Sprintf("bad line spec %q", spec))
	}
	e := l
	if isRange {
		if e, err = strconv.Atoi(last); err != nil {
			panic(fmt.Sprintf("bad line spec %q", spec))
		}
	}
	return Loc{Func: fn, File: file, Ver: ver, Line: l, End: e}
}

// dio cites fs/direct-io.c with the line in after, before, v2.6.20 and
// v2.6.18 order (the order of the spec's brackets).
func (b *builder) dio(fn, after, before, v2620, v2618 string) Loc {
	spec := map[string]string{"after": after, "before": before, "v2.6.20": v2620, "v2.6.18": v2618}[b.ver]
	return b.at(dioFile, fn, spec)
}

// fm cites mm/filemap.c with the line in v2.6.20 (= after), before, v2.6.18.
func (b *builder) fm(fn, v2620, before, v2618 string) Loc {
	spec := map[string]string{"after": v2620, "v2.6.20": v2620, "before": before, "v2.6.18": v2618}[b.ver]
	return b.at(filemapFile, fn, spec)
}

// aio cites fs/aio.c with the line in v2.6.20 and v2.6.18.
func (b *builder) aio(fn, v2620, v2618 string) Loc {
	spec := v2620
	if b.ver == "v2.6.18" {
		spec = v2618
	}
	return b.at(aioFile, fn, spec)
}

// xfs cites fs/xfs/linux-2.6/xfs_aops.c with the line in v2.6.20 and v2.6.18.
func (b *builder) xfs(fn, v2620, v2618 string) Loc {
	spec := v2620
	if b.is("v2.6.18", "before") {
		spec = v2618
	}
	return b.at(xfsFile, fn, spec)
}

// rw cites fs/read_write.c of v2.6.20 (the synchronous entry used by the
// before, after and v2.6.20 models).
func (b *builder) rw(fn, line string) Loc { return b.at(rwFile, fn, line) }

// user names a userspace step (a system call as the program sees it).
func (b *builder) user(fn string) Loc { return Loc{Func: fn, File: userFile} }

// bio cites fs/bio.c of v2.6.20 (the block layer's bio_endio).
func (b *builder) bio(fn, line string) Loc { return b.at(bioFile, fn, line) }

// lrw cites fs/xfs/linux-2.6/xfs_lrw.c of v2.6.20.
func (b *builder) lrw(fn, line string) Loc { return b.at(lrwFile, fn, line) }
