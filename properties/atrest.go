package properties

import (
	"fmt"

	"diosim/sim"
)

// DataAtRest is the id of the property that a successful write's data is
// on the file once the run is over: when nothing can run any more, no
// block of the range a write reported written (its first delivered
// result, a positive byte count) is still an XFS unwritten extent, which
// reads back as zeros whatever the disk holds. On XFS the direct write
// allocates unwritten extents (__xfs_get_blocks) and the I/O completion
// queues their conversion to xfsdatad (xfs_end_io_direct); a run that
// ends with the conversion not done, or done over the wrong range, has
// lost the write although userspace was told it succeeded. Unlike
// linearizable, which judges what the observer saw while the run went
// on, it judges the file left behind.
const DataAtRest ID = "data-at-rest"

// KindUnconverted is the kind of a data-at-rest violation.
const KindUnconverted = "written range left unwritten"

// atRest checks request q at the end of a run (see DataAtRest).
func atRest(s *sim.State, r int) []Violation {
	q := &s.Reqs[r]
	f := &q.Facts
	if s.Scn.Op != sim.Write || f.Deliveries == 0 || f.FirstRes <= 0 {
		return nil
	}
	blocks := int((f.FirstRes + sim.BlockSize - 1) / sim.BlockSize)
	if blocks > s.Scn.Blocks {
		blocks = s.Scn.Blocks
	}
	var left []int
	for i := 0; i < blocks; i++ {
		if s.Inode.Unwritten[s.Block(r, i)] {
			left = append(left, i)
		}
	}
	if len(left) == 0 {
		return nil
	}
	return []Violation{{Prop: DataAtRest, Kind: KindUnconverted, Msg: fmt.Sprintf(
		"the write reported %d bytes written, but when the run is over block(s) %v of its range are still unwritten extents: they read back as zeros",
		f.FirstRes, left)}}
}
