package model

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// dumpPrograms renders every program of every version (of the versions
// in only, when only is not nil): per step its location, statement, and
// whether it is private, guarded, a choice.
func dumpPrograms(withIDs bool, only map[string]bool) string {
	var b strings.Builder
	for _, m := range Versions() {
		if only != nil && !only[m.Name] {
			continue
		}
		for _, p := range m.Programs() {
			fmt.Fprintf(&b, "== %s %s\n", m.Name, p.Name)
			for i, st := range p.Steps {
				id := ""
				if withIDs {
					id = st.ID + "\t"
				}
				fmt.Fprintf(&b, "%d\t%s%s\t%s\t%v\t%v\t%v\n", i, id, st.Loc, st.Text, st.Private, st.Guard != nil, st.Outcomes != nil)
			}
		}
	}
	return b.String()
}

// TestLineagePrograms: building every version from its lineage (v2.6.18
// plus patches) gives, step for step, the programs of
// testdata/programs-flat.txt (location, statement, private, guard,
// outcomes). That file was first dumped from the model before it became
// patches, when the two agreed exactly; the citation fixes since changed
// only its locations and statements (never a step's place or flags). It
// holds the first four versions only: the later releases were written as
// patches from the start.
// testdata/programs.txt is the same with step ids, the golden file for
// later changes (go test ./model -run Lineage -update).
// updateFlat rewrites testdata/programs-flat.txt: only for a change that
// is meant to change the first four versions' programs (then say why in
// the commit).
var updateFlat = flag.Bool("update-flat", false, "rewrite testdata/programs-flat.txt")

func TestLineagePrograms(t *testing.T) {
	flat, err := os.ReadFile("testdata/programs-flat.txt")
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]bool{"v2.6.18": true, "before": true, "after": true, "v2.6.20": true}
	if *updateFlat {
		if err := os.WriteFile("testdata/programs-flat.txt", []byte(dumpPrograms(false, first)), 0o644); err != nil {
			t.Fatal(err)
		}
		flat = []byte(dumpPrograms(false, first))
	}
	if got := dumpPrograms(false, first); got != string(flat) {
		t.Errorf("the lineage's programs differ from the flat programs:\n%s", firstDiff(string(flat), got))
	}
	golden := "testdata/programs.txt"
	got := dumpPrograms(true, nil)
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("the programs changed (go test ./model -run Lineage -update if that is meant):\n%s", firstDiff(string(want), got))
	}
}

func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n want %s\n got  %s", i+1, a, b)
		}
	}
	return ""
}

// TestPatchEditsUsed: every edit of every built-in patch changes at least
// one step (Register refuses a variant whose edit names no step).
func TestRegisterRefuses(t *testing.T) {
	cases := []struct {
		v    Version
		want string
	}{
		{Version{Name: "x1", Parent: "nope", Patch: &Patch{}}, "unknown parent"},
		{Version{Name: "after", Parent: "before", Patch: &Patch{}}, "already registered"},
		{Version{Name: "bad name", Parent: "after", Patch: &Patch{}}, "without spaces"},
		{Version{Name: "x2", Parent: "after"}, "no patch"},
		{Version{Name: "x3", Parent: "after", Patch: &Patch{Edits: []Edit{{Op: Remove, Step: "no_such:step"}}}}, "does not have: remove no_such:step"},
		{Version{Name: "x4", Parent: "after", Patch: &Patch{Edits: []Edit{{Op: Replace, Step: "dio_bio_end_aio:load-waiter",
			With: []StepDef{{ID: "dio_bio_end_aio:load-waiter", Text: "t", Cite: "nonsense", Do: func(*Ctx) {}}}}}}}, "citation \"nonsense\""},
		{Version{Name: "x5", Parent: "after", Patch: &Patch{Edits: []Edit{{Op: Replace, Step: "dio_bio_end_aio:load-waiter",
			With: []StepDef{{ID: "dio_bio_end_aio:load-waiter", Text: "t"}}}}}}, "no id or no Do"},
	}
	for _, c := range cases {
		err := Register(c.v)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Register(%s): %v, want an error mentioning %q", c.v.Name, err, c.want)
		}
		if _, lerr := Lookup(c.v.Name); lerr == nil && c.v.Name != "after" {
			t.Errorf("a refused variant %s was registered", c.v.Name)
		}
	}
}

// TestVariantEdits: a registered variant's edits apply (replace, insert
// before and after, remove) and its other steps are its parent's.
func TestVariantEdits(t *testing.T) {
	noop := func(*Ctx) {}
	err := Register(Version{Name: "after+test-edits", Parent: "after", Patch: &Patch{Edits: []Edit{
		{Op: InsertBefore, Step: "dio_bio_end_aio:load-waiter", With: []StepDef{{ID: "test:before", Text: "before", Do: noop}}},
		{Op: InsertAfter, Step: "dio_bio_end_aio:load-waiter", With: []StepDef{{ID: "test:after", Text: "after", Do: noop}}},
		{Op: Replace, Step: "dio_bio_end_aio:reload-waiter", With: []StepDef{{ID: "test:replaced", Text: "replaced", Cite: "fs/direct-io.c@after:282", Do: noop}}},
		{Op: Remove, Step: "dio_bio_end_aio:wake-waiter"},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	parent, _ := Lookup("after")
	m, _ := Lookup("after+test-edits")
	ids := func(p *Program) []string {
		var out []string
		for _, st := range p.Steps {
			out = append(out, st.ID)
		}
		return out
	}
	pp, mp := ids(parent.progs[1]), ids(m.progs[1])
	want := []string{}
	for _, id := range pp {
		switch id {
		case "dio_bio_end_aio:load-waiter":
			want = append(want, "test:before", id, "test:after")
		case "dio_bio_end_aio:reload-waiter":
			want = append(want, "test:replaced")
		case "dio_bio_end_aio:wake-waiter":
		default:
			want = append(want, id)
		}
	}
	if strings.Join(mp, " ") != strings.Join(want, " ") {
		t.Errorf("the variant's bio completion is\n%v\nwant\n%v", mp, want)
	}
	r, a, rm, _ := DiffSummary(Diff(parent, m))
	if r != 0 || a != 3 || rm != 2 {
		t.Errorf("diff: %d replaced, %d added, %d removed; want 0, 3, 2", r, a, rm)
	}
}
