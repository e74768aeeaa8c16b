package explain

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseLocation(t *testing.T) {
	cases := []struct {
		in   string
		want Location
		ok   bool
	}{
		{"fs/direct-io.c@before:289", Location{"fs/direct-io.c", "before", 289, 289}, true},
		{"fs/direct-io.c@after:386-391", Location{"fs/direct-io.c", "after", 386, 391}, true},
		{"fs/xfs/linux-2.6/xfs_aops.c@v2.6.18:1408", Location{"fs/xfs/linux-2.6/xfs_aops.c", "v2.6.18", 1408, 1408}, true},
		{"userspace:stat", Location{}, false},
		{"fs/aio.c@v2.6.20", Location{}, false},
		{"fs/aio.c@:12", Location{}, false},
		{"@v1:3", Location{}, false},
		{"fs/aio.c@v1:0", Location{}, false},
		{"fs/aio.c@v1:9-3", Location{}, false},
		{"fs/aio.c@v1:x", Location{}, false},
	}
	for _, c := range cases {
		got, ok := ParseLocation(c.in)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseLocation(%q) = %+v, %v; want %+v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// render flattens a snippet as "> 5 text" lines.
func render(sn *Snippet) string {
	if sn == nil {
		return "<nil>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", sn.File)
	for _, l := range sn.Lines {
		mk := " "
		if l.Cited {
			mk = ">"
		}
		fmt.Fprintf(&b, "%s%d %s\n", mk, l.N, l.Text)
	}
	return b.String()
}

func TestSnippet(t *testing.T) {
	cases := []struct {
		name, loc string
		want      string // render of the snippet
		note      string // part of the note ("": none)
	}{
		{"one line, versioned layout", "fs/demo.c@v1:6",
			"fs/demo.c@v1\n 4 void demo_first(void)\n 5 {\n>6         demo_counter = 1;\n 7         /* two lines cited together */\n 8         demo_counter++;\n", ""},
		{"range", "fs/demo.c@v1:7-8",
			"fs/demo.c@v1\n 5 {\n 6         demo_counter = 1;\n>7         /* two lines cited together */\n>8         demo_counter++;\n 9 }\n 10 \n", ""},
		{"flat layout", "fs/flat.c@v9:2",
			"fs/flat.c@v9\n 1 /* flat.c: a made-up file found without a version directory */\n>2 int flat_value = 1;\n 3 int flat_other = 2;\n", ""},
		{"past the end", "fs/flat.c@v9:7", "<nil>", "has 3 lines, the step cites line 7"},
		{"no file", "userspace:stat", "<nil>", ""},
		{"escaping path", "../../etc/passwd@v1:1", "<nil>", "is not a path inside"},
	}
	src := NewSources("testdata/src")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sn, note := src.Snippet(c.loc)
			if got := render(sn); got != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
			if c.note == "" && note != "" || !strings.Contains(note, c.note) {
				t.Errorf("note %q, want one containing %q", note, c.note)
			}
		})
	}
}

func TestSnippetLongRange(t *testing.T) {
	src := NewSources("testdata/src")
	src.MaxCited = 4
	src.Context = 1
	sn, _ := src.Snippet("fs/demo.c@v1:2-13")
	got := render(sn)
	want := "fs/demo.c@v1\n 1 /* demo.c: a made-up file for the tests of package explain */\n>2 int demo_counter;\n>3 \n>0 ... (8 more cited lines)\n>12 {\n>13         demo_counter = 0;\n 14 }\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
}

// TestSnippetMissingOnce: a missing file is reported once, then skipped.
func TestSnippetMissingOnce(t *testing.T) {
	src := NewSources("testdata/src")
	sn, note := src.Snippet("fs/missing.c@v1:3")
	if sn != nil || !strings.Contains(note, "no file for fs/missing.c@v1") {
		t.Fatalf("first: %v %q", sn, note)
	}
	for _, loc := range []string{"fs/missing.c@v1:3", "fs/missing.c@v1:9-10"} {
		if sn, note := src.Snippet(loc); sn != nil || note != "" {
			t.Errorf("%s again: %v %q, want nothing", loc, sn, note)
		}
	}
	// Another version of the same path is another file.
	if _, note := src.Snippet("fs/missing.c@v2:3"); note == "" {
		t.Error("a second missing file was not reported")
	}
}

func TestExpandTabs(t *testing.T) {
	for in, want := range map[string]string{"\tx": "        x", "ab\tc": "ab      c", "none": "none", "12345678\t9": "12345678        9"} {
		if got := expandTabs(in); got != want {
			t.Errorf("expandTabs(%q) = %q, want %q", in, got, want)
		}
	}
}
