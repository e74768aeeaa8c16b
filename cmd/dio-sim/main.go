// Command dio-sim simulates and checks who calls aio_complete() for an
// asynchronous O_DIRECT request, on four versions of the Linux kernel's
// fs/direct-io.c and its callers.
//
// Usage:
//
//	dio-sim                      run the default scenario set on every version, print a table
//	dio-sim check --version V    check one scenario on one version
//	dio-sim replay TRACE         print a trace step by step and re-check it
//	dio-sim versions             list the modelled versions, each its parent plus a patch
//	dio-sim diff V1 V2           the step-level difference between two versions
//	dio-sim scenarios            list the named scenarios
//
// Exit status: 0 no violation, 1 a violation found, 2 bad usage or input,
// 3 stopped by a limit before finishing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"diosim/variants"
)

// Exit codes.
const (
	exitOK        = 0
	exitViolation = 1
	exitUsage     = 2
	exitLimit     = 3
)

// usageError is bad usage or input: exit status 2 with a one-line message.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const topUsage = `dio-sim: a deterministic simulator and model checker for the Linux AIO O_DIRECT completion race
("dio: only call aio_complete() after returning -EIOCBQUEUED", Linux 2.6.20).

Usage:
  dio-sim [flags]              check the default scenario set on every version (exhaustive
                               search) and print a table, version by property (the main job)
  dio-sim check [flags]        check one scenario on one version
  dio-sim replay [flags] TRACE print a trace step by step and re-check it against the model
  dio-sim explain [flags] TRACE
                               tell a trace's story: one swimlane per actor, and why each
                               property broke (--html: one self-contained page to step through)
  dio-sim play --version V     be the scheduler: choose every step by hand, ask for hints
  dio-sim web -o DIR           write the explorer, a static site running the model in the browser
                               (WebAssembly, built with the Go toolchain)
  dio-sim serve [TRACE]        build the explorer, serve it on localhost and print its URL
  dio-sim merge [flags] CERT.. combine the certificates of the shards of one exhaustive search
  dio-sim bench [flags]        measure the exhaustive and random strategies (--find: strategies
                               against each other on configurations out of exhaustive reach)
  dio-sim mutants [--list]     the mutation zoo: seeded bugs, the default set's kill rate, survivors
  dio-sim versions             list the modelled kernel versions: each is its parent plus a patch
  dio-sim diff V1 V2           the step-level difference between two versions (a patch in model terms)
  dio-sim scenarios            list the named scenarios
  dio-sim help                 this text

Run "dio-sim COMMAND -h" for the flags of a command.
Exit status: 0 no violation, 1 a violation found, 2 bad usage or input,
3 stopped by a limit before finishing.
`

func run(args []string, stdout, stderr io.Writer) int {
	code, err := dispatch(args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(stderr, "dio-sim: %s\n", msg)
		var ue *usageError
		if errors.As(err, &ue) {
			return exitUsage
		}
		if code == exitOK {
			code = exitUsage
		}
	}
	return code
}

func dispatch(args []string, stdout, stderr io.Writer) (int, error) {
	if err := variants.Err(); err != nil {
		return exitUsage, usagef("a variant in variants/ is malformed: %v", err)
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return cmdMatrix(args, stdout, stderr)
	}
	switch args[0] {
	case "check":
		return cmdCheck(args[1:], stdout, stderr)
	case "replay":
		return cmdReplay(args[1:], stdout, stderr)
	case "merge":
		return cmdMerge(args[1:], stdout, stderr)
	case "bench":
		return cmdBench(args[1:], stdout, stderr)
	case "mutants":
		return cmdMutants(args[1:], stdout, stderr)
	case "explain":
		return cmdExplain(args[1:], stdout, stderr)
	case "play":
		return cmdPlay(args[1:], stdout, stderr)
	case "web":
		return cmdWeb(args[1:], stdout, stderr)
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "versions":
		return cmdVersions(args[1:], stdout, stderr)
	case "diff":
		return cmdDiff(args[1:], stdout, stderr)
	case "scenarios":
		return cmdScenarios(args[1:], stdout, stderr)
	case "help":
		fmt.Fprint(stdout, topUsage)
		return exitOK, nil
	}
	return exitUsage, usagef("unknown command %q (commands: check, replay, explain, play, web, serve, merge, bench, mutants, versions, diff, scenarios, help)", args[0])
}

// command is one subcommand's flag set with its usage text.
type command struct {
	fs       *flag.FlagSet
	synopsis string
	about    string
	stdout   io.Writer
}

func newCommand(name, synopsis, about string, stdout io.Writer) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &command{fs: fs, synopsis: synopsis, about: about, stdout: stdout}
}

// parse parses args. -h prints the usage on stdout and returns
// flag.ErrHelp; any other flag error is a one-line usage error.
func (c *command) parse(args []string) error {
	err := c.fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(c.stdout, "Usage: %s\n\n%s\n", c.synopsis, c.about)
		c.fs.SetOutput(c.stdout)
		fmt.Fprintln(c.stdout, "Flags:")
		c.fs.PrintDefaults()
		return err
	}
	if err != nil {
		return usagef("%s: %v", c.fs.Name(), err)
	}
	return nil
}
