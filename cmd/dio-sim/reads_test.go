package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"diosim/scheduler"
)

// lostWakeup is the lost wake-up of after: bio0 loads dio->waiter
// (fs/direct-io.c@after:279) before the submitter stores itself there.
const lostWakeup = "../../testdata/traces/exhaustive/after-aio-write-hole-no-hang--hang-asleep-forever--dio_await_one-io-schedule.trace"

// TestReadsShown checks that replay, play, explain and explain --html
// show the value bio0 read at fs/direct-io.c@after:279: dio->waiter was
// NULL, so it will wake nobody (the step changes nothing).
func TestReadsShown(t *testing.T) {
	tr, err := scheduler.ReadTraceFile(lostWakeup)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i, st := range tr.Steps {
		if st.Actor == "bio0" && st.Loc == "fs/direct-io.c@after:279" {
			n = i + 1
		}
	}
	if n == 0 {
		t.Fatal("the trace has no step of bio0 at fs/direct-io.c@after:279")
	}
	const want = "reads dio.waiter = NULL"

	// replay: the step's block, between its header and the next step's.
	var out, errb bytes.Buffer
	run([]string{"replay", lostWakeup}, &out, &errb)
	block := stepBlock(out.String(), "bio0       fs/direct-io.c@after:279")
	if !strings.Contains(block, want) {
		t.Errorf("replay does not show %q in\n%s", want, block)
	}

	// play: the same moves typed by hand.
	var input strings.Builder
	for _, st := range tr.Steps[:n] {
		input.WriteString(st.Actor)
		if st.Outcome != "-" {
			input.WriteString(" " + st.Outcome)
		}
		input.WriteString("\n")
	}
	old := playInput
	playInput = strings.NewReader(input.String() + "quit\n")
	defer func() { playInput = old }()
	out.Reset()
	run([]string{"play", "--version", "after", "--scenario", "aio-write-hole"}, &out, &errb)
	block = stepBlock(out.String(), "move 30: bio0 at fs/direct-io.c@after:279")
	if !strings.Contains(block, want) {
		t.Errorf("play does not show %q in\n%s", want, block)
	}

	// explain, text and HTML.
	out.Reset()
	run([]string{"explain", "--color", "never", lostWakeup}, &out, &errb)
	if block := stepBlock(out.String(), "bio0 fs/direct-io.c@after:279 (dio_bio_end_aio)"); !strings.Contains(block, want) {
		t.Errorf("explain does not show %q in\n%s", want, block)
	}
	page := filepath.Join(t.TempDir(), "e.html")
	out.Reset()
	if code := run([]string{"explain", "--html", "-o", page, lostWakeup}, &out, &errb); code > 1 {
		t.Fatalf("explain --html: exit %d: %s", code, errb.String())
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"reads":[{"f":`)) || !bytes.Contains(b, []byte(`'reads '`)) {
		t.Error("the HTML page carries no reads")
	}
}

// stepHead matches the first line of a step in replay and explain.
var stepHead = regexp.MustCompile(`^\s*\d+\s`)

// stepBlock returns the lines of out from the first that contains head up
// to the next blank line or the next step (at most 8 lines).
func stepBlock(out, head string) string {
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.Contains(l, head) {
			end := min(i+8, len(lines))
			for j := i + 1; j < end; j++ {
				if strings.TrimSpace(lines[j]) == "" || strings.Contains(lines[j], "-- move") || stepHead.MatchString(lines[j]) {
					end = j
					break
				}
			}
			return strings.Join(lines[i:end], "\n")
		}
	}
	return ""
}
