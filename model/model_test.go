package model

import (
	"bufio"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"diosim/sim"
)

// TestStepsCiteLinesInsideTheirFunction checks every step of every program
// of every version against the function ranges of the spec: the cited
// lines must lie inside the named function in that file version. A wrong
// version column or a typo in a line number fails here.
func TestStepsCiteLinesInsideTheirFunction(t *testing.T) {
	type key struct{ file, ver, fn string }
	ranges := map[key][2]int{}
	f, err := os.Open("testdata/functions.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		p := strings.Fields(l)
		a, _ := strconv.Atoi(p[3])
		b, _ := strconv.Atoi(p[4])
		ranges[key{p[0], p[1], p[2]}] = [2]int{a, b}
	}
	checked := 0
	for _, m := range Versions() {
		for _, p := range m.Programs() {
			for i, st := range p.Steps {
				l := st.Loc
				if l.File == userFile {
					continue
				}
				if l.Line <= 0 || l.End < l.Line {
					t.Errorf("%s %s step %d: bad lines %d-%d", m.Name, p.Name, i, l.Line, l.End)
				}
				r, ok := ranges[key{l.File, l.Ver, l.Func}]
				if !ok {
					if l.File != lrwFile && !strings.Contains(l.Func, "aio_pread") {
						t.Errorf("%s %s step %d: no range known for %s %s %s", m.Name, p.Name, i, l.File, l.Ver, l.Func)
					}
					continue
				}
				if l.Line < r[0] || l.End > r[1] {
					t.Errorf("%s %s step %d: %s is outside %s (%d-%d)", m.Name, p.Name, i, l, l.Func, r[0], r[1])
				}
				checked++
			}
		}
	}
	if checked < 500 {
		t.Errorf("only %d steps checked", checked)
	}
}

// TestStepTexts checks that every step has a statement that the trace
// format can carry.
func TestStepTexts(t *testing.T) {
	for _, m := range Versions() {
		for _, p := range m.Programs() {
			if len(p.Steps) == 0 {
				t.Errorf("%s %s: empty program", m.Name, p.Name)
			}
			for i, st := range p.Steps {
				if st.Text == "" || strings.Contains(st.Text, " | ") || strings.ContainsAny(st.Text, "\n") {
					t.Errorf("%s %s step %d: bad text %q", m.Name, p.Name, i, st.Text)
				}
				if st.Loc.Func == "" || st.Do == nil {
					t.Errorf("%s %s step %d: no function or no action", m.Name, p.Name, i)
				}
			}
		}
	}
}

// TestVersionDifferences pins the C differences the patch is about: who may
// call aio_complete from fs/direct-io.c, per version.
func TestVersionDifferences(t *testing.T) {
	aioCompleteLines := func(m *Model) []string {
		var out []string
		seen := map[string]bool{}
		for _, p := range m.Programs() {
			for _, st := range p.Steps {
				if st.Loc.File == dioFile && strings.HasPrefix(st.Text, "aio_complete(") && !seen[st.Loc.String()] {
					seen[st.Loc.String()] = true
					out = append(out, st.Loc.String())
				}
			}
		}
		return out
	}
	want := map[string][]string{
		"v2.6.18": {"fs/direct-io.c@v2.6.18:1152", "fs/direct-io.c@v2.6.18:264"},
		"before":  {"fs/direct-io.c@before:1119", "fs/direct-io.c@before:267"},
		"after":   {"fs/direct-io.c@after:286"},
		"v2.6.20": {"fs/direct-io.c@v2.6.20:287"},
		"v2.6.21": {"fs/direct-io.c@v2.6.21:287"},
		"v2.6.22": {"fs/direct-io.c@v2.6.22:287"},
		"v2.6.32": {"fs/direct-io.c@v2.6.32:278"},
		// dio_complete's own call, for an async completion without an
		// end_io; dio_bio_end_aio no longer calls it.
		"v2.6.36": {"fs/direct-io.c@v2.6.36:253"},
	}
	for _, m := range Versions() {
		got := aioCompleteLines(m)
		sort.Strings(got)
		if strings.Join(got, " ") != strings.Join(want[m.Name], " ") {
			t.Errorf("%s: aio_complete called from fs/direct-io.c at %v, want %v", m.Name, got, want[m.Name])
		}
	}
}

func TestLookup(t *testing.T) {
	if _, err := Lookup("2.6.19"); err == nil || !strings.Contains(err.Error(), "unknown version") {
		t.Errorf("Lookup(2.6.19) = %v", err)
	}
	m, err := Lookup("after")
	if err != nil || m.Name != "after" {
		t.Fatalf("Lookup(after) = %v, %v", m, err)
	}
}

// TestMovesAndApply walks one scenario by always taking the first move and
// checks the bookkeeping: the run ends, the dio is freed, one completion.
func TestMovesAndApply(t *testing.T) {
	m, _ := Lookup("v2.6.20")
	sc := &sim.Scenario{Op: sim.Read, Blocks: 3}
	s := m.Init(sc)
	var buf []Move
	for n := 0; ; n++ {
		buf = m.Moves(s, buf)
		if len(buf) == 0 {
			break
		}
		if n > 10000 {
			t.Fatal("run does not end")
		}
		m.Apply(s, buf[0])
	}
	if r := &s.Reqs[0]; r.Mem[sim.ObjDio] != sim.Freed || r.Facts.Deliveries != 1 || r.Facts.FirstRes != 3*sim.BlockSize {
		t.Errorf("after the run: dio %d, deliveries %d, result %d", r.Mem[sim.ObjDio], r.Facts.Deliveries, r.Facts.FirstRes)
	}
}
