package sim

import (
	"encoding/binary"
	"math/bits"
	"sync"
	"unsafe"
)

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
// Three limits, found by CheckReductions and TestFingerprint (scheduler): a block's
// position is observable once userspace reads the range back, so what a
// pread saw of the request's range is renamed with the blocks (the file
// model treats the blocks of one iocb's range alike: every operation on
// it covers it whole); and the bios of a write whose range reaches past
// i_size are not renamed at all, because a read back stops at i_size and
// tells the blocks apart; nor are an XFS write's, whose ioend converts an
// absolute range computed from ki_pos at completion time (v2.6.18 and
// before convert the wrong range: xfstests 198), so which of its blocks are
// still unwritten is observable (see renamed; with map=extent no bios are
// renamed either).
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
	comp                 [][2]uint64
	keys2                []uint64
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

// CanonicalizeFingerprinted is CanonicalizeWith for a state whose
// fingerprint (Fingerprint, with symmetry) was computed on the state as it
// is: the sort keys it keeps tell, without hashing any bio again, whether
// the bios are in canonical order already (the common case in a search).
func (s *State) CanonicalizeFingerprinted(cs *CanonScratch) []int8 {
	if s.canonicalByCache() {
		return nil
	}
	return s.CanonicalizeWith(cs)
}

// canonicalByCache reports whether the sort keys the fingerprint cache
// holds (valid, computed with symmetry) show every request's submitted
// bios already in canonical order.
func (s *State) canonicalByCache() bool {
	f := &s.fp
	if !f.valid || !f.sym || f.from != nil {
		return false
	}
	for r := range s.Reqs {
		if !s.renamed(true, r) {
			continue
		}
		q := &s.Reqs[r]
		off := s.Block(r, 0)
		var last uint64
		for i := range q.Bios {
			if q.Bios[i].State < BioSubmitted {
				continue
			}
			k := f.keys[off+i]
			if k < last {
				return false
			}
			last = k
		}
	}
	return true
}

// canonReq canonicalizes the bios of request r, whose submitter is actor
// base, and returns the actor permutation (nil if none moved).
func (s *State) canonReq(cs *CanonScratch, r, base int) []int8 {
	q := &s.Reqs[r]
	n := len(q.Bios)
	if !s.renamed(true, r) {
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
		keys[i] = s.readKey(r, i, s.bioKeyHash(r, base, i, listPos[i], subBio == int8(i)))
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

// readKey adds to bio i's sort key what each read back of request r's
// range saw at its block. Blocks that differ only there (an XFS write's
// unwritten block read as zeros, the written one past EOF as data, both
// converted since) must not tie, or one orbit keeps two canonical forms.
// A read that saw the same on every block tells no block apart and is
// left out (the keys, and so the canonical forms, stay as they were
// without block states).
func (s *State) readKey(r, i int, key uint64) uint64 {
	q := &s.Reqs[r]
	for h := range s.History {
		if e := &s.History[h]; e.Op == HistPread && e.Return && e.Pos == q.Pos && i < len(e.Data) && !uniform(e.Data) {
			key = keyMix(key, uint64(e.Data[i])|uint64(h+1)<<8)
		}
	}
	return key
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
	if f := &s.fp; f.valid {
		// The bios' hashes name no index: they move with the bios.
		c0 := 1 + len(s.Reqs) + len(s.Actors) + off
		comp := append(cs.comp[:0], f.comp[c0:c0+n]...)
		keys := append(cs.keys2[:0], f.keys[off:off+n]...)
		cs.comp, cs.keys2 = comp, keys
		for old := 0; old < n; old++ {
			f.comp[c0+int(perm[old])] = comp[old]
			f.keys[off+int(perm[old])] = keys[old]
		}
	}
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

// Fingerprints.
//
// A search identifies a state by a 128-bit fingerprint. Fingerprint
// computes it as the sum of the hashes of the state's components, so that
// a successor, which differs from its parent in a few components, costs
// the hashing of those only:
//
//   - the global part: Reaped, the inode's scalars (ISize, IMutex,
//     IOLockExcl, IOLockShared, AllocSem, NrPages), the ring, and the history (of a pread of a
//     request's range, only the length of its Data: each block's
//     character belongs to that block's bio, below);
//   - each request: Pos, Kiocb, Dio, Mem, Facts (every field: a field
//     added to one of them must be hashed in fpReq too);
//   - each actor other than a bio completion;
//   - each bio, together with its completion actor, its block's Data and
//     Unwritten, and the character of every pread of its request's range
//     at its block.
//
// With symmetry, the hash of a bio that Canonicalize may rename (a
// submitted bio of a request whose bios are renamed at all) mentions no bio
// index: not its own (the actor's Index), nor another's, which it
// describes as CanonicalizeWith's sort key does (bio_list by position, the
// submitter's popped bio by a flag, a link to another renamed bio by that
// bio's list position). The references to such bios elsewhere
// (dio->bio_list, the submitter's Locals.Bio) are hashed as "some renamed
// bio". The fields applyBioPerm renames are exactly these: a request's
// Bios (their order and Next links), its bio completion actors (order,
// Index, Locals.Bio), Inode.Data and Inode.Unwritten of its blocks, the
// Data of the preads of its whole range, Dio.BioList and the submitter's
// Locals.Bio. So the
// fingerprint is the same for a state and its canonical form, and two
// states that are renamings of each other have the same fingerprint
// without either being put in canonical form: the search canonicalizes
// only the states it keeps. Every other component hashes its position.
//
// When the scenario's iocbs are interchangeable, the components of each
// iocb are hashed without its index or absolute positions and summed per
// iocb, and the global part is hashed under the iocbs' canonical order
// (see "Symmetry over iocbs" below).
//
// A field added to the world must be hashed in one of the components below
// (fpGlobal, fpReq, fpActor, fpBio) and compared in fpIncremental, or the
// search will merge states that differ in it; TestFingerprint checks the
// fingerprint against Encode on random walks.

// fpCache holds the component hashes a state's fingerprint sums; it is a
// cache, not part of the state (Encode ignores it).
type fpCache struct {
	valid bool
	sym   bool
	sum   [2]uint64
	// hist is the hash of the history key (fpHistory), which the
	// global part includes: kept to hash the global part again without
	// computing the key when only the rest of it changed.
	hist [2]uint64
	// whole says that the history key is the whole history
	// (State.keyWhole): then what a pread of a request's range read is
	// hashed with the bios (fpBio), else with the key.
	whole bool
	// comp: 0 the global part; 1+r request r; 1+R+a actor a (zero for bio
	// completions); 1+R+A+blk the bio of block blk.
	comp [][2]uint64
	keys []uint64 // CanonicalizeWith's sort key of each renamed bio, by block
	base []int    // each request's submitter
	// from is the parent of the last incremental Fingerprint, dirty the
	// components it hashed again and actors the actors that differ from
	// from's: what ResetTo puts back.
	from   *State
	dirty  []int32
	actors []int16
	// touched lists the first nt actors whose task state a step changed
	// through WakeUpProcess or Schedule (nt 0xff: more).
	touched [4]int16
	nt      uint8
	// isym: iocbs are renamed too (iocbSym). Then the components of
	// iocb r (its request, its actors, its bios) are summed into
	// gsum[r], grp[k] says which iocb component k belongs to (-1 none),
	// and the fingerprint sums gmix(gsum[r]), a hash of iocb r as a
	// whole that names no index; order is the iocbs' canonical order,
	// by that hash, under which the global part is hashed.
	isym  bool
	grp   []int8
	gsum  [MaxIocbs][2]uint64
	order [MaxIocbs]int8
}

func (f *fpCache) copyFrom(o *fpCache) {
	comp, keys, base, dirty, actors := f.comp[:0], f.keys[:0], f.base[:0], f.dirty[:0], f.actors[:0]
	*f = *o
	f.comp = append(comp, o.comp...)
	f.keys = append(keys, o.keys...)
	f.base = append(base, o.base...)
	f.dirty, f.actors, f.from, f.nt = dirty, actors, nil, 0
}

// ResetTo makes s a copy of p again, after s was made a copy of p
// (CopyFrom) and changed by a move and Fingerprint(p, ...): it copies back
// only the actors and component hashes that Fingerprint found changed,
// and the small rest of the world whole. It is how a search tries the
// moves of one state on one scratch copy.
func (s *State) ResetTo(p *State) {
	f := &s.fp
	if f.from != p || len(s.Actors) != len(p.Actors) {
		s.CopyFrom(p)
		return
	}
	for _, a := range f.actors {
		s.Actors[a] = p.Actors[a]
	}
	pf := &p.fp
	nb := 1 + len(s.Reqs) + len(s.Actors)
	for _, k := range f.dirty {
		f.comp[k] = pf.comp[k]
		if int(k) >= nb {
			f.keys[int(k)-nb] = pf.keys[int(k)-nb]
		}
	}
	f.sum, f.valid, f.sym, f.hist, f.whole = pf.sum, pf.valid, pf.sym, pf.hist, pf.whole
	f.gsum, f.order = pf.gsum, pf.order
	f.dirty, f.actors, f.from, f.nt = f.dirty[:0], f.actors[:0], nil, 0
	data, unw, ring, actors, hist, reqs, fp := s.Inode.Data[:0], s.Inode.Unwritten[:0], s.Ring[:0], s.Actors, s.History[:0], s.Reqs, s.fp
	*s = *p
	s.fp = fp
	s.Actors = actors
	s.History = append(hist, p.History...)
	s.Reqs = copyReqs(reqs, p.Reqs)
	s.Inode.Data = append(data, p.Inode.Data...)
	s.Inode.Unwritten = append(unw, p.Inode.Unwritten...)
	s.Ring = append(ring, p.Ring...)
}

// Fingerprint returns the 128-bit fingerprint of s, the same for all
// renamings of s among its interchangeable bios when sym is set (see
// above), and keeps the component hashes in s. parent, when not nil, must
// be a state s was copied from (Clone, CopyFrom) and then changed by
// moves, whose fingerprint was computed with the same sym: only the
// components that differ from parent are hashed again.
func (s *State) Fingerprint(parent *State, sym bool) [2]uint64 {
	return s.FingerprintAfter(parent, sym, -1)
}

// FingerprintAfter is Fingerprint for s reached from parent by one move of
// actor mover: of the actors, only mover and those its step woke or put
// to sleep (WakeUpProcess, Schedule) are compared with parent's. A step
// changes no other actor: it writes its own actor's fields and locals,
// and another task's state only through those two functions
// (TestFingerprint checks it on the default scenarios).
func (s *State) FingerprintAfter(parent *State, sym bool, mover int) [2]uint64 {
	f := &s.fp
	if parent == nil || !parent.fp.valid || parent.fp.sym != sym || len(parent.fp.comp) != s.fpLen() {
		s.fpFull(sym)
	} else {
		if !f.valid || len(f.comp) != len(parent.fp.comp) {
			nt, touched := f.nt, f.touched
			f.copyFrom(&parent.fp)
			f.nt, f.touched = nt, touched
		}
		f.from, f.dirty, f.actors = parent, f.dirty[:0], f.actors[:0]
		s.fpIncremental(parent, mover)
	}
	f.nt = 0
	return fpFinal(f.sum)
}

// touch records that a step changed actor a's task state.
func (f *fpCache) touch(a int) {
	if int(f.nt) < len(f.touched) {
		f.touched[f.nt] = int16(a)
		f.nt++
	} else {
		f.nt = 0xff // too many: compare every actor
	}
}

// cand reports whether actor a may differ from the parent's after a move
// of mover (-1: any actor may).
func (f *fpCache) cand(a, mover int) bool {
	if mover < 0 || a == mover || f.nt == 0xff {
		return true
	}
	for _, t := range f.touched[:f.nt] {
		if int(t) == a {
			return true
		}
	}
	return false
}

func (s *State) fpLen() int {
	return 1 + len(s.Reqs) + len(s.Actors) + len(s.Inode.Data)
}

func fpFinal(sum [2]uint64) [2]uint64 {
	return [2]uint64{fmix(sum[0] ^ 0x2545f4914f6cdd1d), fmix(sum[1] + 0x9e3779b97f4a7c15)}
}

func fmix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

// hasher hashes a sequence of words into two independent lanes.
type hasher struct{ a, b uint64 }

func newHasher(tag uint64) hasher {
	h := hasher{0x9e3779b97f4a7c15, 0xc2b2ae3d27d4eb4f}
	h.w(tag)
	return h
}

func (h *hasher) w(v uint64) {
	x, y := bits.Mul64(h.a^v, 0xbf58476d1ce4e5b9)
	h.a = x ^ y
	x, y = bits.Mul64(h.b+v, 0x94d049bb133111eb)
	h.b = x ^ y ^ v
}

func (h *hasher) str(s string) {
	h.w(uint64(len(s)))
	for len(s) >= 8 {
		h.w(binary.LittleEndian.Uint64([]byte(s[:8])))
		s = s[8:]
	}
	var t uint64
	for i := 0; i < len(s); i++ {
		t |= uint64(s[i]) << (8 * i)
	}
	h.w(t)
}

func (h *hasher) sum() [2]uint64 { return [2]uint64{fmix(h.a), fmix(h.b ^ 0x5851f42d4c957f2d)} }

func (f *fpCache) set(k int, v [2]uint64) {
	if f.from != nil {
		f.dirty = append(f.dirty, int32(k))
	}
	o := f.comp[k]
	f.comp[k] = v
	if f.isym {
		if g := f.grp[k]; g >= 0 {
			old := gmix(f.gsum[g])
			f.gsum[g][0] += v[0] - o[0]
			f.gsum[g][1] += v[1] - o[1]
			nw := gmix(f.gsum[g])
			f.sum[0] += nw[0] - old[0]
			f.sum[1] += nw[1] - old[1]
			return
		}
	}
	f.sum[0] += v[0] - o[0]
	f.sum[1] += v[1] - o[1]
}

// gmix hashes the sum of an iocb's component hashes into the hash of
// the iocb as a whole: summing the iocbs' sums instead would let two
// iocbs trade components.
func gmix(x [2]uint64) [2]uint64 {
	h := newHasher(9)
	h.w(x[0])
	h.w(x[1])
	return h.sum()
}

// renamed reports whether Canonicalize may rename request r's submitted
// bios in s.
//
// Not renamed: the bios of a write reaching past i_size (a read back stops
// at i_size, so which block a bio lands on can be seen); of an XFS write
// (the ioend converts an absolute range, io_offset and io_size, taken from
// ki_pos when the completion runs, which need not be the request's own
// range: which blocks are unwritten can then be seen); and with extents
// (a bio carries a run of blocks starting at its index).
func (s *State) renamed(sym bool, r int) bool {
	q := &s.Reqs[r]
	if !sym || s.Scn.Extent || s.Scn.Op == Write && s.Scn.FS == XFS {
		return false
	}
	return !(s.Scn.Op == Write && q.Pos+int64(len(q.Bios))*BlockSize > s.Inode.ISize)
}

// fpView is what describing the bios of one request needs.
type fpView struct {
	renamed bool
	listPos []int8 // position in bio_list + 1; 0 not listed
	popped  int8   // the submitter's Locals.Bio
}

func (s *State) fpViewOf(r int, sym bool, lp []int8) fpView {
	q := &s.Reqs[r]
	n := len(q.Bios)
	lp = lp[:0]
	for i := 0; i < n; i++ {
		lp = append(lp, 0)
	}
	pos := int8(1)
	for b := q.Dio.BioList; b >= 0 && int(b) < n && int(pos) <= n; b = q.Bios[b].Next {
		lp[b] = pos
		pos++
	}
	v := fpView{renamed: s.renamed(sym, r), listPos: lp, popped: -1}
	if sub := &s.Actors[s.fp.base[r]]; !sub.Done {
		v.popped = sub.L.Bio // a finished actor's locals are not part of the state
	}
	return v
}

// ref describes a reference to bio b of request r: a renamed bio by its
// list position only.
func (s *State) fpRef(v *fpView, r int, b int8) uint64 {
	if b < 0 {
		return 0xff
	}
	q := &s.Reqs[r]
	if v.renamed && int(b) < len(q.Bios) && q.Bios[b].State >= BioSubmitted {
		return 0x100 | uint64(v.listPos[b])
	}
	return uint64(uint8(b))
}

func (s *State) fpFull(sym bool) {
	f := &s.fp
	n := s.fpLen()
	f.comp = append(f.comp[:0], make([][2]uint64, n)...)
	f.keys = append(f.keys[:0], make([]uint64, len(s.Inode.Data))...)
	f.base = f.base[:0]
	for r := range s.Reqs {
		f.base = append(f.base, s.ActorBase(r))
	}
	f.sum = [2]uint64{}
	f.sym, f.valid, f.from = sym, true, nil
	f.isym, f.gsum, f.order = s.iocbSym(sym), [MaxIocbs][2]uint64{}, [MaxIocbs]int8{}
	if f.isym {
		f.grp = s.fpGroups() // a new slice: copies share the old one
	}
	f.whole = s.keyWhole()
	if !f.isym {
		f.hist = s.fpHistory()
		f.set(0, s.fpGlobal())
	}
	var lp []int8
	for r := range s.Reqs {
		v := s.fpViewOf(r, sym, lp)
		lp = v.listPos
		f.set(1+r, s.fpReq(r, &v))
		for i := range s.Reqs[r].Bios {
			s.fpBio(r, i, &v)
		}
	}
	for a := range s.Actors {
		if s.Actors[a].Kind != BioEnd {
			r := int(s.Actors[a].Req)
			var v *fpView
			if s.Actors[a].Kind == Submitter {
				vv := s.fpViewOf(r, sym, lp)
				lp, v = vv.listPos, &vv
			}
			f.set(1+len(s.Reqs)+a, s.fpActor(a, v))
		}
	}
	if f.isym {
		f.order = s.iocbOrder()
		f.set(0, s.fpGlobalSym())
	}
}

// fpIncremental hashes again the components of s that differ from
// parent's, whose hashes s.fp holds. Of the actors, only the candidates
// (fpCache.cand) are compared; the bios and blocks of a request are first
// compared whole, and one by one only when they differ.
func (s *State) fpIncremental(p *State, mover int) {
	f := &s.fp
	switched := false // every bio must be hashed again
	global := false   // with isym: the global part must be hashed again
	if !s.sameHistory(p) {
		w := s.keyWhole()
		switched, f.whole = w != f.whole, w
		if global = f.isym; !global {
			f.hist = s.fpHistory()
			f.set(0, s.fpGlobal())
		}
	} else if !s.sameGlobal(p) {
		if global = f.isym; !global {
			f.set(0, s.fpGlobal())
		}
	}
	if f.isym {
		defer func() {
			// The iocbs' hashes are known now: their order, and the
			// global part under it.
			o := s.iocbOrder()
			if global || o != f.order || s.reaperReq() != p.reaperReq() {
				f.order = o
				f.set(0, s.fpGlobalSym())
			}
		}()
	}
	nR := len(s.Reqs)
	every := mover < 0 || f.nt == 0xff
	var lp [MaxBlocks]int8
	for r := range s.Reqs {
		q, pq := &s.Reqs[r], &p.Reqs[r]
		base := f.base[r]
		n := len(q.Bios)
		off := s.Block(r, 0)
		same := biosBytes(q.Bios) == biosBytes(pq.Bios) &&
			string(s.Inode.Data[off:off+n]) == string(p.Inode.Data[off:off+n]) &&
			boolsBytes(s.Inode.Unwritten[off:off+n]) == boolsBytes(p.Inode.Unwritten[off:off+n])
		all := switched || s.renamed(f.sym, r) != p.renamed(f.sym, r) || q.Dio.BioList != pq.Dio.BioList ||
			s.Actors[base].L.Bio != p.Actors[base].L.Bio || s.Actors[base].Done != p.Actors[base].Done || s.newPread(p, q.Pos)
		if !all && !same {
			for i := range q.Bios {
				b, pb := &q.Bios[i], &pq.Bios[i]
				if b.Next != pb.Next || (b.State >= BioSubmitted) != (pb.State >= BioSubmitted) {
					all = true
					break
				}
			}
		}
		var v fpView
		ready := false
		view := func() *fpView {
			if !ready {
				v, ready = s.fpViewOf(r, f.sym, lp[:0]), true
			}
			return &v
		}
		if all || q.Pos != pq.Pos || q.Kiocb != pq.Kiocb || q.Dio != pq.Dio || q.Mem != pq.Mem || q.Facts != pq.Facts {
			f.set(1+r, s.fpReq(r, view()))
		}
		if f.cand(base, mover) && s.Actors[base] != p.Actors[base] {
			f.actors = append(f.actors, int16(base))
			f.set(1+nR+base, s.fpActor(base, view()))
		} else if all {
			f.set(1+nR+base, s.fpActor(base, view()))
		}
		if all || !same || every {
			for i := range q.Bios {
				a := base + 1 + i
				moved := f.cand(a, mover) && s.Actors[a] != p.Actors[a]
				if moved {
					f.actors = append(f.actors, int16(a))
				}
				if all || moved || q.Bios[i] != pq.Bios[i] ||
					s.Inode.Data[off+i] != p.Inode.Data[off+i] || s.Inode.Unwritten[off+i] != p.Inode.Unwritten[off+i] {
					s.fpBio(r, i, view())
				}
			}
			continue
		}
		// Only the candidate actors' bios may have changed.
		for k := -1; k < int(f.nt); k++ {
			a := mover
			if k >= 0 {
				a = int(f.touched[k])
			}
			i := a - base - 1
			if i < 0 || i >= n || (k >= 0 && a == mover) || s.Actors[a] == p.Actors[a] {
				continue
			}
			f.actors = append(f.actors, int16(a))
			s.fpBio(r, i, view())
		}
	}
	if every {
		for a := range s.Actors {
			s.fpOther(p, a)
		}
		return
	}
	for k := -1; k < int(f.nt); k++ {
		a := mover
		if k >= 0 {
			a = int(f.touched[k])
		}
		if k < 0 || a != mover {
			s.fpOther(p, a)
		}
	}
}

// fpOther hashes again actor a if it is neither a submitter nor a bio
// completion (whose hashes the requests' loop keeps) and differs from its
// copy in p.
func (s *State) fpOther(p *State, a int) {
	ac := &s.Actors[a]
	if ac.Kind != BioEnd && ac.Kind != Submitter && *ac != p.Actors[a] {
		s.fp.actors = append(s.fp.actors, int16(a))
		s.fp.set(1+len(s.Reqs)+a, s.fpActor(a, nil))
	}
}

// biosBytes and boolsBytes view a slice's memory as a string, to compare
// two slices whole: equal bytes mean equal fields (padding, were a field
// added, could only make equal values compare unequal, which costs a
// re-hash, never a wrong fingerprint).
func biosBytes(b []Bio) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(&b[0])), len(b)*int(unsafe.Sizeof(Bio{})))
}

func boolsBytes(b []bool) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String((*byte)(unsafe.Pointer(&b[0])), len(b))
}

func (s *State) sameGlobal(p *State) bool {
	if s.Reaped != p.Reaped || s.Inode.ISize != p.Inode.ISize || s.Inode.IMutex != p.Inode.IMutex ||
		s.Inode.AllocSem != p.Inode.AllocSem || s.Inode.NrPages != p.Inode.NrPages ||
		s.Inode.IOLockExcl != p.Inode.IOLockExcl || s.Inode.IOLockShared != p.Inode.IOLockShared ||
		len(s.Ring) != len(p.Ring) {
		return false
	}
	for i := range s.Ring {
		if s.Ring[i] != p.Ring[i] {
			return false
		}
	}
	return true
}

func (s *State) sameHistory(p *State) bool {
	if len(s.History) != len(p.History) {
		return false
	}
	for i := range s.History {
		if s.History[i] != p.History[i] {
			return false
		}
	}
	return true
}

// newPread reports whether s's history has a pread of the range at pos
// that p's has not.
func (s *State) newPread(p *State, pos int64) bool {
	for _, e := range s.History[min(len(p.History), len(s.History)):] {
		if e.Op == HistPread && e.Pos == pos {
			return true
		}
	}
	return false
}

// preadOf reports whether e is a pread of the whole range of some request,
// whose characters the bios' hashes hold. A pread cut short by i_size is
// hashed whole with the history: its characters are not a function of the
// bios (applyBioPerm moves only those inside it).
func (s *State) preadOf(e *HistEvent) bool {
	if e.Op != HistPread || !e.Return {
		return false
	}
	for r := range s.Reqs {
		if s.Reqs[r].Pos == e.Pos {
			return len(e.Data) >= len(s.Reqs[r].Bios)
		}
	}
	return false
}

func (s *State) fpGlobal() [2]uint64 {
	h := newHasher(1)
	in := &s.Inode
	h.w(uint64(s.Reaped) | uint64(uint8(in.IMutex))<<8 | uint64(uint8(in.AllocSem))<<16 | uint64(uint8(in.NrPages))<<24 |
		uint64(uint8(in.IOLockExcl))<<32 | uint64(uint8(in.IOLockShared))<<40)
	h.w(uint64(in.ISize))
	h.w(uint64(len(s.Ring)))
	for _, e := range s.Ring {
		h.w(uint64(e.Res))
		h.w(uint64(uint8(e.Iocb)))
	}
	h.w(s.fp.hist[0])
	h.w(s.fp.hist[1])
	return h.sum()
}

// fpHistory hashes the history key (HistoryKey). When the key is the whole
// history, the contents a pread of a request's whole range read are left
// out: each block's belongs to that block's bio (fpBio), so that the hash
// does not change when the bios are renamed.
func (s *State) fpHistory() [2]uint64 {
	if !s.fp.whole {
		return histKeys.hash(s)
	}
	return s.fpWholeHistory(s.History)
}

// fpWholeHistory is fpHistory's hash of a whole history hist (s's or a
// renaming of it).
func (s *State) fpWholeHistory(hist []HistEvent) [2]uint64 {
	h := newHasher(7)
	h.w(uint64(len(hist)))
	for i := range hist {
		e := &hist[i]
		h.w(uint64(boolB(e.Return)) | uint64(e.Op)<<8 | uint64(uint8(e.ID))<<16 | uint64(uint8(e.Client))<<24)
		h.w(uint64(e.Pos))
		h.w(uint64(e.Len))
		h.w(uint64(e.Val))
		if s.preadOf(e) {
			h.w(uint64(len(e.Data)) | 1<<32)
			continue
		}
		h.str(e.Data)
	}
	return h.sum()
}

func (s *State) fpReq(r int, v *fpView) [2]uint64 {
	q := &s.Reqs[r]
	isym := s.fp.isym
	var h hasher
	if isym {
		// No index and no absolute position: positions relative to
		// the range, actors relative to the iocb's first.
		h = newHasher(2)
	} else {
		h = newHasher(2 | uint64(r)<<8)
		h.w(uint64(q.Pos))
	}
	k := &q.Kiocb
	h.w(uint64(uint32(k.Users)) | uint64(uint32(k.IoendRemaining))<<32)
	if isym {
		h.w(zsRel(k.Pos, q.Pos))
	} else {
		h.w(uint64(k.Pos))
	}
	h.w(uint64(k.Left))
	h.w(uint64(k.NBytes))
	h.w(uint64(k.UserData))
	if isym {
		h.w(zsRel(k.IoOffset, q.Pos))
	} else {
		h.w(uint64(k.IoOffset))
	}
	h.w(uint64(k.IoSize))
	h.w(uint64(boolB(k.Private)) | uint64(boolB(k.IsSync))<<1 | uint64(boolB(k.IoendQueued))<<2 |
		uint64(boolB(k.IoendUnwritten))<<3 | uint64(boolB(k.IoIocb))<<4 | uint64(k.IoendWork)<<8)
	h.w(uint64(k.IoResult))
	d := &q.Dio
	bioLock, waiter := d.BioLock, d.Waiter
	if isym {
		bioLock, waiter = s.relActor(r, bioLock), s.relActor(r, waiter)
	}
	h.w(uint64(uint8(d.Rw)) | uint64(uint8(d.LockType))<<8 | uint64(boolB(d.IsAsync))<<16 | uint64(boolB(d.EndIO))<<17 |
		uint64(boolB(d.BPrivate))<<18 | uint64(uint8(bioLock))<<24 | uint64(uint8(waiter))<<32 | uint64(uint8(d.Bio))<<40)
	h.w(s.fpRef(v, r, d.BioList))
	h.w(uint64(uint32(d.Refcount)) | uint64(uint32(d.BioCount))<<32)
	h.w(uint64(uint32(d.BiosInFlight)) | uint64(uint32(d.GupBad))<<32)
	h.w(uint64(uint32(d.BlockInFile)) | uint64(uint32(d.FinalBlock))<<32)
	h.w(uint64(uint32(d.CurPage)) | uint64(uint32(d.PagesPinned))<<32)
	h.w(uint64(uint32(d.BlocksAvailable)) | uint64(uint32(d.ZeroEnd))<<32)
	h.w(uint64(d.Size))
	h.w(uint64(d.Result))
	h.w(uint64(d.ISize))
	h.w(uint64(d.IoError))
	h.w(uint64(d.PageErrors))
	var mem uint64
	for i, m := range q.Mem {
		mem |= uint64(m) << (8 * i)
	}
	h.w(mem)
	fa := &q.Facts
	h.w(uint64(boolB(fa.Submitted)) | uint64(uint8(fa.Deliveries))<<8 | uint64(uint8(fa.DioCompletes))<<16 | uint64(boolB(fa.Committed))<<24 |
		uint64(boolB(fa.RetryReturned))<<25 | uint64(boolB(fa.EarlyDioComp))<<26 | uint64(fa.MemErrObj)<<32 | uint64(uint8(fa.PreadSeen))<<40 |
		uint64(fa.FaultsMet)<<48)
	h.w(uint64(fa.FirstRes))
	h.w(uint64(fa.RetryRet))
	h.w(uint64(fa.StatAfterReap))
	h.w(uint64(fa.StatRes))
	h.str(fa.Bug)
	h.str(fa.MemErr)
	return h.sum()
}

// fpLocals hashes an actor's task fields and locals (not its Index), with
// the bio it refers to described by ref. With iocbs renamed (isym), the
// actor's Req is left out (the iocb's hash holds the actor; the reaper's
// is hashed with the global part) and, for an actor of an iocb whose
// range starts at pos (>= 0), its pos and offset locals are hashed
// relative to it (zsRel); waiter (> 0) is the iocb's submitter's task
// pointer (actor index + 1), which a bio completion's Tmp may hold
// (after's dio_bio_end_aio reloads dio->waiter into it), hashed as such.
func fpLocals(h *hasher, a *Actor, ref uint64, isym bool, pos, waiter int64) {
	req := uint64(uint8(a.Req))
	if isym {
		req = 0
	}
	h.w(uint64(a.Kind) | req<<8 | uint64(uint16(a.PC))<<16 | uint64(boolB(a.Done))<<32 |
		uint64(boolB(a.Dead))<<33 | uint64(boolB(a.Asleep))<<34 | uint64(a.State)<<40)
	if a.Done {
		return // a finished actor's locals are never read again (as in Encode)
	}
	l := &a.L
	h.w(ref | uint64(uint8(l.Got))<<16 | uint64(boolB(l.Flag))<<24 | uint64(boolB(l.Flag2))<<25 | uint64(boolB(l.Waited))<<26)
	rel := isym && pos >= 0
	for j, v := range [...]int64{l.Ret, l.Ret2, l.Retval, l.Written, l.Transferred, l.Remaining, l.Pos, l.Count, l.Tmp, l.Buffered, l.Off} {
		if rel && (j == 6 || j == 10) {
			h.w(zsRel(v, pos) ^ uint64(j+1)<<56)
			continue
		}
		if j == 8 && waiter > 0 && v == waiter {
			h.w(1<<40 | uint64(j+1)<<32) // the waiter, whichever actor it is
			continue
		}
		if v != 0 {
			h.w(uint64(uint32(v)) | uint64(j+1)<<32)
		}
	}
}

func (s *State) fpActor(a int, v *fpView) [2]uint64 {
	ac := &s.Actors[a]
	isym, pos := s.fp.isym, int64(-1)
	id := a
	if isym && ac.Kind != Reaper {
		// an iocb's actor: by its place among the iocb's actors
		id, pos = a-s.fp.base[ac.Req], s.Reqs[ac.Req].Pos
	}
	h := newHasher(3 | uint64(id)<<8 | uint64(uint8(ac.Index))<<16)
	ref := uint64(uint8(ac.L.Bio))
	if v != nil {
		ref = s.fpRef(v, int(ac.Req), ac.L.Bio)
	}
	fpLocals(&h, ac, ref, isym, pos, -1)
	return h.sum()
}

// fpBio hashes bio i of request r with its completion actor, block and
// what preads saw of the block, and keeps CanonicalizeWith's sort key.
func (s *State) fpBio(r, i int, v *fpView) {
	f := &s.fp
	q := &s.Reqs[r]
	b := q.Bios[i]
	blk := s.Block(r, i)
	base := f.base[r]
	a := &s.Actors[base+1+i]
	free := v.renamed && b.State >= BioSubmitted
	var h hasher
	isym := f.isym
	rr := uint64(r)
	if isym {
		rr = 0 // the iocb's hash holds the bio
	}
	if free {
		h = newHasher(4 | rr<<8)
		f.keys[blk] = s.readKey(r, i, s.bioKeyHash(r, base, i, int(v.listPos[i])-1, s.Actors[base].L.Bio == int8(i))) // as canonReq
	} else {
		h = newHasher(5 | rr<<8 | uint64(i)<<16)
	}
	if b.State == BioEnded {
		h.w(uint64(b.State))
	} else {
		h.w(uint64(b.State) | uint64(boolB(b.Uptodate))<<8 | uint64(boolB(b.EndAIO))<<9 | s.fpRef(v, r, b.Next)<<16 | uint64(uint8(b.More))<<32)
	}
	data := s.Inode.Data[blk]
	if isym && int(data) == r+1 {
		data = 0xff // the iocb's own data
	}
	h.w(uint64(v.listPos[i]) | uint64(boolB(v.popped == int8(i)))<<8 | uint64(data)<<16 | uint64(boolB(s.Inode.Unwritten[blk]))<<24)
	ref := uint64(uint8(a.L.Bio))
	switch {
	case a.L.Bio == int8(i):
		ref = 0x200
	case free:
		ref = s.fpRef(v, r, a.L.Bio)
	}
	waiter := int64(-1)
	if isym {
		waiter = int64(base + 1)
	}
	fpLocals(&h, a, ref, isym, q.Pos, waiter)
	for k := range s.History {
		if !f.whole {
			break // the history key holds what preads read
		}
		e := &s.History[k]
		if e.Op != HistPread || !e.Return || e.Pos != q.Pos || len(e.Data) < len(q.Bios) {
			continue
		}
		c := e.Data[i]
		if isym && int(c) == r+1 {
			c = 0xff
		}
		h.w(uint64(c))
	}
	f.set(1+len(s.Reqs)+len(s.Actors)+blk, h.sum())
}

// histKeyMemo remembers the hash of the history key of recent histories:
// a search meets the same histories on many states, and a view (the
// linearizability frontier) costs more than a lookup.
type histKeyMemo struct {
	mu  sync.Mutex
	scn Scenario // the scenario of every history in m
	m   map[string][2]uint64
	buf []byte
}

// histKeyMemoMax bounds the histories remembered (then the memo starts
// again).
const histKeyMemoMax = 1 << 15

var histKeys histKeyMemo

// hash returns the hash of s's history key (HistoryKey), by s.Scn and the
// whole history.
func (c *histKeyMemo) hash(s *State) [2]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.scn != *s.Scn {
		c.scn, c.m = *s.Scn, nil
	}
	c.buf = encodeHistory(c.buf[:0], s.History)
	if v, ok := c.m[string(c.buf)]; ok {
		return v
	}
	h := newHasher(6)
	key := s.HistoryKey(nil)
	h.w(uint64(len(key)))
	for len(key) >= 8 {
		h.w(binary.LittleEndian.Uint64(key))
		key = key[8:]
	}
	for _, b := range key {
		h.w(uint64(b))
	}
	v := h.sum()
	if c.m == nil || len(c.m) >= histKeyMemoMax {
		c.m = map[string][2]uint64{}
	}
	c.m[string(c.buf)] = v
	return v
}

// Symmetry over iocbs.
//
// Which iocbs are interchangeable. All iocbs of a scenario do the same
// operation, of the same size, in the same mode, with the same faults;
// iocb r works on its own range, blocks r*Blocks .. r*Blocks+Blocks-1.
// What tells two of them apart is then only what the code or an
// observation can see of where their ranges lie:
//
//   - reads and writes inside i_size, on a block filesystem without
//     extents, observed after each reap (Scenario.IocbsInterchangeable),
//     are interchangeable. i_size never moves (no write reaches past it,
//     the buffered fallback included), so every test the code makes of a
//     position against i_size (the past-EOF check, the buffered read's
//     count, the short-read clamp, get_block's allocated test, is_async's
//     extension test) answers the same for every block of every range;
//     the hole fault is decided per block of the request. Each iocb's data
//     (Inode.Data r+1) lands only in its own range (its bios and its
//     buffered fallback cover that range only), so a block holding it is
//     hashed as "own data", and the history's preads (tags and ranges)
//     and its calls (ids, clients, ranges) are renamed with the iocbs,
//     which is all the linearizability view sees of them (the view is
//     computed on the renamed history);
//   - a write that extends i_size (place=extend) or a read past it
//     (place=past-eof) is not: only the last range reaches i_size, and
//     stat and the reads back tell it apart;
//   - XFS iocbs are not: the ioend converts an absolute range taken from
//     ki_pos when the completion runs (which blocks stay unwritten is
//     observable); nor extents (a bio's run of blocks starts at its
//     index), nor a reader at rest (it reads the ranges back in index
//     order).
//
// How the fingerprint names no iocb. With iocbs renamed (fpCache.isym),
// the hashes of an iocb's components (its request, its submitter and
// bio completions, its bios with their blocks) mention neither its index
// nor an absolute position: positions (ki_pos, io_offset, the pos and
// offset locals) are hashed relative to the range's start (zsRel),
// actors (dio->waiter, the bio_lock holder, an actor's own place) relative
// to the iocb's first actor, its own data tag as "own". They are summed
// into the iocb's sum, and the fingerprint sums a hash of each iocb's sum
// (gmix): a multiset of iocbs, so renamings have one fingerprint, while
// two iocbs cannot trade parts. What refers to an iocb from outside it
// (the ring's events, the reaper's current iocb, the i_mutex holder, the
// history's ids, clients and ranges) is hashed in the global part, under
// the iocbs' canonical order: sorted by their hashes, ties (iocbs equal
// in every respect but what refers to them) tried in every order, the
// least hash kept (fpGlobalSym). So two states have one fingerprint
// exactly when a renaming of iocbs (RenameIocbs) maps one to the other.
//
// Unset positions. A position field that was never set holds 0, which
// is also iocb 0's start. zsRel hashes 0 and the range's start alike:
// the model never reads a position it has not set (the kiocb's ki_pos is
// set by aio_get_req's step, a function's pos and offset locals by the
// step that enters it), and no set position of iocb r > 0 is 0 (it lies
// in its range or at i_size), so whichever a 0 or a start is, the
// futures agree. CheckReductions checks it: the renamed state (where an
// unset position becomes the new range's start) must have the renamed
// moves and successors.
//
// Task pointers in locals. after's dio_bio_end_aio reloads dio->waiter
// (the submitter's task: its actor index + 1) into a bio completion's Tmp
// before it wakes it. A bio completion's Tmp otherwise holds dio_complete's
// result, 0 or an errno or a whole number of blocks in bytes, never the
// small index of its own submitter; so a Tmp equal to the own submitter's
// index + 1 is hashed as "the waiter" and renamed with the iocb
// (RenameIocbs). A new step that keeps another actor's index in a local
// must be added here, or CheckReductions refuses it.
//
// The state a search keeps stays a real state (the first reached of its
// class): iocbs are never renamed in it, so its moves and traces are
// real runs.

// iocbSym reports whether the fingerprint renames iocbs in s.
func (s *State) iocbSym(sym bool) bool { return sym && s.Scn.IocbsInterchangeable() }

// zsRel hashes position v of a range starting at pos: relative to pos,
// 0 (unset) and pos alike.
func zsRel(v, pos int64) uint64 {
	if v == 0 || v == pos {
		return 1 << 62
	}
	return uint64(v - pos)
}

// relActor renames a reference to an actor (index + 1, 0 none) made by
// request r relative to r's first actor.
func (s *State) relActor(r int, v int8) int8 {
	if v <= 0 {
		return v
	}
	return v - int8(s.fp.base[r]) + 64
}

// fpGroups returns the iocb each component belongs to (-1: none).
func (s *State) fpGroups() []int8 {
	g := make([]int8, s.fpLen())
	g[0] = -1
	nR := len(s.Reqs)
	for r := 0; r < nR; r++ {
		g[1+r] = int8(r)
	}
	for a := range s.Actors {
		g[1+nR+a] = -1
		if s.Actors[a].Kind != Reaper {
			g[1+nR+a] = s.Actors[a].Req
		}
	}
	for b := range s.Inode.Data {
		g[1+nR+len(s.Actors)+b] = int8(b / s.Scn.Blocks)
	}
	return g
}

// iocbOrder returns the iocbs' canonical order (order[r]: iocb r's
// place), by the hashes of the iocbs; ties by index.
func (s *State) iocbOrder() (order [MaxIocbs]int8) {
	n := len(s.Reqs)
	var g [MaxIocbs][2]uint64
	var idx [MaxIocbs]int8
	for r := 0; r < n; r++ {
		g[r], idx[r] = gmix(s.fp.gsum[r]), int8(r)
	}
	for a := 1; a < n; a++ {
		for b := a; b > 0 && less(g[idx[b]], g[idx[b-1]]); b-- {
			idx[b], idx[b-1] = idx[b-1], idx[b]
		}
	}
	for k := 0; k < n; k++ {
		order[idx[k]] = int8(k)
	}
	return order
}

func less(a, b [2]uint64) bool { return a[0] < b[0] || a[0] == b[0] && a[1] < b[1] }

// reaperReq is the iocb the reaper looks at (-1: none yet, or no reaper).
func (s *State) reaperReq() int8 {
	if s.Scn.Sync || s.Reaped == 0 {
		return -1 // before its first reap, the reaper's Req is not read
	}
	return s.Actors[len(s.Actors)-1].Req
}

// maxTieOrders bounds the orders of tied iocbs fpGlobalSym tries; past
// it, ties keep their index order (the reduction is then weaker, never
// unsound: each order is a renaming).
const maxTieOrders = 24

// fpGlobalSym is fpGlobal with iocbs renamed to their canonical order:
// the least hash over the orders of tied iocbs.
func (s *State) fpGlobalSym() [2]uint64 {
	f := &s.fp
	n := len(s.Reqs)
	perm := make([]int, n)
	for r := 0; r < n; r++ {
		perm[r] = int(f.order[r])
	}
	var g [MaxIocbs][2]uint64
	for r := 0; r < n; r++ {
		g[r] = gmix(f.gsum[r])
	}
	// the iocbs at each place; tied ones share a run of places
	at := make([]int, n)
	for r := 0; r < n; r++ {
		at[perm[r]] = r
	}
	orders := 1
	for k := 0; k < n; {
		j := k + 1
		for j < n && g[at[j]] == g[at[k]] {
			j++
		}
		for m := 2; m <= j-k; m++ {
			orders *= m
		}
		k = j
	}
	best := s.fpGlobalUnder(perm)
	if orders == 1 || orders > maxTieOrders {
		return best
	}
	// Every order of every run of ties: permute the places within runs.
	var try func(k int)
	try = func(k int) {
		if k >= n {
			if h := s.fpGlobalUnder(perm); less(h, best) {
				best = h
			}
			return
		}
		j := k + 1
		for j < n && g[at[j]] == g[at[k]] {
			j++
		}
		permuteRun(at[k:j], perm, k, func() { try(j) })
	}
	try(0)
	return best
}

// permuteRun calls f once for every assignment of the places k.. to the
// iocbs rs, set in perm.
func permuteRun(rs []int, perm []int, k int, f func()) {
	var rec func(i int, used uint32)
	rec = func(i int, used uint32) {
		if i == len(rs) {
			f()
			return
		}
		for p := 0; p < len(rs); p++ {
			if used&(1<<p) == 0 {
				perm[rs[i]] = k + p
				rec(i+1, used|1<<p)
			}
		}
	}
	rec(0, 0)
}

// fpGlobalUnder hashes the global part of s with iocb r renamed perm[r]:
// fpGlobal's fields, the i_mutex holder, the ring's iocbs, the reaper's
// iocb and the history key of the renamed history.
func (s *State) fpGlobalUnder(perm []int) [2]uint64 {
	f := &s.fp
	n := len(s.Reqs)
	per := 0
	if n > 1 {
		per = f.base[1] - f.base[0]
	}
	actor := func(v int8) uint64 {
		if v <= 0 || int(v-1) >= n*per {
			return uint64(uint8(v))
		}
		a := int(v - 1)
		return uint64(perm[a/per]*per + a%per + 1)
	}
	h := newHasher(1)
	in := &s.Inode
	h.w(uint64(s.Reaped) | actor(in.IMutex)<<8 | uint64(uint8(in.AllocSem))<<16 | uint64(uint8(in.NrPages))<<24 |
		actor(in.IOLockExcl)<<32 | uint64(uint8(in.IOLockShared))<<40)
	h.w(uint64(in.ISize))
	h.w(uint64(len(s.Ring)))
	for _, e := range s.Ring {
		h.w(uint64(e.Res))
		h.w(uint64(perm[e.Iocb]))
	}
	if rq := s.reaperReq(); rq >= 0 {
		h.w(uint64(perm[rq]))
	} else {
		h.w(0xff)
	}
	identity := true
	for r, p := range perm {
		identity = identity && r == p
	}
	hist := s.History
	if !identity {
		hist = append([]HistEvent(nil), s.History...)
		renameHistory(hist, s.Reqs, perm, s.Scn.Sync)
	}
	var hh [2]uint64
	if f.whole {
		hh = s.fpWholeHistory(hist)
	} else {
		hh = histKeys.hash(&State{Scn: s.Scn, History: hist, Reqs: s.Reqs})
	}
	h.w(hh[0])
	h.w(hh[1])
	return h.sum()
}
