package properties

import (
	"strings"
	"testing"

	"diosim/model"
	"diosim/sim"
)

func state(sc sim.Scenario, f func(s *sim.State)) *sim.State {
	s := sim.NewState(&sc)
	f(s)
	return s
}

func ids(vs []Violation) string {
	var out []string
	for _, v := range vs {
		out = append(out, string(v.Prop))
	}
	return strings.Join(out, ",")
}

func TestAfterStep(t *testing.T) {
	read := sim.Scenario{Op: sim.Read, Blocks: 2}
	write := sim.Scenario{Op: sim.Write, Blocks: 2, Place: sim.Extend}
	cases := []struct {
		name string
		s    *sim.State
		want string
	}{
		{"nothing yet", state(read, func(s *sim.State) {}), ""},
		{"one delivery", state(read, func(s *sim.State) { s.Reqs[0].Facts.Deliveries = 1 }), ""},
		{"double completion", state(read, func(s *sim.State) { s.Reqs[0].Facts.Deliveries = 2 }), "exactly-once"},
		{"early dio completion", state(read, func(s *sim.State) { s.Reqs[0].Facts.EarlyDioComp = true }), "only-after-queued"},
		{"dio completion, then not queued", state(read, func(s *sim.State) {
			s.Reqs[0].Facts.DioCompletes, s.Reqs[0].Facts.RetryReturned, s.Reqs[0].Facts.RetryRet = 1, true, -sim.EFAULT
		}), "only-after-queued"},
		{"dio completion after queued", state(read, func(s *sim.State) {
			s.Reqs[0].Facts.DioCompletes, s.Reqs[0].Facts.RetryReturned, s.Reqs[0].Facts.RetryRet = 1, true, -sim.EIOCBQUEUED
		}), ""},
		{"dio use after free", state(read, func(s *sim.State) { s.Reqs[0].Facts.MemErr, s.Reqs[0].Facts.MemErrObj = "uaf", sim.ObjDio }), "dio-lifetime"},
		{"kiocb use after free", state(read, func(s *sim.State) { s.Reqs[0].Facts.MemErr, s.Reqs[0].Facts.MemErrObj = "uaf", sim.ObjKiocb }), "object-lifetime"},
		{"bug", state(read, func(s *sim.State) { s.Reqs[0].Facts.Bug = "x: BUG" }), "no-bug"},
		{"stale i_size", state(write, func(s *sim.State) { s.Reqs[0].Facts.StatAfterReap, s.Reqs[0].Facts.StatRes = 4096, 8192 }), "isize-visible"},
		{"fresh i_size", state(write, func(s *sim.State) { s.Reqs[0].Facts.StatAfterReap, s.Reqs[0].Facts.StatRes = 8192, 8192 }), ""},
	}
	for _, c := range cases {
		if got := ids(AfterStep(c.s)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestAtEnd(t *testing.T) {
	m, _ := model.Lookup("after")
	sc := sim.Scenario{Op: sim.Read, Blocks: 2, Place: sim.PastEOF}
	ok := func(s *sim.State) {
		for i := range s.Actors {
			s.Actors[i].Done = true
		}
		s.Reqs[0].Facts.Submitted = true
		s.Reqs[0].Facts.Deliveries = 1
		s.Reqs[0].Facts.FirstRes = 2*sim.BlockSize - sim.BlockSize/2
		s.Reqs[0].Mem[sim.ObjDio] = sim.Freed
		s.Reqs[0].Mem[sim.ObjKiocb] = sim.Freed
	}
	cases := []struct {
		name string
		f    func(s *sim.State)
		want string
	}{
		{"clean end", ok, ""},
		{"lost completion", func(s *sim.State) { ok(s); s.Reqs[0].Facts.Deliveries = 0 }, "exactly-once"},
		{"leaked dio", func(s *sim.State) { ok(s); s.Reqs[0].Mem[sim.ObjDio] = sim.Live }, "dio-lifetime"},
		{"leaked kiocb", func(s *sim.State) { ok(s); s.Reqs[0].Mem[sim.ObjKiocb] = sim.Live }, "object-lifetime"},
		{"sleeping submitter", func(s *sim.State) { ok(s); s.Actors[0].Done = false; s.Actors[0].Asleep = true }, "no-hang"},
		{"wrong byte count", func(s *sim.State) { ok(s); s.Reqs[0].Facts.FirstRes = 2 * sim.BlockSize }, "result-value"},
		{"error met, bytes delivered", func(s *sim.State) { ok(s); s.Reqs[0].Facts.FaultsMet = sim.ErrMetBioEIO }, "result-value"},
		{"error met, error delivered", func(s *sim.State) {
			ok(s)
			s.Reqs[0].Facts.FaultsMet = sim.ErrMetBioEIO | sim.ErrMetEFAULT
			s.Reqs[0].Facts.FirstRes = -sim.EFAULT
		}, ""},
	}
	for _, c := range cases {
		s := state(sc, c.f)
		if got := ids(AtEnd(m, s)); got != c.want {
			t.Errorf("%s: got %q, want %q (%v)", c.name, got, c.want, AtEnd(m, s))
		}
	}
}

func TestLookup(t *testing.T) {
	for _, id := range All {
		if got, err := Lookup(string(id)); err != nil || got != id {
			t.Errorf("Lookup(%s) = %v, %v", id, got, err)
		}
		if Docs[id] == "" {
			t.Errorf("%s has no doc", id)
		}
	}
	if _, err := Lookup("linearisable"); err == nil {
		t.Error("Lookup of an unknown id succeeded")
	}
}
