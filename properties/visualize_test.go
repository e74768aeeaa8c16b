package properties_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"diosim/model"
	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// replayTrace replays a committed trace and returns its model, scenario and
// result.
func replayTrace(t *testing.T, path string) (*model.Model, *sim.Scenario, *scheduler.Result) {
	t.Helper()
	tr, err := scheduler.ReadTraceFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := scheduler.Replay(tr)
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Lookup(tr.Version)
	if err != nil {
		t.Fatal(err)
	}
	sc := tr.Scenario
	return m, &sc, res
}

func TestVisualizeHistory(t *testing.T) {
	cases := []struct {
		trace   string
		verdict string
		labels  []string
	}{
		{"before-stale-isize-isize-visible.trace", "NOT linearizable",
			[]string{"aio_complete(8192)", "-EIOCBQUEUED", "i_size_write(8192)", "aio_run_iocb ret=-EIOCBQUEUED", "stat() -\\u003e 4096"}},
		{"before-double-completion-exactly-once.trace", "linearizable",
			[]string{"aio_complete(-EFAULT)", "aio_complete(4096)", "aio_run_iocb"}},
	}
	for _, c := range cases {
		t.Run(c.trace, func(t *testing.T) {
			m, sc, res := replayTrace(t, filepath.Join("..", "testdata", "traces", "commit-message", c.trace))
			// The trace stops at the violation; run on (lowest enabled
			// move first) to the end, to see the rest of the kernel steps.
			moves := completeRun(m, sc, res.Moves)
			if len(moves) <= len(res.Moves) {
				t.Fatalf("the run did not go on after the trace")
			}
			h, anns, err := properties.AnnotationsFromRun(m, sc, moves)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h[:len(res.Final.History)], res.Final.History) {
				t.Fatalf("AnnotationsFromRun's history %v does not start with the trace's %v", h, res.Final.History)
			}
			for i := 1; i < len(anns); i++ {
				if anns[i].Time < anns[i-1].Time || anns[i].Time > len(h) {
					t.Fatalf("annotation %d at %d after %d (history of %d events)", i, anns[i].Time, anns[i-1].Time, len(h))
				}
			}
			var b bytes.Buffer
			if err := properties.VisualizeHistory(&b, sc, h, anns); err != nil {
				t.Fatal(err)
			}
			html := b.String()
			if !strings.HasPrefix(html, "<!DOCTYPE html>") && !strings.Contains(html, "<html") {
				t.Fatalf("not HTML: %.100q", html)
			}
			for _, l := range append(c.labels, `"Description":"`+c.verdict+`"`) {
				if !strings.Contains(html, l) {
					t.Errorf("the HTML has no %q", l)
				}
			}
			for _, a := range anns {
				if !strings.Contains(html, `"Description":"`+strings.ReplaceAll(a.Label, ">", `\u003e`)+`"`) {
					t.Errorf("annotation %q missing", a.Label)
				}
			}
			if dir := os.Getenv("DIOSIM_HTML_DIR"); dir != "" {
				if err := os.WriteFile(filepath.Join(dir, strings.TrimSuffix(c.trace, ".trace")+".html"), b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// completeRun extends moves to the end of the run, taking the first
// enabled move at each step.
func completeRun(m *model.Model, sc *sim.Scenario, moves []model.Move) []model.Move {
	s := m.Init(sc)
	for _, mv := range moves {
		m.Apply(s, mv)
	}
	out := append([]model.Move(nil), moves...)
	var buf []model.Move
	for {
		buf = m.Moves(s, buf)
		if len(buf) == 0 {
			return out
		}
		m.Apply(s, buf[0])
		out = append(out, buf[0])
	}
}

// A history with a double completion seen by userspace is still drawn: the
// second return becomes an annotation in the row "malformed".
func TestVisualizeMalformed(t *testing.T) {
	sc := sim.Scenario{Op: sim.Read, Blocks: 2}
	h := []sim.HistEvent{cR(0, 0, 2*bs), rR(0, 0, 2*bs, 2*bs), rR(0, 0, 2*bs, -sim.EFAULT), cS(1, 1), rS(1, 1, 2*bs)}
	var b bytes.Buffer
	anns := []properties.HistAnnotation{{Time: 1, Label: "aio_complete", Detail: "first"}, {Time: 1, Label: "aio_complete", Detail: "second"}}
	if err := properties.VisualizeHistory(&b, &sc, h, anns); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"second return -EFAULT", `"Tag":"malformed"`, `"Tag":"kernel"`, `"Description":"malformed"`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the HTML has no %q", want)
		}
	}
	bad := []sim.HistEvent{{Op: sim.HistStat, ID: 0}}
	if err := properties.VisualizeHistory(&b, &sc, bad, nil); err == nil {
		t.Errorf("a stat with an iocb's id was drawn")
	}
}
