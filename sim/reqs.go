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
