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
// Exit status: 1 when a violation was found (even if a bound or Ctrl-C
// stopped the search afterwards: every violation reported is a replayable
// trace); else 3 when a bound or Ctrl-C stopped the search before it
// finished; else 0. 2 is bad usage or input, or output that could not be
// written.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

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
	ctx, stop := interruptContext()
	code := runContext(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// interruptContext returns a context cancelled by the first Ctrl-C
// (SIGINT) or SIGTERM: every strategy then stops, and the command prints
// and writes what it found. The signals are released at once, so a second
// Ctrl-C kills the process the usual way.
func interruptContext() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	return ctx, stop
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
  dio-sim lint --source DIR    check every step's citation against the real kernel files
  dio-sim help                 this text

Run "dio-sim COMMAND -h" (or "dio-sim help COMMAND") for the flags of a command.
`

// exitRule is the exit status rule, for every usage text.
const exitRule = `Exit status: 1 a violation was found (even when a bound or Ctrl-C stopped the search later: every
violation reported comes with a trace that replays it); else 3 a bound (--timeout, --max-states,
--max-depth, --max-memory) or Ctrl-C stopped the search before it finished; else 0 (nothing found:
a proof only from a complete exhaustive search). 2: bad usage or input, or output that could not
be written.`

// commandList names every command, for the messages about unknown ones.
const commandList = "check, replay, explain, play, web, serve, merge, bench, mutants, versions, diff, scenarios, lint, help"

// run is runContext without a way to interrupt it.
func run(args []string, stdout, stderr io.Writer) int {
	return runContext(context.Background(), args, stdout, stderr)
}

// runContext runs the command line args; cancelling ctx (Ctrl-C) stops a
// search, which then reports what it found. It returns the exit status.
// An error writing stdout (a full disk, a closed pipe) is reported and
// exits 2.
func runContext(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	out := &checkedWriter{w: stdout}
	code, err := dispatch(ctx, args, out, stderr)
	if err == nil && out.err != nil {
		err = fmt.Errorf("writing the output: %w", out.err)
		code = exitUsage
	}
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		msg := strings.ReplaceAll(err.Error(), "\n", " ")
		fmt.Fprintf(stderr, "dio-sim: %s\n", sanitize(msg))
		var ue *usageError
		if errors.As(err, &ue) {
			return exitUsage
		}
		if code == exitOK || code == exitViolation {
			code = exitUsage
		}
	}
	return code
}

// checkedWriter remembers the first write error, so that a command whose
// output was lost does not exit as if it had been read.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	if err != nil {
		c.err = err
	}
	return n, err
}

// underlying returns the writer w wraps (to ask whether it is a terminal).
func underlying(w io.Writer) io.Writer {
	if c, ok := w.(*checkedWriter); ok {
		return c.w
	}
	return w
}

// sanitize makes untrusted text (a path, a field of a trace or of a
// certificate) safe to print on a terminal: control characters, escape
// sequences and invalid UTF-8 become visible escapes (\x1b, \u009b).
func sanitize(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case r < 0x80 && unicode.IsControl(r):
			fmt.Fprintf(&b, "\\x%02x", r)
		case unicode.IsControl(r):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	if err := variants.Err(); err != nil {
		return exitUsage, usagef("a variant in variants/ is malformed: %v", err)
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return cmdMatrix(ctx, args, stdout, stderr)
	}
	switch args[0] {
	case "check":
		return cmdCheck(ctx, args[1:], stdout, stderr)
	case "replay":
		return cmdReplay(args[1:], stdout, stderr)
	case "merge":
		return cmdMerge(args[1:], stdout, stderr)
	case "bench":
		return cmdBench(ctx, args[1:], stdout, stderr)
	case "mutants":
		return cmdMutants(ctx, args[1:], stdout, stderr)
	case "explain":
		return cmdExplain(args[1:], stdout, stderr)
	case "play":
		return cmdPlay(ctx, args[1:], stdout, stderr)
	case "web":
		return cmdWeb(args[1:], stdout, stderr)
	case "serve":
		return cmdServe(ctx, args[1:], stdout, stderr)
	case "versions":
		return cmdVersions(args[1:], stdout, stderr)
	case "diff":
		return cmdDiff(args[1:], stdout, stderr)
	case "scenarios":
		return cmdScenarios(args[1:], stdout, stderr)
	case "lint":
		return cmdLint(args[1:], stdout, stderr)
	case "help":
		switch {
		case len(args) == 1:
			fmt.Fprint(stdout, topUsage)
			return exitOK, nil
		case len(args) > 2:
			return exitUsage, usagef("help: give at most one command")
		case args[1] == "help":
			fmt.Fprint(stdout, topUsage)
			return exitOK, nil
		case isCommand(args[1]):
			return dispatch(ctx, []string{args[1], "-h"}, stdout, stderr)
		}
		return exitUsage, usagef("help: unknown command %q (commands: %s)", args[1], commandList)
	}
	return exitUsage, usagef("unknown command %q (commands: %s)", args[0], commandList)
}

func isCommand(name string) bool {
	for _, c := range strings.Split(commandList, ", ") {
		if c == name {
			return true
		}
	}
	return false
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
		fmt.Fprintln(c.stdout, "\nFlags:")
		c.fs.PrintDefaults()
		return err
	}
	if err != nil {
		if c.fs.Name() == "dio-sim" {
			// The default run: "dio-sim: flag provided but not defined:
			// -version", and where that flag is.
			msg := err.Error()
			if strings.Contains(msg, "not defined") {
				msg += " (the default run takes the search flags; one scenario on one version is \"dio-sim check --version V ...\")"
			}
			return usagef("%s", msg)
		}
		return usagef("%s: %v", c.fs.Name(), err)
	}
	return nil
}
