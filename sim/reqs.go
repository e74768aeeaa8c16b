package sim

// Req is one iocb's objects: its position in the file, its kiocb, its dio
// and bios, their lifetimes, and the facts the properties need about it.
// The State holds one per iocb; the actors working for iocb r (its
// submitter, its bios' completions, its XFS worker) use Reqs[r].
type Req struct {
	Pos   int64
	Kiocb Kiocb
	Dio   Dio
	Bios  []Bio
	Mem   [NumObjs]uint8
	Facts Facts
}

// NumReqs returns the number of iocbs in the world.
func (s *State) NumReqs() int { return len(s.Reqs) }

// ReqOf returns the request actor a works for (the reaper: the iocb it
// observes).
func (s *State) ReqOf(a int) *Req { return &s.Reqs[s.Actors[a].Req] }

// Block returns the index in Inode.Data of block i of request r.
func (s *State) Block(r, i int) int { return r*s.Scn.Blocks + i }

// ActorBase returns the index of request r's submitter in Actors; its bios'
// completions follow it.
func (s *State) ActorBase(r int) int {
	for a := range s.Actors {
		if s.Actors[a].Req == int8(r) && s.Actors[a].Kind == Submitter {
			return a
		}
	}
	return 0
}

func copyReqs(dst, src []Req) []Req {
	if cap(dst) < len(src) {
		dst = make([]Req, len(src))
	}
	dst = dst[:len(src)]
	for i := range src {
		bios := dst[i].Bios[:0]
		dst[i] = src[i]
		dst[i].Bios = append(bios, src[i].Bios...)
	}
	return dst
}

// IocbsInterchangeable reports whether the scenario's iocbs are
// interchangeable, so that symmetry may rename them (see the doc of
// canon.go, "Symmetry over iocbs"): two or more O_DIRECT reads or writes
// on a block filesystem (no XFS, no extents), every range inside i_size,
// observed right after each reap (no reader at rest, which reads the
// ranges back in index order). All iocbs of a scenario have the same
// operation, size, mode and fault set.
func (sc *Scenario) IocbsInterchangeable() bool {
	return sc.NumIocbs() > 1 && sc.FS == Generic && !sc.Extent && sc.Place == Inside && sc.Observe == AfterReap
}

// RenameIocbs applies to s the renaming of iocbs perm (perm[r] is the new
// index of iocb r), which must be a permutation of interchangeable iocbs
// (Scenario.IocbsInterchangeable): each iocb's kiocb, dio, bios, facts and
// actors move to the new index, its positions (ki_pos, the ioend's
// io_offset, its actors' pos and offset locals) move by the distance
// between the two ranges, its blocks and what userspace read of them move
// with it, and every reference to it (an actor's Req, the ring's events,
// the history's ids, clients and ranges, lock holders and waiters, data
// tags) is renamed. An unset position (0, which is also iocb 0's start)
// is taken for the range's start: the model never reads a position before
// it set it, so either reading gives the same future. It is how tests and
// CheckReductions check that the model commutes with the renaming.
func (s *State) RenameIocbs(perm []int) {
	n := len(s.Reqs)
	nb := s.Scn.Blocks
	per := len(s.Actors) / n // actors per iocb (the reaper, last, is not one)
	if !s.Scn.Sync {
		per = (len(s.Actors) - 1) / n
	}
	shift := func(r int, v int64) int64 {
		if v == 0 {
			v = s.Reqs[r].Pos
		}
		return v - s.Reqs[r].Pos + s.Reqs[perm[r]].Pos
	}
	actor := func(v int8) int8 { // actor index + 1, 0 none
		if v <= 0 || int(v-1) >= n*per {
			return v
		}
		a := int(v - 1)
		return int8(perm[a/per]*per + a%per + 1)
	}
	tag := func(c uint8) uint8 {
		if c >= 1 && int(c) <= n {
			return uint8(perm[c-1] + 1)
		}
		return c
	}
	reqs := copyReqs(nil, s.Reqs)
	actors := append([]Actor(nil), s.Actors...)
	data := append([]uint8(nil), s.Inode.Data...)
	unw := append([]bool(nil), s.Inode.Unwritten...)
	for r := 0; r < n; r++ {
		nr := perm[r]
		q := reqs[r]
		q.Pos = s.Reqs[nr].Pos
		q.Kiocb.Pos = shift(r, q.Kiocb.Pos)
		q.Kiocb.IoOffset = shift(r, q.Kiocb.IoOffset)
		q.Dio.Waiter, q.Dio.BioLock = actor(q.Dio.Waiter), actor(q.Dio.BioLock)
		s.Reqs[nr] = q
		for k := 0; k < per; k++ {
			a := actors[r*per+k]
			a.Req = int8(nr)
			a.L.Pos, a.L.Off = shift(r, a.L.Pos), shift(r, a.L.Off)
			if a.Kind == BioEnd && a.L.Tmp == int64(r*per+1) {
				a.L.Tmp = int64(nr*per + 1) // dio->waiter reloaded (see canon.go)
			}
			s.Actors[nr*per+k] = a
		}
		for i := 0; i < nb; i++ {
			s.Inode.Data[nr*nb+i] = tag(data[r*nb+i])
			s.Inode.Unwritten[nr*nb+i] = unw[r*nb+i]
		}
	}
	if !s.Scn.Sync && s.Reaped > 0 { // before its first reap, the reaper's Req is not read
		if rp := &s.Actors[len(s.Actors)-1]; int(rp.Req) < n {
			rp.Req = int8(perm[rp.Req])
		}
	}
	s.Inode.IMutex = actor(s.Inode.IMutex)
	s.Inode.IOLockExcl = actor(s.Inode.IOLockExcl)
	for i := range s.Ring {
		s.Ring[i].Iocb = int8(perm[s.Ring[i].Iocb])
	}
	renameHistory(s.History, s.Reqs, perm, s.Scn.Sync)
	s.fp = fpCache{}
}

// renameHistory renames the iocbs of the events of h in place by perm
// (reqs: the requests, for their positions; sync: the iocbs are
// read(2)/write(2) calls): an iocb's read or write, its
// client, the range of an operation on its range, the file position a
// read(2)/write(2) left, and its data tag.
func renameHistory(h []HistEvent, reqs []Req, perm []int, sync bool) {
	n := len(reqs)
	for i := range h {
		e := &h[i]
		if (e.Op == HistRead || e.Op == HistWrite) && int(e.ID) < n {
			e.ID = int8(perm[e.ID])
		}
		if e.Client >= 0 && int(e.Client) < n {
			e.Client = int8(perm[e.Client])
		}
		if e.Op != HistStat {
			for r := range reqs {
				if reqs[r].Pos == e.Pos {
					if e.Return && (e.Op == HistRead || e.Op == HistWrite) && sync {
						// The file position a read(2)/write(2) left.
						e.FPos += reqs[perm[r]].Pos - e.Pos
					}
					e.Pos = reqs[perm[r]].Pos
					break
				}
			}
		}
		if e.Data != "" {
			d := []byte(e.Data)
			changed := false
			for j, c := range d {
				if c >= 1 && int(c) <= n {
					d[j] = uint8(perm[c-1] + 1)
					changed = true
				}
			}
			if changed {
				e.Data = string(d)
			}
		}
	}
}
