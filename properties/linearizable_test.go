package properties_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/anishathalye/porcupine"

	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// Helpers that write histories by hand: c* is a call, r* a return.
func cW(id int8, pos, n int64) sim.HistEvent {
	return sim.HistEvent{Op: sim.HistWrite, ID: id, Pos: pos, Len: n}
}
func rW(id int8, pos, n, val int64) sim.HistEvent {
	return sim.HistEvent{Return: true, Op: sim.HistWrite, ID: id, Pos: pos, Len: n, Val: val}
}
func cR(id int8, pos, n int64) sim.HistEvent {
	return sim.HistEvent{Op: sim.HistRead, ID: id, Pos: pos, Len: n}
}
func rR(id int8, pos, n, val int64) sim.HistEvent {
	return sim.HistEvent{Return: true, Op: sim.HistRead, ID: id, Pos: pos, Len: n, Val: val}
}
func cS(id, client int8) sim.HistEvent {
	return sim.HistEvent{Op: sim.HistStat, ID: id, Client: client}
}
func rS(id, client int8, size int64) sim.HistEvent {
	return sim.HistEvent{Return: true, Op: sim.HistStat, ID: id, Client: client, Val: size}
}
func cP(id, client int8, pos, n int64) sim.HistEvent {
	return sim.HistEvent{Op: sim.HistPread, ID: id, Client: client, Pos: pos, Len: n}
}
func rP(id, client int8, pos, n, val int64, data ...byte) sim.HistEvent {
	return sim.HistEvent{Return: true, Op: sim.HistPread, ID: id, Client: client, Pos: pos, Len: n, Val: val, Data: string(data)}
}

const bs = sim.BlockSize

func TestCheckHistory(t *testing.T) {
	// A 2-block write extending a 1-block file (i_size 4096 -> 8192).
	extend := sim.Scenario{Op: sim.Write, Blocks: 2, Place: sim.Extend}
	inside := sim.Scenario{Op: sim.Write, Blocks: 2}
	xfs := sim.Scenario{Op: sim.Write, Blocks: 2, FS: sim.XFS}
	read := sim.Scenario{Op: sim.Read, Blocks: 2}
	pastEOF := sim.Scenario{Op: sim.Read, Blocks: 2, Place: sim.PastEOF} // i_size 6144
	two := sim.Scenario{Op: sim.Write, Blocks: 1, Place: sim.Extend, Iocbs: 2}
	const w0, w1, old = 1, 2, 0
	type want int
	const (
		ok want = iota
		illegal
		malformed
	)
	cases := []struct {
		name  string
		sc    sim.Scenario
		h     []sim.HistEvent
		ended bool
		want  want
		msg   string // a substring of Msg
	}{
		{"empty", extend, nil, true, ok, ""},
		{"write, then stat and pread see it", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, 2*bs), cS(1, 1), rS(1, 1, 2*bs), cP(2, 1, 0, 2*bs), rP(2, 1, 0, 2*bs, 2*bs, w0, w0)}, true, ok, ""},
		{"stale i_size after the write returned", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, 2*bs), cS(1, 1), rS(1, 1, bs)}, true, illegal,
			"the longest linearizable prefix is ([0]), reaching i_size 8192; blocks: w0 w0"},
		{"stat during the write sees the old size", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), cS(1, 1), rS(1, 1, bs), rW(0, 0, 2*bs, 2*bs)}, true, ok, ""},
		{"stat during the write sees the new size", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), cS(1, 1), rS(1, 1, 2*bs), rW(0, 0, 2*bs, 2*bs)}, true, ok, ""},
		{"stat sees the new size, then the old one", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), cS(1, 1), rS(1, 1, 2*bs), cS(2, 1), rS(2, 1, bs), rW(0, 0, 2*bs, 2*bs)}, true, illegal, ""},
		{"pread after the write returned sees an unconverted unwritten extent", xfs, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, 2*bs), cS(1, 1), rS(1, 1, 2*bs), cP(2, 1, 0, 2*bs), rP(2, 1, 0, 2*bs, 2*bs, old, old)}, true, illegal,
			"pread[0,8192) -> 8192 [old old]"},
		{"pread after the write returned, one block old", inside, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, 2*bs), cP(1, 1, 0, 2*bs), rP(1, 1, 0, 2*bs, 2*bs, w0, old)}, true, illegal, ""},
		{"pread during the write sees the old contents", inside, []sim.HistEvent{
			cW(0, 0, 2*bs), cP(1, 1, 0, 2*bs), rP(1, 1, 0, 2*bs, 2*bs, old, old), rW(0, 0, 2*bs, 2*bs)}, true, ok, ""},
		{"write returns -EIOCBQUEUED to userspace", inside, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, -sim.EIOCBQUEUED)}, true, illegal, "-EIOCBQUEUED"},
		// A short write (a failed sync of a short direct write's buffered
		// part reports only the direct bytes): the reported bytes are
		// written, the rest may or may not be.
		{"short write", inside, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, bs)}, true, ok, ""},
		{"short write, the rest written too", inside, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, bs), cP(1, 1, 0, 2*bs), rP(1, 1, 0, 2*bs, 2*bs, w0, w0)}, true, ok, ""},
		{"short write, the rest old", inside, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, bs), cP(1, 1, 0, 2*bs), rP(1, 1, 0, 2*bs, 2*bs, w0, old)}, true, ok, ""},
		{"short write, a reported block old", inside, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, bs), cP(1, 1, 0, 2*bs), rP(1, 1, 0, 2*bs, 2*bs, old, w0)}, true, illegal, ""},
		{"short extending write, size past the reported bytes", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, bs), cS(1, 1), rS(1, 1, 2*bs)}, true, ok, ""},
		{"short extending write, size beyond the request", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, bs), cS(1, 1), rS(1, 1, 3*bs)}, true, illegal, ""},
		{"failed write, old size", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, -sim.EIO), cS(1, 1), rS(1, 1, bs)}, true, ok, ""},
		{"failed write, extended size, one block written", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, -sim.EIO), cS(1, 1), rS(1, 1, 2*bs), cP(2, 1, 0, 2*bs), rP(2, 1, 0, 2*bs, 2*bs, old, w0)}, true, ok, ""},
		{"failed write, size beyond the request", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, -sim.EIO), cS(1, 1), rS(1, 1, 3*bs)}, true, illegal, ""},
		{"failed write, then the size shrinks", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, -sim.EIO), cS(1, 1), rS(1, 1, 2*bs), cS(2, 1), rS(2, 1, bs)}, true, illegal, ""},
		{"failed write, then a block changes back", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), rW(0, 0, 2*bs, -sim.EIO), cS(1, 1), rS(1, 1, 2*bs),
			cP(2, 1, 0, 2*bs), rP(2, 1, 0, 2*bs, 2*bs, w0, w0), cP(3, 1, 0, 2*bs), rP(3, 1, 0, 2*bs, 2*bs, w0, old)}, true, illegal, ""},
		{"read of the whole file", read, []sim.HistEvent{cR(0, 0, 2*bs), rR(0, 0, 2*bs, 2*bs)}, true, ok, ""},
		{"read fails", read, []sim.HistEvent{cR(0, 0, 2*bs), rR(0, 0, 2*bs, -sim.EFAULT)}, true, ok, ""},
		{"short read inside the file", read, []sim.HistEvent{cR(0, 0, 2*bs), rR(0, 0, 2*bs, bs)}, true, illegal, ""},
		{"read past EOF is clamped", pastEOF, []sim.HistEvent{cR(0, 0, 2*bs), rR(0, 0, 2*bs, 2*bs-bs/2)}, true, ok, ""},
		{"read past EOF not clamped", pastEOF, []sim.HistEvent{cR(0, 0, 2*bs), rR(0, 0, 2*bs, 2*bs)}, true, illegal, ""},
		{"write in flight at a cut: both sizes possible", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), cS(1, 1), rS(1, 1, bs), cS(2, 1), rS(2, 1, 2*bs)}, false, ok, ""},
		{"write in flight: the size cannot shrink", extend, []sim.HistEvent{
			cW(0, 0, 2*bs), cS(1, 1), rS(1, 1, 2*bs), cS(2, 1), rS(2, 1, bs)}, false, illegal, ""},
		{"completion never reached userspace", extend, []sim.HistEvent{cW(0, 0, 2*bs)}, true, malformed,
			"iocb 0 (write) was submitted (event 0) but its completion never reached userspace"},
		{"double completion seen by userspace", read, []sim.HistEvent{
			cR(0, 0, 2*bs), rR(0, 0, 2*bs, 2*bs), rR(0, 0, 2*bs, -sim.EFAULT)}, true, malformed, "iocb 0 returned to userspace twice"},
		{"return without a call", read, []sim.HistEvent{rR(0, 0, 2*bs, 2*bs)}, true, malformed, "never called"},
		{"called twice", read, []sim.HistEvent{cR(0, 0, 2*bs), cR(0, 0, 2*bs)}, false, malformed, "called twice"},
		{"return of another operation", read, []sim.HistEvent{cR(0, 0, 2*bs), rR(0, 0, bs, bs)}, true, malformed, "its call a read"},
		{"stat with an iocb id", read, []sim.HistEvent{cS(0, 1), rS(0, 1, 0)}, true, malformed, "stat and pread follow them"},
		{"pread contents of the wrong length", inside, []sim.HistEvent{
			cP(1, 1, 0, 2*bs), rP(1, 1, 0, 2*bs, 2*bs, old)}, true, malformed, "contents of 1 blocks"},
		{"two iocbs: the second done, the first in flight", two, []sim.HistEvent{
			cW(0, 0, bs), cW(1, bs, bs), rW(1, bs, bs, bs), cS(2, 1), rS(2, 1, 2*bs), cP(3, 1, 0, 2*bs), rP(3, 1, 0, 2*bs, 2*bs, old, w1)}, false, ok, ""},
		{"two iocbs: the first never completes", two, []sim.HistEvent{
			cW(0, 0, bs), cW(1, bs, bs), rW(1, bs, bs, bs)}, true, malformed, "iocb 0 (write)"},
		{"two iocbs: stale size after both returned", two, []sim.HistEvent{
			cW(0, 0, bs), cW(1, bs, bs), rW(1, bs, bs, bs), rW(0, 0, bs, bs), cS(2, 1), rS(2, 1, bs)}, true, illegal, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := properties.CheckHistory(&c.sc, c.h, c.ended)
			got := ok
			switch {
			case v.Malformed:
				got = malformed
			case !v.OK:
				got = illegal
			}
			names := []string{"ok", "illegal", "malformed"}
			if got != c.want {
				t.Fatalf("verdict %s, want %s (%s)", names[got], names[c.want], v.Msg)
			}
			if !strings.Contains(v.Msg, c.msg) {
				t.Errorf("message %q does not contain %q", v.Msg, c.msg)
			}
			if v.OK != (v.Msg == "") {
				t.Errorf("OK %t with message %q", v.OK, v.Msg)
			}
			if !v.Malformed && v.Result != porcupine.Ok && v.Result != porcupine.Illegal {
				t.Errorf("result %q", v.Result)
			}
			if _, bad := v.Violation(); bad == v.OK {
				t.Errorf("Violation() disagrees with OK")
			}
			// The verdict and the message are deterministic.
			for i := 0; i < 20; i++ {
				if w := properties.CheckHistory(&c.sc, c.h, c.ended); w.Msg != v.Msg || w.OK != v.OK {
					t.Fatalf("run %d: %q, first %q", i, w.Msg, v.Msg)
				}
			}
		})
	}
}

// The stale i_size of the commit message: userspace reaps a 2-block write
// that extended the file, then stat still shows the old size.
func ExampleCheckHistory() {
	sc := sim.Scenario{Op: sim.Write, Blocks: 2, Place: sim.Extend} // i_size 4096
	h := []sim.HistEvent{
		{Op: sim.HistWrite, ID: 0, Pos: 0, Len: 8192},                          // io_submit
		{Return: true, Op: sim.HistWrite, ID: 0, Pos: 0, Len: 8192, Val: 8192}, // io_getevents
		{Op: sim.HistStat, ID: 1, Client: 1},
		{Return: true, Op: sim.HistStat, ID: 1, Client: 1, Val: 4096},
	}
	v := properties.CheckHistory(&sc, h, true)
	fmt.Println(v.OK, v.Malformed, v.Result)
	fmt.Println(v.Msg)
	// Output:
	// false false Illegal
	// history not linearizable: operations (call-return events): [0] iocb0 write[0,8192) -> 8192 (0-1); [1] stat() -> 4096 (2-3); the longest linearizable prefix is ([0]), reaching i_size 8192; blocks: w0 w0; no operation left can come next
}

// TestSequentialFastPath: on every committed trace's final history, the
// fast path for non-overlapping histories never says "linearizable" when
// the full check says otherwise.
func TestSequentialFastPath(t *testing.T) {
	files, _ := filepath.Glob("../testdata/traces/*/*.trace")
	if len(files) == 0 {
		t.Fatal("no traces")
	}
	for _, f := range files {
		tr, err := scheduler.ReadTraceFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := scheduler.Replay(tr)
		if err != nil {
			t.Fatal(err)
		}
		s := res.Final
		for cut := 0; cut <= len(s.History); cut++ {
			for _, ended := range []bool{false, true} {
				h := s.History[:cut]
				full := properties.CheckHistory(s.Scn, h, ended)
				fast := properties.SequentialOKForTest(s.Scn, h, ended)
				if fast && !full.OK {
					t.Errorf("%s: prefix %d ended %v: the fast path says linearizable, the full check: %s", f, cut, ended, full.Msg)
				}
			}
		}
	}
}
