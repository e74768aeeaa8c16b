package model

import "strconv"

// Hooks for mutation testing (the zoo in package mutants): an Edit with
// Op Alter changes a built step in place, and a step's Do can read and
// redirect where the actor goes next. Both are generic: they need no
// knowledge of the code that built the step.

// alter applies the Alter edits of the lineage to every step of the
// program they name, after every other edit. All Alter edits apply,
// whatever patch of the lineage made them: they are meant for the last
// version of a lineage (a mutant).
func (b *builder) alter() {
	var orig []Step
	for pc := range b.prog.Steps {
		for _, le := range b.edits[b.prog.Steps[pc].ID] {
			if le.edit.Op != Alter {
				continue
			}
			if le.edit.Alter == nil {
				panic("an Alter edit of " + le.edit.Step + " has no Alter function")
			}
			if orig == nil {
				orig = append([]Step(nil), b.prog.Steps...)
			}
			*le.used = true
			le.edit.Alter(&b.prog.Steps[pc], orig, pc)
		}
	}
}

// NextPC returns the index in its program of the step the actor runs
// after this one, as the step's Do has left it so far: the next step in
// program order unless the Do jumped; -1 when the actor finishes.
func (c *Ctx) NextPC() int {
	if c.next&doneBit != 0 || c.next >= len(c.prog.Steps) {
		return -1
	}
	return c.next
}

// SetNextPC makes step pc of the actor's program its next step; -1 ends
// the program. A pc outside the program is a bug in the caller and
// panics.
func (c *Ctx) SetNextPC(pc int) {
	if pc < 0 {
		c.next = doneBit
		return
	}
	if pc >= len(c.prog.Steps) {
		panic("SetNextPC: no step " + itoa(pc) + " in " + c.prog.Name)
	}
	c.next = pc
}

// Program returns the program the actor runs.
func (c *Ctx) Program() *Program { return c.prog }

func itoa(n int) string { return strconv.Itoa(n) }
