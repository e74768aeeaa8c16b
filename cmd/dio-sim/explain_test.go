package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"diosim/explain"
)

var ansiRe = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestExplainText(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		columns string // $COLUMNS
		width   int    // no line wider
		color   bool
	}{
		{"default", []string{"explain", dcTrace}, "", 100, false},
		{"COLUMNS", []string{"explain", dcTrace}, "72", 72, false},
		{"--width wins over COLUMNS", []string{"explain", "--width", "140", dcTrace}, "72", 140, false},
		{"--color always", []string{"explain", "--color", "always", dcTrace}, "", 100, true},
		{"--color never", []string{"explain", "--color", "never", dcTrace}, "", 100, false},
		{"flags after the trace", []string{"explain", dcTrace, "--width", "90"}, "", 90, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("COLUMNS", c.columns)
			code, out, stderr := runCLI(c.args...)
			if code != 1 {
				t.Fatalf("exit %d, want 1 (the trace breaks a property): %s", code, stderr)
			}
			if has := strings.Contains(out, "\x1b["); has != c.color {
				t.Errorf("escape codes %v, want %v", has, c.color)
			}
			plain := ansiRe.ReplaceAllString(out, "")
			for i, l := range strings.Split(plain, "\n") {
				if len(l) > c.width {
					t.Errorf("line %d is %d wide, more than %d: %q", i+1, len(l), c.width, l)
				}
			}
			for _, want := range []string{"dio-sim explain:", "lanes: submitter, bio0", "What went wrong", "!! exactly-once broke here", "Steps to look at:"} {
				if !strings.Contains(plain, want) {
					t.Errorf("output lacks %q", want)
				}
			}
		})
	}
}

func TestExplainHTML(t *testing.T) {
	dir := t.TempDir()
	page := filepath.Join(dir, "page.html")
	code, out, stderr := runCLI("explain", "--html", dcTrace, "-o", page)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if out != "wrote "+page+": 41 steps, 2 violations\n" {
		t.Errorf("stdout %q", out)
	}
	data, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "<!DOCTYPE html>") || !strings.Contains(string(data), `id="trace-data"`) {
		t.Errorf("not the page: %.200s", data)
	}
	// To standard output, the same page.
	code, out, _ = runCLI("explain", "--html", dcTrace)
	if code != 1 || out != string(data) {
		t.Errorf("exit %d; the page on stdout differs from the file", code)
	}
}

// TestExplainSource shows made-up source lines around each step, and says
// once that a file is missing.
func TestExplainSource(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"before/fs/direct-io.c", "mm/filemap.c"} {
		var b strings.Builder
		for i := 1; i <= 1300; i++ {
			fmt.Fprintf(&b, "made-up line %d\n", i)
		}
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := runCLI("explain", "--source", dir, "--width", "120", dcTrace)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{">   267  made-up line 267", "    268  made-up line 268", ">  1184  made-up line 1184"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if n := strings.Count(out, "no file for fs/aio.c@v2.6.20"); n != 1 {
		t.Errorf("the missing fs/aio.c is reported %d times, want 1", n)
	}
	code, out, _ = runCLI("explain", "--html", "--source", dir, dcTrace)
	if code != 1 || !strings.Contains(out, `"text":"made-up line 267","cited":true`) {
		t.Errorf("exit %d; the page has no source lines", code)
	}
}

func TestExplainBadInput(t *testing.T) {
	orig, err := os.ReadFile(dcTrace)
	if err != nil {
		t.Fatal(err)
	}
	text := string(orig)
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"no trace", []string{"explain"}, "give exactly one trace file"},
		{"two traces", []string{"explain", dcTrace, dcTrace}, "give exactly one trace file"},
		{"missing file", []string{"explain", "/nonexistent/x.trace"}, "no such file"},
		{"not a trace", []string{"explain", writeTemp(t, "<html>not a trace</html>\n")}, "not a dio-sim trace"},
		{"truncated", []string{"explain", writeTemp(t, text[:len(text)/2])}, "truncated trace"},
		{"edited", []string{"explain", writeTemp(t, strings.Replace(text, "refcount: 1->2", "refcount: 1->7", 1))}, "diverges from the model"},
		{"bad colour", []string{"explain", "--color", "pink", dcTrace}, "unknown --color"},
		{"bad width", []string{"explain", "--width", "-3", dcTrace}, "--width must be between"},
		{"source not a directory", []string{"explain", "--source", dcTrace, dcTrace}, "is not a directory"},
		{"unknown flag", []string{"explain", "--colour", dcTrace}, "flag provided but not defined"},
		{"unwritable output", []string{"explain", "-o", "/nonexistent/dir/x.html", dcTrace}, "no such file"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runCLI(c.args...)
			if code != 2 {
				t.Errorf("exit %d, want 2 (stderr %q)", code, stderr)
			}
			if !strings.Contains(stderr, c.want) {
				t.Errorf("stderr %q does not say %q", stderr, c.want)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "dio-sim: ") {
				t.Errorf("stderr is not one line: %q", stderr)
			}
		})
	}
}

func TestExplainPlayHelp(t *testing.T) {
	for _, args := range [][]string{{"explain", "-h"}, {"play", "-h"}} {
		code, out, _ := runCLI(args...)
		if code != 0 || !strings.Contains(out, "Usage: dio-sim "+args[0]) {
			t.Errorf("%v: exit %d\n%s", args, code, out)
		}
	}
	code, out, _ := runCLI("help")
	if code != 0 || !strings.Contains(out, "dio-sim explain [flags] TRACE\n") || !strings.Contains(out, "dio-sim play --version V") {
		t.Errorf("help does not list explain and play:\n%s", out)
	}
}

// TestPrintSource checks the helper meant for `replay --source`.
func TestPrintSource(t *testing.T) {
	var b strings.Builder
	printSource(&b, nil, "fs/demo.c@v1:6", "  ")
	if b.Len() != 0 {
		t.Errorf("no sources: %q", b.String())
	}
	src := explain.NewSources("../../explain/testdata/src")
	printSource(&b, src, "fs/demo.c@v1:6", "  ")
	printSource(&b, src, "fs/gone.c@v1:6", "  ")
	printSource(&b, src, "fs/gone.c@v1:7", "  ")
	printSource(&b, src, "userspace:stat", "  ")
	want := "        4  void demo_first(void)\n        5  {\n  >     6          demo_counter = 1;\n" +
		"        7          /* two lines cited together */\n        8          demo_counter++;\n" +
		"  (source: no file for fs/gone.c@v1 (looked for ../../explain/testdata/src/v1/fs/gone.c and ../../explain/testdata/src/fs/gone.c))\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}
