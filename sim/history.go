package sim

import "encoding/binary"

// HistOp is the kind of a user-visible operation.
type HistOp uint8

// The user-visible operations.
const (
	HistRead  HistOp = iota // an O_DIRECT read (io_submit or read(2))
	HistWrite               // an O_DIRECT write (io_submit or write(2))
	HistStat                // stat(2): returns i_size
	HistPread               // pread(2) through the page cache: returns the blocks' contents
)

func (o HistOp) String() string {
	return [...]string{"read", "write", "stat", "pread"}[o]
}

// HistEvent is the call or the return of one user-visible operation. A
// run's History lists them in the order they happened; the position in
// that list is the operation's time.
type HistEvent struct {
	Return bool
	Op     HistOp
	ID     int8  // the operation: an iocb's index for reads and writes; observer operations follow the iocbs
	Client int8  // the userspace thread that called it
	Pos    int64 // byte range (read, write, pread)
	Len    int64
	Val    int64  // return value: bytes or -errno (read, write), i_size (stat), bytes (pread)
	Data   string // pread: per block, what was read (blocks.go): 0 the old contents, r+1 iocb r, ContentZero, ContentStale
	// FPos is the file position a read(2) or write(2) leaves, on its
	// return: do_sync_read/do_sync_write copy kiocb.ki_pos back to *ppos
	// and sys_read/sys_write store it in file->f_pos (fs/read_write.c;
	// in v2.6.18 generic_file_read/generic_file_write move *ppos
	// itself). 0 for every other event: io_submit's iocbs carry their own
	// offset and never move f_pos.
	FPos int64
}

// Record appends e to the history.
func (s *State) Record(e HistEvent) { s.History = append(s.History, e) }

// NextObserverOp returns a fresh id for an observer operation.
func (s *State) NextObserverOp() int8 {
	n := int8(s.NumReqs()) // the iocbs come first
	for _, e := range s.History {
		if !e.Return && e.ID >= n {
			n = e.ID + 1
		}
	}
	return n
}

func encodeHistory(b []byte, h []HistEvent) []byte {
	le := binary.LittleEndian
	b = le.AppendUint32(b, uint32(len(h)))
	for _, e := range h {
		r := byte(0)
		if e.Return {
			r = 1
		}
		b = append(b, r, byte(e.Op), byte(e.ID), byte(e.Client))
		b = le.AppendUint64(b, uint64(e.Pos))
		b = le.AppendUint64(b, uint64(e.Len))
		b = le.AppendUint64(b, uint64(e.Val))
		b = le.AppendUint64(b, uint64(e.FPos))
		b = le.AppendUint32(b, uint32(len(e.Data)))
		b = append(b, e.Data...)
	}
	return b
}

// AppendHistory appends to b an encoding of every field of every event of
// h: two histories are equal exactly when their encodings are (a key for
// caching what is computed from a history).
func AppendHistory(b []byte, h []HistEvent) []byte { return encodeHistory(b, h) }

// History views.
//
// The history grows with every user-visible event, so two states that
// differ only in the order in which two iocbs were submitted, or in
// which of two equivalent observations came first, would be two states
// if the history were part of a state's identity as it is. A search
// identifies a state by what the history's readers can still tell from
// it instead: its history key (HistoryKey), made of one view per reader.
//
// A reader of the history (a property, a `sometimes` situation) declares
// what it needs with RegisterHistoryView: a function appending to a key
// everything of a history h that decides what the reader reports on any
// extension h·e (every sequence of events that may follow), and nothing
// else it needs. Two histories with equal views must get the same
// answers from the reader on every extension; the view may of course
// keep more (the whole history is always exact). The model itself reads
// only NextObserverOp, which the key holds.
//
// Why a search over history keys is exact: states with equal keys (and
// equal in every other field) have the same moves, their successors by
// the same move have equal keys again, and every property answers the
// same on both; so the search's quotient has the same paths, the same
// violations at the same depths, and (its order being the order of the
// paths) the same first counterexample, whose state keeps its own full
// History for the trace and the messages.

// A HistoryView appends to b what one reader of the history needs of h
// for every extension of h (see RegisterHistoryView).
type HistoryView func(sc *Scenario, h []HistEvent, b []byte) []byte

type namedView struct {
	name string
	view HistoryView
}

var historyViews []namedView

// RegisterHistoryView declares that a reader (name: the property or
// situation) reads State.History, and what it needs of it: view. Call it
// from an init function, before any search. A reader of the history that
// registers no view makes searches merge states it can tell apart.
// While no view is registered, the history key is the whole history.
func RegisterHistoryView(name string, view HistoryView) {
	for _, v := range historyViews {
		if v.name == name {
			panic("sim: history view " + name + " registered twice")
		}
	}
	historyViews = append(historyViews, namedView{name, view})
}

// HistoryKey appends to b the history key of s: what the registered
// history views (RegisterHistoryView) and the model need of s.History.
// Two states whose histories have the same key are one state to a
// search. It is the whole history when no view is registered, and also
// when a pread read blocks of one range differently in a scenario whose
// bios symmetry may rename (symHistory): the views do not rename blocks.
func (s *State) HistoryKey(b []byte) []byte {
	if s.keyWhole() {
		return encodeHistory(append(b, 0), s.History)
	}
	b = append(b, 1, byte(s.NextObserverOp()))
	le := binary.LittleEndian
	for _, v := range historyViews {
		n := len(b)
		b = le.AppendUint32(b, 0)
		b = v.view(s.Scn, s.History, b)
		le.PutUint32(b[n:], uint32(len(b)-n-4))
	}
	return b
}

// keyWhole reports whether the history key is the whole history.
func (s *State) keyWhole() bool { return len(historyViews) == 0 || s.symHistory() }

// symHistory reports whether the history holds what a renaming of bios
// changes: a pread that read the blocks of its range differently, in a
// scenario where symmetry may rename bios (Canonicalize renames what the
// pread saw with the blocks). The views see blocks by position, so such a
// history is kept whole, as the fingerprint hashes it (its pread contents
// with the bios).
func (s *State) symHistory() bool {
	if s.Scn.Extent || s.Scn.Op == Write && s.Scn.FS == XFS {
		return false
	}
	for i := range s.History {
		if e := &s.History[i]; e.Op == HistPread && e.Return && !uniform(e.Data) {
			return true
		}
	}
	return false
}
