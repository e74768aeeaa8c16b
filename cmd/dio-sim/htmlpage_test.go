package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestHistoryHTMLInBrowser opens the --html pages of the commit message's
// two traces (replay) and of `check` on before's double-completion in
// headless Chromium, and checks what they show once porcupine has drawn
// them: the kernel's aio_complete calls as boxes on the time axis, and a
// verdict that agrees with them (a double completion is never "linearizable"
// alone; the stale i_size is "NOT linearizable"). DIOSIM_SCREENSHOTS=DIR
// saves a screenshot of each page.
func TestHistoryHTMLInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("WARNING: %s is missing (%v): the --html pages are not tested in a browser", chromiumPath, err)
	}
	dir := t.TempDir()
	cases := []struct {
		name      string
		args      []string
		completes int    // aio_complete boxes drawn
		verdict   string // in the page's verdict line
		kernel    string // in the kernel's note ("" none)
		title     string // in the heading
	}{
		{"replay-double-completion", []string{"replay", "--brief", "--html", "PAGE", "../../testdata/traces/commit-message/before-double-completion-exactly-once.trace"},
			2, "userspace view linearizable, but the kernel completed an iocb twice", "the kernel completed it 2 time(s)", "exactly-once: double completion of a read"},
		{"replay-stale-isize", []string{"replay", "--brief", "--html", "PAGE", "../../testdata/traces/commit-message/before-stale-isize-isize-visible.trace"},
			1, "NOT linearizable", "", "isize-visible: stale i_size"},
		{"check-double-completion", []string{"check", "--version", "before", "--scenario", "double-completion", "--strategy", "exhaustive", "--trace-dir", dir, "--html", "PAGE"},
			2, "userspace view linearizable, but the kernel completed an iocb twice", "the kernel completed it 2 time(s)", "exactly-once: double completion of a read"},
	}
	ctx := browser(t, 1400, 1000, 60*time.Second)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page := filepath.Join(dir, c.name+".html")
			args := append([]string(nil), c.args...)
			for i, a := range args {
				if a == "PAGE" {
					args[i] = page
				}
			}
			var out, errb bytes.Buffer
			if code := run(args, &out, &errb); code != exitViolation {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			var texts []string
			var verdict, kernel, title string
			if err := chromedp.Run(ctx, chromedp.Navigate("file://"+page),
				chromedp.Poll(`document.querySelectorAll("#canvas svg text").length > 0`, nil),
				chromedp.Evaluate(`Array.from(document.querySelectorAll("#canvas svg text")).map(e => e.textContent)`, &texts),
				chromedp.Text(`#diosim-verdict`, &verdict),
				chromedp.Text(`#diosim-title`, &title),
				chromedp.Evaluate(`Array.from(document.querySelectorAll(".diosim-kernel")).map(e => e.textContent).join(" ")`, &kernel)); err != nil {
				t.Fatal(err)
			}
			n := 0
			verdictBox := ""
			for _, s := range texts {
				if strings.HasPrefix(s, "aio_complete(") {
					n++
				}
				if strings.Contains(s, "linearizable") {
					verdictBox = s
				}
			}
			if n != c.completes {
				t.Errorf("%d aio_complete boxes drawn, want %d (texts: %q)", n, c.completes, texts)
			}
			if !strings.Contains(verdict, c.verdict) || !strings.Contains(verdictBox, c.verdict) {
				t.Errorf("verdict line %q, verdict box %q: want %q", verdict, verdictBox, c.verdict)
			}
			if c.kernel == "" && kernel != "" || !strings.Contains(kernel, c.kernel) {
				t.Errorf("kernel note %q, want %q", kernel, c.kernel)
			}
			if !strings.Contains(title, c.title) {
				t.Errorf("title %q, want %q", title, c.title)
			}
			if shots := os.Getenv("DIOSIM_SCREENSHOTS"); shots != "" {
				var png []byte
				if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
					t.Fatal(err)
				}
				os.WriteFile(filepath.Join(shots, "history-"+c.name+".png"), png, 0o644)
			}
		})
	}
}

// TestExplainReadsInBrowser opens explain --html of after's lost wake-up
// at bio0's step at fs/direct-io.c@after:279 and checks that the page
// shows the value it read: dio->waiter was NULL.
func TestExplainReadsInBrowser(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("WARNING: %s is missing (%v): the explain page's reads are not tested in a browser", chromiumPath, err)
	}
	page := filepath.Join(t.TempDir(), "lost.html")
	var out, errb bytes.Buffer
	if code := run([]string{"explain", "--html", "-o", page, lostWakeup}, &out, &errb); code != exitViolation {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	ctx := browser(t, 1400, 1000, 60*time.Second)
	var panel, cell string
	if err := chromedp.Run(ctx, chromedp.Navigate("file://"+page+"#step-30"),
		chromedp.WaitVisible(`body[data-steps]`),
		chromedp.Evaluate(`Array.from(document.querySelectorAll("ul.reads li")).map(e => e.textContent).join("; ")`, &panel),
		chromedp.Evaluate(`Array.from(document.querySelectorAll(".cell .rd")).map(e => e.textContent).join("; ")`, &cell)); err != nil {
		t.Fatal(err)
	}
	if panel != "dio.waiter = NULL" {
		t.Errorf("the selected step's reads are %q, want dio.waiter = NULL", panel)
	}
	if !strings.Contains(cell, "reads dio.waiter = NULL") {
		t.Errorf("the timeline's reads: %q", cell)
	}
	if shots := os.Getenv("DIOSIM_SCREENSHOTS"); shots != "" {
		var png []byte
		if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(shots, "explain-lost-wakeup-step30.png"), png, 0o644)
	}
}

// browser starts headless Chromium with a window of w x h pixels and
// returns a context for it that ends after timeout; everything is shut
// down when the test ends.
func browser(t *testing.T, w, h int, timeout time.Duration, opts ...chromedp.ContextOption) context.Context {
	t.Helper()
	aopts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromiumPath), chromedp.NoSandbox,
		chromedp.WindowSize(w, h), chromedp.Flag("disable-gpu", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), aopts...)
	ctx, cancelCtx := chromedp.NewContext(actx, opts...)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}
