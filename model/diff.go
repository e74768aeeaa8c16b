package model

import (
	"reflect"
	"regexp"
	"strings"
)

// ChangeKind says how a step differs between two versions.
type ChangeKind uint8

// Change kinds.
const (
	Added    ChangeKind = iota // only in the newer version
	Removed                    // only in the older version
	Replaced                   // same id, another statement or behaviour
	Moved                      // same id and behaviour, another citation only
)

func (k ChangeKind) String() string { return [...]string{"added", "removed", "replaced", "moved"}[k] }

// StepChange is one step-level difference between two versions. Old is
// nil for an added step, New for a removed one.
type StepChange struct {
	Kind     ChangeKind
	ID       string
	Old, New *Step
	Programs []string // the programs it occurs in
}

// Func is the function part of the step's id.
func (c StepChange) Func() string {
	f, _, _ := strings.Cut(c.ID, ":")
	return f
}

// Diff returns the step-level difference between the programs of two
// versions: the patch in model terms. Steps are matched by id in program
// order (a longest common subsequence of ids, program by program); a
// matched step whose statement, guard, outcomes or code differ is
// Replaced, one whose citation alone differs is Moved. A change that
// occurs in several programs (an inlined function) is listed once, in
// the order of first occurrence.
func Diff(a, b *Model) []StepChange {
	var out []StepChange
	index := map[string]int{}
	add := func(c StepChange, prog string) {
		key := c.Kind.String() + "\x00" + c.ID
		if c.Old != nil {
			key += "\x00" + c.Old.Text + "\x00" + c.Old.Loc.String()
		}
		if c.New != nil {
			key += "\x00" + c.New.Text + "\x00" + c.New.Loc.String()
		}
		if i, ok := index[key]; ok {
			out[i].Programs = appendOnce(out[i].Programs, prog)
			return
		}
		c.Programs = []string{prog}
		index[key] = len(out)
		out = append(out, c)
	}
	// Programs are matched by name: a version may have a program its
	// parent lacks (an XFS work function) or lack one it has.
	pa, pb := a.Programs(), b.Programs()
	byName := map[string]*Program{}
	for _, p := range pb {
		byName[p.Name] = p
	}
	seen := map[string]bool{}
	for _, p := range pa {
		q := byName[p.Name]
		if q == nil {
			q = &Program{Name: p.Name}
		}
		seen[p.Name] = true
		diffProgram(p, q, func(c StepChange) { add(c, p.Name) })
	}
	for _, q := range pb {
		if !seen[q.Name] {
			diffProgram(&Program{Name: q.Name}, q, func(c StepChange) { add(c, q.Name) })
		}
	}
	return out
}

func appendOnce(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// diffProgram aligns two programs by step id.
func diffProgram(a, b *Program, emit func(StepChange)) {
	n, m := len(a.Steps), len(b.Steps)
	// lcs[i][j]: length of the LCS of a[i:] and b[j:].
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a.Steps[i].ID == b.Steps[j].ID {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && a.Steps[i].ID == b.Steps[j].ID:
			x, y := &a.Steps[i], &b.Steps[j]
			switch {
			case !sameBehaviour(x, y):
				emit(StepChange{Kind: Replaced, ID: x.ID, Old: x, New: y})
			case x.Loc.String() != y.Loc.String():
				emit(StepChange{Kind: Moved, ID: x.ID, Old: x, New: y})
			}
			i, j = i+1, j+1
		case j < m && (i == n || lcs[i][j+1] >= lcs[i+1][j]):
			emit(StepChange{Kind: Added, ID: b.Steps[j].ID, New: &b.Steps[j]})
			j++
		default:
			emit(StepChange{Kind: Removed, ID: a.Steps[i].ID, Old: &a.Steps[i]})
			i++
		}
	}
}

// sameBehaviour reports whether two steps with one id say and do the
// same: the same statement (up to the line numbers of the citations in
// it, which follow the file version), the same code (by function
// identity), guard, outcomes and privacy.
func sameBehaviour(x, y *Step) bool {
	return textLines.ReplaceAllString(x.Text, "$1:#") == textLines.ReplaceAllString(y.Text, "$1:#") && x.Private == y.Private &&
		funcID(x.Do) == funcID(y.Do) && funcID(x.Guard) == funcID(y.Guard) && funcID(x.Outcomes) == funcID(y.Outcomes)
}

// textLines matches a citation inside a step's text, "fs/direct-io.c:705-717".
var textLines = regexp.MustCompile(`([\w./-]+\.[ch]):\d+(?:-\d+)?`)

func funcID(f any) uintptr {
	v := reflect.ValueOf(f)
	if !v.IsValid() || v.IsNil() {
		return 0
	}
	return v.Pointer()
}

// DiffSummary counts the changes of each kind.
func DiffSummary(cs []StepChange) (replaced, added, removed, moved int) {
	for _, c := range cs {
		switch c.Kind {
		case Replaced:
			replaced++
		case Added:
			added++
		case Removed:
			removed++
		case Moved:
			moved++
		}
	}
	return
}

// HasStep reports whether any program of the model has a step with id.
func (m *Model) HasStep(id string) bool {
	for _, p := range m.Programs() {
		for i := range p.Steps {
			if p.Steps[i].ID == id {
				return true
			}
		}
	}
	return false
}

// StepDef returns the definition of the step with id (its first
// occurrence in the model's programs), for a variant that replaces a step
// by another with the same code but, say, other text or a guard.
func (m *Model) StepDef(id string) (StepDef, bool) {
	for _, p := range m.Programs() {
		for i := range p.Steps {
			if st := &p.Steps[i]; st.ID == id {
				return StepDef{ID: id, Text: st.Text, Guard: st.Guard, Outcomes: st.Outcomes, OutcomeName: st.OutcomeName, Do: st.Do, Private: st.Private}, true
			}
		}
	}
	return StepDef{}, false
}
