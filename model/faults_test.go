package model

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"diosim/sim"
)

// fired is a run's end as the fault tests see it: the faults that fired
// (step id and outcome name, in the order they fired) and the result the
// iocb's owner got.
type fired struct {
	faults string
	res    int64
	pages  int8 // pages left in the page cache
}

// faultEnds explores every interleaving and every fault outcome of sc on
// m and returns each distinct end, with the faults fired on the way.
func faultEnds(t *testing.T, m *Model, sc *sim.Scenario) map[fired]bool {
	t.Helper()
	out := map[fired]bool{}
	seen := map[string]bool{}
	var walk func(s *sim.State, path string)
	walk = func(s *sim.State, path string) {
		k := string(s.Encode(nil)) + "|" + path
		if seen[k] {
			return
		}
		seen[k] = true
		if len(seen) > 200000 {
			t.Fatalf("%d states: the scenario is too large for this test", len(seen))
		}
		moves := m.Moves(s, nil)
		if len(moves) == 0 {
			f := s.Reqs[0].Facts
			res := f.FirstRes
			if f.Deliveries == 0 {
				res = 1 // never delivered: no result
			}
			out[fired{path, res, s.Inode.NrPages}] = true
			return
		}
		for _, mv := range moves {
			p := path
			if mv.Choice > 0 {
				p += " " + m.Next(s, mv.Actor).ID + "=" + m.OutcomeName(s, mv.Actor, mv.Choice)
			}
			n := s.Clone()
			m.Apply(n, mv)
			walk(n, p)
		}
	}
	walk(m.Init(sc), "")
	return out
}

func parseScn(t *testing.T, s string) *sim.Scenario {
	t.Helper()
	sc, err := sim.ParseScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	return &sc
}

// endsByFaults groups the results of the ends by the faults fired.
func endsByFaults(ends map[fired]bool) map[string][]int64 {
	by := map[string][]int64{}
	for e := range ends {
		by[strings.TrimSpace(e.faults)] = append(by[strings.TrimSpace(e.faults)], e.res)
	}
	for k := range by {
		sort.Slice(by[k], func(i, j int) bool { return by[k][i] < by[k][j] })
	}
	return by
}

// TestXFSOSyncTail: xfs_write's own O_SYNC tail (xfs_lrw.c@v2.6.20:904-932)
// runs only for a write that returns bytes (ret > 0); its log force and its
// sync_page_range may each fail (fault osync), and the write then returns
// -EIO. A synchronous write always reaches it (in v2.6.18 too: XFS's
// write(2) is do_sync_write over xfs_file_aio_write). An AIO write reaches
// it only when the direct-I/O code returned bytes: once the seed patch
// stopped the callers' translation into -EIOCBQUEUED (after, v2.6.20), an
// extending write (not async) and a write whose bios all completed before
// the submitter dropped its reference do; in v2.6.18 and before
// generic_file_direct_write turns every complete AIO write into
// -EIOCBQUEUED, and the tail is skipped.
func TestXFSOSyncTail(t *testing.T) {
	const (
		logforce = "xfs_write:osync-logforce=logforce:-EIO"
		srange   = "xfs_write:osync-range=osync:-EIO"
	)
	for _, c := range []struct {
		scn     string
		vers    []string
		reached bool
	}{
		{"op=write mode=sync blocks=1 place=inside osync=true fs=xfs faults=osync", []string{"v2.6.18", "before", "after", "v2.6.20"}, true},
		{"op=write mode=async blocks=1 place=inside osync=true fs=xfs faults=osync", []string{"v2.6.18", "before"}, false},
		{"op=write mode=async blocks=1 place=inside osync=true fs=xfs faults=osync", []string{"after", "v2.6.20"}, true},
		{"op=write mode=async blocks=1 place=extend osync=true fs=xfs faults=osync", []string{"v2.6.18", "before"}, false},
		{"op=write mode=async blocks=1 place=extend osync=true fs=xfs faults=osync", []string{"after", "v2.6.20"}, true},
	} {
		for _, ver := range c.vers {
			m, err := Lookup(ver)
			if err != nil {
				t.Fatal(err)
			}
			by := endsByFaults(faultEnds(t, m, parseScn(t, c.scn)))
			for _, f := range []string{logforce, srange} {
				res, ok := by[f]
				if ok != c.reached {
					t.Errorf("%s %s: the tail's fault %s fires alone: %v, want %v (ends %v)", ver, c.scn, f, ok, c.reached, by)
					continue
				}
				if ok && (len(res) != 1 || res[0] != -sim.EIO) {
					t.Errorf("%s %s: after %s the write returns %v, want only -EIO", ver, c.scn, f, res)
				}
			}
			if c.reached {
				if res := by[""]; len(res) != 1 || res[0] != sim.BlockSize {
					t.Errorf("%s %s: with no fault the write returns %v, want %d", ver, c.scn, res, sim.BlockSize)
				}
			}
		}
	}
}

// TestSyncRangeFault: from 2.6.19 on a short direct write (a hole) syncs
// its buffered part with do_sync_file_range (mm/filemap.c@v2.6.20:2300-2325);
// when that fails the write returns the bytes written directly (one block,
// the hole being at block 1), or -EIO when there were none (the hole at
// block 0), and the pages stay in the page cache. v2.6.18 has no such
// sync: the fault has no point to fire at. Without it every run returns
// the whole count.
func TestSyncRangeFault(t *testing.T) {
	const scn = "op=write mode=sync blocks=2 place=inside osync=false fs=generic faults=hole,syncrange"
	const sr = "__generic_file_aio_write_nolock:buffered-sync=syncrange:-EIO"
	for _, ver := range []string{"v2.6.18", "before", "after", "v2.6.20"} {
		m, err := Lookup(ver)
		if err != nil {
			t.Fatal(err)
		}
		failed, other := map[int64]bool{}, map[int64]bool{}
		for e := range faultEnds(t, m, parseScn(t, scn)) {
			if !strings.Contains(e.faults, sr) {
				other[e.res] = true
				continue
			}
			failed[e.res] = true
			if e.pages == 0 {
				t.Errorf("%s: after %q the page cache was invalidated, want its pages kept", ver, e.faults)
			}
		}
		want := map[int64]bool{sim.BlockSize: true, -sim.EIO: true}
		if ver == "v2.6.18" {
			want = map[int64]bool{}
		}
		if !reflect.DeepEqual(failed, want) {
			t.Errorf("%s: results after a failed do_sync_file_range %v, want %v", ver, failed, want)
		}
		if !reflect.DeepEqual(other, map[int64]bool{2 * sim.BlockSize: true}) {
			t.Errorf("%s: results without the fault %v, want only %d", ver, other, 2*sim.BlockSize)
		}
	}
}

// TestSyncRangeNeedsSyncWrite: the fault is refused for reads and for AIO
// writes (whose retry of the remainder the model does not express).
func TestSyncRangeNeedsSyncWrite(t *testing.T) {
	for _, c := range []struct {
		scn string
		ok  bool
	}{
		{"op=write mode=sync blocks=2 place=inside osync=false fs=generic faults=hole,syncrange", true},
		{"op=write mode=async blocks=2 place=inside osync=false fs=generic faults=hole,syncrange", false},
		{"op=read mode=sync blocks=2 place=inside osync=false fs=generic faults=syncrange", false},
	} {
		_, err := sim.ParseScenario(c.scn)
		if (err == nil) != c.ok {
			t.Errorf("%s: error %v, want ok=%v", c.scn, err, c.ok)
		}
	}
}
