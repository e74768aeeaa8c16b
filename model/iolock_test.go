package model

import (
	"math/rand"
	"testing"

	"diosim/sim"
)

// TestXFSIolock: XFS's iolock as xfs_write takes it (issue 9, defect 5;
// xfs_lrw.c@v2.6.20:701-719, 819-835, 926-930). Two AIO writes on XFS, on
// every version, along many random schedules: the iolock is never held
// exclusive and shared at once, or exclusive twice; a write that does not
// need i_mutex (no cached pages, inside i_size) takes it shared, so both
// writes can be inside generic_file_direct_write at once; a write at or
// past i_size (the second range of an extending pair) takes i_mutex and
// the iolock exclusive, and demotes to shared, dropping i_mutex, before
// its direct write. Every run ends with the iolock and i_mutex free.
func TestXFSIolock(t *testing.T) {
	for _, c := range []struct {
		scn       string
		bothIn    bool // some state has both writes holding the iolock shared
		exclusive bool // some state has a write holding it exclusive (with i_mutex)
	}{
		{"op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=none iocbs=2", true, false},
		{"op=write mode=async blocks=1 place=extend osync=false fs=xfs faults=none iocbs=2", true, true},
		// Cached pages: the first write flushes them and demotes; a
		// second write that tests VN_CACHED after the flush needs no
		// i_mutex and joins it shared.
		{"op=write mode=async blocks=1 place=inside osync=false fs=xfs faults=invalidate iocbs=2", true, true},
	} {
		sc, err := sim.ParseScenario(c.scn)
		if err != nil {
			t.Fatal(err)
		}
		for _, ver := range []string{"v2.6.18", "before", "after", "v2.6.20"} {
			m, err := Lookup(ver)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewSource(1))
			bothIn, exclusive := false, false
			var moves []Move
			for run := 0; run < 300; run++ {
				s := m.Init(&sc)
				for {
					in := &s.Inode
					if in.IOLockExcl != 0 && in.IOLockShared != 0 || in.IOLockShared < 0 || in.IOLockShared > 2 {
						t.Fatalf("%s %s: iolock exclusive %d and shared %d at once", ver, c.scn, in.IOLockExcl, in.IOLockShared)
					}
					if in.IOLockExcl != 0 {
						exclusive = true
						if in.IMutex != in.IOLockExcl {
							t.Fatalf("%s %s: iolock exclusive without i_mutex", ver, c.scn)
						}
					}
					bothIn = bothIn || in.IOLockShared == 2
					moves = m.Moves(s, moves)
					if len(moves) == 0 {
						break
					}
					m.Apply(s, moves[rng.Intn(len(moves))])
				}
				if in := &s.Inode; in.IOLockExcl != 0 || in.IOLockShared != 0 || in.IMutex != 0 {
					t.Fatalf("%s %s: a run ends with iolock %d/%d, i_mutex %d", ver, c.scn, in.IOLockExcl, in.IOLockShared, in.IMutex)
				}
			}
			if bothIn != c.bothIn || exclusive != c.exclusive {
				t.Errorf("%s %s: both writes inside %v (want %v), an exclusive hold %v (want %v)", ver, c.scn, bothIn, c.bothIn, exclusive, c.exclusive)
			}
		}
	}
}
