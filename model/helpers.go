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
func deliver(r *sim.Req, res int64) {
	f := &r.Facts
	if f.Deliveries == 0 {
		f.FirstRes = res
	}
	f.Deliveries++
}

// bug records a BUG()/oops at the current step and kills the actor.
func bug(c *Ctx, what string) {
	c.R.Bug(c.Step.Loc.String(), what)
	c.Act.Dead = true
}

func useDio(c *Ctx)   { c.R.Use(sim.ObjDio, &c.Step.Loc) }
func useKiocb(c *Ctx) { c.R.Use(sim.ObjKiocb, &c.Step.Loc) }
func useIoend(c *Ctx) { c.R.Use(sim.ObjIoend, &c.Step.Loc) }

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

// The helpers below are for steps defined outside this package (variants:
// docs/your-own-fix.md): the same bookkeeping the built-in steps do.

// UseDio records an access to the struct dio (a use after free is a
// dio-lifetime violation).
func (c *Ctx) UseDio() { useDio(c) }

// UseKiocb records an access to the kiocb.
func (c *Ctx) UseKiocb() { useKiocb(c) }

// Wake is wake_up_process on a task pointer as the dio stores it (actor
// index + 1; 0 is NULL, an oops).
func (c *Ctx) Wake(task int8) { wake(c, task) }

// Bug records that the step reached BUG()/BUG_ON()/an oops and kills the
// actor.
func (c *Ctx) Bug(what string) { bug(c, what) }

// BioLockFree is the guard of a section under dio->bio_lock: the lock is
// free (or held by this actor).
func BioLockFree(s *sim.State, a int) bool { return bioLockFree(s, a) }
