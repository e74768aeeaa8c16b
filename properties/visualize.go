package properties

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/anishathalye/porcupine"

	"diosim/model"
	"diosim/sim"
)

// HistAnnotation is a kernel step shown on the time axis of a history's
// visualization.
type HistAnnotation struct {
	// Time is the history position at which the step happened: the number
	// of history events recorded before it. It is drawn after event
	// Time-1 and before event Time; annotations with the same Time keep
	// their order.
	Time   int
	Label  string // the text in the box, e.g. "aio_complete"
	Detail string // the tooltip: step number, actor, location, statement
	Tag    string // the row it is drawn in (e.g. the actor's name); "" is "kernel"
	Color  string // CSS background color; "" for porcupine's default
}

// Timestamps of the visualization: history event i is at (i+1)*tsScale,
// the k-th annotation with Time t at t*tsScale+1+k, so annotations fall
// between the events they happened between. porcupine draws an ordinal
// axis, so only the order matters; tooltips of operations show these
// timestamps, and their metadata the history positions.
const tsScale = 1000

// VisualizeHistory writes porcupine's HTML visualization of the history h
// of a run of scenario sc: one row per iocb and per observer client, each
// operation a box labelled with its call and result, the linearization (or,
// for a history that is not linearizable, the longest partial
// linearizations and the operations that cannot come next), and the
// annotations as extra rows on the same time axis. A row "verdict" carries,
// at the start, CheckHistory's verdict (with ended false: operations without a return are
// drawn in flight). Events that make the history malformed (a second return
// of an operation, a return without a call, a second call) are left out of
// the operations and drawn as annotations in a row "malformed" instead.
func VisualizeHistory(w io.Writer, sc *sim.Scenario, h []sim.HistEvent, annotations []HistAnnotation) error {
	return VisualizeRun(w, sc, h, annotations, VisualizeOptions{})
}

// VisualizeOptions say what a visualization page is about.
type VisualizeOptions struct {
	// About is the violation the page was asked for, in words (shown
	// as the page's heading); "" for none.
	About string
	// Final is the last state of the run, for the kernel's side of the
	// story: how many times aio_complete ran for each iocb. With it, the
	// verdict row never contradicts the kernel steps: a history that is
	// linearizable while the kernel completed an iocb twice is labelled
	// so, and the page says why userspace did not see it.
	Final *sim.State
}

// KernelNotes compares, for each iocb of the run ending in final, the
// completions the kernel delivered (aio_complete calls, or a synchronous
// return) with the completions userspace saw in h (returns of the iocb's
// operation). It returns one sentence per iocb delivered more than once
// or more often than seen, and whether some iocb was completed twice.
func KernelNotes(final *sim.State, h []sim.HistEvent) (notes []string, double bool) {
	if final == nil {
		return nil, false
	}
	for r := range final.Reqs {
		d := int(final.Reqs[r].Facts.Deliveries)
		seen := 0
		for _, e := range h {
			if e.Return && int(e.ID) == r && (e.Op == sim.HistRead || e.Op == sim.HistWrite) {
				seen++
			}
		}
		if d <= 1 && d <= seen {
			continue
		}
		if d > 1 {
			double = true
		}
		n := fmt.Sprintf("iocb %d: the kernel completed it %d time(s) (aio_complete calls, see the rows of the kernel steps); userspace saw %d completion(s).", r, d, seen)
		if d > seen {
			n += fmt.Sprintf(" %d of them never reached userspace in this run (no io_getevents returned them): porcupine checks only what userspace saw, so its verdict is about that view alone.", d-seen)
		}
		if d > 1 {
			n += " A double completion: exactly-once is broken whatever porcupine says."
		}
		notes = append(notes, n)
	}
	return notes, double
}

// legendHTML explains porcupine's drawing in words.
const legendHTML = `<p><b>How to read this page.</b> Time runs left to right. Each of the first rows is a userspace
client: iocb N (its call, io_submit or read/write, to the return userspace saw, io_getevents or the system call's
return) and the observer's stat and pread. A box is one operation, labelled with its input and its result.
Porcupine looks for one order of the operations, each taking effect at an instant inside its box, that the
sequential model of the file accepts (a linearization). In the legend, a grey square ("Valid LP") marks a
linearization point that fits; a red one ("Invalid LP") an operation that cannot come next; "jump to first
error" scrolls to it. Hover over a box for its details, click to pin them. The rows below the clients are
kernel steps, placed between the userspace events they happened between: aio_complete in orange (with the
result it posted), the statement that does or does not produce -EIOCBQUEUED in blue or grey, i_size_write in
green. The row "verdict" gives porcupine's verdict on what userspace saw, read together with the kernel's count
of completions above.</p>`

// VisualizeRun is VisualizeHistory with a heading saying what the page is
// about, the kernel's count of completions against what userspace saw,
// and porcupine's legend explained in words.
func VisualizeRun(w io.Writer, sc *sim.Scenario, h []sim.HistEvent, annotations []HistAnnotation, opt VisualizeOptions) error {
	clean, dropped := sanitize(h)
	events := make([]sim.HistEvent, len(clean))
	for i, e := range clean {
		events[i] = e.HistEvent
	}
	recs, bad := wellFormed(sc, events, false)
	if bad != "" {
		return fmt.Errorf("cannot visualize the history: %s", bad)
	}
	for _, r := range recs { // back to positions in h
		r.callAt = clean[r.callAt].pos
		if r.retAt >= 0 {
			r.retAt = clean[r.retAt].pos
		}
	}
	ops, nblocks := buildOps(sc, recs, func(i int) int64 { return int64(i+1) * tsScale })
	fm := FileModel(sc, nblocks)
	_, info := porcupine.CheckOperationsVerbose(fm, ops, 0)
	var anns []porcupine.Annotation
	seen := map[int]int{}
	add := func(t int, a porcupine.Annotation) {
		if t < 0 {
			t = 0
		}
		if t > len(h) {
			t = len(h)
		}
		k := seen[t]
		seen[t]++
		if k > tsScale-2 {
			k = tsScale - 2
		}
		a.Start = int64(t)*tsScale + 1 + int64(k)
		anns = append(anns, a)
	}
	for _, d := range dropped {
		add(d.pos+1, porcupine.Annotation{Tag: "malformed", Description: d.label, Details: d.detail, BackgroundColor: "#f4a6a6"})
	}
	for _, a := range annotations {
		tag := a.Tag
		if tag == "" {
			tag = "kernel"
		}
		add(a.Time, porcupine.Annotation{Tag: tag, Description: a.Label, Details: fmt.Sprintf("history position %d: %s", a.Time, a.Detail), BackgroundColor: a.Color})
	}
	verdict := CheckHistory(sc, h, false)
	notes, double := KernelNotes(opt.Final, h)
	label, color := "linearizable", "#b7e4b7"
	switch {
	case verdict.Malformed:
		label, color = "malformed", "#f4a6a6"
	case !verdict.OK:
		label, color = "NOT linearizable", "#f4a6a6"
	case double:
		label, color = "userspace view linearizable, but the kernel completed an iocb twice", "#f7b267"
	}
	detail := verdict.Msg
	if detail == "" {
		detail = "the history is well formed and linearizable against the sequential file (properties.FileModel)"
	}
	if len(notes) > 0 {
		detail += "; " + strings.Join(notes, " ")
	}
	add(0, porcupine.Annotation{Tag: "verdict", Description: label, Details: detail, BackgroundColor: color})
	info.AddAnnotations(anns)
	var buf bytes.Buffer
	if err := porcupine.Visualize(fm, info, &buf); err != nil {
		return err
	}
	var head strings.Builder
	head.WriteString(`<div id="diosim-about" style="font-family: sans-serif; max-width: 70rem; margin: 2.5rem 0 1rem 0;">`)
	if opt.About != "" {
		fmt.Fprintf(&head, `<h2 id="diosim-title">%s</h2>`, html.EscapeString(opt.About))
	}
	fmt.Fprintf(&head, `<p id="diosim-verdict"><b>Porcupine's verdict on what userspace saw:</b> %s.`, html.EscapeString(label))
	if !verdict.OK && verdict.Msg != "" {
		fmt.Fprintf(&head, " %s", html.EscapeString(verdict.Msg))
	}
	head.WriteString("</p>")
	for _, n := range notes {
		fmt.Fprintf(&head, `<p class="diosim-kernel"><b>Kernel:</b> %s</p>`, html.EscapeString(n))
	}
	head.WriteString(legendHTML + "</div>\n")
	page := buf.String()
	if i := strings.Index(page, "<body>"); i >= 0 {
		page = page[:i+len("<body>")] + "\n" + head.String() + page[i+len("<body>"):]
	}
	_, err := io.WriteString(w, page)
	return err
}

type posEvent struct {
	sim.HistEvent
	pos int // index in the original history
}

type droppedEvent struct {
	pos           int
	label, detail string
}

// sanitize drops the events that make a history malformed in a way the
// visualizer can still show: a second call of an id, a return without a
// call, a second return, a return of another operation. The rest keeps
// its positions.
func sanitize(h []sim.HistEvent) ([]posEvent, []droppedEvent) {
	type st struct {
		call      sim.HistEvent
		called    bool
		returned  bool
		callAt    int
		returnPos int
	}
	ids := map[int8]*st{}
	var out []posEvent
	var dropped []droppedEvent
	for i, e := range h {
		o := ids[e.ID]
		if o == nil {
			o = &st{}
			ids[e.ID] = o
		}
		what := fmt.Sprintf("%s id %d", e.Op, e.ID)
		switch {
		case !e.Return && o.called:
			dropped = append(dropped, droppedEvent{i, "second call", fmt.Sprintf("history event %d: %s called again (first call: event %d)", i, what, o.callAt)})
		case e.Return && !o.called:
			dropped = append(dropped, droppedEvent{i, "return without call", fmt.Sprintf("history event %d: %s returns %s but was never called", i, what, sim.ErrName(e.Val))})
		case e.Return && o.returned:
			dropped = append(dropped, droppedEvent{i, "second return " + sim.ErrName(e.Val), fmt.Sprintf("history event %d: %s returns again, with %s (first return: event %d): a double completion seen by userspace", i, what, sim.ErrName(e.Val), o.returnPos)})
		case e.Return && (e.Op != o.call.Op || e.Pos != o.call.Pos || e.Len != o.call.Len):
			dropped = append(dropped, droppedEvent{i, "mismatched return", fmt.Sprintf("history event %d: the return of %s is for another operation", i, what)})
		default:
			if e.Return {
				o.returned, o.returnPos = true, i
			} else {
				o.called, o.call, o.callAt = true, e, i
			}
			out = append(out, posEvent{e, i})
		}
	}
	return out, dropped
}

// AnnotationsFromRun replays moves on m from m.Init(sc), step by step with
// model.Apply, and returns the history of the run and annotations for its
// kernel steps of interest, each at the history position where it ran, in
// the row of its actor: calls of aio_complete ("aio_complete(" in the
// statement), the statements that may produce -EIOCBQUEUED ("ret =
// -EIOCBQUEUED", "written = -EIOCBQUEUED", "retval = -EIOCBQUEUED": the
// label says whether the actor's return value is -EIOCBQUEUED after the
// step), i_size_write (with the new i_size), XFS's conversion of unwritten
// extents (BMAPI_UNWRITTEN) and the steps of fs/aio.c's aio_run_iocb. Details give the step number, actor, file:line and the
// statement. A move that is not enabled is an error.
func AnnotationsFromRun(m *model.Model, sc *sim.Scenario, moves []model.Move) ([]sim.HistEvent, []HistAnnotation, error) {
	s := m.Init(sc)
	var buf []model.Move
	var out []HistAnnotation
	for i, mv := range moves {
		buf = m.Moves(s, buf)
		found := false
		for _, e := range buf {
			if e == mv {
				found = true
				break
			}
		}
		if !found {
			return s.History, out, fmt.Errorf("step %d: move (actor %d, outcome %d) is not enabled", i+1, mv.Actor, mv.Choice)
		}
		st := m.Next(s, mv.Actor)
		actor := model.ActorName(s, mv.Actor)
		outcome := m.OutcomeName(s, mv.Actor, mv.Choice)
		t := len(s.History)
		ring := len(s.Ring)
		m.Apply(s, mv)
		detail := fmt.Sprintf("step %d: %s at %s: %s", i+1, actor, st.Loc, st.Text)
		if outcome != "" {
			detail += " [outcome " + outcome + "]"
		}
		l := &s.Actors[mv.Actor].L
		var label, color string
		switch {
		case strings.Contains(st.Text, "aio_complete("):
			label, color = "aio_complete", "#f7b267"
			if len(s.Ring) > ring {
				label += "(" + sim.ErrName(s.Ring[len(s.Ring)-1].Res) + ")"
			}
		case strings.Contains(st.Text, "ret = -EIOCBQUEUED") || strings.Contains(st.Text, "written = -EIOCBQUEUED") || strings.Contains(st.Text, "retval = -EIOCBQUEUED"):
			label, color = "not -EIOCBQUEUED", "#d9d9d9"
			for _, v := range []int64{l.Ret, l.Retval, l.Written} {
				if v == -sim.EIOCBQUEUED {
					label, color = "-EIOCBQUEUED", "#9ecae1"
				}
			}
		case strings.Contains(st.Text, "i_size_write"):
			label, color = fmt.Sprintf("i_size_write(%d)", s.Inode.ISize), "#a1d99b"
		case strings.Contains(st.Text, "BMAPI_UNWRITTEN"):
			label, color = "unwritten extents converted", "#c6dbef"
		case st.Loc.File == "fs/aio.c" && st.Loc.Func == "aio_run_iocb":
			label, color = "aio_run_iocb", "#e0e0e0"
			if st.ID == "aio_run_iocb:retry-returned" {
				label += " ret=" + sim.ErrName(l.Retval)
			}
		default:
			continue
		}
		out = append(out, HistAnnotation{Time: t, Label: label, Detail: detail, Tag: actor, Color: color})
	}
	return s.History, out, nil
}
