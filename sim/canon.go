package sim

// Canonicalize puts the state's bios into a canonical order and returns
// perm, with perm[old] the new index of bio old (nil when nothing moved).
//
// Why this is sound (symmetry reduction): the kernel code treats the bios
// of a dio alike once they have been handed to the device. A submitted bio
// is referred to only through its own struct, its completion actor, its
// block's data, the bio_list links and the submitter's popped-bio local;
// every actor program is the same for all bios. The submitter's cursor
// (block_in_file, cur_page, dio->bio, the get_user_pages fault page) only
// ever refers to blocks that are not submitted yet. So renaming submitted
// bios among themselves (moving their structs, completion actors and block
// data together and renaming every reference) gives a state with the same
// future up to that renaming, and every property is invariant under it
// (they count completions, references and blocks, never name a bio). The
// canonical order sorts the submitted bios by everything about them that
// does not mention another bio's index: their struct, their position in
// bio_list, their actor's program counter and locals, their block's data.
// Bios that tie are identical in every respect, so any order among them
// gives the same encoding.
//
// Two limits, both found by CheckReductions (scheduler): a block's
// position is observable once userspace reads the range back, so what a
// pread saw of the request's range is renamed with the blocks (the file
// model treats the blocks of one iocb's range alike: every operation on
// it covers it whole); and the bios of a write whose range reaches past
// i_size are not renamed at all, because a read back stops at i_size and
// tells the blocks apart.
func (s *State) Canonicalize() []int8 { return s.CanonicalizeWith(&CanonScratch{}) }

// The permutation Canonicalize returns maps actor indexes: perm[old] is the
// new index of the actor that was at old (bio completions move; every other
// actor stays). With several iocbs, each iocb's bios are permuted among
// themselves only.

// CanonScratch holds the buffers of Canonicalize, so a search can reuse them.
type CanonScratch struct {
	idx, sorted, listPos []int
	keys                 []uint64
	perm                 []int8
	actorPerm            []int8
	bios                 []Bio
	data                 []uint8
	unw                  []bool
	actors               []Actor
}

// CanonicalizeWith is Canonicalize with caller-owned buffers; the returned
// permutation is valid until the next call with the same scratch.
//
// The sort key of a bio is a 64-bit hash of its description; bios whose
// descriptions differ but whose keys collide may then be ordered by their
// index, which makes the reduction weaker (two symmetric states may keep
// two forms) but never unsound.
func (s *State) CanonicalizeWith(cs *CanonScratch) []int8 {
	if len(s.Reqs) == 1 {
		return s.canonReq(cs, 0, 0)
	}
	var moved []int8
	for r := range s.Reqs {
		if p := s.canonReq(cs, r, s.ActorBase(r)); p != nil {
			if moved == nil {
				moved = make([]int8, len(s.Actors))
				for i := range moved {
					moved[i] = int8(i)
				}
			}
			for i, nw := range p {
				if int(nw) != i {
					moved[i] = nw
				}
			}
		}
	}
	return moved
}

// canonReq canonicalizes the bios of request r, whose submitter is actor
// base, and returns the actor permutation (nil if none moved).
func (s *State) canonReq(cs *CanonScratch, r, base int) []int8 {
	q := &s.Reqs[r]
	n := len(q.Bios)
	// fid3 (map=extent): a bio carries a run of blocks that starts at its
	// index, so bios are not alike and are not renamed.
	if s.Scn.Extent {
		return nil
	}
	if s.Scn.Op == Write && q.Pos+int64(n)*BlockSize > s.Inode.ISize {
		// Blocks past i_size are not alike: a read back stops at i_size,
		// so which block a write bio lands on can be seen.
		return nil
	}
	idx := cs.idx[:0]
	for i := range q.Bios {
		if q.Bios[i].State >= BioSubmitted {
			idx = append(idx, i)
		}
	}
	cs.idx = idx
	if len(idx) < 2 {
		return nil
	}
	listPos := cs.listPos[:0]
	for i := 0; i < n; i++ {
		listPos = append(listPos, -1)
	}
	cs.listPos = listPos
	pos := 0
	for b := q.Dio.BioList; b >= 0; b = q.Bios[b].Next {
		listPos[b] = pos
		pos++
		if pos > n {
			break // a corrupted list; keep going without looping forever
		}
	}
	subBio := s.Actors[base].L.Bio
	keys := cs.keys[:0]
	for i := 0; i < n; i++ {
		keys = append(keys, 0)
	}
	cs.keys = keys
	for _, i := range idx {
		keys[i] = s.bioKeyHash(r, base, i, listPos[i], subBio == int8(i))
		// (fid2, block states) What each read back of the range saw at
		// this bio's block belongs to its description: blocks that
		// differ only there (an XFS write's unwritten block read as
		// zeros, the written one past EOF as data, both converted since)
		// must not tie, or one orbit keeps two canonical forms. A read
		// that saw the same on every block tells no block apart and is
		// left out (the keys, and so the canonical forms, stay as they
		// were without block states).
		for h := range s.History {
			if e := &s.History[h]; e.Op == HistPread && e.Return && e.Pos == q.Pos && i < len(e.Data) && !uniform(e.Data) {
				keys[i] = keyMix(keys[i], uint64(e.Data[i])|uint64(h+1)<<8)
			}
		}
	}
	sorted := append(cs.sorted[:0], idx...)
	cs.sorted = sorted
	// insertion sort: few bios, no allocation, stable
	for a := 1; a < len(sorted); a++ {
		for b := a; b > 0 && keys[sorted[b]] < keys[sorted[b-1]]; b-- {
			sorted[b], sorted[b-1] = sorted[b-1], sorted[b]
		}
	}
	perm := cs.perm[:0]
	for i := 0; i < n; i++ {
		perm = append(perm, int8(i))
	}
	cs.perm = perm
	moved := false
	for k, old := range sorted {
		perm[old] = int8(idx[k])
		if old != idx[k] {
			moved = true
		}
	}
	if !moved {
		return nil
	}
	s.applyBioPerm(r, base, perm, cs)
	ap := cs.actorPerm[:0]
	for i := range s.Actors {
		ap = append(ap, int8(i))
	}
	for old, nw := range perm {
		ap[base+1+old] = int8(base + 1 + int(nw))
	}
	cs.actorPerm = ap
	return ap
}

// bioKeyHash hashes a description of bio i that mentions no other bio's
// index: its struct, its position in bio_list, whether the submitter holds
// it, its block's data, and its completion actor's program counter, task
// state and locals.
func (s *State) bioKeyHash(r, base, i, listPos int, poppedBySubmitter bool) uint64 {
	b := s.Reqs[r].Bios[i]
	if b.State == BioEnded {
		b = Bio{State: BioEnded, Next: -1} // bio_put has run: nothing reads it
	}
	a := &s.Actors[base+1+i]
	l := &a.L
	if a.Done {
		l = &Locals{} // a finished actor's locals are never read again
	}
	h := uint64(0x9e3779b97f4a7c15)
	h = keyMix(h, uint64(b.State)|uint64(boolByte(b.Uptodate))<<8|uint64(boolByte(b.EndAIO))<<9|
		uint64(listPos+1)<<10|uint64(boolByte(poppedBySubmitter))<<20|uint64(s.Inode.Data[s.Block(r, i)])<<21|
		uint64(boolByte(s.Inode.Unwritten[s.Block(r, i)]))<<29|uint64(uint16(a.PC))<<30|uint64(boolByte(a.Done))<<46|
		uint64(boolByte(a.Dead))<<47|uint64(boolByte(a.Asleep))<<48|uint64(a.State)<<49|
		uint64(boolByte(l.Flag))<<57|uint64(boolByte(l.Flag2))<<58|uint64(boolByte(l.Bio >= 0))<<59|uint64(boolByte(l.Waited))<<60)
	for j, v := range [...]int64{l.Ret, l.Ret2, l.Retval, l.Written, l.Transferred, l.Remaining, l.Pos, l.Count, l.Tmp, l.Buffered, l.Off, int64(l.Got)} {
		if v != 0 {
			h = keyMix(h, uint64(v)^uint64(j+1)<<58)
		}
	}
	return h
}

// uniform reports whether every byte of d is the same.
func uniform(d string) bool {
	for i := 1; i < len(d); i++ {
		if d[i] != d[0] {
			return false
		}
	}
	return true
}

func keyMix(h, v uint64) uint64 {
	h ^= v
	h *= 0xbf58476d1ce4e5b9
	return h ^ h>>31
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

// applyBioPerm moves bio old to perm[old], with its completion actor and
// block data, and renames every reference.
func (s *State) applyBioPerm(r, base int, perm []int8, cs *CanonScratch) {
	q := &s.Reqs[r]
	n := len(q.Bios)
	off := s.Block(r, 0)
	ren := func(b int8) int8 {
		if b < 0 {
			return b
		}
		return perm[b]
	}
	bios := append(cs.bios[:0], q.Bios...)
	data := append(cs.data[:0], s.Inode.Data[off:off+n]...)
	unw := append(cs.unw[:0], s.Inode.Unwritten[off:off+n]...)
	actors := append(cs.actors[:0], s.Actors[base+1:base+1+n]...)
	cs.bios, cs.data, cs.unw, cs.actors = bios, data, unw, actors
	for old := 0; old < n; old++ {
		nw := perm[old]
		bios[nw] = q.Bios[old]
		bios[nw].Next = ren(q.Bios[old].Next)
		data[nw] = s.Inode.Data[off+old]
		unw[nw] = s.Inode.Unwritten[off+old]
		a := s.Actors[base+1+old]
		a.Index = nw
		a.L.Bio = ren(a.L.Bio)
		actors[nw] = a
	}
	copy(q.Bios, bios)
	// What userspace read back of this request's range moves with the
	// blocks (a pread's Data names the writer of each block).
	for h := range s.History {
		e := &s.History[h]
		if e.Op != HistPread || !e.Return || e.Pos != q.Pos || e.Data == "" {
			continue
		}
		old := e.Data
		nd := []byte(old)
		for i := 0; i < len(old) && i < n; i++ {
			if int(perm[i]) < len(nd) {
				nd[perm[i]] = old[i]
			}
		}
		e.Data = string(nd)
	}
	copy(s.Inode.Data[off:off+n], data)
	copy(s.Inode.Unwritten[off:off+n], unw)
	copy(s.Actors[base+1:base+1+n], actors)
	q.Dio.BioList = ren(q.Dio.BioList)
	s.Actors[base].L.Bio = ren(s.Actors[base].L.Bio)
}

// RenameBios applies an actor permutation of the kind Canonicalize
// returns (bio completion actors of one request moved among themselves,
// every other actor fixed) to s: each bio moves with its completion actor,
// its block's data and what userspace read of that block, and every
// reference to it is renamed. It is how tests check that the model's steps
// commute with the renaming (the soundness of the symmetry reduction).
func (s *State) RenameBios(actorPerm []int8) {
	if actorPerm == nil {
		return
	}
	var cs CanonScratch
	for r := range s.Reqs {
		base := s.ActorBase(r)
		n := len(s.Reqs[r].Bios)
		perm := make([]int8, n)
		moved := false
		for i := 0; i < n; i++ {
			perm[i] = actorPerm[base+1+i] - int8(base+1)
			if int(perm[i]) != i {
				moved = true
			}
		}
		if moved {
			s.applyBioPerm(r, base, perm, &cs)
		}
	}
}

// SameBios reports whether s and o agree on everything Canonicalize looks
// at except the bio completion actors: the bios, bio_list, the submitter's
// popped bio, and the blocks' data. After a move by an actor other than a
// bio completion, equal answers mean the canonical order is unchanged.
func (s *State) SameBios(o *State) bool {
	if len(s.Reqs) != len(o.Reqs) {
		return false
	}
	for a := range s.Actors {
		if s.Actors[a].Kind == Submitter && s.Actors[a].L.Bio != o.Actors[a].L.Bio {
			return false
		}
	}
	for i := range s.Inode.Data {
		if s.Inode.Data[i] != o.Inode.Data[i] || s.Inode.Unwritten[i] != o.Inode.Unwritten[i] {
			return false
		}
	}
	for r := range s.Reqs {
		a, b := &s.Reqs[r], &o.Reqs[r]
		if a.Dio.BioList != b.Dio.BioList || len(a.Bios) != len(b.Bios) {
			return false
		}
		for i := range a.Bios {
			if a.Bios[i] != b.Bios[i] {
				return false
			}
		}
	}
	return true
}
