package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"diosim/web"
	"diosim/web/explorer"
)

const chromiumPath = "/usr/bin/chromium"

var (
	wasmOnce sync.Once
	wasmDir  string
	wasmErr  error
)

// cleanWasm removes the WebAssembly module the browser tests build once
// (called by TestMain).
func cleanWasm() {
	if wasmDir != "" {
		os.RemoveAll(wasmDir)
	}
}

// builtWasm builds the explorer's main.wasm once per test binary and makes
// `dio-sim web` and `serve` copy it.
func builtWasm(t *testing.T) {
	t.Helper()
	wasmOnce.Do(func() {
		if wasmDir, wasmErr = os.MkdirTemp("", "dio-sim-wasm-"); wasmErr != nil {
			return
		}
		out := filepath.Join(wasmDir, "main.wasm")
		if wasmErr = web.BuildWasm("go", "", out); wasmErr == nil {
			webWasm = out
		}
	})
	if wasmErr != nil {
		t.Fatalf("building the explorer's WebAssembly: %v", wasmErr)
	}
}

// startServe runs `dio-sim serve args...` in process and returns the URL it
// prints; the server stops at the end of the test.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	stop := make(chan struct{})
	serveStop = stop
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	var errb strings.Builder
	go func() {
		done <- run(append([]string{"serve"}, args...), pw, &errb)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve %v printed no URL: %v (stderr: %s)", args, err, errb.String())
	}
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() {
		close(stop)
		if code := <-done; code != exitOK {
			t.Errorf("serve exited with %d: %s", code, errb.String())
		}
	})
	f := strings.Fields(line)
	for _, w := range f {
		if strings.HasPrefix(w, "http://127.0.0.1:") {
			return w
		}
	}
	t.Fatalf("serve printed %q: no loopback URL", line)
	return ""
}

// pageState is what the test reads off the page after each action.
type pageState struct {
	N          int    `json:"n"`
	Verdict    string `json:"verdict"`
	Length     string `json:"length"`
	Violations string `json:"violations"`
	Busy       bool   `json:"busy"`
}

const readState = `(() => ({n: Number(document.body.dataset.n || -1), verdict: document.getElementById("hint").dataset.verdict,
  length: document.getElementById("hint").dataset.length || "", violations: document.body.dataset.violations || "",
  busy: !!document.body.dataset.busy}))()`

// settled waits until the page has drawn a position other than notN and
// its hint search has answered, and returns what it shows.
func settled(ctx context.Context, t *testing.T, notN int) pageState {
	t.Helper()
	var st pageState
	for i := 0; i < 400; i++ {
		if err := chromedp.Run(ctx, chromedp.Evaluate(readState, &st)); err != nil {
			t.Fatalf("reading the page: %v", err)
		}
		if st.N >= 0 && st.N != notN && !st.Busy && st.Verdict != "searching" && st.Verdict != "" {
			return st
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("the page did not settle: %+v", st)
	return st
}

// TestExplorerInBrowser loads the explorer from `dio-sim serve` in
// headless Chromium, plays the double-completion challenge on before to
// its violation by clicking the hinted moves (the hint's count must drop
// by exactly the moves taken), undoes, opens a trace link and a trace
// file, stops a long hint search, and checks that no request left
// localhost.
func TestExplorerInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("WARNING: %s is missing (%v): the explorer is not tested in a browser", chromiumPath, err)
	}
	builtWasm(t)
	base := startServe(t, "--version", "before", "--scenario", "double-completion")
	traceURL := startServe(t, "../../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	bigURL := startServe(t, "--version", "after", "--scenario", "three-aio-writers")
	shots := os.Getenv("DIOSIM_SCREENSHOTS")

	// chromedp logs the DOM events it does not know (the dialogs' top
	// layer) as errors: keep only the others, in the test's log.
	ctx := browser(t, 1280, 900, 90*time.Second, chromedp.WithErrorf(func(format string, args ...any) {
		if msg := fmt.Sprintf(format, args...); !strings.Contains(msg, "unhandled node event") {
			t.Logf("chromedp: %s", msg)
		}
	}))

	var mu sync.Mutex
	var requests []string
	chromedp.ListenTarget(ctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok {
			mu.Lock()
			requests = append(requests, e.Request.URL)
			mu.Unlock()
		}
	})
	shot := func(name string) {
		if shots == "" {
			return
		}
		var png []byte
		if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			return
		}
		os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644)
	}

	// The scenario serve was asked for, after its forced moves: the page's
	// hint is the Go search's.
	if err := chromedp.Run(ctx, network.Enable(), chromedp.Navigate(base), chromedp.WaitVisible(`body[data-ready="1"]`)); err != nil {
		t.Fatalf("loading %s: %v", base, err)
	}
	first := settled(ctx, t, 0)
	x, err := explorer.New("before", "double-completion")
	if err != nil {
		t.Fatal(err)
	}
	forced := x.AutoRun()
	want, err := x.Hint("exactly-once", 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.N != forced || first.Verdict != "violated" || first.Length != fmt.Sprint(want.Length) {
		t.Errorf("at the start the page shows %+v, the search says %d moves", first, want.Length)
	}
	var readyMs, hintMs, states string
	chromedp.Run(ctx, chromedp.Evaluate(`document.body.dataset.readyMs`, &readyMs),
		chromedp.Evaluate(`document.getElementById("hint").dataset.ms`, &hintMs),
		chromedp.Evaluate(`document.getElementById("hint").dataset.states`, &states))
	t.Logf("page ready %s ms after navigation; hint after the forced moves of before/double-completion: %s ms, %s states", readyMs, hintMs, states)
	shot("0-scenario")

	// The challenge list, then the first level.
	if err := chromedp.Run(ctx, chromedp.Click("#challenges-btn"), chromedp.WaitVisible(`#chlist button`)); err != nil {
		t.Fatal(err)
	}
	shot("1-challenges")
	if err := chromedp.Run(ctx, chromedp.Click(`button[data-challenge="double-completion-before"]`)); err != nil {
		t.Fatal(err)
	}
	st := settled(ctx, t, -1)
	shot("2-start")
	if st.Verdict != "violated" || st.N == 0 {
		t.Fatalf("at the start of the challenge: %+v, want forced moves taken and a violation reachable", st)
	}
	// Follow the hint to the violation.
	for moves := 0; st.Length != "0"; moves++ {
		if moves > 60 {
			t.Fatalf("no violation after 60 hinted moves: %+v", st)
		}
		var before int
		fmt.Sscan(st.Length, &before)
		if err := chromedp.Run(ctx, chromedp.Click(`button.step.hinted`, chromedp.NodeVisible)); err != nil {
			t.Fatalf("clicking the hinted move: %v", err)
		}
		next := settled(ctx, t, st.N)
		var after int
		fmt.Sscan(next.Length, &after)
		if next.Verdict != "violated" || after != before-(next.N-st.N) {
			t.Fatalf("after a hinted move (%d -> %d moves taken) the hint says %q/%s, want %d moves", st.N, next.N, next.Verdict, next.Length, before-(next.N-st.N))
		}
		st = next
		if moves == 8 {
			shot("3-playing")
		}
	}
	if !strings.Contains(st.Violations, "exactly-once") {
		t.Fatalf("the hint says exactly-once is broken, the page lists %q", st.Violations)
	}
	var won, account, stored string
	if err := chromedp.Run(ctx, chromedp.WaitVisible(`#windialog[open]`),
		chromedp.Evaluate(`document.getElementById("windialog").dataset.won`, &won),
		chromedp.Evaluate(`document.querySelector("#account .acct[data-prop='exactly-once']").textContent`, &account),
		chromedp.Evaluate(`localStorage.getItem("dio-sim.explorer.challenges") || ""`, &stored)); err != nil {
		t.Fatalf("the level's end: %v", err)
	}
	if won != "double-completion-before" || !strings.Contains(stored, "double-completion-before") {
		t.Errorf("won %q, stored progress %q", won, stored)
	}
	if !strings.Contains(account, "aio_complete") {
		t.Errorf("the account of exactly-once does not mention aio_complete: %q", account)
	}
	shot("4-won")
	if err := chromedp.Run(ctx, chromedp.Click("#winclose"), chromedp.ScrollIntoView("#account")); err != nil {
		t.Fatal(err)
	}
	shot("5-account")

	// Undo: back before the violation.
	if err := chromedp.Run(ctx, chromedp.Click("#undo")); err != nil {
		t.Fatal(err)
	}
	undone := settled(ctx, t, st.N)
	if undone.N >= st.N || strings.Contains(undone.Violations, "exactly-once") || undone.Length == "0" || undone.Length == "" {
		t.Errorf("after undo: %+v (before: %+v)", undone, st)
	}

	// A trace link, as `dio-sim serve TRACE` prints it.
	var steps int
	if err := chromedp.Run(ctx, chromedp.Navigate(traceURL), chromedp.WaitVisible(`body[data-ready="1"]`)); err != nil {
		t.Fatalf("opening %s: %v", traceURL, err)
	}
	tr := settled(ctx, t, -1)
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("#strip tbody tr").length`, &steps)); err != nil {
		t.Fatal(err)
	}
	if tr.N != 41 || steps != 41 || !strings.Contains(tr.Violations, "exactly-once") {
		t.Errorf("the trace link shows %+v with %d strip rows, want the trace's 41 steps and exactly-once broken", tr, steps)
	}
	shot("6-trace")

	// The same trace at step 20, as `explain --html --explorer` links it:
	// the later steps can be redone.
	at := strings.Replace(traceURL, "#", "#at=20&", 1)
	if err := chromedp.Run(ctx, chromedp.Navigate(at)); err != nil {
		t.Fatal(err)
	}
	if st := settled(ctx, t, 41); st.N != 20 || strings.Contains(st.Violations, "exactly-once") {
		t.Errorf("at=20 shows %+v", st)
	}
	if err := chromedp.Run(ctx, chromedp.Click("#redo")); err != nil {
		t.Fatal(err)
	}
	if st := settled(ctx, t, 20); st.N != 21 {
		t.Errorf("redo at step 20 goes to %d moves, want 21", st.N)
	}

	// The same trace opened as a file.
	abs, err := filepath.Abs(dcTrace)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(base), chromedp.WaitVisible(`body[data-ready="1"]`)); err != nil {
		t.Fatal(err)
	}
	n0 := settled(ctx, t, -1).N
	if err := chromedp.Run(ctx, chromedp.SetUploadFiles("#tracefile", []string{abs}, chromedp.NodeReady)); err != nil {
		t.Fatalf("opening the trace file: %v", err)
	}
	if st := settled(ctx, t, n0); st.N != 41 || !strings.Contains(st.Violations, "exactly-once") {
		t.Errorf("the trace file opens at %+v, want its 41 steps and exactly-once broken", st)
	}

	// A large scenario: the search shows its progress and stop ends it;
	// the position stays and hints are then searched on demand.
	var progress string
	if err := chromedp.Run(ctx, chromedp.Navigate(bigURL), chromedp.WaitVisible(`body[data-ready="1"]`),
		chromedp.WaitVisible(`#cancel`), chromedp.Poll(`document.getElementById("hint").textContent.includes(" states, depth ")`, nil),
		chromedp.Evaluate(`document.getElementById("hint").textContent`, &progress), chromedp.Click(`#cancel`)); err != nil {
		t.Fatalf("%s: %v", bigURL, err)
	}
	if big := settled(ctx, t, -1); big.Verdict != "manual" || big.N != 0 {
		t.Errorf("after stopping the search on three-aio-writers: %+v (progress was %q)", big, progress)
	}

	mu.Lock()
	defer mu.Unlock()
	if len(requests) == 0 {
		t.Fatal("no network request seen")
	}
	for _, r := range requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Scheme != "blob" && u.Hostname() != "127.0.0.1") {
			t.Errorf("a request left localhost: %s", r)
		}
	}
}

// TestWebBadInput: every bad use of web and serve is one line and exit 2.
func TestWebBadInput(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"web without -o", []string{"web"}, "-o DIR is required"},
		{"web with an argument", []string{"web", "-o", t.TempDir(), "x"}, "unexpected argument"},
		{"web with a missing source", []string{"web", "-o", t.TempDir(), "--source", "/nonexistent"}, "not a directory"},
		{"serve on a public address", []string{"serve", "--addr", "0.0.0.0:0"}, "not a loopback address"},
		{"serve on a bad address", []string{"serve", "--addr", "nope"}, "--addr"},
		{"serve a trace and a scenario", []string{"serve", "--version", "before", dcTrace}, "not both"},
		{"serve a version alone", []string{"serve", "--version", "before"}, "go together"},
		{"serve an unknown version", []string{"serve", "--version", "v9", "--scenario", "aio-read"}, "unknown version"},
		{"serve a missing trace", []string{"serve", "/nonexistent.trace"}, "nonexistent"},
		{"serve two traces", []string{"serve", dcTrace, dcTrace}, "one TRACE"},
		{"explain --explorer without --html", []string{"explain", "--explorer", "http://127.0.0.1:1/", dcTrace}, "goes with --html"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(c.args...)
			if code != exitUsage || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, stderr, c.want)
			}
		})
	}
}

// TestWebWritesSite: `dio-sim web -o DIR` writes every file of the site.
func TestWebWritesSite(t *testing.T) {
	// A stand-in module so that no test depends on a WebAssembly build
	// here (TestExplorerInBrowser builds the real one).
	stub := filepath.Join(t.TempDir(), "main.wasm")
	os.WriteFile(stub, []byte("\x00asm"), 0o644)
	old := webWasm
	if old == "" {
		webWasm = stub
		defer func() { webWasm = old }()
	}
	dir := filepath.Join(t.TempDir(), "site")
	code, out, stderr := runCLI("web", "-o", dir)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, dir) {
		t.Errorf("output %q does not name %s", out, dir)
	}
	for _, f := range []string{"index.html", "app.js", "worker.js", "style.css", "wasm_exec.js", "main.wasm", "source.json"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestExplainExplorerLink: explain --html --explorer links every step into
// the explorer at the trace's position.
func TestExplainExplorerLink(t *testing.T) {
	out := filepath.Join(t.TempDir(), "page.html")
	code, _, stderr := runCLI("explain", "--html", "--explorer", "http://127.0.0.1:8080/#old", "-o", out, dcTrace)
	if code != exitViolation {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"explorer":"http://127.0.0.1:8080/#v=before\u0026s=double-completion\u0026m=submitter*10,submitter~gup:-EFAULT@block1,`) || strings.Contains(string(b), "#old") {
		t.Errorf("the page has no explorer link of the trace's position")
	}
}
