package main

import (
	"strings"
	"testing"
)

// TestDiffSeedPatch: `dio-sim diff before after` prints the seed patch
// step by step: the steps it replaces, adds and removes, with citations on
// both sides.
func TestDiffSeedPatch(t *testing.T) {
	code, out, errOut := runCLI("diff", "before", "after")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"before -> after",
		`patch: dio: only call aio_complete() after returning -EIOCBQUEUED (before -> after)`,
		// direct_io_worker decides: -EIOCBQUEUED or wait, then drops its reference.
		"+ direct_io_worker:queue-or-wait  fs/direct-io.c@after:1085-1091",
		"- direct_io_worker:async-should-wait  fs/direct-io.c@before:1088-1096",
		// dio_complete_aio is gone; the last reference completes in dio_bio_end_aio.
		"- dio_complete_aio:aio-complete  fs/direct-io.c@before:267",
		"+ dio_bio_end_aio:aio-complete  fs/direct-io.c@after:286",
		// dio_complete maps -EIOCBQUEUED to 0.
		"~ dio_complete:transferred  fs/direct-io.c@before:227-234 -> fs/direct-io.c@after:235-243",
		// the callers stop translating; the O_SYNC sync runs for -EIOCBQUEUED.
		"~ generic_file_aio_read:return  mm/filemap.c@before:1184-1192 -> mm/filemap.c@v2.6.20:1184-1190",
		"~ generic_file_direct_write:osync  mm/filemap.c@before:2052-2059 -> mm/filemap.c@v2.6.20:2050-2056",
		// XFS keeps its ioend unless the request was queued.
		"~ xfs_vm_direct_IO:test-private  fs/xfs/linux-2.6/xfs_aops.c@v2.6.18:1407 -> fs/xfs/linux-2.6/xfs_aops.c@v2.6.20:1409",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("diff before after lacks %q", want)
		}
	}
	if strings.Contains(out, "= ") && !strings.Contains(out, "only moved") {
		t.Error("moved steps listed without --moved")
	}
	code, moved, _ := runCLI("diff", "--moved", "before", "after")
	if code != exitOK || !strings.Contains(moved, "= dio_bio_submit:submit  fs/direct-io.c@before:357-362 -> fs/direct-io.c@after:351-356") {
		t.Errorf("diff --moved: exit %d, no moved dio_bio_submit:submit step", code)
	}
	// A version against itself: nothing.
	if code, out, _ := runCLI("diff", "after", "after"); code != exitOK || !strings.Contains(out, "0 steps replaced, 0 added, 0 removed; 0 only moved") {
		t.Errorf("diff after after: %d %q", code, out)
	}
}

func TestDiffBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"diff"},
		{"diff", "after"},
		{"diff", "after", "nope"},
		{"diff", "after", "before", "v2.6.20"},
	} {
		code, _, errOut := runCLI(args...)
		if code != exitUsage || strings.Count(strings.TrimSpace(errOut), "\n") != 0 || !strings.HasPrefix(errOut, "dio-sim: ") {
			t.Errorf("%v: exit %d, %q: want one line and exit 2", args, code, errOut)
		}
	}
}
