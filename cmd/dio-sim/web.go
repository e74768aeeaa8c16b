package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"diosim/scheduler"
	"diosim/web"
	"diosim/web/explorer"
)

const webAbout = `Writes the explorer, a static site, into DIR: index.html, app.js, worker.js, style.css, Go's
wasm_exec.js and main.wasm, the simulator itself compiled to WebAssembly. In it a learner picks a
version and a scenario (or opens a trace), is the scheduler (one lane per actor with its next
statement and citation; click to step; fault outcomes are buttons; forced moves run on their own;
undo, redo), asks for hints (the fewest moves to break a property, by an exhaustive search in the
page), and sees the interleaving, the shared variables over time and the plain-language account of
a violation; four challenges keep their progress in the browser. The site fetches nothing from
elsewhere and needs no server logic: host DIR on any static file server.

The WebAssembly module is built by running "go build" with GOOS=js GOARCH=wasm, so the Go toolchain
and the dio-sim source tree are needed: run it from the repository, as the README's "go run"
commands are. --source DIR bundles the C lines each step cites (the cited lines only, as
source.json) from DIR/<version>/<path> or DIR/<path>, for local use: never publish or commit them.`

const serveAbout = `Builds the explorer (see "dio-sim web -h"; the Go toolchain is needed) into a temporary directory,
serves it on a loopback address only, and prints its URL. With a TRACE, the URL opens the trace's
last position (undo walks back through it); with --version and --scenario, that scenario from its
start. Stops on Ctrl-C and removes the directory.`

// webWasm, when set, is a main.wasm already built that web and serve copy
// instead of building one (the tests build it once).
var webWasm string

// serveStop, when set, stops `dio-sim serve` instead of Ctrl-C (tests).
var serveStop <-chan struct{}

func cmdWeb(args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("web", "dio-sim web -o DIR [--source DIR]", webAbout, stdout)
	out := c.fs.String("o", "", "write the site into `DIR` (created if needed; required)")
	sources := addSourceFlag(c)
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	if c.fs.NArg() > 0 {
		return exitUsage, usagef("web: unexpected argument %q", c.fs.Arg(0))
	}
	if *out == "" {
		return exitUsage, usagef("web: -o DIR is required")
	}
	src, err := sources()
	if err != nil {
		return exitUsage, err
	}
	if err := web.Build(*out, web.Options{Wasm: webWasm, Sources: src}); err != nil {
		return exitUsage, fmt.Errorf("web: %w", err)
	}
	fmt.Fprintf(stdout, "wrote the explorer to %s (open %s/index.html through a web server, or run dio-sim serve)\n", *out, *out)
	return exitOK, nil
}

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) (int, error) {
	c := newCommand("serve", "dio-sim serve [--addr 127.0.0.1:0] [--source DIR] [TRACE | --version V --scenario S]", serveAbout, stdout)
	addr := c.fs.String("addr", "127.0.0.1:0", "listen on this loopback `address` (port 0: any free port)")
	version := c.fs.String("version", "", "open this version (with --scenario)")
	scenario := c.fs.String("scenario", "", "open this named scenario, or one in key=value form (with --version)")
	sources := addSourceFlag(c)
	if err := c.parse(args); err != nil {
		return exitUsage, err
	}
	stop := serveStop
	if stop == nil {
		stop = ctx.Done()
	}
	fragment, err := serveFragment(c, *version, *scenario)
	if err != nil {
		return exitUsage, err
	}
	src, err := sources()
	if err != nil {
		return exitUsage, err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return exitUsage, usagef("serve: --addr %q: %v", *addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return exitUsage, usagef("serve: --addr %q is not a loopback address (the explorer is served on this machine only)", *addr)
	}
	dir, err := os.MkdirTemp("", "dio-sim-web-")
	if err != nil {
		return exitUsage, err
	}
	defer os.RemoveAll(dir)
	if err := web.Build(dir, web.Options{Wasm: webWasm, Sources: src}); err != nil {
		return exitUsage, fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return exitUsage, usagef("serve: %v", err)
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(dir)), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String() + "/"
	if fragment != "" {
		url += "#" + fragment
	}
	fmt.Fprintf(stdout, "serving the explorer at %s (Ctrl-C stops)\n", url)
	if f, ok := stdout.(interface{ Sync() error }); ok {
		f.Sync()
	}
	select {
	case <-stop:
	case err := <-done:
		if !errors.Is(err, http.ErrServerClosed) {
			return exitUsage, fmt.Errorf("serve: %w", err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	srv.Shutdown(ctx)
	return exitOK, nil
}

// serveFragment returns the URL fragment that opens what the arguments
// name: a trace's last position, or a scenario on a version.
func serveFragment(c *command, version, scenario string) (string, error) {
	switch {
	case c.fs.NArg() > 1:
		return "", usagef("serve: one TRACE at most, got %q", strings.Join(c.fs.Args(), " "))
	case c.fs.NArg() == 1 && (version != "" || scenario != ""):
		return "", usagef("serve: give a TRACE or --version and --scenario, not both")
	case c.fs.NArg() == 1:
		path := c.fs.Arg(0)
		t, err := scheduler.ReadTraceFile(path)
		if err != nil {
			return "", usagef("serve: %s: %v", path, err)
		}
		x, err := explorer.OfTrace(t)
		if err != nil {
			return "", usagef("serve: %s: %v", path, err)
		}
		return x.Link(), nil
	case version == "" && scenario == "":
		return "", nil
	case version == "" || scenario == "":
		return "", usagef("serve: --version and --scenario go together")
	}
	x, err := explorer.New(version, scenario)
	if err != nil {
		return "", usagef("serve: %v", err)
	}
	return x.Link(), nil
}
