package sim

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// BlockSize is the size of one dio block in bytes. The simulated inode uses
// 4096-byte blocks and page-aligned user buffers, so blkbits equals
// PAGE_SHIFT, blkfactor is 0, and one dio block is one user page.
const BlockSize = 4096

// MaxBlocks bounds the size of a request. It is DIO_PAGES
// (fs/direct-io.c:44), so one get_user_pages call can pin every page of the
// request, as it does in the kernel for requests of that size.
const MaxBlocks = 64

// Op is the direction of the request.
type Op uint8

// The two operations.
const (
	Read Op = iota
	Write
)

func (o Op) String() string {
	if o == Write {
		return "write"
	}
	return "read"
}

// Placement says where the request lies against i_size.
type Placement uint8

// Placements. Inside: the request ends at or before EOF. PastEOF (reads):
// the last block straddles EOF, i_size ends half-way into it. Extend
// (writes): the request starts at 0 over a file one block shorter than the
// request, so the write extends i_size.
const (
	Inside Placement = iota
	PastEOF
	Extend
)

func (p Placement) String() string {
	switch p {
	case PastEOF:
		return "past-eof"
	case Extend:
		return "extend"
	}
	return "inside"
}

// FS selects the filesystem glue between mm/filemap.c and fs/direct-io.c.
type FS uint8

// Filesystems: Generic is a block filesystem using blockdev_direct_IO
// (DIO_LOCKING, no end_io), as ext2/ext3 do; XFS uses xfs_vm_direct_IO.
const (
	Generic FS = iota
	XFS
)

func (f FS) String() string {
	if f == XFS {
		return "xfs"
	}
	return "generic"
}

// Fault is one kind of fault the C can meet.
type Fault uint8

// The faults. Each may fire at every point where the C can meet it.
const (
	FaultGUP        Fault = 1 << iota // get_user_pages fails (-EFAULT) at some page
	FaultGetBlock                     // the filesystem's get_block returns -EIO
	FaultHole                         // get_block finds no mapping (a hole)
	FaultEIO                          // a bio completes with an I/O error
	FaultOSync                        // generic_osync_inode fails (-EIO)
	FaultInvalidate                   // invalidate_inode_pages2_range fails (-EIO)
	FaultSyncRange                    // do_sync_file_range fails (-EIO) on a short direct write's buffered part
)

var faultNames = []struct {
	f    Fault
	name string
}{
	{FaultGUP, "gup"}, {FaultGetBlock, "getblock"}, {FaultHole, "hole"},
	{FaultEIO, "eio"}, {FaultOSync, "osync"}, {FaultInvalidate, "invalidate"},
	{FaultSyncRange, "syncrange"},
}

// FaultSet is a set of faults.
type FaultSet uint8

// Has reports whether f is in the set.
func (s FaultSet) Has(f Fault) bool { return s&FaultSet(f) != 0 }

func (s FaultSet) String() string {
	var names []string
	for _, fn := range faultNames {
		if s.Has(fn.f) {
			names = append(names, fn.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}

// FaultNames lists the names ParseFaults accepts.
func FaultNames() []string {
	var out []string
	for _, fn := range faultNames {
		out = append(out, fn.name)
	}
	return out
}

// ParseFaults parses a comma-separated list of fault names ("" or "none"
// is the empty set).
func ParseFaults(s string) (FaultSet, error) {
	var set FaultSet
	if s == "" || s == "none" {
		return 0, nil
	}
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		found := false
		for _, fn := range faultNames {
			if fn.name == part {
				set |= FaultSet(fn.f)
				found = true
			}
		}
		if !found {
			return 0, fmt.Errorf("unknown fault %q (known: %s)", part, strings.Join(FaultNames(), ", "))
		}
	}
	return set, nil
}

// Scenario is one operation to simulate: what userspace asks for, where it
// lies in the file, the filesystem, and which faults may fire.
type Scenario struct {
	Name   string    // empty for an ad-hoc scenario
	Op     Op        // read or write
	Sync   bool      // a synchronous read(2)/write(2) instead of io_submit
	Blocks int       // size in blocks; one bio per block unless Extent
	Place  Placement // against i_size
	OSync  bool      // the file is opened O_SYNC
	FS     FS        // generic or xfs
	Faults FaultSet  // faults that may fire
	Iocbs  int       // iocbs in flight on the same file, each on its own range of Blocks blocks (0 means 1)
	// Extent makes the file's blocks one extent, contiguous on disk:
	// get_block maps, in one call, every following block of the request
	// it would map the same way, and contiguous blocks share one bio. Off
	// (the default), every get_block maps one block, each elsewhere on
	// disk, so each block gets its own bio.
	Extent bool
	// Observe says when the reaper looks at the file: right after reaping
	// each event (the default), once every kernel actor has finished, or
	// both.
	Observe Observe
	// Overwrite (XFS writes): the write's range is written extents
	// holding the file's data, so get_block maps them as they are
	// (map_bh.b_private stays NULL and nothing is converted), instead of
	// the default unwritten extents the write's completion converts.
	Overwrite bool
	Doc       string // one line on what the scenario shows (named ones)
}

// Observe is when userspace reads the file back (stat and pread).
type Observe uint8

// The observers. AfterReap: right after reaping each event. AtRest: once
// every kernel actor (submitter, bio completions, XFS worker) has
// finished, every iocb's range. Both: the two.
const (
	AfterReap Observe = iota
	AtRest
	ObserveBoth
)

var observeNames = []string{"after-reap", "at-rest", "both"}

func (o Observe) String() string {
	if int(o) < len(observeNames) {
		return observeNames[o]
	}
	return fmt.Sprintf("observe(%d)", o)
}

// ParseObserve parses after-reap, at-rest or both.
func ParseObserve(s string) (Observe, error) {
	for i, n := range observeNames {
		if n == s {
			return Observe(i), nil
		}
	}
	return 0, fmt.Errorf("unknown observer %q (after-reap, at-rest or both)", s)
}

// MaxIocbs bounds the number of iocbs in flight.
const MaxIocbs = 8

// NumIocbs returns the number of iocbs (at least 1).
func (sc Scenario) NumIocbs() int {
	if sc.Iocbs < 1 {
		return 1
	}
	return sc.Iocbs
}

// Validate reports the first thing wrong with the scenario.
func (sc Scenario) Validate() error {
	if sc.Blocks < 1 || sc.Blocks > MaxBlocks {
		return fmt.Errorf("blocks must be between 1 and %d, got %d", MaxBlocks, sc.Blocks)
	}
	if sc.Iocbs < 0 || sc.Iocbs > MaxIocbs {
		return fmt.Errorf("iocbs must be between 1 and %d, got %d", MaxIocbs, sc.Iocbs)
	}
	if sc.NumIocbs()*sc.Blocks > MaxBlocks {
		return fmt.Errorf("iocbs x blocks must be at most %d, got %d", MaxBlocks, sc.NumIocbs()*sc.Blocks)
	}
	if sc.Op == Read && sc.Place == Extend {
		return fmt.Errorf("a read cannot extend the file (use --past-eof for a read crossing EOF)")
	}
	if sc.Op == Write && sc.Place == PastEOF {
		return fmt.Errorf("a write does not stop at EOF (use --extend for a write past EOF)")
	}
	if sc.Op == Read && sc.OSync {
		return fmt.Errorf("--osync applies to writes only")
	}
	if sc.Op == Read && (sc.Faults.Has(FaultOSync) || sc.Faults.Has(FaultInvalidate) || sc.Faults.Has(FaultSyncRange)) {
		return fmt.Errorf("faults osync, invalidate and syncrange are met on writes only")
	}
	if sc.Faults.Has(FaultSyncRange) && !sc.Sync {
		// A failed sync leaves *ppos past the bytes reported, and the AIO
		// core retries the rest of a partial write from there
		// (fs/aio.c@v2.6.20:1330-1341): a second direct write, with its
		// own bios, past the iocb's range, which the model's fixed actors
		// cannot express.
		return fmt.Errorf("fault syncrange needs a synchronous write (--sync): an AIO write's retry of the remainder is not modelled")
	}
	if sc.Faults.Has(FaultOSync) && !sc.OSync {
		return fmt.Errorf("fault osync needs an O_SYNC write (--osync)")
	}
	if sc.Overwrite && (sc.FS != XFS || sc.Op != Write) {
		return fmt.Errorf("overwrite applies to XFS writes only (a generic filesystem's direct write always maps the file's blocks as they are)")
	}
	if sc.Observe > ObserveBoth {
		return fmt.Errorf("unknown observer %d", sc.Observe)
	}
	if sc.Observe != AfterReap && sc.Sync {
		return fmt.Errorf("observe=%s needs io_submit (the reaper observes; a synchronous caller reads after its own return)", sc.Observe)
	}
	return nil
}

// String renders the scenario in the key=value form used by trace headers;
// ParseScenario reads it back.
func (sc Scenario) String() string {
	mode := "async"
	if sc.Sync {
		mode = "sync"
	}
	name := sc.Name
	if name == "" {
		name = "-"
	}
	out := fmt.Sprintf("name=%s op=%s mode=%s blocks=%d place=%s osync=%t fs=%s faults=%s",
		name, sc.Op, mode, sc.Blocks, sc.Place, sc.OSync, sc.FS, sc.Faults)
	if sc.NumIocbs() > 1 {
		out += fmt.Sprintf(" iocbs=%d", sc.Iocbs)
	}
	if sc.Observe != AfterReap {
		out += " observe=" + sc.Observe.String()
	}
	if sc.Extent {
		out += " map=extent"
	}
	if sc.Overwrite {
		out += " overwrite=true"
	}
	return out
}

// ParseScenario parses the form produced by Scenario.String.
func ParseScenario(s string) (Scenario, error) {
	var sc Scenario
	seen := map[string]bool{}
	for _, field := range strings.Fields(s) {
		k, v, ok := strings.Cut(field, "=")
		if !ok {
			return sc, fmt.Errorf("scenario field %q is not key=value", field)
		}
		if seen[k] {
			return sc, fmt.Errorf("scenario field %q given twice", k)
		}
		seen[k] = true
		var err error
		switch k {
		case "name":
			if v != "-" {
				sc.Name = v
			}
		case "op":
			switch v {
			case "read":
				sc.Op = Read
			case "write":
				sc.Op = Write
			default:
				err = fmt.Errorf("unknown op %q", v)
			}
		case "mode":
			switch v {
			case "sync":
				sc.Sync = true
			case "async":
			default:
				err = fmt.Errorf("unknown mode %q", v)
			}
		case "blocks":
			sc.Blocks, err = strconv.Atoi(v)
		case "place":
			switch v {
			case "inside":
				sc.Place = Inside
			case "past-eof":
				sc.Place = PastEOF
			case "extend":
				sc.Place = Extend
			default:
				err = fmt.Errorf("unknown place %q", v)
			}
		case "osync":
			sc.OSync, err = strconv.ParseBool(v)
		case "fs":
			switch v {
			case "generic":
				sc.FS = Generic
			case "xfs":
				sc.FS = XFS
			default:
				err = fmt.Errorf("unknown fs %q", v)
			}
		case "faults":
			sc.Faults, err = ParseFaults(v)
		case "observe":
			sc.Observe, err = ParseObserve(v)
		case "map":
			switch v {
			case "extent":
				sc.Extent = true
			case "block":
			default:
				err = fmt.Errorf("unknown map %q (block or extent)", v)
			}
		case "overwrite":
			sc.Overwrite, err = strconv.ParseBool(v)
			if err == nil && !sc.Overwrite {
				err = fmt.Errorf("overwrite=false: the field is given only when true")
			}
		case "iocbs":
			sc.Iocbs, err = strconv.Atoi(v)
			if err == nil && sc.Iocbs < 2 {
				err = fmt.Errorf("iocbs=%d: the field is given only for 2 or more", sc.Iocbs)
			}
		default:
			err = fmt.Errorf("unknown scenario field %q", k)
		}
		if err != nil {
			return sc, err
		}
	}
	for _, k := range []string{"op", "mode", "blocks", "place", "osync", "fs", "faults"} {
		if !seen[k] {
			return sc, fmt.Errorf("scenario field %q missing", k)
		}
	}
	return sc, sc.Validate()
}

// Geometry returns the file position of the request and the initial i_size,
// in bytes, for the scenario's placement.
// With several iocbs the file covers all their ranges, one after the
// other; only the end of the last range lies against i_size.
func (sc Scenario) Geometry() (pos, isize int64) {
	n := int64(sc.Blocks*sc.NumIocbs()) * BlockSize
	switch sc.Place {
	case PastEOF:
		return 0, n - BlockSize/2
	case Extend:
		return 0, n - BlockSize
	}
	return 0, n
}

// SortedNames returns the keys of m in order; used wherever a map is
// printed, so output never depends on map order.
func SortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
