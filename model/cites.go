package model

import (
	"bufio"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
)

// The citation tables: one file per version of a kernel file, in
// cites/, naming for every step id the kernel function and the line or
// line range of that file version where the step's statement is. A patch
// that changes a file brings the table of the file version it produces.
//
//go:embed cites/*.cites
var citeFiles embed.FS

// citation is where one step is in one file version.
type citation struct {
	Func      string
	Line, End int
}

// fileVersion names one version of one kernel file: fs/direct-io.c@after.
type fileVersion struct{ File, Ver string }

func (f fileVersion) String() string { return f.File + "@" + f.Ver }

// citeTables maps each file version to its table, by step id.
var citeTables = func() map[fileVersion]map[string]citation {
	out := map[fileVersion]map[string]citation{}
	err := fs.WalkDir(citeFiles, "cites", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := citeFiles.ReadFile(path)
		if err != nil {
			return err
		}
		fv, table, err := parseCites(string(data))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if _, dup := out[fv]; dup {
			return fmt.Errorf("%s: a second table for %s", path, fv)
		}
		out[fv] = table
		return nil
	})
	if err != nil {
		panic("model: citation tables: " + err.Error())
	}
	return out
}()

// parseCites reads one citation table: "file:" and "version:" header
// lines, then "step-id function line[-end]" a line; # starts a comment.
func parseCites(text string) (fileVersion, map[string]citation, error) {
	var fv fileVersion
	table := map[string]citation{}
	sc := bufio.NewScanner(strings.NewReader(text))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if v, ok := strings.CutPrefix(line, "file: "); ok {
			fv.File = v
			continue
		}
		if v, ok := strings.CutPrefix(line, "version: "); ok {
			fv.Ver = v
			continue
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return fv, nil, fmt.Errorf("line %d: want \"step-id function lines\", got %q", n, line)
		}
		first, last, isRange := strings.Cut(f[2], "-")
		l, err := strconv.Atoi(first)
		e := l
		if err == nil && isRange {
			e, err = strconv.Atoi(last)
		}
		if err != nil || l <= 0 || e < l {
			return fv, nil, fmt.Errorf("line %d: bad line range %q", n, f[2])
		}
		if _, dup := table[f[0]]; dup {
			return fv, nil, fmt.Errorf("line %d: step %s cited twice", n, f[0])
		}
		table[f[0]] = citation{Func: f[1], Line: l, End: e}
	}
	if fv.File == "" || fv.Ver == "" {
		return fv, nil, fmt.Errorf("no \"file:\" or \"version:\" header")
	}
	return fv, table, nil
}
