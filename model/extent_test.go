package model

import (
	"fmt"
	"testing"

	"diosim/sim"
)

// bioLayout renders which bios a run submitted and how many blocks each
// carries, e.g. "bio0:3" or "bio0:1 bio1:1".
func bioLayout(q *sim.Req) string {
	out := ""
	for i, b := range q.Bios {
		if b.State >= sim.BioSubmitted {
			if out != "" {
				out += " "
			}
			out += fmt.Sprintf("bio%d:%d", i, 1+int(b.More))
		}
	}
	return out
}

// TestExtentSharesOneBio: without extents every block is mapped by its own
// get_block call and lies elsewhere on disk, so each gets its own bio; with
// map=extent one get_block call maps the run of blocks mapped alike, the
// blocks lie in order on disk, and dio_send_cur_page adds each deferred page
// to dio->bio instead of submitting it (final_block_in_bio ==
// cur_page_block), so the whole request goes out as one bio, also when an
// extending write needs a second mapping for its block past i_size. Every
// run returns the whole count, and a write's blocks all carry its data.
func TestExtentSharesOneBio(t *testing.T) {
	for _, c := range []struct {
		scn  string
		want string
	}{
		{"op=read mode=async blocks=3 place=inside osync=false fs=generic faults=none", "bio0:1 bio1:1 bio2:1"},
		{"op=read mode=async blocks=3 place=inside osync=false fs=generic faults=none map=extent", "bio0:3"},
		{"op=write mode=sync blocks=3 place=inside osync=false fs=generic faults=none map=extent", "bio0:3"},
		{"op=write mode=async blocks=3 place=extend osync=false fs=generic faults=none map=extent", "bio0:3"},
		{"op=write mode=async blocks=2 place=inside osync=false fs=xfs faults=none map=extent", "bio0:2"},
	} {
		sc := parseScn(t, c.scn)
		for _, ver := range []string{"v2.6.18", "before", "after", "v2.6.20"} {
			m, err := Lookup(ver)
			if err != nil {
				t.Fatal(err)
			}
			ends := 0
			endStates(t, m, sc, func(s *sim.State) {
				ends++
				q := &s.Reqs[0]
				if got := bioLayout(q); got != c.want {
					t.Errorf("%s %s: bios %q, want %q", ver, c.scn, got, c.want)
				}
				if q.Facts.Deliveries == 0 || q.Facts.FirstRes != int64(sc.Blocks)*sim.BlockSize {
					t.Errorf("%s %s: result %d (%d deliveries), want %d", ver, c.scn, q.Facts.FirstRes, q.Facts.Deliveries, sc.Blocks*sim.BlockSize)
				}
				if sc.Op == sim.Write {
					for b, d := range s.Inode.Data {
						if d != 1 {
							t.Errorf("%s %s: block %d holds %d after the write, want its data", ver, c.scn, b, d)
						}
					}
				}
			})
			if ends == 0 {
				t.Errorf("%s %s: no end state", ver, c.scn)
			}
		}
	}
}

// TestZeroPageAfterFault: a write whose get_user_pages fails while the
// last mapping still has blocks outstanding (blocks_available > 0: only
// with map=extent, where one mapping covers several blocks) puts the
// ZERO_PAGE in place of the user pages (fs/direct-io.c@v2.6.20:165-180,
// page_errors = -EFAULT), so those blocks are written with zeros. From 2.6.19
// on dio_complete returns page_errors, so such a write fails with -EFAULT;
// v2.6.18's finished_one_bio completes an AIO write with dio->result and
// never looks at page_errors (fs/direct-io.c@v2.6.18:248-264), so some runs
// report the whole count although the file holds zeros. With one block per
// mapping, blocks_available is 0 at every refill and the branch is never
// taken.
func TestZeroPageAfterFault(t *testing.T) {
	const scn = "op=write mode=async blocks=3 place=inside osync=false fs=generic faults=gup"
	for _, c := range []struct {
		ver     string
		extent  bool
		zeros   bool // some run writes zeros
		success bool // some run with zeros completes with the whole count
	}{
		{"v2.6.18", false, false, false},
		{"v2.6.20", false, false, false},
		{"v2.6.18", true, true, true},
		{"before", true, true, false},
		{"after", true, true, false},
		{"v2.6.20", true, true, false},
	} {
		s := scn
		if c.extent {
			s += " map=extent"
		}
		sc := parseScn(t, s)
		m, err := Lookup(c.ver)
		if err != nil {
			t.Fatal(err)
		}
		zeros, success := false, false
		endStates(t, m, sc, func(s *sim.State) {
			q := &s.Reqs[0]
			z := false
			for b, d := range s.Inode.Data {
				if d == sim.DataZero {
					z = true
					if int32(b) < q.Dio.GupBad-1 {
						t.Errorf("%s: block %d holds zeros but its user page was pinned (first bad page %d)", c.ver, b, q.Dio.GupBad-1)
					}
				}
			}
			if !z {
				return
			}
			zeros = true
			if q.Dio.PageErrors != -sim.EFAULT {
				t.Errorf("%s: zeros written with page_errors %d", c.ver, q.Dio.PageErrors)
			}
			switch q.Facts.FirstRes {
			case int64(sc.Blocks) * sim.BlockSize:
				success = true
			case -sim.EFAULT:
			default:
				t.Errorf("%s: a write that wrote zeros completed with %d", c.ver, q.Facts.FirstRes)
			}
		})
		if zeros != c.zeros || success != c.success {
			t.Errorf("%s extent=%v: zeros written %v, reported as success %v; want %v, %v", c.ver, c.extent, zeros, success, c.zeros, c.success)
		}
	}
}

// TestPageErrorsReturn: after the ZERO_PAGE stood in, the next refill
// tries the same user page again; if another thread has mapped it
// meanwhile ("gup:ok(remapped)") the user pages come back, and the write
// goes on while its mapping lasts. When the mapping runs out first,
// get_more_blocks returns page_errors instead of calling get_block
// (fs/direct-io.c@v2.6.20:522-523): an extending write's block past i_size,
// which needs a mapping of its own, is then never written. Within one
// mapping the remapped pages are written, and the zeros stay only where
// the ZERO_PAGE stood in. Either way the write fails with -EFAULT from
// 2.6.19 on.
func TestPageErrorsReturn(t *testing.T) {
	const remapped = "do_direct_IO:get-page=gup:ok(remapped)"
	for _, c := range []struct {
		scn  string
		want []uint8 // the file's blocks after a run that remapped, with the fault at block 1
	}{
		{"op=write mode=async blocks=3 place=extend osync=false fs=generic faults=gup map=extent", []uint8{1, sim.DataZero, sim.ContentZero}}, // block 2 lies past EOF: a hole, never written
		{"op=write mode=async blocks=3 place=inside osync=false fs=generic faults=gup map=extent", []uint8{1, sim.DataZero, 1}},
	} {
		for _, ver := range []string{"before", "after", "v2.6.20"} {
			m, err := Lookup(ver)
			if err != nil {
				t.Fatal(err)
			}
			sc := parseScn(t, c.scn)
			seen := false
			var walk func(s *sim.State, path string)
			visited := map[string]bool{}
			walk = func(s *sim.State, path string) {
				k := string(s.Encode(nil)) + path
				if visited[k] {
					return
				}
				visited[k] = true
				moves := m.Moves(s, nil)
				if len(moves) == 0 {
					q := &s.Reqs[0]
					if path != "remapped" || q.Dio.GupBad != 2 {
						return
					}
					seen = true
					if q.Facts.FirstRes != -sim.EFAULT {
						t.Errorf("%s %s: a remapped run completed with %d, want -EFAULT", ver, c.scn, q.Facts.FirstRes)
					}
					for b, d := range s.Inode.Data {
						if d != c.want[b] {
							t.Errorf("%s %s: after a remapped run block %d holds %d, want %d", ver, c.scn, b, d, c.want[b])
						}
					}
					return
				}
				for _, mv := range moves {
					p := path
					if mv.Choice > 0 && m.Next(s, mv.Actor).ID+"="+m.OutcomeName(s, mv.Actor, mv.Choice) == remapped {
						p = "remapped"
					}
					n := s.Clone()
					m.Apply(n, mv)
					walk(n, p)
				}
			}
			walk(m.Init(sc), "")
			if !seen {
				t.Errorf("%s %s: no run remaps the page after the fault at block 1", ver, c.scn)
			}
		}
	}
}
