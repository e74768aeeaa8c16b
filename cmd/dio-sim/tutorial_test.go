package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The tutorial (docs/tutorial.md) shows commands with their output. Each
// command is a fenced console block right after a marker comment:
//
//	<!-- test: run exit=1 -->
//	```console
//	$ dio-sim play --version before --scenario double-completion
//	...expected output...
//	play> hint
//	...
//	```
//
// The first line, "$ dio-sim ARGS", is run through run() from the
// repository's root. In the output, a line "play> INPUT" is a line the
// learner typed: the test feeds those lines to `play` in order (play
// echoes them when its input is not a terminal, so they are part of the
// output too). A line "..." stands for any number of lines. A block marked
// "<!-- test: continue -->" goes on with the session of the block before:
// its input lines are typed into the same game, and its output must
// follow. /tmp/tutorial in the tutorial stands for a fresh temporary
// directory.

var markerRe = regexp.MustCompile(`^<!-- test: (run|continue)(?: exit=(\d+))? -->$`)

// tutorialSession is one command of the tutorial with its expected output.
type tutorialSession struct {
	line     int // line of the marker
	args     []string
	exit     int
	input    []string
	expected []string
}

func parseTutorial(t *testing.T, text string) []*tutorialSession {
	t.Helper()
	lines := strings.Split(text, "\n")
	var out []*tutorialSession
	for i := 0; i < len(lines); i++ {
		m := markerRe.FindStringSubmatch(lines[i])
		if m == nil {
			if strings.Contains(lines[i], "<!-- test") {
				t.Fatalf("tutorial line %d: malformed marker %q", i+1, lines[i])
			}
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "```console" {
			t.Fatalf("tutorial line %d: the marker is not followed by a ```console block", i+1)
		}
		var block []string
		j := i + 2
		for ; j < len(lines) && lines[j] != "```"; j++ {
			block = append(block, lines[j])
		}
		if j == len(lines) {
			t.Fatalf("tutorial line %d: the block does not end", i+1)
		}
		var s *tutorialSession
		if m[1] == "run" {
			if len(block) == 0 || !strings.HasPrefix(block[0], "$ dio-sim") {
				t.Fatalf("tutorial line %d: a run block starts with \"$ dio-sim ...\"", i+3)
			}
			s = &tutorialSession{line: i + 1, args: strings.Fields(strings.TrimPrefix(block[0], "$ dio-sim"))}
			if m[2] != "" {
				s.exit, _ = strconv.Atoi(m[2])
			}
			block = block[1:]
			out = append(out, s)
		} else {
			if len(out) == 0 {
				t.Fatalf("tutorial line %d: nothing to continue", i+1)
			}
			s = out[len(out)-1]
			if m[2] != "" {
				s.exit, _ = strconv.Atoi(m[2])
			}
			s.expected = append(s.expected, "...")
		}
		for _, l := range block {
			if in, ok := strings.CutPrefix(l, "play> "); ok {
				s.input = append(s.input, in)
			}
			s.expected = append(s.expected, l)
		}
		i = j
	}
	return out
}

// matchLines matches actual output lines against expected ones, where a
// line "..." matches any number of lines. Trailing spaces do not count.
// It returns "" or a description of the first mismatch.
func matchLines(expected, actual []string) string {
	trim := func(s string) string { return strings.TrimRight(s, " ") }
	// Segments of expected lines between wildcards.
	var segs [][]string
	cur := []string{}
	for _, e := range expected {
		if e == "..." {
			segs = append(segs, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, trim(e))
	}
	segs = append(segs, cur)
	at := func(seg []string, pos int) bool {
		if pos+len(seg) > len(actual) {
			return false
		}
		for k, e := range seg {
			if trim(actual[pos+k]) != e {
				return false
			}
		}
		return true
	}
	pos := 0
	for i, seg := range segs {
		switch {
		case i == 0:
			if !at(seg, 0) {
				return fmt.Sprintf("the output does not start with:\n%s", strings.Join(seg, "\n"))
			}
			pos = len(seg)
		case i == len(segs)-1:
			end := len(actual) - len(seg)
			if end < pos || !at(seg, end) {
				return fmt.Sprintf("the output does not end with:\n%s", strings.Join(seg, "\n"))
			}
			pos = len(actual)
		default:
			found := -1
			for p := pos; p+len(seg) <= len(actual); p++ {
				if at(seg, p) {
					found = p
					break
				}
			}
			if found < 0 {
				return fmt.Sprintf("these lines are not in the output (after line %d):\n%s", pos, strings.Join(seg, "\n"))
			}
			pos = found + len(seg)
		}
	}
	if len(segs) == 1 && pos != len(actual) {
		return fmt.Sprintf("the output goes on after the expected lines: %q", actual[pos])
	}
	return ""
}

func TestMatchLines(t *testing.T) {
	a := []string{"one", "two", "three", "four"}
	cases := []struct {
		expected []string
		ok       bool
	}{
		{[]string{"one", "two", "three", "four"}, true},
		{[]string{"one", "...", "four"}, true},
		{[]string{"...", "three", "..."}, true},
		{[]string{"...", "two", "...", "four"}, true},
		{[]string{"one", "..."}, true},
		{[]string{"one", "two"}, false},
		{[]string{"two", "..."}, false},
		{[]string{"...", "three"}, false},
		{[]string{"...", "four", "...", "one", "..."}, false},
		{[]string{"one", "...", "two", "three", "...", "four"}, true},
	}
	for _, c := range cases {
		if got := matchLines(c.expected, a) == ""; got != c.ok {
			t.Errorf("%q: match %v, want %v", c.expected, got, c.ok)
		}
	}
}

// TestTutorial runs every command of docs/tutorial.md and compares its
// output with the tutorial's.
func TestTutorial(t *testing.T) {
	tmp := runDoc(t, "docs/tutorial.md", 5)
	if _, err := os.Stat(filepath.Join(tmp, "double.trace")); err != nil {
		t.Errorf("the tutorial's game did not save its trace: %v", err)
	}
}

// TestYourOwnFix runs every command of docs/your-own-fix.md.
func TestYourOwnFix(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the default set exhaustively on three versions")
	}
	runDoc(t, "docs/your-own-fix.md", 4)
}

// runDoc runs every marked command of a document (path from the
// repository's root) and compares its output with the document's; it
// returns the directory that stands for /tmp/tutorial.
func runDoc(t *testing.T, path string, min int) string {
	text, err := os.ReadFile(filepath.Join("../..", path))
	if err != nil {
		t.Fatal(err)
	}
	sessions := parseTutorial(t, string(text))
	if len(sessions) < min {
		t.Fatalf("only %d commands found in %s", len(sessions), path)
	}
	t.Chdir("../..")
	t.Setenv("COLUMNS", "")
	t.Setenv("NO_COLOR", "")
	tmp := t.TempDir()
	sub := func(s string) string { return strings.ReplaceAll(s, "/tmp/tutorial", tmp) }
	for _, s := range sessions {
		t.Run(fmt.Sprintf("line %d: dio-sim %s", s.line, strings.Join(s.args, " ")), func(t *testing.T) {
			args := make([]string, len(s.args))
			for i, a := range s.args {
				args[i] = sub(a)
			}
			var input strings.Builder
			for _, l := range s.input {
				input.WriteString(sub(l) + "\n")
			}
			old := playInput
			playInput = strings.NewReader(input.String())
			defer func() { playInput = old }()
			var o, e bytes.Buffer
			code := run(args, &o, &e)
			out := strings.ReplaceAll(o.String()+e.String(), tmp, "/tmp/tutorial")
			out = strings.TrimSuffix(out, "\n")
			if code != s.exit {
				t.Errorf("exit status %d, the tutorial says %d", code, s.exit)
			}
			if msg := matchLines(s.expected, strings.Split(out, "\n")); msg != "" {
				t.Errorf("%s\n\nthe whole output:\n%s", msg, out)
			}
		})
	}
	return tmp
}
