package sim

// Req is one iocb's share of the world: its position, kiocb, dio, bios,
// object lifetimes and facts. With several iocbs in flight, the State's
// top-level Pos, Kiocb, Dio, Bios, Mem and Facts are a view of request Cur;
// the other requests wait in Reqs. Between steps the view shows request 0,
// so a state has one encoding.
type Req struct {
	Pos   int64
	Kiocb Kiocb
	Dio   Dio
	Bios  []Bio
	Mem   [NumObjs]uint8
	Facts Facts
}

// NumReqs returns the number of iocbs in the world.
func (s *State) NumReqs() int {
	if len(s.Reqs) == 0 {
		return 1
	}
	return len(s.Reqs)
}

// SwitchTo makes request r the one the top-level fields show.
func (s *State) SwitchTo(r int) {
	if r == int(s.Cur) {
		return
	}
	cur := &s.Reqs[s.Cur]
	cur.Pos, cur.Kiocb, cur.Dio, cur.Bios, cur.Mem, cur.Facts = s.Pos, s.Kiocb, s.Dio, s.Bios, s.Mem, s.Facts
	nw := &s.Reqs[r]
	s.Pos, s.Kiocb, s.Dio, s.Bios, s.Mem, s.Facts = nw.Pos, nw.Kiocb, nw.Dio, nw.Bios, nw.Mem, nw.Facts
	nw.Bios = nil
	s.Cur = int8(r)
}

// ForEachReq runs f with each request in view in turn, and leaves request 0
// in view.
func (s *State) ForEachReq(f func(r int)) {
	for r := 0; r < s.NumReqs(); r++ {
		s.SwitchTo(r)
		f(r)
	}
	s.SwitchTo(0)
}

// Block returns the index in Inode.Data of block i of the request in view.
func (s *State) Block(i int) int { return int(s.Cur)*len(s.Bios) + i }

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

func encodeReq(b []byte, r *Req) []byte {
	// Encode the request through a State view so the field order is the
	// same as for request 0.
	var v State
	v.Pos, v.Kiocb, v.Dio, v.Bios, v.Mem, v.Facts = r.Pos, r.Kiocb, r.Dio, r.Bios, r.Mem, r.Facts
	return v.encodeView(b)
}

func cloneReqs(rs []Req) []Req {
	if rs == nil {
		return nil
	}
	out := append([]Req(nil), rs...)
	for i := range out {
		out[i].Bios = append([]Bio(nil), rs[i].Bios...)
	}
	return out
}

func copyReqs(dst, src []Req) []Req {
	if src == nil {
		return dst[:0]
	}
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
