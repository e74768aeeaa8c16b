package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"diosim/lint"
	"diosim/model"
)

// lintEntries builds one lint entry per distinct step of every program of
// every version: steps that programs share (the same location and text)
// are checked once and list every program and index that uses them.
func lintEntries(versions []*model.Model) []lint.Entry {
	var out []lint.Entry
	for _, m := range versions {
		index := map[lintKey]int{}
		for _, p := range m.Programs() {
			for i := range p.Steps {
				s := &p.Steps[i]
				site := fmt.Sprintf("%s #%d", p.Name, i)
				k := lintKey{s.Loc, s.Text}
				if j, ok := index[k]; ok {
					out[j].Sites = append(out[j].Sites, site)
					continue
				}
				index[k] = len(out)
				out = append(out, lint.Entry{
					Version:     m.Name,
					StepID:      s.ID,
					Sites:       []string{site},
					Func:        s.Loc.Func,
					File:        s.Loc.File,
					FileVersion: s.Loc.Ver,
					Line:        s.Loc.Line,
					End:         s.Loc.End,
					Text:        s.Text,
					Inlines:     s.Inlines,
				})
			}
		}
	}
	return out
}

type lintKey struct {
	loc  model.Loc
	text string
}

func cmdLint(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("lint", "dio-sim lint --source DIR [--version V] [--json]",
		"Checks every step's citation against the real kernel files in DIR (laid out by scripts/kernel-trees.sh,\n"+
			"docs/kernel-trees.md): the file and lines exist, the lines lie in the named function, and the C names\n"+
			"the step's text mentions occur in the cited lines (or in a callee the step inlines).\n"+
			"Exit status: 0 clean, 1 problems found, 2 bad usage or no trees in DIR.", stdout)
	dir := c.fs.String("source", "", "the `DIR` of kernel trees (DIR/<version>/<path>)")
	ver := c.fs.String("version", "", "check only version `V` (default: every version)")
	asJSON := c.fs.Bool("json", false, "print the report as JSON")
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() > 0 {
		return exitUsage, usagef("lint: unexpected argument %q", c.fs.Arg(0))
	}
	if *dir == "" {
		return exitUsage, usagef("lint: --source DIR is required (see docs/kernel-trees.md)")
	}
	if fi, err := os.Stat(*dir); err != nil || !fi.IsDir() {
		return exitUsage, usagef("lint: --source %s is not a directory", *dir)
	}
	versions := model.Versions()
	if *ver != "" {
		m, err := model.Lookup(*ver)
		if err != nil {
			return exitUsage, usagef("lint: %v", err)
		}
		versions = []*model.Model{m}
	}
	entries := lintEntries(versions)
	rep, err := lint.Check(os.DirFS(*dir), entries)
	if errors.Is(err, lint.ErrNoTrees) {
		return exitUsage, usagef("lint: %s has no kernel trees (no directory named after a version; see docs/kernel-trees.md)", *dir)
	}
	if err != nil {
		return exitUsage, fmt.Errorf("lint: %w", err)
	}
	rep.Root = *dir
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			*lint.Report
			Entries []lint.Entry `json:"entries"`
		}{rep, entries}); err != nil {
			return exitUsage, err
		}
	} else if err := rep.WriteText(stdout, entries); err != nil {
		return exitUsage, err
	}
	if !rep.OK() {
		return exitViolation, nil
	}
	return exitOK, nil
}
