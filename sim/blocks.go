package sim

// What a block of the file holds, and what a read of it returns.
//
// Inode.Data[b] is the contents of block b where a read finds them: the
// file's contents from before the run (ContentOld), the data of iocb r
// (r+1, written by its bio or by the buffered fallback), nothing at all
// (ContentZero: no block is allocated, a hole, which reads as zeros) or a
// block allocated for a write whose data has not reached it (ContentStale:
// whatever the disk held). Inode.Unwritten[b] marks an XFS unwritten
// extent: the block is allocated, and a read returns zeros whatever the
// disk holds, until xfsdatad converts the extent (xfs_aops.c@v2.6.20:
// 1262-1276 maps it without a disk address for a read).
//
// The same codes are what a pread reports per block (HistEvent.Data) and
// what the sequential file model of properties.Linearizable tracks per
// block; ContentStale is never a legal reading there (no operation of the
// sequential file puts stale disk contents into a file).
const (
	ContentOld   uint8 = 0  // the contents the block had before the run
	ContentZero  uint8 = 14 // zeros: a hole, or an unwritten extent as a read sees it
	ContentStale uint8 = 15 // stale disk contents: allocated, never written
)

// ContentName names a block's contents as a pread reports it: old, w0,
// w1, ... (iocb r's data is "w"+r), zeros or stale.
func ContentName(c uint8) string {
	switch c {
	case ContentOld:
		return "old"
	case ContentZero:
		return "zeros"
	case ContentStale:
		return "stale"
	}
	return "w" + string(rune('0'+int(c)-1))
}

// unwrittenRange tells whether the scenario's XFS write maps unwritten extents
// (the default: its range was preallocated, as xfstests' aio-dio programs
// do with fallocate or as a fresh file's blocks are) rather than written
// extents holding the file's data (Overwrite).
func (sc Scenario) unwrittenRange() bool {
	return sc.FS == XFS && sc.Op == Write && !sc.Overwrite
}

// InitialBlock is block b's state when the run starts (the file starts at
// byte 0, Geometry): a block at or past i_size is a hole; inside i_size
// it holds the file's old contents, except that the range of a default
// XFS write is unwritten extents over stale disk contents.
func (sc Scenario) InitialBlock(b int) (data uint8, unwritten bool) {
	_, isize := sc.Geometry()
	switch {
	case int64(b)*BlockSize >= isize:
		return ContentZero, false
	case sc.unwrittenRange():
		return ContentStale, true
	}
	return ContentOld, false
}

// InitialReads is the set of what a read of block b may return before any
// write of the run, as a mask with bit c set for contents code c: zeros
// for a hole or an unwritten extent, the old contents otherwise; with the
// hole fault, get_block may find any block of the file unmapped (a sparse
// file), so a block inside i_size may read as zeros too.
func (sc Scenario) InitialReads(b int) uint16 {
	data, unw := sc.InitialBlock(b)
	if unw {
		data = ContentZero
	}
	m := uint16(1) << data
	if data == ContentOld && sc.Faults.Has(FaultHole) {
		m |= 1 << ContentZero
	}
	return m
}

// ReadBlock is what a read of block b returns now: zeros for an unwritten
// extent, else the block's contents.
func (s *State) ReadBlock(b int) uint8 {
	if s.Inode.Unwritten[b] {
		return ContentZero
	}
	return s.Inode.Data[b]
}
