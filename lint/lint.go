// Package lint checks the model's citations against the real kernel
// files: for every step, that the cited file and lines exist, that the
// lines lie in the function the step names, and that the C names its text
// mentions occur in those lines (or in the body of a callee the step says
// it inlines).
//
// The rules, step by step:
//
//   - The file is ROOT/VERSION/FILE, else ROOT/FILEVERSION/FILE; when the
//     directory has a MANIFEST, it must list the file as FILEVERSION.
//   - The cited lines exist and hold some code (not only comments).
//   - Every code line of the range lies in a definition of the named
//     function (one of them, for "a/b"), from its return type's line to
//     its closing brace (File.FuncExtents).
//   - Every C-looking name of the text (Names) occurs in the code of the
//     cited lines, or is the step's own function, or occurs in the body of
//     a callee listed in Inlines, or in lines the text cites itself
//     ("(fs/direct-io.c:152-163)", which must exist and start and end on
//     lines of code in this version's file). A name written as a
//     context label ("dio_bio_end_aio: ...") may instead be a function
//     defined in any file of the version.
//
// The kernel files are not part of this project; scripts/kernel-trees.sh
// lays them out (docs/kernel-trees.md) as ROOT/VERSION/PATH, one directory
// per model version, each with a MANIFEST of "PATH FILEVERSION BLOB" lines.
package lint

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Entry is one step to check.
type Entry struct {
	Version     string   `json:"version"`           // model version: the directory under the source root
	StepID      string   `json:"step_id"`           // the step's stable id ("" while the model has none)
	Sites       []string `json:"sites,omitempty"`   // where the step occurs (program and index), for reports
	Func        string   `json:"func"`              // kernel function; "a/b" names alternatives
	File        string   `json:"file"`              // path in the kernel tree; "userspace" for steps outside the kernel
	FileVersion string   `json:"file_version"`      // version of the file the step cites
	Line        int      `json:"line"`              // first cited line
	End         int      `json:"end"`               // last cited line
	Text        string   `json:"text"`              // the statement, in the model's words
	Inlines     []string `json:"inlines,omitempty"` // callees the text also describes: "func" (same file) or "path:func"
}

// Loc renders the entry's citation, e.g. fs/direct-io.c@after:286-289.
func (e *Entry) Loc() string {
	s := fmt.Sprintf("%s@%s:%d", e.File, e.FileVersion, e.Line)
	if e.End != e.Line {
		s += fmt.Sprintf("-%d", e.End)
	}
	return s
}

// Kind classifies a problem.
type Kind string

// The kinds of problem, in the order reports list them.
const (
	NoFile       Kind = "no-file"       // the cited file is not in the tree
	WrongVersion Kind = "wrong-version" // the tree's MANIFEST has another version of the file
	BadLines     Kind = "bad-lines"     // the cited lines are not in the file
	NoCode       Kind = "no-code"       // the cited lines are blank or comments only
	NoFunc       Kind = "no-func"       // the named function is not defined in the file
	OutsideFunc  Kind = "outside-func"  // cited lines lie outside the named function
	BadInline    Kind = "bad-inline"    // an inlined callee is not defined where the step says
	BadTextCite  Kind = "bad-text-cite" // a citation inside the text points at no lines of a file
	MissingNames Kind = "names"         // names the text mentions are not in the cited lines
)

// Kinds lists every kind in report order.
var Kinds = []Kind{NoFile, WrongVersion, BadLines, NoCode, NoFunc, OutsideFunc, BadInline, BadTextCite, MissingNames}

// Problem is one thing wrong with one step.
type Problem struct {
	Entry   int      `json:"entry"` // index into the entries checked
	Version string   `json:"version"`
	Loc     string   `json:"loc"`
	Func    string   `json:"func"`
	Kind    Kind     `json:"kind"`
	Msg     string   `json:"message"`
	Missing []string `json:"missing,omitempty"` // for MissingNames: the names not found
}

// Count is one version's tally.
type Count struct {
	Version string       `json:"version"`
	Steps   int          `json:"steps"`   // entries of this version
	Skipped int          `json:"skipped"` // entries outside the kernel (userspace)
	Clean   int          `json:"clean"`   // checked entries without a problem
	Failing int          `json:"failing"` // checked entries with at least one problem
	ByKind  map[Kind]int `json:"by_kind"` // entries with a problem of each kind
}

// Report is the result of a check.
type Report struct {
	Root     string    `json:"root"`
	Problems []Problem `json:"problems"`
	Counts   []Count   `json:"counts"` // per version, in the order versions first appear
}

// OK reports whether no step has a problem.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// ErrNoTrees is returned by Check when the source root holds none of the
// versions' directories.
var ErrNoTrees = errors.New("no kernel trees")

// Check checks every entry against the files under src (the root of the
// layout described in the package comment). Each entry's file is
// src/VERSION/FILE, else src/FILEVERSION/FILE. The result depends only on
// the entries and the files: entries are reported in the order given.
func Check(src fs.FS, entries []Entry) (*Report, error) {
	c := &checker{src: src, files: map[string]*File{}, missing: map[string]error{},
		extents: map[string][]Extent{}, manifests: map[string]map[string]string{}, cited: map[string][]string{}}
	rep := &Report{}
	counts := map[string]*Count{}
	present := false
	for i := range entries {
		e := &entries[i]
		if counts[e.Version] == nil {
			counts[e.Version] = &Count{Version: e.Version, ByKind: map[Kind]int{}}
			rep.Counts = append(rep.Counts, Count{Version: e.Version})
			if st, err := fs.Stat(src, e.Version); err == nil && st.IsDir() {
				present = true
			}
		}
		if kernelFile(e) && !contains(c.cited[e.Version], e.File) {
			c.cited[e.Version] = append(c.cited[e.Version], e.File)
		}
	}
	if !present {
		return nil, fmt.Errorf("%w: none of the versions' directories is there", ErrNoTrees)
	}
	for i := range entries {
		e := &entries[i]
		n := counts[e.Version]
		n.Steps++
		if !kernelFile(e) {
			n.Skipped++
			continue
		}
		ps := c.check(e)
		if len(ps) == 0 {
			n.Clean++
			continue
		}
		n.Failing++
		seen := map[Kind]bool{}
		for _, p := range ps {
			p.Entry, p.Version, p.Loc, p.Func = i, e.Version, e.Loc(), e.Func
			rep.Problems = append(rep.Problems, p)
			if !seen[p.Kind] {
				seen[p.Kind] = true
				n.ByKind[p.Kind]++
			}
		}
	}
	for k := range rep.Counts {
		rep.Counts[k] = *counts[rep.Counts[k].Version]
	}
	return rep, nil
}

func kernelFile(e *Entry) bool { return e.File != "" && e.File != "userspace" }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type checker struct {
	src       fs.FS
	files     map[string]*File
	missing   map[string]error
	extents   map[string][]Extent          // "dir/path\x00func"
	manifests map[string]map[string]string // version dir -> path -> file version
	cited     map[string][]string          // version -> files its entries cite
}

// load returns the file at dir/p, or an error.
func (c *checker) load(dir, p string) (*File, error) {
	key := path.Join(dir, p)
	if f, ok := c.files[key]; ok {
		return f, nil
	}
	if err, ok := c.missing[key]; ok {
		return nil, err
	}
	b, err := fs.ReadFile(c.src, key)
	if err != nil {
		c.missing[key] = err
		return nil, err
	}
	f := ParseFile(string(b))
	c.files[key] = f
	return f, nil
}

// resolve finds the entry's file: VERSION/FILE, else FILEVERSION/FILE. It
// returns the directory used.
func (c *checker) resolve(version, fileVersion, p string) (string, *File, error) {
	f, err := c.load(version, p)
	if err == nil {
		return version, f, nil
	}
	if fileVersion != "" && fileVersion != version {
		if f, err2 := c.load(fileVersion, p); err2 == nil {
			return fileVersion, f, nil
		}
	}
	return "", nil, err
}

// manifest returns dir's MANIFEST as path -> file version (nil without one).
func (c *checker) manifest(dir string) map[string]string {
	if m, ok := c.manifests[dir]; ok {
		return m
	}
	var m map[string]string
	if fh, err := c.src.Open(path.Join(dir, "MANIFEST")); err == nil {
		m = map[string]string{}
		sc := bufio.NewScanner(fh)
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) >= 2 {
				m[f[0]] = f[1]
			}
		}
		fh.Close()
	}
	c.manifests[dir] = m
	return m
}

// funcExtents returns the extents of fn in dir/p (cached).
func (c *checker) funcExtents(dir, p string, f *File, fn string) []Extent {
	key := path.Join(dir, p) + "\x00" + fn
	if x, ok := c.extents[key]; ok {
		return x
	}
	x := f.FuncExtents(fn)
	c.extents[key] = x
	return x
}

// definedInVersion reports whether fn is defined in any file the
// version's entries cite or its MANIFEST lists.
func (c *checker) definedInVersion(e *Entry, fn string) bool {
	files := append([]string(nil), c.cited[e.Version]...)
	var listed []string
	for p := range c.manifest(e.Version) {
		listed = append(listed, p)
	}
	sort.Strings(listed)
	for _, p := range append(files, listed...) {
		dir, f, err := c.resolve(e.Version, "", p)
		if err != nil {
			continue
		}
		if len(c.funcExtents(dir, p, f, fn)) > 0 {
			return true
		}
	}
	return false
}

func (c *checker) check(e *Entry) []Problem {
	var ps []Problem
	add := func(k Kind, format string, args ...any) {
		ps = append(ps, Problem{Kind: k, Msg: fmt.Sprintf(format, args...)})
	}
	dir, f, err := c.resolve(e.Version, e.FileVersion, e.File)
	if err != nil {
		add(NoFile, "%s is not in %s/ or %s/", e.File, e.Version, e.FileVersion)
		return ps
	}
	if m := c.manifest(dir); m != nil {
		if fv, ok := m[e.File]; !ok {
			add(WrongVersion, "%s/MANIFEST does not list %s", dir, e.File)
		} else if fv != e.FileVersion {
			add(WrongVersion, "%s/%s is the file of %s, the step cites %s", dir, e.File, fv, e.FileVersion)
		}
	}
	if e.Line < 1 || e.End < e.Line || e.End > f.NumLines() {
		add(BadLines, "lines %d-%d are not in %s, which has %d lines", e.Line, e.End, e.File, f.NumLines())
		return ps
	}
	if !f.HasCode(e.Line, e.End) {
		add(NoCode, "the cited lines hold no code (only blanks and comments)")
	}

	// The function.
	allowed := f.Idents(e.Line, e.End)
	var exts []Extent
	if e.Func == "" {
		add(NoFunc, "the step names no function")
	} else {
		var unknown []string
		for _, fn := range strings.Split(e.Func, "/") {
			allowed[fn] = true
			x := c.funcExtents(dir, e.File, f, fn)
			if len(x) == 0 {
				unknown = append(unknown, fn)
			}
			exts = append(exts, x...)
		}
		if len(unknown) > 0 {
			add(NoFunc, "%s is not defined in %s", strings.Join(unknown, ", "), e.File)
		}
		if len(exts) > 0 {
			if out := outside(f, exts, e.Line, e.End); out != "" {
				add(OutsideFunc, "line%s outside %s (%s)", out, e.Func, extentsString(exts))
			}
		}
	}

	// Callees the step inlines: their bodies may supply names.
	for _, in := range e.Inlines {
		p, fn := e.File, in
		if k := strings.LastIndex(in, ":"); k >= 0 {
			p, fn = in[:k], in[k+1:]
		}
		idir, inf, err := c.resolve(e.Version, "", p)
		if err != nil {
			add(BadInline, "inlined %s: %s is not in %s/", in, p, e.Version)
			continue
		}
		x := c.funcExtents(idir, p, inf, fn)
		if len(x) == 0 {
			add(BadInline, "inlined %s is not defined in %s", fn, p)
			continue
		}
		allowed[fn] = true
		for _, ex := range x {
			for id := range inf.Idents(ex.Start, ex.End) {
				allowed[id] = true
			}
		}
	}

	// Lines the text cites itself.
	for _, ct := range TextCites(e.Text) {
		_, cf, err := c.resolve(e.Version, ct.Ver, ct.File)
		if err != nil {
			add(BadTextCite, "the text cites %s, which is not in %s/", ct, e.Version)
			continue
		}
		if ct.Line < 1 || ct.End < ct.Line || ct.End > cf.NumLines() {
			add(BadTextCite, "the text cites %s, past the end of the file (%d lines)", ct, cf.NumLines())
			continue
		}
		if !cf.HasCode(ct.Line, ct.Line) || !cf.HasCode(ct.End, ct.End) {
			add(BadTextCite, "the text cites %s, which starts or ends on a line without code in %s's file (numbers of another version?)", ct, e.Version)
		}
		for id := range cf.Idents(ct.Line, ct.End) {
			allowed[id] = true
		}
	}

	// The names the text mentions.
	var missing []string
	for _, n := range Names(e.Text) {
		if allowed[n.Ident] {
			continue
		}
		if n.Label && c.definedInVersion(e, n.Ident) {
			continue
		}
		missing = append(missing, n.Ident)
	}
	if len(missing) > 0 {
		ps = append(ps, Problem{Kind: MissingNames, Missing: missing,
			Msg: "not in the cited lines: " + strings.Join(missing, ", ")})
	}
	return ps
}

// outside returns the code lines of first..last that no extent contains,
// as " N" or "s N-M", or "" when all are inside.
func outside(f *File, exts []Extent, first, last int) string {
	lo, hi := 0, 0
	for n := first; n <= last; n++ {
		if !f.HasCode(n, n) {
			continue
		}
		in := false
		for _, x := range exts {
			if x.Contains(n) {
				in = true
				break
			}
		}
		if !in {
			if lo == 0 {
				lo = n
			}
			hi = n
		}
	}
	switch {
	case lo == 0:
		return ""
	case lo == hi:
		return fmt.Sprintf(" %d", lo)
	}
	return fmt.Sprintf("s %d-%d", lo, hi)
}

func extentsString(exts []Extent) string {
	var parts []string
	for _, x := range exts {
		parts = append(parts, fmt.Sprintf("%d-%d", x.Start, x.End))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

// WriteText writes the report for people: the problems, one per line,
// grouped by step, then the counts per version.
func (r *Report) WriteText(w io.Writer, entries []Entry) error {
	bw := bufio.NewWriter(w)
	last := -1
	for _, p := range r.Problems {
		if p.Entry != last {
			last = p.Entry
			e := &entries[p.Entry]
			fmt.Fprintf(bw, "%s %s %s", e.Version, e.Loc(), e.Func)
			if e.StepID != "" {
				fmt.Fprintf(bw, " [%s]", e.StepID)
			}
			if len(e.Sites) > 0 {
				fmt.Fprintf(bw, " (%s)", summarizeSites(e.Sites))
			}
			fmt.Fprintf(bw, "\n    text: %s\n", e.Text)
		}
		fmt.Fprintf(bw, "    %s: %s\n", p.Kind, p.Msg)
	}
	if len(r.Problems) > 0 {
		fmt.Fprintln(bw)
	}
	for _, n := range r.Counts {
		fmt.Fprintf(bw, "%s: %d steps, %d checked, %d clean, %d with problems", n.Version, n.Steps, n.Steps-n.Skipped, n.Clean, n.Failing)
		var kinds []string
		for _, k := range Kinds {
			if n.ByKind[k] > 0 {
				kinds = append(kinds, fmt.Sprintf("%s %d", k, n.ByKind[k]))
			}
		}
		if len(kinds) > 0 {
			fmt.Fprintf(bw, " (%s)", strings.Join(kinds, ", "))
		}
		fmt.Fprintln(bw)
	}
	return bw.Flush()
}

// summarizeSites shortens a long list of sites.
func summarizeSites(sites []string) string {
	const show = 2
	if len(sites) <= show {
		return strings.Join(sites, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(sites[:show], "; "), len(sites)-show)
}
