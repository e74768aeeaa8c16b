package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"diosim/properties"
)

// TestStoryTable runs the main command once (exhaustive, every version)
// and checks its first table: the commit message's two bugs are found on
// v2.6.18 and before and proved absent on after and v2.6.20, before's use
// after free of the dio in dio_bio_end_aio is a row of its own, and the
// table fits in 100 columns.
func TestStoryTable(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := run([]string{"--json", "--trace-dir", dir}, &out, &errb); code != exitViolation {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep matrixReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Complete {
		t.Fatal("the search is not complete")
	}
	k := 0
	for _, n := range storyNames {
		if r := rep.Bugs[k]; r.Prop != n.prop || r.Kind != n.kind || r.Story == "" {
			t.Fatalf("row %d is %s, want the commit message's %s: %s", k, r.Signature, n.prop, n.kind)
		}
		for k < len(rep.Bugs) && rep.Bugs[k].Prop == n.prop && rep.Bugs[k].Kind == n.kind {
			k++
		}
		// Every row of this kind (one per step that broke it).
		found := map[string]bool{}
		absent := map[string]int{}
		rows := 0
		for _, r := range rep.Bugs {
			if r.Prop == n.prop && r.Kind == n.kind {
				rows++
				for v := range r.Versions {
					found[v] = true
				}
				for _, v := range r.AbsentOn {
					absent[v]++
				}
			}
		}
		for _, v := range []string{"v2.6.18", "before"} {
			if !found[v] {
				t.Errorf("%s: %s not found on %s", n.prop, n.kind, v)
			}
		}
		for _, v := range []string{"after", "v2.6.20"} {
			if found[v] || absent[v] != rows {
				t.Errorf("%s: %s not proved absent on %s", n.prop, n.kind, v)
			}
		}
	}
	uaf := false
	for _, r := range rep.Bugs {
		if r.Prop == properties.DioLifetime && r.Kind == "use after free of the dio" && r.StepID == "dio_bio_end_aio:reload-waiter" {
			b, ok := r.Versions["before"]
			uaf = ok && b.Where == "fs/direct-io.c@before:291" && b.Scenario == "aio-write-hole"
			if !strings.Contains(b.Trace, "before-aio-write-hole-dio-lifetime--use-after-free-of-the-dio--dio_bio_end_aio-reload-waiter.trace") {
				t.Errorf("the use after free's trace is %q", b.Trace)
			}
		}
	}
	if !uaf {
		t.Error("before's use after free of the dio at fs/direct-io.c@before:291 is not a row")
	}

	out.Reset()
	if code := run([]string{"--trace-dir", dir}, &out, &errb); code != exitViolation {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	text := out.String()
	story := text[:strings.Index(text, "\nproperty ")]
	for _, l := range strings.Split(story, "\n") {
		if n := utf8.RuneCountInString(l); n > 100 {
			t.Errorf("line of %d columns: %q", n, l)
		}
	}
	lines := strings.Split(story, "\n")
	// The cells of after and v2.6.20 in a row, by the header's order.
	var header []string
	for _, l := range lines {
		if strings.HasPrefix(l, "bug (how it broke, where)") {
			header = strings.Fields(strings.TrimPrefix(l, "bug (how it broke, where)"))
		}
	}
	cellsOf := func(row string) string {
		f := strings.Fields(row)
		f = f[len(f)-len(header):]
		var got []string
		for i, v := range header {
			if v == "after" || v == "v2.6.20" {
				got = append(got, f[i])
			}
		}
		return strings.Join(got, " ")
	}
	for i, l := range lines {
		if l == "the commit message's two bugs" {
			if got := cellsOf(lines[i+1]); !strings.HasPrefix(lines[i+1], "  exactly-once: double completion") || got != "— —" {
				t.Errorf("double completion row %q: after and v2.6.20 are %q", lines[i+1], got)
			}
			if got := cellsOf(lines[i+2]); !strings.HasPrefix(lines[i+2], "  isize-visible: stale i_size") || got != "— —" {
				t.Errorf("stale i_size row %q: after and v2.6.20 are %q", lines[i+2], got)
			}
			return
		}
	}
	t.Errorf("no commit message group in\n%s", story)
}
