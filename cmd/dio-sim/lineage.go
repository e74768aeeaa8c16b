package main

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"diosim/model"
)

func cmdVersions(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("versions", "dio-sim versions",
		"Lists the modelled kernel versions as the kernel made them, oldest first: each is its parent plus a patch\n"+
			"(its title, the kernel files it moves on, and how many steps it replaces, adds and removes), then the\n"+
			"variants registered on top of them (docs/your-own-fix.md). \"dio-sim diff V1 V2\" shows a patch step by step.", stdout)
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() > 0 {
		return exitUsage, usagef("versions: unexpected argument %q", c.fs.Arg(0))
	}
	all := append(model.Versions(), model.Variants()...)
	for _, m := range all {
		v := m.Version
		fmt.Fprintf(stdout, "%-8s %s\n", m.Name, m.Doc)
		if v.Parent == "" {
			fmt.Fprintf(stdout, "%-8s   the root: the model's own code\n", "")
			continue
		}
		parent, err := model.Lookup(v.Parent)
		if err != nil {
			return exitUsage, err
		}
		r, a, rm, mv := model.DiffSummary(model.Diff(parent, m))
		fmt.Fprintf(stdout, "%-8s   = %s + %q\n", "", v.Parent, v.Patch.Title)
		if files := patchFiles(v.Patch); files != "" {
			fmt.Fprintf(stdout, "%-8s   files: %s\n", "", files)
		}
		fmt.Fprintf(stdout, "%-8s   steps: %d replaced, %d added, %d removed (%d only moved to other lines)\n", "", r, a, rm, mv)
	}
	return exitOK, nil
}

func patchFiles(p *model.Patch) string {
	var fs []string
	for f, v := range p.Files {
		fs = append(fs, f+"@"+v)
	}
	sort.Strings(fs)
	return strings.Join(fs, ", ")
}

func cmdDiff(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("diff", "dio-sim diff [--moved] V1 V2",
		"Prints the step-level difference between two versions (or variants): every step V2 replaces, adds or removes,\n"+
			"grouped by kernel function, with its id and citation on both sides and its statement. For two versions in\n"+
			"one line of descent this is the patch (or patches) between them, in model terms.", stdout)
	moved := c.fs.Bool("moved", false, "also list the steps whose citation alone changed (the file's lines moved)")
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() != 2 {
		return exitUsage, usagef("diff: give two versions (dio-sim versions lists them)")
	}
	a, err := model.Lookup(c.fs.Arg(0))
	if err != nil {
		return exitUsage, usagef("diff: %v", err)
	}
	b, err := model.Lookup(c.fs.Arg(1))
	if err != nil {
		return exitUsage, usagef("diff: %v", err)
	}
	printDiff(stdout, a, b, *moved)
	return exitOK, nil
}

// printDiff writes the step-level difference of a and b.
func printDiff(w io.Writer, a, b *model.Model, moved bool) {
	fmt.Fprintf(w, "%s -> %s\n", a.Name, b.Name)
	for _, v := range pathBetween(a, b) {
		fmt.Fprintf(w, "  patch: %s (%s -> %s)\n", v.Patch.Title, v.Parent, v.Name)
	}
	cs := model.Diff(a, b)
	r, ad, rm, mv := model.DiffSummary(cs)
	fmt.Fprintf(w, "  %d steps replaced, %d added, %d removed; %d only moved to other lines\n", r, ad, rm, mv)
	// Group by function, functions in order of first appearance.
	var order []string
	byFunc := map[string][]model.StepChange{}
	for _, ch := range cs {
		if ch.Kind == model.Moved && !moved {
			continue
		}
		f := ch.Func()
		if byFunc[f] == nil {
			order = append(order, f)
		}
		byFunc[f] = append(byFunc[f], ch)
	}
	for _, fn := range order {
		fmt.Fprintf(w, "\n%s\n", fn)
		for _, ch := range byFunc[fn] {
			printChange(w, a, b, ch)
		}
	}
}

// printChange writes one step's change.
func printChange(w io.Writer, a, b *model.Model, ch model.StepChange) {
	{
		switch ch.Kind {
		case model.Added:
			note := ""
			if a.HasStep(ch.ID) {
				note = " (one more inlined copy: the step exists in " + a.Name + " too)"
			}
			fmt.Fprintf(w, "  + %s  %s%s\n      %s\n", ch.ID, ch.New.Loc, note, ch.New.Text)
		case model.Removed:
			note := ""
			if b.HasStep(ch.ID) {
				note = " (one inlined copy fewer: the step remains elsewhere in " + b.Name + ")"
			}
			fmt.Fprintf(w, "  - %s  %s%s\n      %s\n", ch.ID, ch.Old.Loc, note, ch.Old.Text)
		case model.Replaced:
			fmt.Fprintf(w, "  ~ %s  %s -> %s\n", ch.ID, ch.Old.Loc, ch.New.Loc)
			if ch.Old.Text != ch.New.Text {
				fmt.Fprintf(w, "      was: %s\n      now: %s\n", ch.Old.Text, ch.New.Text)
			} else {
				fmt.Fprintf(w, "      same statement (the function's model was replaced whole): %s\n", ch.New.Text)
			}
		case model.Moved:
			fmt.Fprintf(w, "  = %s  %s -> %s\n", ch.ID, ch.Old.Loc, ch.New.Loc)
		}
	}
}

// pathBetween lists the versions whose patches lead from a to b when a is
// an ancestor of b (nil otherwise).
func pathBetween(a, b *model.Model) []*model.Version {
	lin := b.Lineage()
	for i, v := range lin {
		if v.Name == a.Name {
			return lin[i+1:]
		}
	}
	return nil
}

// parseVersionList reads a --versions list: comma-separated versions or
// variants, in the order given; "" means every kernel version.
func parseVersionList(list string) ([]*model.Model, error) {
	if list == "" {
		return model.Versions(), nil
	}
	var vers []*model.Model
	for _, name := range strings.Split(list, ",") {
		m, err := model.Lookup(strings.TrimSpace(name))
		if err != nil {
			return nil, usagef("--versions: %v", err)
		}
		vers = append(vers, m)
	}
	return vers, nil
}
