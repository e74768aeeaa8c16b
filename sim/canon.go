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
func (s *State) Canonicalize() []int8 { return s.CanonicalizeWith(&CanonScratch{}) }

// CanonScratch holds the buffers of Canonicalize, so a search can reuse them.
type CanonScratch struct {
	idx, sorted, listPos []int
	keys                 []uint64
	perm                 []int8
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
	n := len(s.Bios)
	idx := cs.idx[:0]
	for i := range s.Bios {
		if s.Bios[i].State >= BioSubmitted {
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
	for b := s.Dio.BioList; b >= 0; b = s.Bios[b].Next {
		listPos[b] = pos
		pos++
		if pos > n {
			break // a corrupted list; keep going without looping forever
		}
	}
	subBio := int8(-1)
	if len(s.Actors) > 0 && s.Actors[0].Kind == Submitter {
		subBio = s.Actors[0].L.Bio
	}
	keys := cs.keys[:0]
	for i := 0; i < n; i++ {
		keys = append(keys, 0)
	}
	cs.keys = keys
	for _, i := range idx {
		keys[i] = s.bioKeyHash(i, listPos[i], subBio == int8(i))
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
	s.applyBioPerm(perm, cs)
	return perm
}

// bioKeyHash hashes a description of bio i that mentions no other bio's
// index: its struct, its position in bio_list, whether the submitter holds
// it, its block's data, and its completion actor's program counter, task
// state and locals.
func (s *State) bioKeyHash(i, listPos int, poppedBySubmitter bool) uint64 {
	b := s.Bios[i]
	if b.State == BioEnded {
		b = Bio{State: BioEnded, Next: -1} // bio_put has run: nothing reads it
	}
	a := &s.Actors[1+i]
	l := &a.L
	if a.Done {
		l = &Locals{} // a finished actor's locals are never read again
	}
	h := uint64(0x9e3779b97f4a7c15)
	h = keyMix(h, uint64(b.State)|uint64(boolByte(b.Uptodate))<<8|uint64(boolByte(b.EndAIO))<<9|
		uint64(listPos+1)<<10|uint64(boolByte(poppedBySubmitter))<<20|uint64(s.Inode.Data[i])<<21|
		uint64(boolByte(s.Inode.Unwritten[i]))<<29|uint64(uint16(a.PC))<<30|uint64(boolByte(a.Done))<<46|
		uint64(boolByte(a.Dead))<<47|uint64(boolByte(a.Asleep))<<48|uint64(a.State)<<49|
		uint64(boolByte(l.Flag))<<57|uint64(boolByte(l.Flag2))<<58|uint64(boolByte(l.Bio >= 0))<<59)
	for j, v := range [...]int64{l.Ret, l.Ret2, l.Retval, l.Written, l.Transferred, l.Remaining, l.Pos, l.Count, l.Tmp, l.Buffered, l.Off, int64(l.Got)} {
		if v != 0 {
			h = keyMix(h, uint64(v)^uint64(j+1)<<58)
		}
	}
	return h
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
func (s *State) applyBioPerm(perm []int8, cs *CanonScratch) {
	n := len(s.Bios)
	ren := func(b int8) int8 {
		if b < 0 {
			return b
		}
		return perm[b]
	}
	bios := append(cs.bios[:0], s.Bios...)
	data := append(cs.data[:0], s.Inode.Data...)
	unw := append(cs.unw[:0], s.Inode.Unwritten...)
	actors := append(cs.actors[:0], s.Actors[1:1+n]...)
	cs.bios, cs.data, cs.unw, cs.actors = bios, data, unw, actors
	for old := 0; old < n; old++ {
		nw := perm[old]
		bios[nw] = s.Bios[old]
		bios[nw].Next = ren(s.Bios[old].Next)
		data[nw] = s.Inode.Data[old]
		unw[nw] = s.Inode.Unwritten[old]
		a := s.Actors[1+old]
		a.Index = nw
		a.L.Bio = ren(a.L.Bio)
		actors[nw] = a
	}
	copy(s.Bios, bios)
	copy(s.Inode.Data, data)
	copy(s.Inode.Unwritten, unw)
	copy(s.Actors[1:1+n], actors)
	s.Dio.BioList = ren(s.Dio.BioList)
	s.Actors[0].L.Bio = ren(s.Actors[0].L.Bio)
}

// SameBios reports whether s and o agree on everything Canonicalize looks
// at except the bio completion actors: the bios, bio_list, the submitter's
// popped bio, and the blocks' data. After a move by an actor other than a
// bio completion, equal answers mean the canonical order is unchanged.
func (s *State) SameBios(o *State) bool {
	if s.Dio.BioList != o.Dio.BioList || s.Actors[0].L.Bio != o.Actors[0].L.Bio || len(s.Bios) != len(o.Bios) {
		return false
	}
	for i := range s.Bios {
		if s.Bios[i] != o.Bios[i] || s.Inode.Data[i] != o.Inode.Data[i] || s.Inode.Unwritten[i] != o.Inode.Unwritten[i] {
			return false
		}
	}
	return true
}
