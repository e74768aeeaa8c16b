package model

import "diosim/sim"

// buildBioEnd builds the program of one bio's completion: the block layer's
// bio_endio and the dio's bi_end_io, in interrupt context.
func buildBioEnd(mb *modelBuild) *Program {
	b := newBuilder(mb, "bio completion")
	syncEnd := b.label("end-io")
	b.choice(b.bio("bio_endio:end-io"),
		"the device completes the bio: bio_endio(bio, bytes, error) clears BIO_UPTODATE on error, bi_size -= bytes (now 0), calls bio->bi_end_io; bi_end_io: dio = bio->bi_private; bi_size is 0",
		faultOutcomes(sim.FaultEIO, nil), okOr("eio"), bioEndio(syncEnd))
	b.inlines("fs/direct-io.c:dio_bio_end_aio", "fs/direct-io.c:dio_bio_end_io")
	// Private: it touches only this bio's own struct (nobody else reaches
	// a submitted bio before its bi_end_io puts it on bio_list) and records
	// a fault for the end-of-run check. The data reaches the page of the
	// file in the next step, with the first access to the dio.
	b.private()
	b.endAio()
	b.mark(syncEnd)
	b.endIO2()
	return b.finish()
}

// bioEndio is the device's completion of bio c.Act.Index (outcome 1: with
// an error) and the call of its bi_end_io: dio_bio_end_aio, which follows,
// or dio_bio_end_io at syncEnd.
func bioEndio(syncEnd *Label) func(c *Ctx) {
	return func(c *Ctx) {
		r := c.R
		i := c.Act.Index
		bio := &r.Bios[i]
		if c.Choice == 1 {
			bio.Uptodate = false
			r.Facts.FaultsMet |= sim.ErrMetBioEIO
		}
		c.L().Bio = i
		if !bio.EndAIO {
			c.Goto(syncEnd)
		}
	}
}

// bioComplete is dio_bio_complete for the completing bio: a failed bio sets
// dio->io_error; the pages and the bio are released.
func bioComplete(c *Ctx) {
	useDio(c)
	writeBlock(c)
	bio := &c.R.Bios[c.L().Bio]
	if !bio.Uptodate {
		c.R.Dio.IoError = -sim.EIO
	}
	bio.State = sim.BioEnded
}

// writeBlock records that a successful write bio's blocks are on disk:
// the user's data, or zeros for a block the ZERO_PAGE stood in for (every
// block from the first page get_user_pages could not pin, once page_errors
// is set).
func writeBlock(c *Ctx) {
	i := c.Act.Index
	r := c.R
	if c.S.Scn.Op != sim.Write || !r.Bios[i].Uptodate {
		return
	}
	for j := int32(i); j <= int32(i)+int32(r.Bios[i].More); j++ {
		v := byte(c.Act.Req) + 1
		if d := &r.Dio; d.PageErrors != 0 && d.GupBad != 0 && j >= d.GupBad-1 && (d.ZeroEnd == 0 || j < d.ZeroEnd) {
			v = sim.DataZero
		}
		c.S.Inode.Data[c.S.Block(int(c.Act.Req), int(j))] = v
	}
}

// endAio emits dio_bio_end_aio: dio_bio_complete, then the version's
// reference drop (the section "dio_bio_end_aio"), then return 0.
func (b *builder) endAio() {
	b.sec("dio_bio_end_aio")
	b.add(b.dio("dio_bio_end_aio:return"), "return 0",
		func(c *Ctx) { c.Finish() })
	b.private() // only the actor's own end
}

func init() {
	rootFuncs["dio_bio_end_aio"] = endAio2618
	rootFuncs["dio_bio_end_aio:last"] = func(b *builder) { panic("v2.6.18 has no refcount: dio_bio_end_aio:last") }
}

// endAio2618 is v2.6.18's dio_bio_end_aio: dio_bio_complete, then
// finished_one_bio.
func endAio2618(b *builder) {
	b.add(b.dio("dio_bio_end_aio:bio-complete"),
		"dio_bio_end_aio: dio_bio_complete(dio, bio): if !uptodate: dio->io_error = -EIO; if dio->is_async && dio->rw == READ: bio_check_pages_dirty(bio), else release the pages and bio_put; then finished_one_bio(dio)",
		bioComplete)
	b.finishedOneBio()
}

// endAioRefcount is dio_bio_end_aio once the bio counters became a
// reference count (before and after): the lock-free load of the waiter,
// the atomic drop, the wake-up, and the last reference's completion
// (section "dio_bio_end_aio:last").
func endAioRefcount(b *builder) {
	b.add(b.dio("dio_bio_end_aio:bio-complete"),
		"dio_bio_end_aio: dio_bio_complete(dio, bio): if !uptodate: dio->io_error = -EIO; if dio->is_async && dio->rw == READ: bio_check_pages_dirty(bio), else release the pages and bio_put",
		bioComplete)
	b.add(b.dio("dio_bio_end_aio:load-waiter"), "waiter_holds_ref = !!dio->waiter",
		func(c *Ctx) { useDio(c); c.L().Flag = c.R.Dio.Waiter != 0 })
	last := b.label("aio-last")
	b.add(b.dio("dio_bio_end_aio:drop-ref"),
		"remaining = atomic_sub_return(1, &dio->refcount); if (remaining == 1 && waiter_holds_ref) wake the waiter below; if (remaining == 0) complete below",
		func(c *Ctx) {
			useDio(c)
			c.R.Dio.Refcount--
			l := c.L()
			l.Remaining = int64(c.R.Dio.Refcount)
			switch {
			case l.Remaining == 1 && l.Flag:
			case l.Remaining == 0:
				c.Goto(last)
			default:
				c.Finish()
			}
		})
	b.add(b.dio("dio_bio_end_aio:reload-waiter"), "load dio->waiter (again) for wake_up_process",
		func(c *Ctx) { useDio(c); c.L().Tmp = int64(c.R.Dio.Waiter) })
	b.add(b.dio("dio_bio_end_aio:wake-waiter"), "wake_up_process(dio->waiter); remaining is 1: return 0",
		func(c *Ctx) { wake(c, int8(c.L().Tmp)); c.Finish() })
	b.mark(last)
	b.sec("dio_bio_end_aio:last")
}

// endAioLastBefore is before's remaining == 0 branch: dio_complete_aio.
func endAioLastBefore(b *builder) {
	b.add(b.dio("dio_bio_end_aio:call-complete-aio"), "remaining == 0: dio_complete_aio(dio)",
		func(c *Ctx) {})
	b.private()
	b.dioCompleteAio()
}

// endAioDropLocked is v2.6.20's reference drop in dio_bio_end_aio: the
// decrement, the waiter test and the wake-up in one section under
// bio_lock.
func endAioDropLocked(b *builder) {
	b.add(b.dio("dio_bio_end_aio:drop-ref"),
		"spin_lock_irqsave(&dio->bio_lock); remaining = --dio->refcount; if remaining == 1 && dio->waiter: wake_up_process(dio->waiter); spin_unlock_irqrestore(&dio->bio_lock)",
		func(c *Ctx) {
			d := &c.R.Dio
			useDio(c)
			d.Refcount--
			c.L().Remaining = int64(d.Refcount)
			if d.Refcount == 1 && d.Waiter != 0 {
				wake(c, d.Waiter)
			}
			if d.Refcount != 0 {
				c.Finish()
			}
		})
	b.lastGuard(bioLockFree)
}

// lastCompletion emits the remaining == 0 branch of dio_bio_end_aio in after
// and v2.6.20: dio_complete, aio_complete, kfree.
func lastCompletion(b *builder) {
	b.add(b.dio("dio_bio_end_aio:dio-complete"),
		"remaining == 0: ret = dio_complete(dio, dio->iocb->ki_pos, 0)",
		func(c *Ctx) {
			useDio(c)
			useKiocb(c)
			c.L().Off = c.R.Kiocb.Pos
			c.L().Ret = 0
		})
	b.dioComplete(selRet)
	b.aioComplete(b.dio("dio_bio_end_aio:aio-complete"), "aio_complete(dio->iocb, ret, 0)", true, selRet)
	b.add(b.dio("dio_bio_end_aio:kfree"), "kfree(dio)",
		func(c *Ctx) { c.R.Free(sim.ObjDio, &c.Step.Loc) })
}

// endIO2 emits dio_bio_end_io, the bi_end_io of a dio without is_async
// (v2.6.18's; the patches replace its one step).
func (b *builder) endIO2() {
	b.add(b.dio("dio_bio_end_io:queue-bio"),
		"dio_bio_end_io: spin_lock_irqsave(&dio->bio_lock); bio->bi_private = dio->bio_list; dio->bio_list = bio; dio->bios_in_flight--; if dio->waiter && dio->bios_in_flight == 0: wake_up_process(dio->waiter); spin_unlock_irqrestore; return 0",
		func(c *Ctx) {
			d := &c.R.Dio
			useDio(c)
			writeBlock(c)
			pushBioList(c)
			d.BiosInFlight--
			if d.Waiter != 0 && d.BiosInFlight == 0 {
				wake(c, d.Waiter)
			}
			c.Finish()
		})
	b.lastGuard(bioLockFree)
}

// endIOAtomic is dio_bio_end_io with the atomic refcount (before, after).
func endIOAtomic(b *builder) {
	b.add(b.dio("dio_bio_end_io:queue-bio"),
		"dio_bio_end_io: spin_lock_irqsave(&dio->bio_lock); bio->bi_private = dio->bio_list; dio->bio_list = bio; if atomic_sub_return(1, &dio->refcount) == 1 && dio->waiter: wake_up_process(dio->waiter); spin_unlock_irqrestore; return 0",
		endIORefcount)
	b.lastGuard(bioLockFree)
}

// endIOLocked is dio_bio_end_io with the refcount under bio_lock (v2.6.20).
func endIOLocked(b *builder) {
	b.add(b.dio("dio_bio_end_io:queue-bio"),
		"dio_bio_end_io: spin_lock_irqsave(&dio->bio_lock); bio->bi_private = dio->bio_list; dio->bio_list = bio; if --dio->refcount == 1 && dio->waiter: wake_up_process(dio->waiter); spin_unlock_irqrestore; return 0",
		endIORefcount)
	b.lastGuard(bioLockFree)
}

// endIORefcount is dio_bio_end_io of before, after and v2.6.20 (atomic or
// locked refcount, the same effect under bio_lock).
func endIORefcount(c *Ctx) {
	d := &c.R.Dio
	useDio(c)
	writeBlock(c)
	pushBioList(c)
	d.Refcount--
	if d.Refcount == 1 && d.Waiter != 0 {
		wake(c, d.Waiter)
	}
	c.Finish()
}

func pushBioList(c *Ctx) {
	d := &c.R.Dio
	i := c.Act.Index
	c.R.Bios[i].Next = d.BioList
	d.BioList = i
}

// buildReaper builds the userspace thread that reaps the completion with
// io_getevents and then looks at the file with stat and pread.
func buildReaper(mb *modelBuild) *Program {
	b := newBuilder(mb, "reaper")
	loop := b.here("reap")
	rest := b.label("at-rest")
	b.guarded(b.aio("aio_read_evt:reap"),
		"io_getevents(2) for one event: read_events takes the next event from the ring with aio_read_evt (ring_lock); the thread sleeps in read_events until there is one",
		func(s *sim.State, a int) bool { return int(s.Reaped) < len(s.Ring) },
		func(c *Ctx) {
			s := c.S
			ev := s.Ring[s.Reaped]
			s.Reaped++
			c.L().Retval = ev.Res
			c.Act.Req = ev.Iocb // the next steps look at this iocb's range
			pos := s.Reqs[ev.Iocb].Pos
			s.Record(sim.HistEvent{Return: true, Op: histOp(s), ID: ev.Iocb, Client: ev.Iocb, Pos: pos, Len: requestLen(s), Val: ev.Res})
			if s.Scn.Observe == sim.AtRest {
				// No look at the file after reaping: the next event, or
				// the reader at rest.
				if int(s.Reaped) < s.NumReqs() {
					c.Goto(loop)
				} else {
					c.Goto(rest)
				}
			}
		})
	b.inlines("read_events")
	b.observe(selRetval, -1)
	b.lastStep().Do = loopObserve(b.lastStep().Do, loop, rest)
	b.mark(rest)
	b.atRest()
	return b.finish()
}

// loopObserve makes the reaper's last step go back for the next event until
// it has one per iocb, then on to the reader at rest when the scenario has
// one.
func loopObserve(do func(c *Ctx), loop, rest *Label) func(c *Ctx) {
	return func(c *Ctx) {
		do(c)
		if int(c.S.Reaped) < c.S.NumReqs() {
			c.next = loop.pc
		} else if c.S.Scn.Observe != sim.AfterReap {
			c.next = rest.pc
		}
	}
}

// atRest emits the reader at rest (scenario observe=at-rest or both): once
// every kernel actor has finished (the system is quiet), userspace stats
// the file and reads back every iocb's range, as the observer client of
// the history, so the linearizability check sees what the file holds for
// good: a completion whose data never became visible is a violation.
func (b *builder) atRest() {
	b.guarded(b.user("quiet"), "userspace waits until every kernel actor has finished (the system is quiet)",
		quiet,
		func(c *Ctx) { c.Act.Req = 0 })
	again := b.here("rest-stat")
	b.add(b.user("stat-at-rest"), "userspace, at rest: stat(2) reads i_size",
		func(c *Ctx) { observeStat(c, 0, int8(c.S.NumReqs())) })
	b.add(b.user("pread-at-rest"), "userspace, at rest: pread(2) reads this iocb's range back through the page cache",
		func(c *Ctx) {
			observePread(c, 0, int8(c.S.NumReqs()))
			if int(c.Act.Req)+1 < c.S.NumReqs() {
				c.Act.Req++
				c.Goto(again)
				return
			}
			c.Finish()
		})
}

// quiet reports whether every kernel actor has finished: every submitter
// is done, and every bio completion and XFS worker is done or never
// started and never will (its bio was not submitted, its ioend not queued,
// and the submitters that could do it are gone). A task asleep forever is
// not quiet: the reader then never runs, and no-hang reports the sleeper.
func quiet(s *sim.State, a int) bool {
	for i := range s.Actors {
		act := &s.Actors[i]
		if i == a || act.Done || act.Dead {
			continue
		}
		switch {
		case act.Kind == sim.BioEnd && act.PC == 0 && s.Reqs[act.Req].Bios[act.Index].State < sim.BioSubmitted:
		case act.Kind == sim.Worker && act.PC == 0 && !s.Reqs[act.Req].Kiocb.IoendQueued:
		default:
			return false
		}
	}
	return true
}

// buildWorker builds the xfsdatad worker that runs a queued ioend's
// unwritten-extent conversion over the ioend's range: io_offset and
// io_size as xfs_end_io_direct stored them from the offset and size the
// dio completion passed (the offset is dio->iocb->ki_pos when the
// completion ran, which the callers may have moved already).
func buildWorker(mb *modelBuild) *Program {
	b := newBuilder(mb, "xfsdatad")
	b.sec("xfsdatad")
	return b.finish()
}

// buildWorks builds the programs of the ioend work functions other than
// the first (sim.WorkWritten, sim.WorkRead) where the version has them
// (sections "xfs_end_bio_written" and "xfs_end_bio_read"); nil where not.
func buildWorks(mb *modelBuild) [3]*Program {
	var out [3]*Program
	for w, name := range map[uint8]string{sim.WorkWritten: "xfs_end_bio_written", sim.WorkRead: "xfs_end_bio_read"} {
		if latestFunc(mb.lin, name) == nil {
			continue
		}
		b := newBuilder(mb, "xfsdatad ("+name+")")
		b.sec(name)
		out[w] = b.finish()
	}
	return out
}

// latestFunc is the model of section name the last patch of lin that
// mentions it gives (nil: none does, or the last one removes it).
func latestFunc(lin []*Version, name string) func(b *builder) {
	for lvl := len(lin) - 1; lvl >= 1; lvl-- {
		if f, ok := lin[lvl].Patch.funcs[name]; ok {
			return f
		}
	}
	return nil
}

// xfsEndBioUnwritten2618 is xfs_end_bio_unwritten as xfsdatad runs it.
func xfsEndBioUnwritten2618(b *builder) {
	b.add(b.xfs("xfs_end_bio_unwritten:load-ioend"),
		"xfs_end_bio_unwritten (run by xfsdatad): vp = ioend->io_vnode; offset = ioend->io_offset; size = ioend->io_size",
		func(c *Ctx) { useIoend(c) })
	b.add(b.xfs("xfs_end_bio_unwritten:convert"),
		"if !ioend->io_error: bhv_vop_bmap(vp, offset, size, BMAPI_UNWRITTEN) converts the range to written extents",
		func(c *Ctx) {
			useIoend(c)
			convertUnwritten(c.S, c.R.Kiocb.IoOffset, c.R.Kiocb.IoSize)
		})
	b.add(b.xfs("xfs_end_bio_unwritten:destroy-ioend"), "xfs_destroy_ioend(ioend): vn_iowake, mempool_free",
		func(c *Ctx) {
			useIoend(c)
			c.R.Free(sim.ObjIoend, &c.Step.Loc)
			c.R.Kiocb.IoendQueued = false
			c.Finish()
		})
	b.inlines("xfs_destroy_ioend")
}

func init() { rootFuncs["xfsdatad"] = xfsEndBioUnwritten2618 }

// convertUnwritten is the unwritten-extent conversion of the file range
// [off, off+size) (xfs_iomap_write_unwritten through bhv_vop_bmap): every
// block of the file the range touches stops being unwritten, whichever
// iocb wrote it; blocks outside the modelled file have no extents to
// convert. The file starts at block 0 (sim.Scenario.Geometry).
func convertUnwritten(s *sim.State, off, size int64) {
	if size <= 0 {
		return
	}
	for b := range s.Inode.Unwritten {
		start := int64(b) * sim.BlockSize
		if start < off+size && start+sim.BlockSize > off {
			s.Inode.Unwritten[b] = false
		}
	}
}
