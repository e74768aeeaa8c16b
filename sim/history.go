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
		b = le.AppendUint32(b, uint32(len(e.Data)))
		b = append(b, e.Data...)
	}
	return b
}

// AppendHistory appends to b an encoding of every field of every event of
// h: two histories are equal exactly when their encodings are (a key for
// caching what is computed from a history).
func AppendHistory(b []byte, h []HistEvent) []byte { return encodeHistory(b, h) }
