package model

import (
	"testing"

	"diosim/sim"
)

// TestReadBackBlockStates: a reader sees what the C returns for each
// block state (issue 9, defect 2), on v2.6.20, over every interleaving:
// the reader right after reaping an XFS write may find the unwritten
// extent not converted yet (zeros), and at rest always finds the data;
// when one of the write's bios fails, dio_complete still calls
// xfs_end_io_direct with the whole dio->result (direct-io.c@v2.6.20:
// 246-248) and xfsdatad converts the failed block too (io_error is 0 on
// a direct-I/O ioend, xfs_aops.c@v2.6.20:189-190): the read at rest finds
// stale disk contents. An overwrite of written extents never reads zeros
// or stale contents; a generic write that extends the file allocates its
// last block, which reads back as the data once i_size covers it.
func TestReadBackBlockStates(t *testing.T) {
	m, err := Lookup("v2.6.20")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		scn  string
		want map[string]bool // every reading some end state's last pread gives, by sim.ContentName of each block, joined
	}{
		{"op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=none",
			map[string]bool{"w0": true, "zeros": true}},
		{"op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=none observe=at-rest",
			map[string]bool{"w0": true}},
		{"op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=eio observe=at-rest",
			map[string]bool{"w0": true, "stale": true}},
		{"op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=eio overwrite=true observe=at-rest",
			map[string]bool{"w0": true, "old": true}},
		{"op=write mode=sync blocks=1 place=extend osync=false fs=generic faults=none",
			map[string]bool{"w0": true}},
		{"op=write mode=sync blocks=1 place=extend osync=false fs=generic faults=eio",
			map[string]bool{"w0": true, "": true}}, // a failed write leaves i_size: nothing to read, never the stale block
	} {
		sc, err := sim.ParseScenario(c.scn)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		endStates(t, m, &sc, func(s *sim.State) {
			var last *sim.HistEvent
			for i := range s.History {
				if e := &s.History[i]; e.Return && e.Op == sim.HistPread {
					last = e
				}
			}
			if last == nil {
				t.Fatalf("%s: no read back in %v", c.scn, s.History)
			}
			r := ""
			for i := 0; i < len(last.Data); i++ {
				if i > 0 {
					r += " "
				}
				r += sim.ContentName(last.Data[i])
			}
			got[r] = true
		})
		if len(got) != len(c.want) {
			t.Errorf("%s: reads back %v, want %v", c.scn, got, c.want)
			continue
		}
		for r := range c.want {
			if !got[r] {
				t.Errorf("%s: reads back %v, want %v", c.scn, got, c.want)
			}
		}
	}
}

// TestInitialBlocks: where each block starts (sim.Scenario.InitialBlock)
// and what get_block makes of it (mapBlock).
func TestInitialBlocks(t *testing.T) {
	for _, c := range []struct {
		scn          string
		start, after []uint8 // Data of each block at the start and after get_block mapped every block
		unwritten    []bool  // each mapped block is an unwritten extent
		bPrivate     bool    // map_bh.b_private is set once every block is mapped
	}{
		{"op=write mode=async blocks=2 place=inside osync=false fs=generic faults=none",
			[]uint8{sim.ContentOld, sim.ContentOld}, []uint8{sim.ContentOld, sim.ContentOld}, []bool{false, false}, false},
		{"op=write mode=async blocks=2 place=extend osync=false fs=generic faults=none",
			[]uint8{sim.ContentOld, sim.ContentZero}, []uint8{sim.ContentOld, sim.ContentStale}, []bool{false, false}, false},
		{"op=write mode=async blocks=2 place=inside osync=false fs=xfs faults=none",
			[]uint8{sim.ContentStale, sim.ContentStale}, []uint8{sim.ContentStale, sim.ContentStale}, []bool{true, true}, true},
		// Past EOF, XFS allocates a written extent (no XFS_BMAPI_PREALLOC).
		{"op=write mode=async blocks=2 place=extend osync=false fs=xfs faults=none",
			[]uint8{sim.ContentStale, sim.ContentZero}, []uint8{sim.ContentStale, sim.ContentStale}, []bool{true, false}, true},
		{"op=write mode=async blocks=1 place=extend osync=false fs=xfs faults=none",
			[]uint8{sim.ContentZero}, []uint8{sim.ContentStale}, []bool{false}, false},
		{"op=write mode=async blocks=2 place=inside osync=false fs=xfs faults=none overwrite=true",
			[]uint8{sim.ContentOld, sim.ContentOld}, []uint8{sim.ContentOld, sim.ContentOld}, []bool{false, false}, false},
		{"op=read mode=async blocks=2 place=inside osync=false fs=xfs faults=none",
			[]uint8{sim.ContentOld, sim.ContentOld}, []uint8{sim.ContentOld, sim.ContentOld}, []bool{false, false}, false},
	} {
		sc, err := sim.ParseScenario(c.scn)
		if err != nil {
			t.Fatal(err)
		}
		s := sim.NewState(&sc)
		for b, want := range c.start {
			if s.Inode.Data[b] != want {
				t.Errorf("%s: block %d starts %s, want %s", c.scn, b, sim.ContentName(s.Inode.Data[b]), sim.ContentName(want))
			}
		}
		r := &s.Reqs[0]
		for b := range c.after {
			r.Dio.BlockInFile = int32(b)
			isMapped, _ := baseMapping(s, r)
			mapBlock(s, r, 0, r.Dio.BlockInFile, isMapped)
			if s.Inode.Data[b] != c.after[b] || s.Inode.Unwritten[b] != c.unwritten[b] {
				t.Errorf("%s: block %d mapped is %s (unwritten %v), want %s (unwritten %v)", c.scn, b,
					sim.ContentName(s.Inode.Data[b]), s.Inode.Unwritten[b], sim.ContentName(c.after[b]), c.unwritten[b])
			}
		}
		if r.Dio.BPrivate != c.bPrivate {
			t.Errorf("%s: map_bh.b_private set %v, want %v", c.scn, r.Dio.BPrivate, c.bPrivate)
		}
	}
}

// TestXFSOverwriteDestroysIoend: an XFS write over written extents
// (--overwrite, issue 9 defect 3) leaves map_bh.b_private NULL, so
// xfs_end_io_direct destroys the ioend itself instead of queueing it
// (xfs_aops.c@v2.6.20:1357-1363): in every version and every end state
// the ioend is freed, xfsdatad never ran, nothing is unwritten, and
// iocb->private is NULL.
func TestXFSOverwriteDestroysIoend(t *testing.T) {
	sc, err := sim.ParseScenario("op=write mode=async blocks=2 place=inside osync=false fs=xfs faults=none overwrite=true")
	if err != nil {
		t.Fatal(err)
	}
	for _, ver := range []string{"v2.6.18", "before", "after", "v2.6.20"} {
		m, err := Lookup(ver)
		if err != nil {
			t.Fatal(err)
		}
		endStates(t, m, &sc, func(s *sim.State) {
			r := &s.Reqs[0]
			if r.Mem[sim.ObjIoend] != sim.Freed || r.Kiocb.Private || r.Dio.BPrivate {
				t.Fatalf("%s: ioend %d, iocb->private %v, b_private %v at the end", ver, r.Mem[sim.ObjIoend], r.Kiocb.Private, r.Dio.BPrivate)
			}
			for a := range s.Actors {
				if s.Actors[a].Kind == sim.Worker && s.Actors[a].PC != 0 {
					t.Fatalf("%s: xfsdatad ran on an overwrite", ver)
				}
			}
			for b, u := range s.Inode.Unwritten {
				if u || s.Inode.Data[b] != 1 {
					t.Fatalf("%s: block %d is %s (unwritten %v) at the end, want the data", ver, b, sim.ContentName(s.Inode.Data[b]), u)
				}
			}
		})
	}
}
