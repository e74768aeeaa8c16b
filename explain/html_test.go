package explain

import (
	"bytes"
	"context"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func writePage(t *testing.T, path string) (string, *Story) {
	t.Helper()
	st := story(t, path)
	st.Name = filepath.Base(path)
	var b bytes.Buffer
	if err := st.WriteHTML(&b, HTMLOptions{}); err != nil {
		t.Fatal(err)
	}
	return b.String(), st
}

var dataRe = regexp.MustCompile(`(?s)<script type="application/json" id="trace-data">(.*?)</script>`)

// TestWriteHTMLSelfContained: one file, nothing fetched, the data intact.
func TestWriteHTMLSelfContained(t *testing.T) {
	page, st := writePage(t, dcTrace)
	for _, bad := range []string{"http://", "https://", "<link", " src=", "@import", "url(", "<iframe"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	m := dataRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no data block")
	}
	var d htmlData
	if err := json.Unmarshal([]byte(m[1]), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Steps) != len(st.Steps) || len(d.Accounts) != len(st.Accounts) || len(d.Fields) != len(d.Initial) {
		t.Fatalf("data: %d steps, %d accounts, %d fields / %d values", len(d.Steps), len(d.Accounts), len(d.Fields), len(d.Initial))
	}
	// Applying the changes step by step gives the story's state after
	// every step.
	vals := append([]string(nil), d.Initial...)
	for i, s := range d.Steps {
		for _, c := range s.Changes {
			if vals[c.F] != c.Old {
				t.Fatalf("step %d: %s was %q, the change says %q", s.N, d.Fields[c.F], vals[c.F], c.Old)
			}
			vals[c.F] = c.New
		}
		if strings.Join(vals, "\x00") != strings.Join(st.After[i], "\x00") {
			t.Fatalf("step %d: the accumulated state differs from the story's", s.N)
		}
	}
	if !strings.Contains(page, "<title>dio-sim: before-double-completion-exactly-once.trace</title>") {
		t.Error("title")
	}
}

// chromium runs headless Chromium with args and the page URL, and returns
// its standard output.
func chromium(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(flags, args...)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

// TestHTMLInChromium renders the page of a committed trace in headless
// Chromium: the script must run without error, draw every step, mark the
// steps where a property breaks, and answer the arrow keys and clicks; a
// screenshot must show something. Skipped when Chromium is not installed
// (.ci/run installs it).
func TestHTMLInChromium(t *testing.T) {
	const bin = "/usr/bin/chromium"
	if _, err := os.Stat(bin); err != nil {
		t.Skip("no " + bin)
	}
	page, st := writePage(t, dcTrace)
	dir := t.TempDir()
	file := filepath.Join(dir, "page.html")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	url := "file://" + file

	dom := chromium(t, bin, "--dump-dom", url+"#selftest")
	if m := regexp.MustCompile(`data-error="([^"]*)"`).FindStringSubmatch(dom); m != nil {
		t.Fatalf("the page reports an error: %s", m[1])
	}
	if !strings.Contains(dom, `data-steps="`+strconv.Itoa(len(st.Steps))+`"`) {
		t.Fatalf("the page did not render %d steps:\n%.2000s", len(st.Steps), dom)
	}
	if n := len(regexp.MustCompile(`<tr class="step[ "]`).FindAllString(dom, -1)); n != len(st.Steps) {
		t.Errorf("%d step rows, want %d", n, len(st.Steps))
	}
	broke := map[int]bool{}
	for _, v := range st.Violations {
		broke[v.Step] = true
	}
	if n := len(regexp.MustCompile(`<tr class="step broke`).FindAllString(dom, -1)); n != len(broke) {
		t.Errorf("%d rows marked broken, want %d", n, len(broke))
	}
	if !strings.Contains(dom, `data-selftest="ok"`) {
		m := regexp.MustCompile(`data-selftest="([^"]*)"`).FindStringSubmatch(dom)
		t.Errorf("keyboard and click self-test: %v", m)
	}
	for _, want := range []string{"exactly-once broke at step", "State after this step", "data-selected="} {
		if !strings.Contains(dom, want) {
			t.Errorf("the rendered page lacks %q", want)
		}
	}

	shot := filepath.Join(dir, "shot.png")
	chromium(t, bin, "--screenshot="+shot, "--window-size=1400,900", url+"#step-"+strconv.Itoa(st.Violations[len(st.Violations)-1].Step))
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != 1400 || b.Dy() != 900 {
		t.Errorf("screenshot is %dx%d", b.Dx(), b.Dy())
	}
	colors := map[uint32]bool{}
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colors[r>>8<<16|g>>8<<8|bl>>8] = true
		}
	}
	if len(colors) < 20 {
		t.Errorf("the screenshot looks blank (%d colours)", len(colors))
	}
	if keep := os.Getenv("DIOSIM_SCREENSHOT"); keep != "" {
		data, _ := os.ReadFile(shot)
		if err := os.WriteFile(keep, data, 0o644); err != nil {
			t.Error(err)
		}
	}
}
