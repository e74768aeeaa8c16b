package explain

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Location is a parsed step location: "path@version:line" or
// "path@version:first-last".
type Location struct {
	Path, Version string
	First, Last   int
}

// ParseLocation parses a step location. Locations without a file (a
// userspace step, "userspace:stat") give false.
func ParseLocation(s string) (Location, bool) {
	path, rest, ok := strings.Cut(s, "@")
	if !ok || path == "" {
		return Location{}, false
	}
	ver, lines, ok := strings.Cut(rest, ":")
	if !ok || ver == "" {
		return Location{}, false
	}
	a, z, isRange := strings.Cut(lines, "-")
	first, err := strconv.Atoi(a)
	if err != nil || first < 1 {
		return Location{}, false
	}
	last := first
	if isRange {
		if last, err = strconv.Atoi(z); err != nil || last < first {
			return Location{}, false
		}
	}
	return Location{Path: path, Version: ver, First: first, Last: last}, true
}

func (l Location) file() string { return l.Path + "@" + l.Version }

// SourceLine is one line of a snippet.
type SourceLine struct {
	N     int    `json:"n"`     // line number (0 for an elision marker)
	Text  string `json:"text"`  // the line, tabs expanded
	Cited bool   `json:"cited"` // the location names this line
}

// Snippet is the source around one location.
type Snippet struct {
	File  string       `json:"file"` // the file, as path@version
	Lines []SourceLine `json:"lines"`
}

// Sources reads the C lines around step locations from a directory: the
// file of "path@version:line" is DIR/version/path if it exists, else
// DIR/path. It caches the files it reads and remembers the ones it could
// not find.
type Sources struct {
	Dir string
	// Context is how many lines to show before and after the cited ones
	// (default 2); MaxCited is how many cited lines to show at most
	// before eliding the middle of a long range (default 8).
	Context, MaxCited int
	files             map[string][]string
	missing           map[string]bool
}

// NewSources returns a source reader for dir.
func NewSources(dir string) *Sources {
	return &Sources{Dir: dir, Context: 2, MaxCited: 8, files: map[string][]string{}, missing: map[string]bool{}}
}

// Snippet returns the lines around loc. It returns (nil, "") for a
// location without a file; (nil, note) when the file cannot be read or the
// lines are past its end; note is non-empty only the first time a given
// file is missing, so callers can say so once and go on.
func (s *Sources) Snippet(loc string) (*Snippet, string) {
	l, ok := ParseLocation(loc)
	if !ok {
		return nil, ""
	}
	key := l.file()
	lines, ok := s.files[key]
	if !ok {
		if s.missing[key] {
			return nil, ""
		}
		var err error
		if lines, err = s.read(l); err != nil {
			s.missing[key] = true
			return nil, err.Error()
		}
		s.files[key] = lines
	}
	if l.First > len(lines) {
		return nil, fmt.Sprintf("%s has %d lines, the step cites line %d", key, len(lines), l.First)
	}
	last := min(l.Last, len(lines))
	ctx, maxCited := s.Context, s.MaxCited
	if maxCited < 2 {
		maxCited = 2
	}
	sn := &Snippet{File: key}
	add := func(n int, cited bool) {
		sn.Lines = append(sn.Lines, SourceLine{N: n, Text: expandTabs(lines[n-1]), Cited: cited})
	}
	for n := max(1, l.First-ctx); n < l.First; n++ {
		add(n, false)
	}
	if last-l.First+1 <= maxCited {
		for n := l.First; n <= last; n++ {
			add(n, true)
		}
	} else {
		head := maxCited / 2
		tail := maxCited - head
		for n := l.First; n < l.First+head; n++ {
			add(n, true)
		}
		sn.Lines = append(sn.Lines, SourceLine{Text: fmt.Sprintf("... (%d more cited lines)", last-l.First+1-maxCited), Cited: true})
		for n := last - tail + 1; n <= last; n++ {
			add(n, true)
		}
	}
	for n := last + 1; n <= min(len(lines), last+ctx); n++ {
		add(n, false)
	}
	return sn, ""
}

// read finds and reads the file of l.
func (s *Sources) read(l Location) ([]string, error) {
	rel := filepath.FromSlash(l.Path)
	if !filepath.IsLocal(rel) || !filepath.IsLocal(l.Version) {
		return nil, fmt.Errorf("source: %s is not a path inside %s", l.file(), s.Dir)
	}
	var tried []string
	for _, p := range []string{filepath.Join(s.Dir, l.Version, rel), filepath.Join(s.Dir, rel)} {
		f, err := os.Open(p)
		if err != nil {
			tried = append(tried, p)
			continue
		}
		defer f.Close()
		var lines []string
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<16), 1<<20)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("source: reading %s: %v", p, err)
		}
		return lines, nil
	}
	return nil, fmt.Errorf("source: no file for %s (looked for %s)", l.file(), strings.Join(tried, " and "))
}

// expandTabs expands tabs to 8-column stops.
func expandTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		if r == '\t' {
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		}
		b.WriteRune(r)
		col++
	}
	return b.String()
}
