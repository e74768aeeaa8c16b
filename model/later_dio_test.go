package model

import (
	"sort"
	"strings"
	"testing"

	"diosim/sim"
)

// walkMoves explores every interleaving of scenario sc on version ver
// (states deduplicated by their encoding) and calls f on every move: the
// state before it, the step it runs, and the state after it. end is called
// on every state where no move is left.
func walkMoves(t *testing.T, ver, sc string, f func(before *sim.State, st *Step, after *sim.State), end func(s *sim.State)) {
	t.Helper()
	m, err := Lookup(ver)
	if err != nil {
		t.Fatal(err)
	}
	scn, err := sim.ParseScenario(sc)
	if err != nil {
		t.Fatal(err)
	}
	walkStates(t, m, &scn, f, end)
}

func sortedKeys(set map[string]bool) string {
	var out []string
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestRefcountBugOnRemoved: up to 2.6.21 direct_io_worker tests
// BUG_ON(!dio->is_async && ret2 != 0) after dropping its reference, and
// loading dio->is_async there is a use after free when a bio completion
// dropped the last reference and freed the dio in between; 2.6.22 ("dio:
// remove bogus refcounting BUG_ON") no longer reads the dio there, and no
// interleaving uses the dio after its free.
func TestRefcountBugOnRemoved(t *testing.T) {
	const sc = "op=read mode=async blocks=1 place=inside osync=false fs=generic faults=none"
	for _, c := range []struct {
		ver  string
		want string // the steps at which a use after free of the dio happens
	}{
		{"v2.6.20", "direct_io_worker:check-ref"},
		{"v2.6.21", "direct_io_worker:check-ref"},
		{"v2.6.22", ""},
		{"v2.6.32", ""},
		{"v2.6.36", ""},
	} {
		uaf := map[string]bool{}
		walkMoves(t, c.ver, sc, func(before *sim.State, st *Step, after *sim.State) {
			b, a := &before.Reqs[0].Facts, &after.Reqs[0].Facts
			if b.MemErr == "" && a.MemErr != "" && a.MemErrObj == sim.ObjDio {
				uaf[st.ID] = true
			}
		}, nil)
		if got := sortedKeys(uaf); got != c.want {
			t.Errorf("%s: the dio is used after its free at [%s], want [%s]", c.ver, got, c.want)
		}
	}
}

// TestDioCompleteIsAsync: in 2.6.36 dio_complete calls aio_complete
// itself (for a filesystem without an end_io) only when is_async, that is
// when the bio completion dropped the last reference after the submitter
// returned -EIOCBQUEUED; when the submitter drops it, it returns the
// result and the AIO core completes the iocb. Up to 2.6.32 the same split
// is made by dio_bio_end_aio calling aio_complete after dio_complete.
func TestDioCompleteIsAsync(t *testing.T) {
	const sc = "op=read mode=async blocks=2 place=inside osync=false fs=generic faults=none"
	for _, c := range []struct {
		ver  string
		from string // the function whose step calls aio_complete from fs/direct-io.c
	}{
		{"v2.6.22", "dio_bio_end_aio"},
		{"v2.6.32", "dio_bio_end_aio"},
		{"v2.6.36", "dio_complete"},
	} {
		from := map[string]bool{}
		queued, returned := 0, 0
		walkMoves(t, c.ver, sc, func(before *sim.State, st *Step, after *sim.State) {
			if after.Reqs[0].Facts.DioCompletes > before.Reqs[0].Facts.DioCompletes {
				from[st.Loc.Func] = true
			}
		}, func(s *sim.State) {
			f := &s.Reqs[0].Facts
			wantDio := int8(0)
			if f.RetryRet == eiocbqueued {
				wantDio = 1
				queued++
			} else {
				returned++
			}
			if f.Deliveries != 1 || f.DioCompletes != wantDio {
				t.Errorf("%s: ki_retry returned %s, the iocb was completed %d times, %d of them from fs/direct-io.c; want once, %d from fs/direct-io.c",
					c.ver, ErrName(f.RetryRet), f.Deliveries, f.DioCompletes, wantDio)
			}
		})
		if got := sortedKeys(from); got != c.from {
			t.Errorf("%s: aio_complete called from fs/direct-io.c in [%s], want [%s]", c.ver, got, c.from)
		}
		if queued == 0 || returned == 0 {
			t.Errorf("%s: %d runs returned -EIOCBQUEUED and %d returned the result; the test needs both", c.ver, queued, returned)
		}
	}
}

// TestXFSReadsHaveNoEndIO: from 2.6.36 XFS passes an end_io for direct
// writes only, so a direct read's dio_complete calls no XFS code (before,
// it called xfs_end_io_direct for reads too).
func TestXFSReadsHaveNoEndIO(t *testing.T) {
	const sc = "op=read mode=async blocks=1 place=inside osync=false fs=xfs faults=none"
	for _, c := range []struct {
		ver   string
		endIO bool
	}{
		{"v2.6.32", true},
		{"v2.6.36", false},
	} {
		ran := false
		walkMoves(t, c.ver, sc, func(before *sim.State, st *Step, after *sim.State) {
			if st.Loc.File == xfsFile && strings.HasPrefix(st.Loc.Func, "xfs_end_io") {
				ran = true
			}
		}, nil)
		if ran != c.endIO {
			t.Errorf("%s: an XFS end_io ran for a direct read: %v, want %v", c.ver, ran, c.endIO)
		}
	}
}

// TestTrimFailedExtendingWrite: from 2.6.29 (here v2.6.32)
// __blockdev_direct_IO truncates what a failed extending DIO_LOCKING write
// instantiated past i_size; before, the data the failed write put there
// stays in the blocks. (In 2.6.36 the trim is the filesystems' job, in
// code the model does not have.)
func TestTrimFailedExtendingWrite(t *testing.T) {
	const sc = "op=write mode=sync blocks=2 place=extend osync=false fs=generic faults=eio"
	for _, c := range []struct {
		ver  string
		kept bool // some failed write leaves its data past i_size
	}{
		{"v2.6.22", true},
		{"v2.6.32", false},
	} {
		failed, kept := 0, false
		walkMoves(t, c.ver, sc, nil, func(s *sim.State) {
			if s.Reqs[0].Facts.FirstRes >= 0 {
				return
			}
			failed++
			for b, d := range s.Inode.Data {
				if int64(b)*sim.BlockSize >= s.Inode.ISize && d != 0 {
					kept = true
				}
			}
		})
		if failed == 0 {
			t.Fatalf("%s: no run of %q fails", c.ver, sc)
		}
		if kept != c.kept {
			t.Errorf("%s: a failed extending write leaves data past i_size: %v, want %v", c.ver, kept, c.kept)
		}
	}
}
