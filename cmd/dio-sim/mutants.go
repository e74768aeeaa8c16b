package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"diosim/mutants"
)

func cmdMutants(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("mutants", "dio-sim mutants [--list] [--versions V1,V2] [--op OP] [--match TEXT] [--workers N]",
		"The mutation zoo: derives mutants of each version's model from its step programs (a lock removed, two statements swapped,\n"+
			"an operation dropped, a test inverted, an atomic split, a wake-up condition off by one, an error path that forgets a free),\n"+
			"runs the default scenario set exhaustively on each, and prints the kill rate and every survivor with its note.\n"+
			"A mutant is killed when a verdict of the default set changes, or the set of distinct bugs (signatures: property, kind,\n"+
			"step) one of its scenarios shows, or its search fails (an error, reported).\n"+
			"Exit status: 0 every survivor has a note, 1 a survivor is undecided, 2 bad usage.", stdout)
	list := c.fs.Bool("list", false, "list the mutants (name, operator, what it changes and where) without running them")
	versionList := c.fs.String("versions", "", "comma-separated versions to mutate (default: every kernel version)")
	op := c.fs.String("op", "", "only this operator ("+opNames()+")")
	match := c.fs.String("match", "", "only mutants whose name contains this text")
	workers := c.fs.Int("workers", 0, "worker goroutines of each search (0: GOMAXPROCS)")
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() > 0 {
		return exitUsage, usagef("mutants: unexpected argument %q", c.fs.Arg(0))
	}
	if *op != "" && !strings.Contains(","+opNames()+",", ","+*op+",") {
		return exitUsage, usagef("mutants: unknown --op %q (%s)", *op, opNames())
	}
	if *workers < 0 || *workers > 1024 {
		return exitUsage, usagef("--workers must be between 0 and 1024, got %d", *workers)
	}
	vers, err := parseVersionList(*versionList)
	if err != nil {
		return exitUsage, err
	}
	opt := mutants.Options{Workers: *workers, Stop: ctx.Done()}
	var results []mutants.Result
	undecided := false
	for _, m := range vers {
		base, err := mutants.NewBaseline(m, nil, opt)
		if err != nil {
			return exitUsage, fmt.Errorf("the baseline of %s: %v", m.Name, err)
		}
		for _, mu := range mutants.Generate(base) {
			mu := mu
			if *op != "" && mu.Op != *op || *match != "" && !strings.Contains(mu.Name, *match) {
				continue
			}
			if *list {
				fmt.Fprintf(stdout, "%s\n    %s: %s\n    at %s\n", mu.Name, mu.Op, mu.About, mu.Where)
				continue
			}
			select {
			case <-ctx.Done():
				fmt.Fprintln(stdout, "interrupted: the summary covers the mutants run so far")
				fmt.Fprint(stdout, "\n"+mutants.Summary(results))
				return exitLimit, nil
			default:
			}
			r := mutants.Run(&mu, base, opt)
			switch {
			case r.Err != nil:
				fmt.Fprintf(stdout, "killed    %s: the search failed: %v\n", mu.Name, r.Err)
			case r.Killed:
				more := ""
				if len(r.Changes) > 1 {
					more = fmt.Sprintf(" (and %d more)", len(r.Changes)-1)
				}
				fmt.Fprintf(stdout, "killed    %s: %s%s\n", mu.Name, r.Changes[0], more)
			default:
				fmt.Fprintf(stdout, "SURVIVED  %s\n", mu.Name)
				if _, ok := mutants.NoteFor(mu.Name); !ok {
					undecided = true
				}
			}
			results = append(results, r)
		}
	}
	if *list {
		return exitOK, nil
	}
	fmt.Fprint(stdout, "\n"+mutants.Summary(results))
	if undecided {
		return exitViolation, nil
	}
	return exitOK, nil
}

func opNames() string {
	var n []string
	for _, o := range mutants.Operators {
		n = append(n, o.Name)
	}
	return strings.Join(n, ",")
}
