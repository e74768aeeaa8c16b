package model

import (
	"testing"

	"diosim/sim"
)

// runOutcome is what a deterministic run of a scenario showed about the
// XFS ioend and the AIO core.
type runOutcome struct {
	workerRan      bool  // the work item (xfsdatad/xfsconvertd) ran a step
	workerFreed    bool  // the work item freed the ioend
	ioendAllocated bool  // the ioend was ever allocated
	workerEvents   int   // events the work item posted to the ring
	unwrittenAtEvt int   // unwritten blocks when the work item posted its first event (-1: none posted)
	preadSeen      int8  // blocks of a write that read back as new (Facts.PreadSeen)
	deliveries     int8  // completions delivered
	firstRes       int64 // the first result delivered
}

// runPreferring runs the scenario on version v, at every step taking the
// first enabled move of the first actor kind in order that has one: a
// deterministic schedule that, for example, runs the work item as late
// (or as early) as the kernel allows.
func runPreferring(t *testing.T, v string, sc *sim.Scenario, order []sim.ActorKind) runOutcome {
	t.Helper()
	m, err := Lookup(v)
	if err != nil {
		t.Fatal(err)
	}
	s := m.Init(sc)
	out := runOutcome{unwrittenAtEvt: -1}
	var buf []Move
	for n := 0; ; n++ {
		if n > 10000 {
			t.Fatalf("%s: the run does not end", v)
		}
		buf = m.Moves(s, buf)
		if len(buf) == 0 {
			break
		}
		mv := buf[0]
	pick:
		for _, k := range order {
			for _, cand := range buf {
				if s.Actors[cand.Actor].Kind == k {
					mv = cand
					break pick
				}
			}
		}
		kind := s.Actors[mv.Actor].Kind
		r := s.ReqOf(mv.Actor)
		memBefore, ringBefore := r.Mem[sim.ObjIoend], len(s.Ring)
		m.Apply(s, mv)
		if r.Mem[sim.ObjIoend] != sim.Unallocated {
			out.ioendAllocated = true
		}
		if kind == sim.Worker {
			out.workerRan = true
			if memBefore == sim.Live && r.Mem[sim.ObjIoend] == sim.Freed {
				out.workerFreed = true
			}
			if len(s.Ring) > ringBefore {
				out.workerEvents++
				if out.unwrittenAtEvt < 0 {
					out.unwrittenAtEvt = 0
					for _, u := range s.Inode.Unwritten {
						if u {
							out.unwrittenAtEvt++
						}
					}
				}
			}
		}
	}
	f := &s.Reqs[0].Facts
	out.preadSeen, out.deliveries, out.firstRes = f.PreadSeen, f.Deliveries, f.FirstRes
	return out
}

var (
	lazyWorker  = []sim.ActorKind{sim.Submitter, sim.BioEnd, sim.Reaper, sim.Worker}
	eagerWorker = []sim.ActorKind{sim.Worker, sim.BioEnd, sim.Submitter, sim.Reaper}
)

// TestXFSLaterReadIoend: a direct read's ioend. Up to 2.6.21
// xfs_end_io_direct destroys it at once; from 2.6.22 it is an IOMAP_READ
// ioend the work item destroys (xfs_end_bio_read); from 2.6.36 a read has
// no ioend at all.
func TestXFSLaterReadIoend(t *testing.T) {
	sc := &sim.Scenario{Op: sim.Read, Sync: true, Blocks: 1, FS: sim.XFS}
	for _, tc := range []struct {
		v                         string
		allocated, ran, freedByWQ bool
	}{
		{"v2.6.20", true, false, false},
		{"v2.6.21", true, false, false},
		{"v2.6.22", true, true, true},
		{"v2.6.32", true, true, true},
		{"v2.6.36", false, false, false},
	} {
		got := runPreferring(t, tc.v, sc, lazyWorker)
		if got.ioendAllocated != tc.allocated || got.workerRan != tc.ran || got.workerFreed != tc.freedByWQ {
			t.Errorf("%s sync XFS read: ioend allocated %v, work item ran %v, freed it %v; want %v, %v, %v",
				tc.v, got.ioendAllocated, got.workerRan, got.workerFreed, tc.allocated, tc.ran, tc.freedByWQ)
		}
		if got.deliveries != 1 || got.firstRes != sim.BlockSize {
			t.Errorf("%s sync XFS read: %d deliveries, first %d; want 1 of %d", tc.v, got.deliveries, got.firstRes, sim.BlockSize)
		}
	}
}

// TestXFSLaterSyncWriteConversion: a synchronous direct write into an
// unwritten extent, with the work item run as late as possible. Until
// 2.6.31 the conversion is only queued, so the read right after write(2)
// returns can see zeros; 2.6.32 flushes the conversion queue for a sync
// kiocb before the completion returns, and 2.6.36 converts in the caller.
func TestXFSLaterSyncWriteConversion(t *testing.T) {
	sc := &sim.Scenario{Op: sim.Write, Sync: true, Blocks: 1, FS: sim.XFS}
	for _, tc := range []struct {
		v    string
		seen int8 // blocks the pread after write(2) sees as written
		ran  bool // the work item ran
	}{
		{"v2.6.21", 0, true},
		{"v2.6.22", 0, true},
		{"v2.6.32", 1, true},
		{"v2.6.36", 1, false},
	} {
		got := runPreferring(t, tc.v, sc, lazyWorker)
		if got.preadSeen != tc.seen || got.workerRan != tc.ran {
			t.Errorf("%s sync XFS write, lazy work item: pread saw %d new blocks, work item ran %v; want %d, %v", tc.v, got.preadSeen, got.workerRan, tc.seen, tc.ran)
		}
		if got.deliveries != 1 || got.firstRes != sim.BlockSize {
			t.Errorf("%s sync XFS write: %d deliveries, first %d; want 1 of %d", tc.v, got.deliveries, got.firstRes, sim.BlockSize)
		}
	}
}

// TestXFSLaterAIOCompletionAfterConversion: an AIO write into an
// unwritten extent. Only from 2.6.36 does the work item post the event
// (when the bio completion finished the dio: is_async), and then only
// after it converted the extent (xfstests 239's fix); when the submitter
// finishes the dio itself (not async), 2.6.36 converts in the submitter
// and the work item never runs.
func TestXFSLaterAIOCompletionAfterConversion(t *testing.T) {
	sc := &sim.Scenario{Op: sim.Write, Blocks: 1, FS: sim.XFS}
	for _, tc := range []struct {
		v string
		// lazy: the submitter returns -EIOCBQUEUED before the bio
		// completes; eager: the bio completes first and the submitter
		// finishes the dio.
		lazyRan, eagerRan       bool
		lazyEvents, eagerEvents int
	}{
		{"v2.6.21", true, true, 0, 0},
		{"v2.6.22", true, true, 0, 0},
		{"v2.6.32", true, true, 0, 0},
		{"v2.6.36", true, false, 1, 0},
	} {
		for _, run := range []struct {
			name   string
			order  []sim.ActorKind
			ran    bool
			events int
		}{{"lazy", lazyWorker, tc.lazyRan, tc.lazyEvents}, {"eager", eagerWorker, tc.eagerRan, tc.eagerEvents}} {
			got := runPreferring(t, tc.v, sc, run.order)
			if got.workerRan != run.ran || got.workerEvents != run.events {
				t.Errorf("%s AIO XFS write, %s schedule: the work item ran %v and posted %d events, want %v and %d", tc.v, run.name, got.workerRan, got.workerEvents, run.ran, run.events)
			}
			if got.workerEvents > 0 && got.unwrittenAtEvt != 0 {
				t.Errorf("%s AIO XFS write, %s schedule: the work item posted its event with %d blocks still unwritten", tc.v, run.name, got.unwrittenAtEvt)
			}
		}
	}
}

// stepOf returns the first step with id in the program of an io_submit
// request of op on the generic filesystem in version v.
func stepOf(t *testing.T, v string, op sim.Op, id string) (*Model, *Program, int) {
	t.Helper()
	m, err := Lookup(v)
	if err != nil {
		t.Fatal(err)
	}
	p := m.subs[0][op][sim.Generic]
	for pc := range p.Steps {
		if p.Steps[pc].ID == id {
			return m, p, pc
		}
	}
	t.Fatalf("%s: no step %s in %s", v, id, p.Name)
	return nil, nil, 0
}

// runStep runs step pc of p for the submitter of a fresh AIO write with
// the kiocb allocated, its locals and kiocb set by prep.
func runStep(p *Program, pc int, prep func(s *sim.State)) *sim.State {
	s := sim.NewState(&sim.Scenario{Op: sim.Write, Blocks: 2})
	s.Reqs[0].Alloc(sim.ObjKiocb)
	prep(s)
	c := Ctx{S: s, A: 0, Act: &s.Actors[0], Step: &p.Steps[pc], R: &s.Reqs[0], next: pc + 1, prog: p}
	p.Steps[pc].Do(&c)
	return s
}

// TestAIOLaterRetryRules: aio_rw_vect_retry's loop test from 2.6.32 turns a
// write's error after a partial transfer into the byte count (not
// -EIOCBQUEUED), and 2.6.36's aio_run_iocb turns -ERESTARTSYS into -EINTR.
func TestAIOLaterRetryRules(t *testing.T) {
	for _, tc := range []struct {
		v, id string
		op    sim.Op
		ret   int64
		left  int64 // ki_left before the step (ki_nbytes is 2 blocks)
		want  int64
	}{
		{"v2.6.22", "ki_retry:advance", sim.Write, -sim.EIO, sim.BlockSize, -sim.EIO},
		{"v2.6.32", "ki_retry:advance", sim.Write, -sim.EIO, sim.BlockSize, sim.BlockSize},
		{"v2.6.36", "ki_retry:advance", sim.Write, -sim.EIO, sim.BlockSize, sim.BlockSize},
		{"v2.6.32", "ki_retry:advance", sim.Write, eiocbqueued, sim.BlockSize, eiocbqueued},
		{"v2.6.32", "ki_retry:advance", sim.Write, -sim.EIO, 2 * sim.BlockSize, -sim.EIO},
		{"v2.6.32", "ki_retry:advance", sim.Read, -sim.EIO, sim.BlockSize, -sim.EIO},
		{"v2.6.32", "aio_run_iocb:retry-returned", sim.Write, -eRestartSys, 0, -eRestartSys},
		{"v2.6.36", "aio_run_iocb:retry-returned", sim.Write, -eRestartSys, 0, -sim.EINTR},
		{"v2.6.36", "aio_run_iocb:retry-returned", sim.Write, -eRestartRestartBlock, 0, -sim.EINTR},
		{"v2.6.36", "aio_run_iocb:retry-returned", sim.Write, -sim.EIO, 0, -sim.EIO},
	} {
		_, p, pc := stepOf(t, tc.v, tc.op, tc.id)
		s := runStep(p, pc, func(s *sim.State) {
			k := &s.Reqs[0].Kiocb
			k.NBytes, k.Left = 2*sim.BlockSize, tc.left
			s.Actors[0].L.Retval = tc.ret
		})
		if got := s.Actors[0].L.Retval; got != tc.want {
			t.Errorf("%s %s (op %v, ret %s, ki_left %d): ret %s, want %s", tc.v, tc.id, tc.op, sim.ErrName(tc.ret), tc.left, sim.ErrName(got), sim.ErrName(tc.want))
		}
	}
}

// TestXFSLaterOSyncErrorDropped: from 2.6.32 XFS's O_SYNC tail syncs a
// write that returned bytes, and a failure of that sync is lost (error
// already holds -ret): the write still returns its byte count.
func TestXFSLaterOSyncErrorDropped(t *testing.T) {
	sc := &sim.Scenario{Op: sim.Write, Sync: true, Blocks: 1, OSync: true, FS: sim.XFS, Faults: sim.FaultSet(sim.FaultOSync)}
	for _, tc := range []struct {
		v, id string
		has   bool
	}{
		{"v2.6.22", "xfs_write:osync", false},
		{"v2.6.32", "xfs_write:osync", true},
		{"v2.6.36", "xfs_file_aio_write:osync", true},
	} {
		m, err := Lookup(tc.v)
		if err != nil {
			t.Fatal(err)
		}
		p := m.subs[1][sim.Write][sim.XFS]
		pc := -1
		for i := range p.Steps {
			if p.Steps[i].ID == tc.id {
				pc = i
			}
		}
		if (pc >= 0) != tc.has {
			t.Errorf("%s: step %s present %v, want %v", tc.v, tc.id, pc >= 0, tc.has)
			continue
		}
		if pc < 0 {
			continue
		}
		for _, ret := range []int64{sim.BlockSize, -sim.EIO} {
			s := sim.NewState(sc)
			s.Actors[0].L.Retval = ret
			st := &p.Steps[pc]
			wantOutcomes := 1
			if ret > 0 {
				wantOutcomes = 2
			}
			if n := st.Outcomes(s, 0); n != wantOutcomes {
				t.Errorf("%s %s with ret %s: %d outcomes, want %d", tc.v, tc.id, sim.ErrName(ret), n, wantOutcomes)
			}
			c := Ctx{S: s, A: 0, Act: &s.Actors[0], Step: st, R: &s.Reqs[0], Choice: wantOutcomes - 1, next: pc + 1, prog: p}
			st.Do(&c)
			if got := s.Actors[0].L.Retval; got != ret {
				t.Errorf("%s %s: the sync failed and ret became %s, want %s (the error is dropped)", tc.v, tc.id, sim.ErrName(got), sim.ErrName(ret))
			}
			if met := s.Reqs[0].Facts.FaultsMet&sim.ErrMetOSync != 0; met != (ret > 0) {
				t.Errorf("%s %s with ret %s: the osync fault met %v, want %v", tc.v, tc.id, sim.ErrName(ret), met, ret > 0)
			}
		}
	}
}

// TestXFSLaterDiffWorkPrograms: the work functions 2.6.22 adds
// (xfs_end_bio_written, xfs_end_bio_read) are programs of their own, and
// Diff lists their steps as added in 2.6.22 and removed in 2.6.36, where
// xfs_end_io is the only work function.
func TestXFSLaterDiffWorkPrograms(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		kind     ChangeKind
	}{
		{"v2.6.21", "v2.6.22", Added},
		{"v2.6.32", "v2.6.36", Removed},
	} {
		a, _ := Lookup(tc.from)
		b, _ := Lookup(tc.to)
		found := map[string]bool{}
		for _, c := range Diff(a, b) {
			if c.Kind == tc.kind {
				found[c.ID] = true
			}
		}
		for _, id := range []string{"xfs_end_bio_written:destroy-ioend", "xfs_end_bio_read:destroy-ioend"} {
			if !found[id] {
				t.Errorf("Diff(%s, %s): %s not %v", tc.from, tc.to, id, tc.kind)
			}
		}
	}
}
