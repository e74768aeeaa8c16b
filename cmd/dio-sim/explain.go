package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"diosim/explain"
	"diosim/scheduler"
	"diosim/web/explorer"
)

func cmdExplain(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("explain", "dio-sim explain [--html [--explorer URL]] [-o FILE] [--source DIR] [--color auto|always|never] [--width N] TRACE",
		"Replays a trace and tells its story: one swimlane per actor with every step's kernel location, statement and the\n"+
			"shared state it changed, the step where a property breaks, and a plain-language account of why, naming the earlier\n"+
			"steps that set it up. --html writes one self-contained page (step through it with the arrow keys).\n"+
			"Exit status, with or without --html: 0 the trace breaks no property, 1 it breaks one (the page or text was written all the\n"+
			"same), 2 bad usage, a trace that does not match the model, or output that could not be written.", stdout)
	asHTML := c.fs.Bool("html", false, "write one self-contained HTML page instead of text")
	out := c.fs.String("o", "", "write to `FILE` instead of standard output (never the trace itself)")
	sources := addSourceFlag(c)
	color := c.fs.String("color", "auto", "colour: auto (on a terminal unless NO_COLOR is set), always or never")
	explorerURL := c.fs.String("explorer", "", "with --html: link each step into the explorer served at `URL` (dio-sim web or serve), at that step")
	width := c.fs.Int("width", 0, "text width in columns (0: $COLUMNS, else the terminal's width, else 100)")
	pos, err := parseInterspersed(c, args)
	if err != nil {
		return exitUsage, err
	}
	if len(pos) != 1 {
		return exitUsage, usagef("explain: give exactly one trace file")
	}
	switch *color {
	case "auto", "always", "never":
	default:
		return exitUsage, usagef("explain: unknown --color %q (auto, always or never)", *color)
	}
	if *width < 0 || *width > 1000 {
		return exitUsage, usagef("explain: --width must be between 0 and 1000, got %d", *width)
	}
	if *explorerURL != "" && !*asHTML {
		return exitUsage, usagef("explain: --explorer goes with --html")
	}
	src, err := sources()
	if err != nil {
		return exitUsage, err
	}
	path := pos[0]
	t, err := readTrace("explain", path)
	if err != nil {
		return exitUsage, err
	}
	story, err := explain.New(t)
	if err != nil {
		return exitUsage, usagef("explain %s: %v", path, err)
	}
	story.Name = sanitize(path)
	w := stdout
	var f *os.File
	if *out != "" {
		if sameFile(path, *out) {
			return exitUsage, usagef("explain: -o %s is the trace being explained; refusing to overwrite it", *out)
		}
		if err := checkOutputFile("-o", *out); err != nil {
			return exitUsage, err
		}
		if fi, err := os.Stat(*out); err == nil && fi.Mode().IsRegular() {
			fmt.Fprintf(stderr, "dio-sim: -o: replacing %s (%d bytes)\n", sanitize(*out), fi.Size())
		}
		if f, err = os.Create(*out); err != nil {
			return exitUsage, usagef("explain: %v", err)
		}
		w = f
	}
	if *asHTML {
		opt := explain.HTMLOptions{Sources: src}
		if *explorerURL != "" {
			x, xerr := explorer.OfTrace(t)
			if xerr != nil {
				return exitUsage, usagef("explain %s: %v", path, xerr)
			}
			base, _, _ := strings.Cut(*explorerURL, "#")
			opt.Explorer = base + "#" + x.Link()
		}
		err = story.WriteHTML(w, opt)
	} else {
		useColor := *color == "always" || *color == "auto" && isTerminal(w) && os.Getenv("NO_COLOR") == ""
		err = story.WriteText(w, explain.Options{Width: textWidth(*width, w), Color: useColor, Sources: src})
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return exitUsage, usagef("explain: writing: %v", err)
	}
	if f != nil {
		fmt.Fprintf(stdout, "wrote %s: %d steps, %d violations\n", sanitize(*out), len(story.Steps), len(story.Violations))
	}
	if len(story.Violations) > 0 {
		return exitViolation, nil
	}
	return exitOK, nil
}

// addSourceFlag adds --source DIR to a command. The function it returns
// gives the source reader after parsing (nil without the flag), or a usage
// error if DIR is not a directory.
func addSourceFlag(c *command) func() (*explain.Sources, error) {
	dir := c.fs.String("source", "", "a `DIR` of kernel sources: show the C lines around each step (DIR/<version>/<path>, else DIR/<path>)")
	return func() (*explain.Sources, error) {
		if *dir == "" {
			return nil, nil
		}
		if fi, err := os.Stat(*dir); err != nil || !fi.IsDir() {
			return nil, usagef("%s: --source %s is not a directory", c.fs.Name(), *dir)
		}
		return explain.NewSources(*dir), nil
	}
}

// printSource prints the C lines around the location loc (cited lines
// marked with >), each line after indent; a missing file is said once.
// It prints nothing when src is nil. `dio-sim replay --source` is meant to
// call it for every step.
func printSource(w io.Writer, src *explain.Sources, loc, indent string) {
	if src == nil {
		return
	}
	sn, note := src.Snippet(loc)
	if note != "" {
		fmt.Fprintf(w, "%s(%s)\n", indent, note)
	}
	if sn == nil {
		return
	}
	for _, l := range sn.Lines {
		mark := " "
		if l.Cited {
			mark = ">"
		}
		num := ""
		if l.N > 0 {
			num = strconv.Itoa(l.N)
		}
		fmt.Fprintf(w, "%s", strings.TrimRight(fmt.Sprintf("%s%s %5s  %s", indent, mark, num, l.Text), " ")+"\n")
	}
}

// maxTraceBytes bounds the size of a trace file (the longest real traces
// are well under a megabyte).
const maxTraceBytes = 256 << 20

// readTrace opens and parses a trace file; its errors are usage errors
// that name the command and say what is wrong: a read error as it is (a
// directory, a permission), a line too long as such, then the parser's.
func readTrace(cmd, path string) (*scheduler.Trace, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("%s: %v", cmd, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxTraceBytes+1))
	if err != nil {
		return nil, usagef("%s: %v", cmd, err)
	}
	if len(b) > maxTraceBytes {
		return nil, usagef("%s %s: larger than %d MB: not a dio-sim trace", cmd, path, maxTraceBytes>>20)
	}
	t, err := scheduler.ParseTrace(bytes.NewReader(b))
	if err != nil {
		return nil, usagef("%s %s: %v", cmd, path, err)
	}
	// The strategy is free text that nothing checks: make it safe to print.
	t.Strategy = sanitize(t.Strategy)
	return t, nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments ("explain --html TRACE -o FILE") and returns the
// positional ones. After "--" every argument is positional.
func parseInterspersed(c *command, args []string) ([]string, error) {
	var pos []string
	for {
		if i := indexOf(args, "--"); i >= 0 {
			if err := c.parse(args[:i]); err != nil {
				return nil, err
			}
			pos = append(pos, c.fs.Args()...)
			return append(pos, args[i+1:]...), nil
		}
		if err := c.parse(args); err != nil {
			return nil, err
		}
		rest := c.fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func indexOf(args []string, s string) int {
	for i, a := range args {
		if a == s {
			return i
		}
	}
	return -1
}

// textWidth is the width for text output: the flag, else $COLUMNS, else
// the terminal's width when w is a terminal, else explain.DefaultWidth.
func textWidth(flagWidth int, w io.Writer) int {
	if flagWidth > 0 {
		return flagWidth
	}
	if n, err := strconv.Atoi(strings.TrimSpace(os.Getenv("COLUMNS"))); err == nil && n > 0 {
		return n
	}
	if f, ok := underlying(w).(*os.File); ok && isTerminal(w) {
		if n := terminalWidth(f); n > 0 {
			return n
		}
	}
	return explain.DefaultWidth
}
