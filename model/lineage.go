package model

import (
	"fmt"
	"sort"
	"strings"

	"diosim/sim"
)

// A Version is one kernel version of the model: its parent version and
// the patch that makes it from the parent, the way the kernel's own
// history makes each tree from the one before. The root (v2.6.18) has no
// parent; its steps are the code in this package. Every later version is
// its parent with the patch's edits applied, step by step, by stable id.
type Version struct {
	Name   string // v2.6.18, before, after+my-fix, ...
	Parent string // "" for the root
	Doc    string // one line: what this version is
	Patch  *Patch // how it differs from Parent; nil for the root
}

// A Patch changes the model of its parent version: the kernel files it
// produces new versions of (whose citation tables then apply), the
// functions whose model it replaces whole, and the steps it replaces,
// inserts or removes, each named by its stable step id.
type Patch struct {
	Title string // the patch's subject line
	About string // what it changes on this code path, in our words
	// Files maps a kernel file to the version of that file the patch
	// produces: fs/direct-io.c -> after. Its citation table
	// (cites/FILE@VERSION.cites) gives the lines of every step in it.
	Files map[string]string
	// Edits change single steps of the parent, by id, in order.
	Edits []Edit

	funcs map[string]func(b *builder) // functions (sections) whose model the patch replaces whole
}

// EditOp is what an Edit does to the step it names.
type EditOp uint8

// Edit operations.
const (
	Replace      EditOp = iota // the step is replaced by With
	InsertBefore               // With is inserted before the step
	InsertAfter                // With is inserted after the step
	Remove                     // the step is dropped
	// Alter keeps the step where it is, with its id, and lets Edit.Alter
	// change it as built (its Do, Guard, ...): the hook that mutation
	// testing needs to drop a guard, swap two steps or invert a branch
	// generically, whatever code built the step (see model/mutate.go).
	Alter
)

func (o EditOp) String() string {
	return [...]string{"replace", "insert before", "insert after", "remove", "alter"}[o]
}

// An Edit changes one step of the parent version wherever the step
// occurs (a step of an inlined function occurs at every call site).
type Edit struct {
	Op   EditOp
	Step string    // the id of the step edited
	With []StepDef // the new steps (Replace, InsertBefore, InsertAfter)
	// Alter (Op Alter) changes the step in place: st is the step as built
	// in one program, orig that program's steps before any alteration
	// and pc the step's index in it. It is called for every occurrence of
	// the step, once the program is complete.
	Alter func(st *Step, orig []Step, pc int)

	emit func(b *builder) // the built-in patches' replacement code (may inline functions)
}

// StepDef defines a step a patch adds: its id, its statement, where it is
// in the kernel source, and what it does. It is the exported form of a
// step, for variants written outside this package (docs/your-own-fix.md).
type StepDef struct {
	ID   string // stable id: "function:label"
	Text string // the statement(s), in our words
	// Cite is where the statement is: "fs/direct-io.c@after:279-283"; ""
	// keeps the citation of the step replaced (or, for an inserted step,
	// of the step it is inserted next to).
	Cite        string
	Guard       func(s *sim.State, a int) bool
	Outcomes    func(s *sim.State, a int) int
	OutcomeName func(s *sim.State, a, k int) string
	Do          func(c *Ctx)
	// Private claims the step commutes with every other actor's steps
	// (see Step.Private), letting the exhaustive search take it alone; a
	// variant's claim is tested before its search (scheduler.CheckReductions).
	Private bool
	// Inlines names the callees the text also describes (see Step.Inlines).
	Inlines []string
}

// versions lists every version in the order it was registered: the
// built-in lineage oldest first, then the variants.
var versions []*Version

// builtins counts the built-in versions at the front of versions.
var builtins int

// rootFuncs are the root version's function models, by section name.
var rootFuncs = map[string]func(b *builder){}

// Register adds a version derived from an existing one: a candidate fix,
// a mutant, a later release. It builds the version's programs at once and
// returns an error (never panics) when the version is malformed: an
// unknown parent, a duplicate name, an edit that names a step the parent
// does not have, a citation that does not parse.
func Register(v Version) (err error) {
	models := registry()
	if v.Name == "" || strings.ContainsAny(v.Name, " ,|\t\n") {
		return fmt.Errorf("version name %q: want a non-empty name without spaces, commas or |", v.Name)
	}
	if _, ok := models[v.Name]; ok {
		return fmt.Errorf("version %q is already registered", v.Name)
	}
	if v.Parent == "" || models[v.Parent] == nil {
		return fmt.Errorf("version %q: unknown parent %q", v.Name, v.Parent)
	}
	if v.Patch == nil {
		return fmt.Errorf("version %q: no patch", v.Name)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("version %q: %v", v.Name, r)
		}
	}()
	vv := v
	m := buildModel(&vv)
	versions = append(versions, &vv)
	models[v.Name] = m
	return nil
}

// MustRegister is Register for package-level variables and init
// functions: it panics on error.
func MustRegister(v Version) {
	if err := Register(v); err != nil {
		panic(err)
	}
}

// chain returns the patches from the root to v, oldest first, with v's
// lineage.
func chain(v *Version) []*Version {
	var out []*Version
	for cur := v; cur != nil; {
		out = append([]*Version{cur}, out...)
		if cur.Parent == "" {
			break
		}
		cur = findVersion(cur.Parent)
		if cur == nil {
			panic("unknown parent in the lineage of " + v.Name)
		}
	}
	return out
}

func findVersion(name string) *Version {
	for _, v := range versions {
		if v.Name == name {
			return v
		}
	}
	return nil
}

// Lineage returns the versions from the root to this model's version,
// oldest first.
func (m *Model) Lineage() []*Version { return chain(m.Version) }

// patchEdits indexes a lineage's edits by step id, each with the level
// (position in the lineage) of the patch that made it.
type levelEdit struct {
	level int
	edit  *Edit
	used  *bool
}

func indexEdits(lin []*Version) map[string][]levelEdit {
	out := map[string][]levelEdit{}
	for lvl, v := range lin {
		if v.Patch == nil {
			continue
		}
		for i := range v.Patch.Edits {
			e := &v.Patch.Edits[i]
			out[e.Step] = append(out[e.Step], levelEdit{lvl, e, new(bool)})
		}
	}
	return out
}

// fileVersions returns which version of each kernel file a lineage uses.
func lineageFiles(lin []*Version) map[string]string {
	files := map[string]string{}
	for _, v := range lin {
		if v.Patch == nil {
			for f, fv := range rootFiles {
				files[f] = fv
			}
			continue
		}
		for f, fv := range v.Patch.Files {
			files[f] = fv
		}
	}
	return files
}

// unusedEdits lists the edits of v's own patch that matched no step of
// any program (a misspelt id, or a step the parent does not have).
func unusedEdits(v *Version, idx map[string][]levelEdit) []string {
	if v.Patch == nil {
		return nil
	}
	var out []string
	for id, es := range idx {
		for _, e := range es {
			for i := range v.Patch.Edits {
				if e.edit == &v.Patch.Edits[i] && !*e.used {
					out = append(out, fmt.Sprintf("%s %s", e.edit.Op, id))
				}
			}
		}
	}
	sort.Strings(out)
	return out
}
