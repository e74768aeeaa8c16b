package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"diosim/explain"
	"diosim/model"
)

func TestFiles(t *testing.T) {
	for _, f := range []string{"index.html", "app.js", "worker.js", "style.css"} {
		b, err := fs.ReadFile(Files(), f)
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
}

// TestNothingFromElsewhere: the page's files name no other host.
func TestNothingFromElsewhere(t *testing.T) {
	err := fs.WalkDir(Files(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Files(), p)
		for _, bad := range []string{"https://", "http://", "//cdn", "@import"} {
			text := strings.ReplaceAll(string(b), "http://www.w3.org/2000/svg", "")
			if strings.Contains(text, bad) {
				t.Errorf("%s mentions %q", p, bad)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fakeTree writes, for every file a step of any version cites, a file of
// numbered placeholder lines (our text, not the kernel's).
func fakeTree(t *testing.T) string {
	dir := t.TempDir()
	for _, m := range model.Versions() {
		for _, p := range m.Programs() {
			if p == nil {
				continue
			}
			for _, st := range p.Steps {
				l, ok := explain.ParseLocation(st.Loc.String())
				if !ok {
					continue
				}
				path := filepath.Join(dir, l.Version, filepath.FromSlash(l.Path))
				if _, err := os.Stat(path); err == nil {
					continue
				}
				os.MkdirAll(filepath.Dir(path), 0o755)
				var b strings.Builder
				for n := 1; n <= 3000; n++ {
					fmt.Fprintf(&b, "placeholder line %d\n", n)
				}
				if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return dir
}

// TestExcerpts: the bundle holds the cited lines of every cited location
// and no other line.
func TestExcerpts(t *testing.T) {
	ex := Excerpts(explain.NewSources(fakeTree(t)))
	if len(ex) < 50 {
		t.Fatalf("%d excerpts, want one per cited location", len(ex))
	}
	sn, ok := ex["fs/direct-io.c@before:267"]
	if !ok {
		t.Fatal("no excerpt of fs/direct-io.c@before:267 (the bio path's aio_complete)")
	}
	if len(sn.Lines) != 1 || sn.Lines[0].N != 267 || sn.Lines[0].Text != "placeholder line 267" || !sn.Lines[0].Cited {
		t.Errorf("excerpt of one cited line: %+v", sn.Lines)
	}
	for loc, sn := range ex {
		l, _ := explain.ParseLocation(loc)
		for _, line := range sn.Lines {
			if !line.Cited || line.N != 0 && (line.N < l.First || line.N > l.Last) {
				t.Errorf("%s: line %d (%q) is not cited", loc, line.N, line.Text)
			}
		}
	}
}

// TestBuild writes a site with a stand-in WebAssembly module and the
// excerpts.
func TestBuild(t *testing.T) {
	stub := filepath.Join(t.TempDir(), "main.wasm")
	os.WriteFile(stub, []byte("\x00asm"), 0o644)
	dir := filepath.Join(t.TempDir(), "site")
	if err := Build(dir, Options{Wasm: stub, Sources: explain.NewSources(fakeTree(t))}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"index.html", "app.js", "worker.js", "style.css", "wasm_exec.js", "main.wasm"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "source.json"))
	if err != nil {
		t.Fatal(err)
	}
	var ex map[string]*explain.Snippet
	if err := json.Unmarshal(b, &ex); err != nil || len(ex) == 0 {
		t.Errorf("source.json: %d excerpts, %v", len(ex), err)
	}
}
