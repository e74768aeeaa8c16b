package explain

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DefaultWidth is the output width when none is given.
const DefaultWidth = 100

// Options control WriteText.
type Options struct {
	Width int  // columns (0: DefaultWidth); at least 60 is used
	Color bool // ANSI colours (for a terminal)
	// Sources, when set, shows the C lines around each step's location.
	Sources *Sources
}

// ANSI SGR codes.
const (
	sgrReset = "\x1b[0m"
	sgrBold  = "1"
	sgrDim   = "2"
	sgrRed   = "1;31"
	sgrGreen = "32"
	sgrBlue  = "34"
	sgrYel   = "33"
)

var laneColors = []string{"36", "33", "35", "32", "34", "96", "93", "95"}

type textWriter struct {
	st    *Story
	w     *bufio.Writer
	opt   Options
	width int
	numW  int   // width of the step-number column
	laneW int   // width of one lane
	first []int // first step of each lane's actor
}

func (t *textWriter) paint(code, s string) string {
	if !t.opt.Color || code == "" || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + sgrReset
}

// WriteText writes the story for a terminal: a header, the swimlane
// timeline (each step in its actor's lane with its location, statement,
// outcome, the state it changed, optionally its source lines, and the
// properties that broke there), then the accounts of what went wrong.
func (st *Story) WriteText(w io.Writer, opt Options) error {
	t := &textWriter{st: st, w: bufio.NewWriter(w), opt: opt, width: opt.Width}
	if t.width <= 0 {
		t.width = DefaultWidth
	}
	t.width = max(t.width, 60)
	t.layout()
	t.header()
	t.timeline()
	t.accounts()
	return t.w.Flush()
}

func (t *textWriter) layout() {
	st := t.st
	t.numW = max(4, len(strconv.Itoa(len(st.Steps))))
	maxName := 0
	for _, l := range st.Lanes {
		maxName = max(maxName, len(l))
	}
	t.laneW = max(maxName+2, 6)
	if n := len(st.Lanes); n > 1 {
		room := t.width - (t.numW + 2) - 40
		if (n-1)*t.laneW > room {
			t.laneW = max(2, room/(n-1))
		}
	}
	t.first = make([]int, len(st.Lanes))
	for i := range st.Steps {
		s := &st.Steps[i]
		if t.first[s.Lane] == 0 {
			t.first[s.Lane] = s.N
		}
	}
}

func (t *textWriter) println(s string) { t.w.WriteString(s + "\n") }

func (t *textWriter) header() {
	st := t.st
	tr := st.Trace
	if st.Name != "" {
		for _, l := range wrap("dio-sim explain: "+st.Name, t.width) {
			t.println(t.paint(sgrBold, l))
		}
	}
	for _, l := range wrap(fmt.Sprintf("version %s, scenario %s", tr.Version, tr.Scenario), t.width) {
		t.println(l)
	}
	t.println(fmt.Sprintf("%d steps (seed %d, strategy %s)", len(st.Steps), tr.Seed, tr.Strategy))
	line := "lanes: " + strings.Join(st.Lanes, ", ")
	if t.lettered() {
		var parts []string
		for i, l := range st.Lanes {
			parts = append(parts, laneLetter(i)+"="+l)
		}
		line = "lanes: " + strings.Join(parts, ", ")
	}
	if len(st.Idle) > 0 {
		line += "; never stepped: " + strings.Join(st.Idle, ", ")
	}
	for _, l := range wrap(line, t.width) {
		t.println(l)
	}
	if len(st.Violations) == 0 {
		t.println("no property breaks in this trace")
	} else {
		var parts []string
		for _, v := range st.Violations {
			parts = append(parts, fmt.Sprintf("%s at step %d", v.Prop, v.Step))
		}
		for _, l := range wrap("broken: "+strings.Join(parts, ", "), t.width) {
			t.println(t.paint(sgrRed, l))
		}
	}
	t.println("")
	for _, l := range wrap("Timeline: one lane per actor; * marks a step, ! a step where a property breaks.", t.width) {
		t.println(l)
	}
	t.println("")
	var head, rule strings.Builder
	head.WriteString(pad("step", t.numW+2, true))
	rule.WriteString(pad(strings.Repeat("-", t.numW), t.numW+2, true))
	for i, l := range t.st.Lanes {
		name := l
		if t.lettered() {
			name = laneLetter(i)
		}
		if i == len(t.st.Lanes)-1 {
			head.WriteString(t.paint(laneColors[i%len(laneColors)], name))
			rule.WriteString(strings.Repeat("-", len(name)))
			break
		}
		head.WriteString(t.paint(laneColors[i%len(laneColors)], pad(name, t.laneW, false)))
		rule.WriteString(pad(strings.Repeat("-", t.laneW-1), t.laneW, false))
	}
	t.println(strings.TrimRight(head.String(), " "))
	t.println(strings.TrimRight(rule.String(), " "))
}

// lettered reports whether the lanes are too narrow for their names, and
// are labelled a, b, c, ... instead.
func (t *textWriter) lettered() bool {
	for _, l := range t.st.Lanes {
		if len(l) > t.laneW-1 {
			return true
		}
	}
	return false
}

// laneLetter labels lane i: a..z, then aa, ab, ...
func laneLetter(i int) string {
	if i < 26 {
		return string(rune('a' + i))
	}
	return laneLetter(i/26-1) + laneLetter(i%26)
}

// pad pads s to n columns, on the left (right-aligned) or the right.
func pad(s string, n int, right bool) string {
	if len(s) >= n {
		return s
	}
	if right {
		return strings.Repeat(" ", n-len(s)-2) + s + "  "
	}
	return s + strings.Repeat(" ", n-len(s))
}

// bars draws the lanes left of lane for step n: a bar for each actor that
// has started and not finished.
func (t *textWriter) bars(n, lane int) string {
	var b strings.Builder
	before := t.st.states[n-1]
	for j := 0; j < lane; j++ {
		a := t.st.actor[t.st.Lanes[j]]
		act := &before.Actors[a]
		if t.first[j] != 0 && t.first[j] < n && !act.Done && !act.Dead {
			b.WriteString(t.paint(laneColors[j%len(laneColors)], "|"))
			b.WriteString(strings.Repeat(" ", t.laneW-1))
		} else {
			b.WriteString(strings.Repeat(" ", t.laneW))
		}
	}
	return b.String()
}

func (t *textWriter) timeline() {
	st := t.st
	for i := range st.Steps {
		s := &st.Steps[i]
		t.step(s)
	}
}

// item is one logical line of a step's block, wrapped as a unit.
type item struct {
	text   string
	code   string // colour
	indent int    // extra indent of continuation lines
}

func (t *textWriter) step(s *Step) {
	st := t.st
	color := laneColors[s.Lane%len(laneColors)]
	bars := t.bars(s.N, s.Lane)
	mark := "*"
	if len(s.Broke) > 0 {
		mark = "!"
	}
	avail := t.width - (t.numW + 2) - s.Lane*t.laneW - 2
	var items []item
	items = append(items, item{text: s.Actor + "  " + s.Loc + "  (" + s.Func + ")", code: sgrBold, indent: 2})
	items = append(items, item{text: "  " + s.Text, indent: 2})
	if s.Outcome != "-" {
		items = append(items, item{text: "  outcome: " + s.Outcome, code: sgrYel, indent: 4})
	}
	if len(s.Reads) > 0 {
		items = append(items, item{text: "  reads " + FormatReads(s.Reads), code: sgrDim, indent: 4})
	}
	if len(s.Changes) > 0 {
		var parts []string
		for _, c := range s.Changes {
			parts = append(parts, c.String())
		}
		items = append(items, item{text: "  => " + strings.Join(parts, ", "), code: sgrGreen, indent: 5})
	}
	if t.opt.Sources != nil {
		sn, note := t.opt.Sources.Snippet(s.Loc)
		if note != "" {
			items = append(items, item{text: "  (" + note + ")", code: sgrDim, indent: 3})
		}
		if sn != nil {
			for _, l := range sn.Lines {
				mk := " "
				if l.Cited {
					mk = ">"
				}
				num := ""
				if l.N > 0 {
					num = strconv.Itoa(l.N)
				}
				line := fmt.Sprintf("  %s %5s  %s", mk, num, l.Text)
				if len(line) > avail {
					line = line[:max(avail, 0)]
				}
				code := sgrDim
				if l.Cited {
					code = sgrBlue
				}
				items = append(items, item{text: strings.TrimRight(line, " "), code: code, indent: -1})
			}
		}
	}
	for _, v := range s.Broke {
		what := "broke here"
		if !st.BrokenAtStep(v) {
			what = "broken, seen when the run ended here"
		}
		items = append(items, item{text: fmt.Sprintf("!! %s %s: %s", v.Prop, what, v.Msg), code: sgrRed, indent: 3})
	}
	if s.AtEnd {
		items = append(items, item{text: "   (the run ends here: no actor can move)", code: sgrDim, indent: 3})
	}
	firstLine := true
	for _, it := range items {
		var lines []string
		if it.indent < 0 {
			lines = []string{it.text}
		} else {
			lines = wrapIndent(it.text, avail, it.indent)
		}
		for _, l := range lines {
			var b strings.Builder
			if firstLine {
				num := strconv.Itoa(s.N)
				b.WriteString(strings.Repeat(" ", t.numW-len(num)) + num + "  ")
				b.WriteString(bars)
				if mark == "!" {
					b.WriteString(t.paint(sgrRed, mark))
				} else {
					b.WriteString(t.paint(color, mark))
				}
				b.WriteString(" ")
				name, rest, _ := strings.Cut(l, " ")
				b.WriteString(t.paint(sgrBold+";"+color, name))
				if rest != "" {
					b.WriteString(" " + t.paint(it.code, rest))
				}
				firstLine = false
			} else {
				b.WriteString(strings.Repeat(" ", t.numW+2))
				b.WriteString(bars)
				b.WriteString(t.paint(color, "|"))
				b.WriteString(" ")
				b.WriteString(t.paint(it.code, l))
			}
			t.println(strings.TrimRight(b.String(), " "))
		}
	}
}

func (t *textWriter) accounts() {
	st := t.st
	if len(st.Accounts) == 0 {
		return
	}
	t.println("")
	t.println(t.paint(sgrBold, "What went wrong"))
	for _, a := range st.Accounts {
		t.println("")
		for _, l := range wrapIndent(a.Title, t.width, 2) {
			t.println(t.paint(sgrRed, l))
		}
		for _, line := range a.Lines {
			for _, l := range wrapIndent("  - "+line, t.width, 4) {
				t.println(l)
			}
		}
		var ns []string
		for _, n := range a.Cited {
			ns = append(ns, strconv.Itoa(n))
		}
		for _, l := range wrapIndent("  Steps to look at: "+strings.Join(ns, ", "), t.width, 4) {
			t.println(t.paint(sgrDim, l))
		}
	}
}

// wrap breaks s into lines of at most width columns at spaces; a word
// longer than a line is cut.
func wrap(s string, width int) []string { return wrapIndent(s, width, 0) }

// wrapIndent wraps s at width; continuation lines are indented by indent
// spaces (and the leading spaces of s are kept on the first line).
func wrapIndent(s string, width, indent int) []string {
	width = max(width, indent+10, 10)
	lead := len(s) - len(strings.TrimLeft(s, " "))
	words := strings.Fields(s)
	var out []string
	cur := strings.Repeat(" ", lead)
	empty := true
	for _, w := range words {
		for len(w) > 0 {
			room := width - len(cur)
			if !empty {
				room--
			}
			if len(w) <= room {
				if !empty {
					cur += " "
				}
				cur += w
				empty = false
				w = ""
				break
			}
			if empty && room > 0 {
				// the word alone is longer than the line: cut it.
				cur += w[:room]
				w = w[room:]
				out = append(out, cur)
				cur = strings.Repeat(" ", indent)
				continue
			}
			out = append(out, cur)
			cur = strings.Repeat(" ", indent)
			empty = true
		}
	}
	if !empty || len(out) == 0 {
		out = append(out, cur)
	}
	return out
}
