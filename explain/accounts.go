package explain

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"diosim/properties"
	"diosim/scheduler"
	"diosim/sim"
)

// acct builds one account.
type acct struct {
	st   *Story
	a    *Account
	cite map[int]bool
	msg  string // the violation's message without its "iocb N: " (several iocbs)
}

// ref names step n and cites it.
func (b *acct) ref(n int) string {
	b.cite[n] = true
	return "step " + strconv.Itoa(n)
}

// at names step n with its actor, function and location, and cites it.
func (b *acct) at(n int) string {
	b.cite[n] = true
	return b.st.where(n)
}

func (b *acct) say(format string, args ...any) {
	b.a.Lines = append(b.a.Lines, fmt.Sprintf(format, args...))
}

// account explains violation v.
func (st *Story) account(v scheduler.Violation) Account {
	a := Account{Prop: v.Prop, Step: v.Step, Message: v.Msg}
	a.Title = fmt.Sprintf("%s broke at step %d: %s", v.Prop, v.Step, v.Msg)
	b := &acct{st: st, a: &a, cite: map[int]bool{}}
	// With several iocbs the violation names its iocb ("iocb 1: ..."),
	// and the account reads that request's fields.
	b.msg = v.Msg
	if r, rest, ok := strings.Cut(v.Msg, ": "); ok && strings.HasPrefix(r, "iocb ") {
		st.req = "iocb" + strings.TrimPrefix(r, "iocb ") + "."
		b.msg = rest
		defer func() { st.req = "" }()
	}
	if v.Step >= 1 && v.Step <= len(st.Steps) {
		b.cite[v.Step] = true
	}
	ok := false
	switch v.Prop {
	case properties.ExactlyOnce:
		if strings.Contains(v.Msg, "never completed") {
			ok = b.lostCompletion()
		} else {
			ok = b.doubleCompletion()
		}
	case properties.OnlyAfterQueued:
		ok = b.early()
	case properties.NoHang:
		ok = b.hang()
	case properties.IsizeVisible:
		ok = b.staleSize()
	case properties.DioLifetime, properties.ObjectLifetime:
		ok = b.lifetime()
	case properties.ResultValue:
		ok = b.resultValue()
	}
	if !ok {
		a.Lines = nil
		b.generic()
	}
	a.Cited = cited(b.cite)
	return a
}

// path is the code path a delivery of the result came from.
type path int

const (
	pathOther        path = iota
	pathCore              // the AIO core's aio_complete after ki_retry returned
	pathSync              // a synchronous read/write returning the result
	pathDioBio            // fs/direct-io.c, in a bio's completion
	pathDioSubmitter      // fs/direct-io.c, in the submitter (direct_io_worker)
)

func (st *Story) pathOf(n int) path {
	s := st.step(n)
	switch locFile(s.Loc) {
	case "fs/aio.c":
		if s.Func == "aio_run_iocb" {
			return pathCore
		}
	case "fs/read_write.c":
		return pathSync
	case "fs/direct-io.c":
		switch st.kind(s.ActorID) {
		case sim.BioEnd:
			return pathDioBio
		case sim.Submitter:
			return pathDioSubmitter
		}
	}
	return pathOther
}

func (p path) doc() string {
	switch p {
	case pathCore:
		return "the AIO core, which completes the iocb itself whenever ki_retry returns a value other than -EIOCBQUEUED (or -EIOCBRETRY)"
	case pathSync:
		return "the synchronous read(2)/write(2) path, which hands the result straight back to the caller"
	case pathDioBio:
		return "the dio's bio completion path (bi_end_io, in interrupt context), which completes an async dio's iocb when it is left with the last reference"
	case pathDioSubmitter:
		return "the submitter itself, inside the direct I/O code (fs/direct-io.c)"
	}
	return "another path"
}

// counters are the fields that count the dio's references in some version.
var counters = []string{"dio.refcount", "dio.bio_count", "dio.bios_in_flight"}

// decreased reports whether step n lowered one of the fields, and how.
func (st *Story) decreased(n int, fields []string) (Change, bool) {
	for _, f := range fields {
		if c, ok := st.change(n, f); ok {
			o, err1 := strconv.Atoi(c.Old)
			w, err2 := strconv.Atoi(c.New)
			if err1 == nil && err2 == nil && w < o {
				return c, true
			}
		}
	}
	return Change{}, false
}

// history renders the changes of field in [1, to]: "0->1 at step 10
// (submitter), 1->2 at step 19 (submitter)".
func (b *acct) history(field string, to int) string {
	var parts []string
	for _, n := range b.st.changesOf(field, 1, to) {
		c, _ := b.st.change(n, field)
		parts = append(parts, fmt.Sprintf("%s->%s at %s (%s)", c.Old, c.New, b.ref(n), b.st.step(n).Actor))
	}
	return strings.Join(parts, ", ")
}

// origin returns the first and last steps in [1, to] by actor a that set
// one of a's locals to val.
func (st *Story) origin(a int, val string, to int) (first, last int) {
	prefix := st.names[a] + "."
	for n := 1; n <= to && n <= len(st.Steps); n++ {
		if st.step(n).ActorID != a {
			continue
		}
		for _, c := range st.step(n).Changes {
			if strings.HasPrefix(c.Field, prefix) && c.New == val {
				if first == 0 {
					first = n
				}
				last = n
			}
		}
	}
	return first, last
}

// faultFor returns the last fault step in [1, to] whose outcome names
// the errno val, or 0.
func (st *Story) faultFor(val string, to int) int {
	if !strings.HasPrefix(val, "-") {
		return 0
	}
	fs := st.faultSteps(to)
	for i := len(fs) - 1; i >= 0; i-- {
		if strings.Contains(st.step(fs[i]).Outcome, val) {
			return fs[i]
		}
	}
	return 0
}

func (b *acct) doubleCompletion() bool {
	st := b.st
	var ds []int
	for _, d := range st.deliveries() {
		if d <= b.a.Step {
			ds = append(ds, d)
		}
	}
	if len(ds) < 2 {
		return false
	}
	var refs []string
	for _, d := range ds {
		refs = append(refs, b.ref(d))
	}
	b.say("The iocb's result was delivered %d times, at %s: each of these paths believed it was the one to complete the request.", len(ds), strings.Join(refs, " and "))
	for _, d := range ds {
		s := st.step(d)
		verb := "called aio_complete"
		if st.pathOf(d) == pathSync {
			verb = "returned the result"
		}
		b.say("At %s, %s %s in %s (%s). That is %s. It delivered %s.", b.ref(d), who(s.Actor), verb, s.Func, s.Loc, st.pathOf(d).doc(), sim.ErrName(st.delivered(d)))
	}
	var core, dio int
	for _, d := range ds {
		switch st.pathOf(d) {
		case pathCore:
			if core == 0 {
				core = d
			}
			b.whyCore(d)
		case pathDioBio, pathDioSubmitter:
			if dio == 0 {
				dio = d
			}
			b.whyDio(d)
		}
	}
	if core != 0 && dio != 0 {
		b.say("The two decisions were taken apart: the dio path completes when it is left with the last reference, whatever the submitter returns; the AIO core completes whenever ki_retry's value is not -EIOCBQUEUED. Here both held: %s's completion at %s, and ki_retry's %s at %s.",
			st.step(dio).Actor, b.ref(dio), sim.ErrName(st.delivered(core)), b.ref(core))
	}
	return true
}

// whyCore explains why the AIO core completed the iocb at step d.
func (b *acct) whyCore(d int) {
	st := b.st
	a := st.step(d).ActorID
	name := st.step(d).Actor
	v := sim.ErrName(st.delivered(d))
	r := st.lastBy(a, 1, d-1, func(n int) bool { return st.step(n).Func == "aio_run_iocb" })
	if r != 0 {
		b.say("Why the AIO core completed: ki_retry returned %s to aio_run_iocb (tested at %s), not -EIOCBQUEUED, so the core took %s as the final result.", v, b.ref(r), v)
	} else {
		b.say("Why the AIO core completed: ki_retry's return value was %s, not -EIOCBQUEUED.", v)
	}
	first, last := st.origin(a, v, d-1)
	if first != 0 {
		line := fmt.Sprintf("The value %s first appeared in %s's variables at %s", v, who(name), b.at(first))
		if last != first {
			line += fmt.Sprintf(" and became the return value at %s", b.at(last))
		}
		if f := st.faultFor(v, first); f != 0 {
			line += fmt.Sprintf("; it comes from the fault injected at %s (%s)", b.ref(f), st.step(f).Outcome)
		}
		b.say("%s.", line)
	}
	b.committed(d)
}

// committed says what became of the submitter's commitment to return
// -EIOCBQUEUED before step d.
func (b *acct) committed(d int) {
	st := b.st
	ns := st.changesOf("committed_to_EIOCBQUEUED", 1, d-1)
	if len(ns) == 0 {
		b.say("The submitter had never committed to returning -EIOCBQUEUED before %s (committed_to_EIOCBQUEUED stayed false), so nothing told the AIO core that the completion belonged to the dio.", b.ref(d))
		return
	}
	last := ns[len(ns)-1]
	c, _ := st.change(last, "committed_to_EIOCBQUEUED")
	if c.New == "true" {
		b.say("The submitter had committed to returning -EIOCBQUEUED at %s.", b.at(last))
		return
	}
	set := 0
	for _, n := range ns {
		if c, _ := st.change(n, "committed_to_EIOCBQUEUED"); c.New == "true" && n < last {
			set = n
		}
	}
	if set != 0 {
		b.say("The submitter had committed to returning -EIOCBQUEUED at %s, but %s replaced that value (%s).", b.at(set), b.at(last), st.step(last).Text)
	} else {
		b.say("The submitter's commitment to -EIOCBQUEUED was dropped at %s.", b.at(last))
	}
}

// whyDio explains why the dio path completed the iocb at step d.
func (b *acct) whyDio(d int) {
	st := b.st
	s := st.step(d)
	a := s.ActorID
	var used []string
	k := st.lastBy(a, 1, d, func(n int) bool { used = st.readsFields(n, counters); return len(used) > 0 })
	if k == 0 {
		b.say("Why %s completed on the dio path: %s.", who(s.Actor), st.pathOf(d).doc())
		return
	}
	if c, ok := st.decreased(k, used); ok && c.New == "0" {
		b.say("Why %s completed: at %s it dropped the dio's last reference (%s), and whoever is left with the last reference of an async dio completes its iocb.", who(s.Actor), b.at(k), c)
	} else {
		b.say("Why %s completed: at %s it read %s (%s) and took the completion branch.", who(s.Actor), b.at(k), b.values(k-1, used), st.step(k).Text)
	}
	for _, f := range used {
		if h := b.history(f, k-1); h != "" {
			b.say("Before that, %s went %s.", f, h)
		}
	}
	if st.kind(a) == sim.Submitter {
		return
	}
	sub := st.actor["submitter"]
	p := st.lastBy(sub, 1, k-1, func(n int) bool { _, ok := st.decreased(n, used); return ok })
	if p == 0 {
		return
	}
	slept := false
	for n := p; n <= d; n++ {
		if c, ok := st.change(n, "submitter.asleep"); ok && c.New == "true" {
			slept = true
		}
	}
	line := fmt.Sprintf("The submitter had dropped its own reference at %s", b.at(p))
	if !slept {
		line += fmt.Sprintf(" and did not wait for the bio (it never slept between %s and %s)", b.ref(p), b.ref(d))
	}
	b.say("%s, leaving the completion to whoever would drop the last reference.", line)
}

// values renders fields with their values after step n: "dio.refcount = 2".
func (b *acct) values(n int, fields []string) string {
	var vals []string
	for _, f := range fields {
		vals = append(vals, f+" = "+b.st.val(n, f))
	}
	return strings.Join(vals, ", ")
}

// who names an actor in a sentence: "the submitter", "bio0".
func who(name string) string {
	switch name {
	case "submitter", "reaper":
		return "the " + name
	}
	return name
}

// capital starts a sentence with who's answer: "The submitter"; an
// identifier (bio0, xfsdatad) is left as it is.
func capital(s string) string {
	if rest, ok := strings.CutPrefix(s, "the "); ok {
		return "The " + rest
	}
	return s
}

func (b *acct) lostCompletion() bool {
	st := b.st
	n := len(st.Steps)
	if len(st.deliveries()) > 0 || n == 0 {
		return false
	}
	b.say("No step delivered the iocb's result: aio_complete was never called, and the run ended after %s with nothing able to move.", b.ref(n))
	if c := st.val(n, "committed_to_EIOCBQUEUED"); c == "true" {
		ns := st.changesOf("committed_to_EIOCBQUEUED", 1, n)
		b.say("The submitter had committed to returning -EIOCBQUEUED at %s: from then on only the dio path could complete the iocb.", b.at(ns[len(ns)-1]))
	}
	b.stuck(n)
	return true
}

// diedAt returns the step at which actor a was killed (by a BUG or an
// oops), or 0.
func (st *Story) diedAt(a int) int {
	for n := 1; n < len(st.states); n++ {
		if st.states[n].Actors[a].Dead {
			return n
		}
	}
	return 0
}

// stuck describes the actors that cannot move at the end of the run.
func (b *acct) stuck(n int) {
	st := b.st
	s := st.states[n]
	for a := range s.Actors {
		act := &s.Actors[a]
		if act.Done || act.Dead || st.kind(a) == sim.Reaper {
			continue
		}
		name := st.names[a]
		if act.Asleep {
			sl := st.lastBy(a, 1, n, func(k int) bool { c, ok := st.change(k, name+".asleep"); return ok && c.New == "true" })
			if sl != 0 {
				b.say("%s is asleep since %s and nothing is left to wake it.", capital(who(name)), b.at(sl))
			}
			continue
		}
		if st.kind(a) == sim.BioEnd && s.ReqOf(a).Bios[act.Index].State < sim.BioSubmitted {
			continue
		}
		if st.m.Enabled(s, a) {
			continue
		}
		b.say("%s cannot go on: it is stopped before %s.", capital(who(name)), st.m.Where(s, a))
	}
}

var sleepsRe = regexp.MustCompile(`^(\S+) sleeps forever`)
var blockedRe = regexp.MustCompile(`^(\S+) (?:is blocked|spins on)`)

func (b *acct) hang() bool {
	st := b.st
	if m := sleepsRe.FindStringSubmatch(b.msg); m != nil {
		return b.lostWakeup(m[1])
	}
	if m := blockedRe.FindStringSubmatch(b.msg); m != nil {
		return b.blocked(m[1])
	}
	_ = st
	return false
}

// lostWakeup explains why sleeper sleeps forever.
func (b *acct) lostWakeup(sleeper string) bool {
	st := b.st
	a, ok := st.actor[sleeper]
	if !ok {
		return false
	}
	end := len(st.Steps)
	asleep := sleeper + ".asleep"
	s := st.lastBy(a, 1, end, func(n int) bool { c, ok := st.change(n, asleep); return ok && c.New == "true" })
	if s == 0 {
		return false
	}
	q := st.lastBy(a, 1, s, func(n int) bool { c, ok := st.change(n, sleeper+".state"); return ok && c.Old == "TASK_RUNNING" })
	w := 0
	for _, n := range st.changesOf("dio.waiter", 1, s) {
		if c, _ := st.change(n, "dio.waiter"); c.New == sleeper {
			w = n
		}
	}
	from := max(q, 1)
	var used []string
	t := st.lastBy(a, from, s-1, func(n int) bool { used = st.readsFields(n, counters); return len(used) > 0 })
	d := 0
	if t != 0 {
		for n := t + 1; n <= end; n++ {
			if st.step(n).ActorID == a {
				continue
			}
			if _, ok := st.decreased(n, used); ok {
				d = n
			}
		}
	}
	b.say("%s went to sleep at %s and was never woken: nothing that runs after it sets its state back to TASK_RUNNING.", capital(who(sleeper)), b.at(s))
	if q != 0 {
		c, _ := st.change(q, sleeper+".state")
		b.say("It had set its task state to %s at %s, then tested whether it still had to wait.", c.New, b.ref(q))
	}
	if t != 0 {
		b.say("Its last test of the reference count was at %s, when %s: more bios to wait for, so it chose to sleep.", b.at(t), b.values(t-1, used))
	}
	if d != 0 {
		c, _ := st.decreased(d, used)
		x := st.step(d).ActorID
		xname := st.step(d).Actor
		b.say("%s dropped its reference only after that test, at %s (%s): the wake-up was up to %s.", capital(who(xname)), b.at(d), c, who(xname))
		l := st.lastBy(x, 1, d, func(n int) bool { return len(st.readsFields(n, []string{"dio.waiter"})) > 0 })
		if l != 0 && w != 0 && l < w {
			b.say("But %s had loaded dio->waiter at %s, before %s stored itself there at %s: it saw %s, so it believed nobody was waiting and did not wake anyone.",
				who(xname), b.at(l), who(sleeper), b.at(w), st.val(l-1, "dio.waiter"))
		} else if l != 0 {
			b.say("%s read dio->waiter at %s and saw %s.", capital(who(xname)), b.at(l), st.val(l-1, "dio.waiter"))
		}
		if l != 0 && w != 0 && l < w && t != 0 && t < d {
			b.say("A lost wake-up: the load (%s) came before the store (%s), and the decrement (%s) after the sleeper's last test (%s). Each side checked the other before the other had acted.",
				b.ref(l), b.ref(w), b.ref(d), b.ref(t))
		}
	} else if w != 0 {
		b.say("%s had stored itself in dio->waiter at %s.", capital(who(sleeper)), b.at(w))
	}
	return true
}

// blocked explains a task blocked on a lock at the end.
func (b *acct) blocked(name string) bool {
	st := b.st
	end := len(st.Steps)
	found := false
	for _, lock := range []string{"dio.bio_lock", "inode.i_mutex"} {
		holder := st.val(end, lock)
		if holder == "" || holder == "NULL" {
			continue
		}
		ns := st.changesOf(lock, 1, end)
		if len(ns) == 0 {
			continue
		}
		found = true
		b.say("%s is held by %s since %s, and %s never releases it.", lock, holder, b.at(ns[len(ns)-1]), holder)
	}
	if !found {
		return false
	}
	b.say("%s waits for it: %s.", capital(who(name)), b.a.Message)
	return true
}

func (b *acct) staleSize() bool {
	st := b.st
	ds := st.deliveries()
	if len(ds) == 0 {
		return false
	}
	c := ds[0]
	s := st.step(c)
	b.say("At %s, %s completed the write with %s (%s in %s) while i_size was still %s.", b.ref(c), who(s.Actor), sim.ErrName(st.delivered(c)), s.Func, s.Loc, st.val(c, "inode.i_size"))
	if r := st.changesOf("userspace.reaped", 1, b.a.Step); len(r) > 0 {
		b.say("Userspace took the completion at %s.", b.at(r[0]))
	}
	if t := st.changesOf("userspace.stat_i_size", 1, b.a.Step); len(t) > 0 {
		b.say("It called stat at %s and saw i_size = %s.", b.at(t[0]), st.val(t[0], "userspace.stat_i_size"))
	}
	var after []string
	for _, n := range st.changesOf("inode.i_size", c, len(st.Steps)) {
		ch, _ := st.change(n, "inode.i_size")
		after = append(after, fmt.Sprintf("%s (%s, %s)", b.at(n), ch.Old+"->"+ch.New, st.step(n).Text))
	}
	if len(after) > 0 {
		b.say("The new size was stored only at %s, after the completion.", strings.Join(after, ", "))
	} else {
		b.say("The new size was not stored before the end of the trace.")
	}
	b.say("The result reached userspace before the size that makes it visible: the completion and the i_size update were not ordered.")
	return true
}

var uafRe = regexp.MustCompile(`^(use after free|double free) of the (\S+) at (\S+)`)
var leakRe = regexp.MustCompile(`^the (?:XFS )?(\S+) was never freed`)

// objPointers name the shared pointer through which actors reach an
// object, when the model tracks one.
var objPointers = map[string]string{"ioend": "kiocb.private"}

// objCounters are the reference counts of each tracked object.
var objCounters = map[string][]string{
	"dio":   counters,
	"kiocb": {"kiocb.ki_users"},
	"ioend": {"ioend.io_remaining"},
}

func (b *acct) lifetime() bool {
	st := b.st
	if m := uafRe.FindStringSubmatch(b.msg); m != nil {
		return b.badFree(m[1], m[2])
	}
	if m := leakRe.FindStringSubmatch(b.msg); m != nil {
		return b.leak(m[1])
	}
	_ = st
	return false
}

// counterFields returns obj's counters that count something in the trace:
// they change more than once (a count that is only initialised counts
// nothing in that version).
func (st *Story) counterFields(obj string) []string {
	var out []string
	for _, f := range objCounters[obj] {
		if len(st.changesOf(f, 1, len(st.Steps))) > 1 {
			out = append(out, f)
		}
	}
	return out
}

func (b *acct) badFree(what, obj string) bool {
	st := b.st
	mem := "mem." + obj
	v := b.a.Step
	if v < 1 || v > len(st.Steps) {
		return false
	}
	var frees []int
	for _, n := range st.changesOf(mem, 1, v) {
		if c, _ := st.change(n, mem); c.New == "freed" {
			frees = append(frees, n)
		}
	}
	if len(frees) == 0 {
		return false
	}
	f := frees[len(frees)-1]
	s := st.step(v)
	if what == "use after free" {
		b.say("At %s, %s used the %s (%s) - but it had been freed at %s.", b.at(v), who(s.Actor), obj, s.Text, b.at(f))
	} else {
		b.say("The %s was freed at %s, and freed again at %s.", obj, b.at(f), b.at(v))
	}
	b.say("The free, at %s: %s.", b.ref(f), st.step(f).Text)
	cs := st.counterFields(obj)
	for _, c := range cs {
		if h := b.history(c, f); h != "" {
			b.say("Its reference count %s went %s.", c, h)
		}
	}
	if ptr, ok := objPointers[obj]; ok {
		reads := func(n int) bool { return len(st.readsFields(n, []string{ptr})) > 0 }
		freer := st.step(f).ActorID
		fr := st.lastBy(freer, 1, f, reads)
		ur := st.lastBy(s.ActorID, 1, v, reads)
		if fr != 0 && ur != 0 && freer != s.ActorID {
			b.say("Both reached the %s through %s: %s read it at %s (it was %s) and %s at %s (it was %s); each went on as if the %s were its own.",
				obj, ptr, who(st.names[freer]), b.ref(fr), st.val(fr-1, ptr), who(s.Actor), b.ref(ur), st.val(ur-1, ptr), obj)
		}
	}
	p := st.lastBy(s.ActorID, 1, v-1, func(n int) bool { _, ok := st.decreased(n, cs); return ok })
	if p != 0 && p < f {
		c, _ := st.decreased(p, cs)
		b.say("%s had dropped its own reference at %s (%s): from then on it had no claim on the %s, and whoever dropped the last reference could free it; %s did so at %s.", capital(who(s.Actor)), b.ref(p), c, obj, who(st.step(f).Actor), b.ref(f))
	}
	return true
}

func (b *acct) leak(obj string) bool {
	st := b.st
	mem := "mem." + obj
	end := len(st.Steps)
	alloc := 0
	for _, n := range st.changesOf(mem, 1, end) {
		if c, _ := st.change(n, mem); c.New == "live" {
			alloc = n
		}
	}
	if alloc == 0 {
		return false
	}
	b.say("The %s was allocated at %s and is still live when the run ends after %s.", obj, b.at(alloc), b.ref(end))
	for _, c := range st.counterFields(obj) {
		h := b.history(c, end)
		if h == "" {
			continue
		}
		final := st.val(end, c)
		if final != "0" {
			b.say("Its reference count %s went %s, and stays at %s: whoever holds the remaining references never drops them.", c, h, final)
			continue
		}
		b.say("Its reference count %s went %s.", c, h)
		ns := st.changesOf(c, 1, end)
		z := ns[len(ns)-1]
		x := st.step(z).ActorID
		if dead := st.diedAt(x); dead != 0 {
			b.say("%s dropped the last reference at %s, but was killed at %s (%s) before it freed the %s.", capital(who(st.names[x])), b.ref(z), b.at(dead), st.step(dead).Text, obj)
		} else {
			b.say("%s dropped the last reference at %s but did not free the %s.", capital(who(st.names[x])), b.ref(z), obj)
		}
	}
	b.stuck(end)
	return true
}

func (b *acct) early() bool {
	st := b.st
	c := 0
	for _, d := range st.deliveries() {
		if p := st.pathOf(d); (p == pathDioBio || p == pathDioSubmitter) && d <= b.a.Step {
			c = d
			break
		}
	}
	if c == 0 {
		return false
	}
	s := st.step(c)
	b.say("At %s, %s called aio_complete from fs/direct-io.c (%s) and delivered %s.", b.ref(c), who(s.Actor), s.Loc, sim.ErrName(st.delivered(c)))
	if st.val(c-1, "committed_to_EIOCBQUEUED") == "false" {
		ns := st.changesOf("committed_to_EIOCBQUEUED", 1, c-1)
		if len(ns) == 0 {
			b.say("At that moment the submitter had not committed to returning -EIOCBQUEUED: the AIO core could still be handed another value and complete the iocb itself.")
		} else {
			b.say("At that moment the submitter's commitment to -EIOCBQUEUED had been dropped at %s (%s).", b.at(ns[len(ns)-1]), st.step(ns[len(ns)-1]).Text)
		}
		for _, n := range st.changesOf("committed_to_EIOCBQUEUED", c, len(st.Steps)) {
			if ch, _ := st.change(n, "committed_to_EIOCBQUEUED"); ch.New == "true" {
				b.say("It committed only later, at %s.", b.at(n))
				break
			}
		}
	}
	sub := st.actor["submitter"]
	if r := st.lastBy(sub, c, b.a.Step, func(n int) bool { return st.step(n).Func == "aio_run_iocb" }); r != 0 && r > c {
		b.say("ki_retry then returned %s to the AIO core at %s.", st.val(r, "submitter.retval"), b.at(r))
	}
	b.whyDio(c)
	return true
}

func (b *acct) resultValue() bool {
	st := b.st
	ds := st.deliveries()
	if len(ds) == 0 {
		return false
	}
	c := ds[0]
	s := st.step(c)
	v := sim.ErrName(st.delivered(c))
	b.say("The first delivery of the result, at %s, carried %s (%s in %s).", b.ref(c), v, s.Actor, s.Func)
	if first, _ := st.origin(s.ActorID, v, c); first != 0 {
		b.say("%s got that value at %s.", capital(who(s.Actor)), b.at(first))
	}
	fs := st.faultSteps(len(st.Steps))
	if len(fs) > 0 {
		var parts []string
		for _, f := range fs {
			parts = append(parts, fmt.Sprintf("%s (%s)", b.ref(f), st.step(f).Outcome))
		}
		b.say("But the run met these faults: %s; the same request run alone would report an error.", strings.Join(parts, ", "))
	}
	for _, d := range ds[1:] {
		b.say("A later delivery, at %s, carried %s; userspace takes the first.", b.at(d), sim.ErrName(st.delivered(d)))
	}
	return true
}

var iocbPrefixRe = regexp.MustCompile(`^iocb\d+\.`)

var wordRe = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)

// generic explains any violation: the step, what it changed, the faults
// met before it, the history of the shared state its statement and
// message name, and the other actors' latest changes before it.
func (b *acct) generic() {
	st := b.st
	v := b.a.Step
	if v < 1 || v > len(st.Steps) {
		b.say("The property broke before any step: %s.", b.a.Message)
		return
	}
	s := st.step(v)
	if st.BrokenAtStep(scheduler.Violation{Violation: properties.Violation{Prop: b.a.Prop}, Step: v}) {
		b.say("The property broke at %s: %s.", b.at(v), s.Text)
	} else {
		b.say("The run ended after %s (%s) with nothing able to move, and its end shows the violation.", b.at(v), s.Text)
	}
	if len(s.Changes) > 0 {
		var parts []string
		for _, c := range s.Changes {
			parts = append(parts, c.String())
		}
		b.say("That step changed %s.", strings.Join(parts, ", "))
	}
	if fs := st.faultSteps(v); len(fs) > 0 {
		var parts []string
		for _, f := range fs {
			parts = append(parts, fmt.Sprintf("%s (%s)", b.ref(f), st.step(f).Outcome))
		}
		b.say("Faults injected before it: %s.", strings.Join(parts, ", "))
	}
	words := map[string]bool{}
	for _, w := range wordRe.FindAllString(s.Text+" "+b.a.Message, -1) {
		words[w] = true
	}
	shown := 0
	for _, f := range st.Fields {
		if shown == 3 || !sharedField(f) || strings.HasPrefix(f, "mem.") {
			continue
		}
		short := f[strings.LastIndex(f, ".")+1:]
		if !words[short] {
			continue
		}
		if h := b.history(f, v); h != "" {
			b.say("%s went %s.", f, h)
			shown++
		}
	}
	var others []string
	for n := v - 1; n >= 1 && len(others) < 3; n-- {
		o := st.step(n)
		if o.ActorID == s.ActorID {
			continue
		}
		var parts []string
		for _, c := range o.Changes {
			if sharedField(c.Field) {
				parts = append(parts, c.String())
			}
		}
		if len(parts) > 0 {
			others = append(others, fmt.Sprintf("%s by %s (%s)", b.ref(n), o.Actor, strings.Join(parts, ", ")))
		}
	}
	if len(others) > 0 {
		b.say("The other actors' latest changes to shared state before it: %s.", strings.Join(others, "; "))
	}
}

// sharedField reports whether a field is state other actors can reach
// (not an actor's locals or task state).
func sharedField(f string) bool {
	if m := iocbPrefixRe.FindString(f); m != "" {
		f = f[len(m):] // several iocbs: iocb1.dio.refcount
	}
	for _, p := range []string{"inode.", "mapping.", "file.", "mem.", "kiocb.", "dio.", "ioend.", "ring."} {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}
