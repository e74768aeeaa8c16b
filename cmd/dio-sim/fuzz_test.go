package main

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzArgs: whatever the command line, dio-sim exits 0 to 3 without
// panicking, a usage error is one line, and no control byte reaches the
// terminal. The input is the arguments separated by NUL bytes. Every
// search runs with a cancelled context (as after Ctrl-C), so each input
// is quick; the work happens in a temporary directory.
func FuzzArgs(f *testing.F) {
	for _, args := range []string{
		"check\x00--version\x00before\x00--scenario\x00double-completion",
		"check\x00--version\x00after\x00--strategy\x00exhaustive\x00--max-states\x0010\x00--shard\x000/2",
		"check\x00--version\x00v2.6.20\x00--op\x00write\x00--blocks\x003\x00--faults\x00hole,eio\x00--iocbs\x003\x00--strategy\x00rapid\x00--timeout\x001s",
		"--strategy\x00random\x00--runs\x005\x00--json",
		"merge\x00a.json\x00--json",
		"replay\x00--brief\x00x.trace",
		"explain\x00--html\x00-o\x00x.html\x00x.trace",
		"play\x00--version\x00before",
		"bench\x00--max-n\x003",
		"help\x00check",
		"versions",
		"--version\x00before",
		"check\x00--scenario\x00\x00--version\x00after",
	} {
		f.Add([]byte(args))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) > 512 {
			return
		}
		var args []string
		if len(in) > 0 {
			args = strings.Split(string(in), "\x00")
		}
		t.Chdir(t.TempDir())
		old := playInput
		playInput = strings.NewReader("")
		defer func() { playInput = old }()
		var o, e bytes.Buffer
		code := runContext(cancelled(), args, &o, &e)
		if code < 0 || code > 3 {
			t.Fatalf("%q: exit %d", args, code)
		}
		if code == exitUsage && e.Len() > 0 && (strings.Count(e.String(), "\n") != 1 || !strings.HasPrefix(e.String(), "dio-sim: ")) {
			// A usage error is one line (other lines on stderr only come
			// from a search, which a cancelled context does not run).
			if !strings.Contains(e.String(), "dio-sim: replacing") && !strings.Contains(e.String(), "dio-sim: kept") {
				t.Fatalf("%q: stderr is not one line: %q", args, e.String())
			}
		}
		for _, out := range []string{o.String(), e.String()} {
			if strings.ContainsAny(out, "\x1b\a") || !utf8.ValidString(out) {
				t.Fatalf("%q: control bytes or invalid UTF-8 in the output: %q", args, out)
			}
		}
	})
}
