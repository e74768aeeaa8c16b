package properties

import (
	"strings"
	"testing"

	"diosim/sim"
)

// TestDataAtRest: a write that reported bytes written is judged on the
// blocks those bytes cover; an error, a read or no completion is not.
func TestDataAtRest(t *testing.T) {
	xfs := sim.Scenario{Op: sim.Write, Blocks: 2, FS: sim.XFS}
	read := sim.Scenario{Op: sim.Read, Blocks: 2, FS: sim.XFS}
	done := func(res int64, unwritten ...int) func(s *sim.State) {
		return func(s *sim.State) {
			s.Reqs[0].Facts.Deliveries, s.Reqs[0].Facts.FirstRes = 1, res
			// An XFS write's range starts as unwritten extents: the
			// state after the run has converted all but unwritten.
			for b := 0; b < 2; b++ {
				s.Inode.Unwritten[s.Block(0, b)] = false
			}
			for _, b := range unwritten {
				s.Inode.Unwritten[s.Block(0, b)] = true
			}
		}
	}
	for _, c := range []struct {
		name string
		s    *sim.State
		want string // the blocks named, "" none
	}{
		{"converted", state(xfs, done(8192)), ""},
		{"both blocks left", state(xfs, done(8192, 0, 1)), "[0 1]"},
		{"second block left", state(xfs, done(8192, 1)), "[1]"},
		{"short write: only its blocks count", state(xfs, done(4096, 1)), ""},
		{"error: nothing was reported written", state(xfs, done(-sim.EIO, 0, 1)), ""},
		{"not completed", state(xfs, func(s *sim.State) { s.Inode.Unwritten[0] = true }), ""},
		{"a read", state(read, done(8192, 0)), ""},
	} {
		vs := atRest(c.s, 0)
		switch {
		case c.want == "" && len(vs) != 0:
			t.Errorf("%s: %v, want none", c.name, vs)
		case c.want != "" && (len(vs) != 1 || vs[0].Prop != DataAtRest || vs[0].Kind != KindUnconverted || !strings.Contains(vs[0].Msg, "block(s) "+c.want+" ")):
			t.Errorf("%s: %v, want data-at-rest naming blocks %s", c.name, vs, c.want)
		}
	}
}
