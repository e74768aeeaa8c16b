package sim

import (
	"bytes"
	"strings"
	"testing"
)

func TestParseScenarioRoundTrip(t *testing.T) {
	scs := []Scenario{
		{Op: Read, Blocks: 2, Faults: FaultSet(FaultGUP | FaultEIO)},
		{Name: "x", Op: Write, Sync: true, Blocks: 64, Place: Extend, OSync: true, FS: XFS, Faults: FaultSet(FaultOSync | FaultHole)},
		{Op: Read, Blocks: 1, Place: PastEOF},
		{Op: Write, Blocks: 1, FS: XFS, Observe: AtRest},
		{Op: Read, Blocks: 2, Iocbs: 2, Observe: ObserveBoth},
		{Op: Write, Blocks: 3, Extent: true, Faults: FaultSet(FaultGUP)},
		{Op: Write, Sync: true, Blocks: 2, Faults: FaultSet(FaultHole | FaultSyncRange)},
	}
	for _, sc := range scs {
		got, err := ParseScenario(sc.String())
		if err != nil || got != sc {
			t.Errorf("ParseScenario(%q) = %+v, %v", sc.String(), got, err)
		}
	}
}

func TestScenarioErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"op=read mode=async blocks=0 place=inside osync=false fs=generic faults=none", "blocks must be between 1 and 64"},
		{"op=read mode=async blocks=65 place=inside osync=false fs=generic faults=none", "blocks must be between"},
		{"op=read mode=async blocks=2 place=extend osync=false fs=generic faults=none", "cannot extend"},
		{"op=write mode=async blocks=2 place=past-eof osync=false fs=generic faults=none", "does not stop at EOF"},
		{"op=read mode=async blocks=2 place=inside osync=false fs=generic faults=osync", "writes only"},
		{"op=write mode=async blocks=2 place=inside osync=false fs=generic faults=osync", "needs an O_SYNC write"},
		{"op=read mode=async blocks=2 place=inside osync=false fs=zfs faults=none", "unknown fs"},
		{"op=read mode=async blocks=2 place=inside osync=false fs=generic faults=cosmic", "unknown fault"},
		{"op=read mode=async blocks=2", "missing"},
		{"op=read op=write", "given twice"},
		{"bogus", "not key=value"},
		{"op=read mode=async blocks=2 place=inside osync=false fs=generic faults=none observe=never", "unknown observer \"never\""},
		{"op=read mode=sync blocks=2 place=inside osync=false fs=generic faults=none observe=at-rest", "needs io_submit"},
		{"op=read mode=async blocks=2 place=inside osync=false fs=generic faults=none map=run", "unknown map \"run\""},
		{"op=write mode=async blocks=2 place=inside osync=false fs=generic faults=hole,syncrange", "needs a synchronous write"},
		{"op=read mode=sync blocks=2 place=inside osync=false fs=generic faults=syncrange", "writes only"},
	}
	for _, c := range cases {
		if _, err := ParseScenario(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseScenario(%q): %v, want %q", c.in, err, c.want)
		}
	}
}

func TestGeometry(t *testing.T) {
	cases := []struct {
		sc         Scenario
		pos, isize int64
	}{
		{Scenario{Blocks: 2}, 0, 8192},
		{Scenario{Blocks: 2, Place: PastEOF}, 0, 6144},
		{Scenario{Blocks: 2, Op: Write, Place: Extend}, 0, 4096},
	}
	for _, c := range cases {
		if pos, isize := c.sc.Geometry(); pos != c.pos || isize != c.isize {
			t.Errorf("%v: got %d %d", c.sc, pos, isize)
		}
	}
}

// TestCloneAndEncode: a clone encodes the same, and changing the clone
// changes its encoding but not the original's.
func TestCloneAndEncode(t *testing.T) {
	sc := &Scenario{Op: Write, Blocks: 3, FS: XFS}
	s := NewState(sc)
	c := s.Clone()
	if !bytes.Equal(s.Encode(nil), c.Encode(nil)) {
		t.Fatal("clone encodes differently")
	}
	orig := s.Inode.Data[0]
	c.Reqs[0].Bios[1].State = BioSubmitted
	c.Actors[2].L.Ret = -EIO
	c.Inode.Data[0] = 1
	if bytes.Equal(s.Encode(nil), c.Encode(nil)) {
		t.Fatal("a changed clone encodes like the original")
	}
	if s.Reqs[0].Bios[1].State != BioNone || s.Inode.Data[0] != orig {
		t.Fatal("changing the clone changed the original")
	}
	var d State
	d.CopyFrom(c)
	if !bytes.Equal(d.Encode(nil), c.Encode(nil)) {
		t.Fatal("CopyFrom differs")
	}
}

func TestTasks(t *testing.T) {
	s := NewState(&Scenario{Op: Read, Blocks: 1})
	s.Actors[0].State = TaskUninterruptible
	s.Schedule(0)
	if !s.Actors[0].Asleep {
		t.Fatal("a task in TASK_UNINTERRUPTIBLE does not sleep in schedule")
	}
	s.WakeUpProcess(0)
	if s.Actors[0].Asleep || s.Actors[0].State != TaskRunning {
		t.Fatal("wake_up_process does not wake")
	}
	s.WakeUpProcess(0) // a wake-up of a running task is lost
	s.Actors[0].State = TaskUninterruptible
	s.Schedule(0)
	if !s.Actors[0].Asleep {
		t.Fatal("a lost wake-up was remembered")
	}
}

func TestMemory(t *testing.T) {
	s := NewState(&Scenario{Op: Read, Blocks: 1})
	loc := stringer("here")
	s.Reqs[0].Alloc(ObjDio)
	s.Reqs[0].Use(ObjDio, loc)
	if s.Reqs[0].Facts.MemErr != "" {
		t.Fatal("use of a live object reported")
	}
	s.Reqs[0].Free(ObjDio, loc)
	s.Reqs[0].Use(ObjDio, loc)
	if !strings.Contains(s.Reqs[0].Facts.MemErr, "use after free of the dio at here") {
		t.Fatalf("MemErr %q", s.Reqs[0].Facts.MemErr)
	}
	s2 := NewState(&Scenario{Op: Read, Blocks: 1})
	s2.Reqs[0].Alloc(ObjKiocb)
	s2.Reqs[0].Free(ObjKiocb, loc)
	s2.Reqs[0].Free(ObjKiocb, loc)
	if !strings.Contains(s2.Reqs[0].Facts.MemErr, "double free of the kiocb") || s2.Reqs[0].Facts.MemErrObj != ObjKiocb {
		t.Fatalf("MemErr %q", s2.Reqs[0].Facts.MemErr)
	}
}

type stringer string

func (s stringer) String() string { return string(s) }
