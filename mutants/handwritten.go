package mutants

import (
	"fmt"

	"diosim/model"
	"diosim/sim"
)

// counterField selects a counter of a request's dio.
type counterField struct {
	name string
	get  func(q *sim.Req) *int32
}

var (
	refcount     = counterField{"dio->refcount", func(q *sim.Req) *int32 { return &q.Dio.Refcount }}
	biosInFlight = counterField{"dio->bios_in_flight", func(q *sim.Req) *int32 { return &q.Dio.BiosInFlight }}
	bioCount     = counterField{"dio->bio_count", func(q *sim.Req) *int32 { return &q.Dio.BioCount }}
)

// refOf is the counter the waits and wake-ups of version v test.
func refOf(v string) counterField {
	if v == "v2.6.18" {
		return biosInFlight
	}
	return refcount
}

// handWritten returns the mutants that need to know which counter a step
// changes or tests: split atomics and off-by-one conditions. Each applies
// only where its step exists and the baseline ran it.
func handWritten(b *Baseline) []Mutant {
	v := b.Model.Name
	ran := map[string]*model.Step{}
	for e := range b.Coverage {
		st := &e.Prog.Steps[e.PC]
		if ran[st.ID] == nil {
			ran[st.ID] = st
		}
	}
	var out []Mutant
	splits := []struct {
		id string
		f  counterField
	}{
		{"dio_bio_submit:get-ref", refOf(v)},
		{"dio_bio_end_io:queue-bio", refOf(v)},
		{"dio_bio_end_aio:drop-ref", refcount},
		{"direct_io_worker:drop-ref", refcount},
		{"finished_one_bio:drop-count", bioCount},
	}
	for _, sp := range splits {
		if st := ran[sp.id]; st != nil {
			out = append(out, split(v, st, sp.f))
		}
	}
	offs := []struct {
		id string
		f  counterField
		d  int32
	}{
		{"dio_await_one:lock-test", refOf(v), -1},
		{"dio_await_one:wait-test", refOf(v), -1},
		{"dio_await_one:loop-test", refOf(v), -1},
		{"dio_bio_end_io:queue-bio", refOf(v), +1},
		{"dio_bio_end_aio:drop-ref", refcount, -1},
	}
	for _, o := range offs {
		if st := ran[o.id]; st != nil {
			out = append(out, offByOne(v, st, o.f, o.d))
		}
	}
	return out
}

// split makes the read-modify-write of f in step st two steps: a load
// inserted before it (into the actor's local Remaining, which the
// submitter never uses and the bio completion only sets in the step that
// is split), and the step itself, which then computes from the value
// loaded, whatever happened in between (a lost update).
func split(v string, st *model.Step, f counterField) Mutant {
	id := st.ID
	return Mutant{Name: v + "/split-atomic/" + id, Parent: v, Op: "split-atomic", sameStep: map[string]string{id + "-load": id},
		About: fmt.Sprintf("the update of %s in %s is a load (a step of its own) and a store computed from it", f.name, id), Where: st.Loc.String(),
		Edits: []model.Edit{
			{Op: model.InsertBefore, Step: id, With: []model.StepDef{{ID: id + "-load", Text: "load " + f.name + " (the first half of a split atomic)",
				Do: func(c *model.Ctx) { c.UseDio(); c.L().Remaining = int64(*f.get(c.R)) }}}},
			{Op: model.Alter, Step: id, Alter: func(s *model.Step, _ []model.Step, _ int) {
				do := s.Do
				s.Text = "(store of a split atomic) " + s.Text
				s.Do = func(c *model.Ctx) {
					*f.get(c.R) = int32(c.L().Remaining)
					do(c)
				}
			}},
		}}
}

// offByOne makes step st test f as if it were d more than it is.
func offByOne(v string, st *model.Step, f counterField, d int32) Mutant {
	id := st.ID
	return Mutant{Name: fmt.Sprintf("%s/off-by-one/%s%+d", v, id, d), Parent: v, Op: "off-by-one",
		About: fmt.Sprintf("the condition of %s sees %s %+d", id, f.name, d), Where: st.Loc.String(),
		Edits: []model.Edit{{Op: model.Alter, Step: id, Alter: func(s *model.Step, _ []model.Step, _ int) {
			do := s.Do
			s.Do = func(c *model.Ctx) {
				q := c.R
				*f.get(q) += d
				do(c)
				*f.get(q) -= d
			}
		}}}}
}
