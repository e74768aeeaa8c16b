package model

import "diosim/sim"

// localSel selects which local variable a shared piece of code reads or
// writes at one call site.
type localSel func(l *sim.Locals) *int64

func selRet(l *sim.Locals) *int64    { return &l.Ret }
func selTmp(l *sim.Locals) *int64    { return &l.Tmp }
func selRetval(l *sim.Locals) *int64 { return &l.Retval }

const eiocbqueued = -sim.EIOCBQUEUED

// deliver records that the result res reached the kiocb's owner: an
// aio_complete, or a synchronous return of a value other than
// -EIOCBQUEUED.
func deliver(s *sim.State, res int64) {
	f := &s.Facts
	if f.Deliveries == 0 {
		f.FirstRes = res
	}
	f.Deliveries++
}

// bug records a BUG()/oops at the current step and kills the actor.
func bug(c *Ctx, what string) {
	c.S.Bug(c.Step.Loc.String(), what)
	c.Act.Dead = true
}

func useDio(c *Ctx)   { c.S.Use(sim.ObjDio, &c.Step.Loc) }
func useKiocb(c *Ctx) { c.S.Use(sim.ObjKiocb, &c.Step.Loc) }
func useIoend(c *Ctx) { c.S.Use(sim.ObjIoend, &c.Step.Loc) }

// wake is wake_up_process on a task pointer (actor index + 1); a NULL
// pointer is an oops.
func wake(c *Ctx, task int8) {
	if task == 0 {
		bug(c, "oops: wake_up_process(NULL) dereferences a NULL task pointer")
		return
	}
	c.S.WakeUpProcess(int(task) - 1)
}

func me(c *Ctx) int8 { return int8(c.A + 1) }

// okOr names outcome 0 "ok" and outcome 1 name.
func okOr(name string) func(s *sim.State, a, k int) string {
	return func(s *sim.State, a, k int) string {
		if k == 0 {
			return "ok"
		}
		return name
	}
}

// faultOutcomes gives a step two outcomes (ok, fault) when fault f is
// enabled in the scenario and when(s, a) holds (nil: always).
func faultOutcomes(f sim.Fault, when func(s *sim.State, a int) bool) func(s *sim.State, a int) int {
	return func(s *sim.State, a int) int {
		if s.Scn.Faults.Has(f) && (when == nil || when(s, a)) {
			return 2
		}
		return 1
	}
}

// ErrName renders a return value the way a kernel developer reads it:
// a byte count, or a named errno.
func ErrName(v int64) string { return sim.ErrName(v) }
