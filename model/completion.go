package model

import "diosim/sim"

// tailAfter emits the completion tail of direct_io_worker in after and
// v2.6.20 (fs/direct-io.c@after:1085-1106, @v2.6.20:1091-1120).
func tailAfter(b *builder) {
	wait := b.label("tail-wait")
	dec := b.label("tail-dec")
	b.add(b.dio("direct_io_worker:queue-or-wait"),
		"BUG_ON(ret == -EIOCBQUEUED); if dio->is_async && ret == 0 && dio->result && ((rw & READ) || dio->result == dio->size): ret = -EIOCBQUEUED; if ret != -EIOCBQUEUED: dio_await_completion(dio)",
		queueOrWait(dec))
	b.mark(wait)
	b.awaitCompletion()
	b.mark(dec)
	free := b.label("tail-free")
	end := b.label("tail-end")
	b.add(b.dio("direct_io_worker:drop-ref"),
		"if atomic_dec_and_test(&dio->refcount): go on to dio_complete and kfree; else BUG_ON(ret != -EIOCBQUEUED)",
		func(c *Ctx) {
			r := c.R
			useDio(c)
			r.Dio.Refcount--
			if r.Dio.Refcount == 0 {
				if c.L().Ret == eiocbqueued {
					r.Facts.Committed = false
				}
				return
			}
			if c.L().Ret != eiocbqueued {
				bug(c, "BUG_ON(ret != -EIOCBQUEUED) in direct_io_worker")
				return
			}
			c.Goto(end)
		})
	b.add(b.dio("direct_io_worker:dio-complete"), "ret = dio_complete(dio, offset, ret) (offset is the worker's argument)",
		func(c *Ctx) { c.L().Off = c.L().Pos })
	b.dioComplete(selRet)
	b.mark(free)
	b.add(b.dio("direct_io_worker:kfree"), "kfree(dio)",
		func(c *Ctx) { c.R.Free(sim.ObjDio, &c.Step.Loc) })
	b.mark(end)
}

// queueOrWait is direct_io_worker's decision to return -EIOCBQUEUED
// (then on to dec, the reference drop) or to wait for the bios.
func queueOrWait(dec *Label) func(c *Ctx) {
	return func(c *Ctx) {
		r := c.R
		l := c.L()
		useDio(c)
		if l.Ret == eiocbqueued {
			bug(c, "BUG_ON(ret == -EIOCBQUEUED) in direct_io_worker")
			return
		}
		d := &r.Dio
		// rw & READ is always 0 (READ is 0): only result == size counts.
		if d.IsAsync && l.Ret == 0 && d.Result != 0 && d.Result == d.Size {
			l.Ret = eiocbqueued
			r.Facts.Committed = true
			c.Goto(dec)
		}
	}
}

// dropRefLocked is v2.6.20's reference drop at the end of
// direct_io_worker ("dio: lock refcount operations"): the decrement under
// bio_lock, then the tests on ret2 outside it.
func dropRefLocked(b *builder) {
	end := b.named("tail-end")
	b.add(b.dio("direct_io_worker:drop-ref"),
		"spin_lock_irqsave(&dio->bio_lock); ret2 = --dio->refcount; spin_unlock_irqrestore(&dio->bio_lock)",
		func(c *Ctx) {
			useDio(c)
			c.R.Dio.Refcount--
			c.L().Ret2 = int64(c.R.Dio.Refcount)
		})
	b.lastGuard(bioLockFree)
	b.add(b.dio("direct_io_worker:check-ref"),
		"BUG_ON(!dio->is_async && ret2 != 0) (loads dio->is_async); if ret2 == 0: go on to dio_complete and kfree; else BUG_ON(ret != -EIOCBQUEUED)",
		func(c *Ctx) {
			r := c.R
			l := c.L()
			useDio(c)
			if !r.Dio.IsAsync && l.Ret2 != 0 {
				bug(c, "BUG_ON(!dio->is_async && ret2 != 0) in direct_io_worker")
				return
			}
			testRet2(c, end)
		})
}

// testRet2 is direct_io_worker's test of ret2, the references left after
// its own drop: with none left it goes on to dio_complete and kfree (and
// no longer stands by a -EIOCBQUEUED it had decided on); else its ret must
// be -EIOCBQUEUED (BUG_ON) and it goes to end.
func testRet2(c *Ctx, end *Label) {
	l := c.L()
	if l.Ret2 == 0 {
		if l.Ret == eiocbqueued {
			c.R.Facts.Committed = false
		}
		return
	}
	if l.Ret != eiocbqueued {
		bug(c, "BUG_ON(ret != -EIOCBQUEUED) in direct_io_worker")
		return
	}
	c.Goto(end)
}

// tailBefore emits the completion tail of direct_io_worker in before
// (fs/direct-io.c@before:1084-1126).
func tailBefore(b *builder) {
	syncBranch := b.label("tail-sync")
	noWait := b.label("tail-nowait")
	end := b.label("tail-end")
	b.add(b.dio("direct_io_worker:async-should-wait"),
		"if dio->is_async: should_wait = 0; if dio->result < dio->size && (rw & WRITE): dio->waiter = current, should_wait = 1; if ret == 0: ret = dio->result",
		func(c *Ctx) {
			if asyncShouldWait(c, syncBranch) && !c.L().Flag {
				c.Goto(noWait)
			}
		})
	b.awaitCompletion()
	b.mark(noWait)
	afterAio := b.label("tail-after-aio")
	b.add(b.dio("direct_io_worker:async-drop-ref"),
		"/* this can free the dio */ if atomic_dec_and_test(&dio->refcount): dio_complete_aio(dio)",
		func(c *Ctx) {
			useDio(c)
			c.R.Dio.Refcount--
			if c.R.Dio.Refcount != 0 {
				c.Goto(afterAio)
			}
		})
	b.dioCompleteAio()
	b.mark(afterAio)
	b.add(b.dio("direct_io_worker:async-kfree"), "if should_wait: kfree(dio)",
		func(c *Ctx) {
			if c.L().Flag {
				c.R.Free(sim.ObjDio, &c.Step.Loc)
			}
			c.Goto(end)
		})
	b.mark(syncBranch)
	b.awaitCompletion()
	b.add(b.dio("direct_io_worker:sync-dio-complete"), "ret = dio_complete(dio, offset, ret)",
		func(c *Ctx) { c.L().Off = c.L().Pos })
	b.dioComplete(selRet)
	noAio := b.label("tail-noaio")
	b.add(b.dio("direct_io_worker:extend-test"),
		"/* We could have also come here on an AIO file extend */ if !is_sync_kiocb(iocb) && (rw & WRITE) && ret >= 0 && dio->result == dio->size",
		func(c *Ctx) {
			s, r := c.S, c.R
			useDio(c)
			if !(!r.Kiocb.IsSync && s.Scn.Op == sim.Write && c.L().Ret >= 0 && r.Dio.Result == r.Dio.Size) {
				c.Goto(noAio)
			}
		})
	b.aioComplete(b.dio("direct_io_worker:extend-aio-complete"), "aio_complete(iocb, ret, 0)", true, selRet)
	b.mark(noAio)
	bugLbl := b.label("tail-bug")
	b.add(b.dio("direct_io_worker:sync-drop-ref"), "if atomic_dec_and_test(&dio->refcount)",
		func(c *Ctx) {
			useDio(c)
			c.R.Dio.Refcount--
			if c.R.Dio.Refcount != 0 {
				c.Goto(bugLbl)
			}
		})
	b.add(b.dio("direct_io_worker:sync-kfree"), "kfree(dio)",
		func(c *Ctx) { c.R.Free(sim.ObjDio, &c.Step.Loc); c.Goto(end) })
	b.mark(bugLbl)
	b.add(b.dio("direct_io_worker:sync-bug"), "else BUG()",
		func(c *Ctx) { bug(c, "BUG() in direct_io_worker: the sync path did not drop the last dio reference") })
	b.mark(end)
}

// asyncShouldWait is the head of the async branch of direct_io_worker in
// v2.6.18 and before: a short async write waits, with dio->waiter stored
// without a lock; a zero ret becomes dio->result. It jumps to syncBranch for
// a dio without is_async and reports whether it took the async branch.
func asyncShouldWait(c *Ctx, syncBranch *Label) bool {
	s, r := c.S, c.R
	l := c.L()
	d := &r.Dio
	useDio(c)
	if !d.IsAsync {
		c.Goto(syncBranch)
		return false
	}
	l.Flag = false
	if d.Result < d.Size && s.Scn.Op == sim.Write {
		d.Waiter = me(c)
		l.Flag = true
	}
	if l.Ret == 0 {
		l.Ret = d.Result
	}
	return true
}

// dioCompleteAio emits before's dio_complete_aio (fs/direct-io.c@before:258-270),
// run by whoever dropped the last reference. It uses Tmp for its ret.
func (b *builder) dioCompleteAio() {
	defer b.rootCode()()
	end := b.label("dca-end")
	b.add(b.dio("dio_complete_aio:dio-complete"), "dio_complete_aio: ret = dio_complete(dio, dio->iocb->ki_pos, 0)",
		func(c *Ctx) {
			useDio(c)
			useKiocb(c)
			c.L().Off = c.R.Kiocb.Pos
			c.L().Tmp = 0
		})
	b.dioComplete(selTmp)
	b.add(b.dio("dio_complete_aio:complete-test"),
		"/* Complete AIO later if falling back to buffered i/o */ if dio->result == dio->size || ((dio->rw == READ) && dio->result)",
		func(c *Ctx) {
			useDio(c)
			d := &c.R.Dio
			if !(d.Result == d.Size || (d.Rw == sim.RWRead && d.Result != 0)) {
				c.Goto(end)
			}
		})
	b.aioComplete(b.dio("dio_complete_aio:aio-complete"), "aio_complete(dio->iocb, ret, 0)", true, selTmp)
	b.add(b.dio("dio_complete_aio:kfree"), "kfree(dio)",
		func(c *Ctx) { c.R.Free(sim.ObjDio, &c.Step.Loc) })
	b.mark(end)
}

// tail2618 emits the completion tail of direct_io_worker in v2.6.18
// (fs/direct-io.c@v2.6.18:1086-1155).
func tail2618(b *builder) {
	syncBranch := b.label("tail-sync")
	end := b.label("tail-end")
	b.add(b.dio("direct_io_worker:async-should-wait"),
		"if dio->is_async: should_wait = 0; if dio->result < dio->size && (rw & WRITE): dio->waiter = current, should_wait = 1; if ret == 0: ret = dio->result",
		func(c *Ctx) { asyncShouldWait(c, syncBranch) })
	b.add(b.dio("direct_io_worker:async-finished-one-bio"), "finished_one_bio(dio), which can free the dio (its steps follow)",
		func(c *Ctx) {})
	b.private()
	b.finishedOneBio()
	b.add(b.dio("direct_io_worker:async-unplug"), "blk_run_address_space(inode->i_mapping); if should_wait",
		func(c *Ctx) {
			if !c.L().Flag {
				c.Goto(end)
			}
		})
	loop := b.label("t18-wait")
	out := b.label("t18-out")
	test := func(c *Ctx) {
		r := c.R
		useDio(c)
		c.Act.State = sim.TaskUninterruptible
		if r.Dio.BioCount == 0 {
			c.Goto(out)
		}
	}
	b.add(b.dio("direct_io_worker:async-wait-lock"),
		"spin_lock_irqsave(&dio->bio_lock); set_current_state(TASK_UNINTERRUPTIBLE); while dio->bio_count: spin_unlock_irqrestore(&dio->bio_lock) and sleep (when bio_count is 0 the lock is dropped after the loop)",
		test)
	b.lastGuard(bioLockFree)
	b.mark(loop)
	b.add(b.dio("direct_io_worker:async-io-schedule"), "io_schedule()",
		func(c *Ctx) { c.S.Schedule(c.A) })
	b.add(b.dio("direct_io_worker:async-wait-relock"),
		"spin_lock_irqsave(&dio->bio_lock); set_current_state(TASK_UNINTERRUPTIBLE); the loop test while (dio->bio_count) ("+b.ref(dioFile, "direct_io_worker:async-wait-test")+"): unlock and sleep again, or leave the loop",
		func(c *Ctx) {
			test(c)
			if c.next != out.pc {
				c.Goto(loop)
			}
		})
	b.lastGuard(bioLockFree)
	b.mark(out)
	b.add(b.dio("direct_io_worker:async-wait-unlock"), "spin_unlock_irqrestore(&dio->bio_lock); set_current_state(TASK_RUNNING)",
		func(c *Ctx) { c.Act.State = sim.TaskRunning })
	b.add(b.dio("direct_io_worker:async-wait-kfree"), "kfree(dio)",
		func(c *Ctx) { c.R.Free(sim.ObjDio, &c.Step.Loc); c.Goto(end) })

	b.mark(syncBranch)
	b.add(b.dio("direct_io_worker:sync-finished-one-bio"), "transferred = 0; finished_one_bio(dio) (its steps follow)",
		func(c *Ctx) { c.L().Ret2 = 0 })
	b.finishedOneBio()
	b.awaitCompletion()
	b.add(b.dio("direct_io_worker:sync-result"),
		"if ret == 0: ret = ret2; if ret == 0: ret = dio->page_errors; if dio->result: i_size = i_size_read(inode), transferred = dio->result, clamped to i_size - offset for a read past EOF",
		func(c *Ctx) {
			s, r := c.S, c.R
			l := c.L()
			useDio(c)
			if l.Ret == 0 {
				l.Ret = l.Ret2
			}
			if l.Ret == 0 {
				l.Ret = r.Dio.PageErrors
			}
			l.Transferred = 0
			if r.Dio.Result != 0 {
				l.Transferred = r.Dio.Result
				if s.Scn.Op == sim.Read && l.Pos+l.Transferred > s.Inode.ISize {
					l.Transferred = s.Inode.ISize - l.Pos
				}
			}
			l.Off = l.Pos
		})
	b.add(b.dio("direct_io_worker:sync-dio-complete"), "dio_complete(dio, offset, transferred)",
		func(c *Ctx) {})
	b.dioComplete2618()
	noAio := b.label("t18-noaio")
	b.add(b.dio("direct_io_worker:extend-test"),
		"if ret == 0: ret = transferred; /* We could have also come here on an AIO file extend */ if !is_sync_kiocb(iocb) && (rw & WRITE) && ret >= 0 && dio->result == dio->size",
		func(c *Ctx) {
			s, r := c.S, c.R
			l := c.L()
			useDio(c)
			if l.Ret == 0 {
				l.Ret = l.Transferred
			}
			if !(!r.Kiocb.IsSync && s.Scn.Op == sim.Write && l.Ret >= 0 && r.Dio.Result == r.Dio.Size) {
				c.Goto(noAio)
			}
		})
	b.aioComplete(b.dio("direct_io_worker:extend-aio-complete"), "aio_complete(iocb, ret, 0)", true, selRet)
	b.mark(noAio)
	b.add(b.dio("direct_io_worker:sync-kfree"), "kfree(dio)",
		func(c *Ctx) { c.R.Free(sim.ObjDio, &c.Step.Loc) })
	b.mark(end)
}

// finishedOneBio emits v2.6.18's finished_one_bio
// (fs/direct-io.c@v2.6.18:231-282). It uses Transferred and Off as its
// locals.
func (b *builder) finishedOneBio() {
	end := b.label("fob-end")
	notLast := b.label("fob-notlast")
	b.add(b.dio("finished_one_bio:last-test"),
		"finished_one_bio: spin_lock_irqsave(&dio->bio_lock); if dio->bio_count == 1 && dio->is_async: spin_unlock_irqrestore and complete the AIO; else dio->bio_count--, spin_unlock_irqrestore",
		func(c *Ctx) {
			d := &c.R.Dio
			useDio(c)
			if d.BioCount == 1 && d.IsAsync {
				return
			}
			d.BioCount--
			c.Goto(end)
		})
	b.lastGuard(bioLockFree)
	b.add(b.dio("finished_one_bio:transferred"),
		"transferred = dio->result; offset = dio->iocb->ki_pos; if dio->rw == READ && offset + transferred > dio->i_size: transferred = dio->i_size - offset; if dio->io_error: transferred = dio->io_error",
		func(c *Ctx) {
			r := c.R
			l := c.L()
			d := &r.Dio
			useDio(c)
			useKiocb(c)
			l.Transferred = d.Result
			l.Off = r.Kiocb.Pos
			if d.Rw == sim.RWRead && l.Off+l.Transferred > d.ISize {
				l.Transferred = d.ISize - l.Off
			}
			if d.IoError != 0 {
				l.Transferred = d.IoError
			}
		})
	b.dioComplete2618()
	b.add(b.dio("finished_one_bio:complete-test"),
		"if dio->result == dio->size || ((dio->rw == READ) && dio->result)",
		func(c *Ctx) {
			useDio(c)
			d := &c.R.Dio
			if !(d.Result == d.Size || (d.Rw == sim.RWRead && d.Result != 0)) {
				c.Goto(notLast)
			}
		})
	b.aioComplete(b.dio("finished_one_bio:aio-complete"), "aio_complete(dio->iocb, transferred, 0)", true,
		func(l *sim.Locals) *int64 { return &l.Transferred })
	b.add(b.dio("finished_one_bio:kfree"), "kfree(dio); return",
		func(c *Ctx) { c.R.Free(sim.ObjDio, &c.Step.Loc); c.Goto(end) })
	b.mark(notLast)
	b.add(b.dio("finished_one_bio:drop-count"),
		"spin_lock_irqsave(&dio->bio_lock); dio->bio_count--; if dio->waiter: wake_up_process(dio->waiter); spin_unlock_irqrestore; return",
		func(c *Ctx) {
			d := &c.R.Dio
			useDio(c)
			d.BioCount--
			if d.Waiter != 0 {
				wake(c, d.Waiter)
			}
		})
	b.lastGuard(bioLockFree)
	b.mark(end)
}

// dioComplete emits dio_complete of before, after and v2.6.20: offset in
// Off, ret selected by ret; the result replaces *ret.
func (b *builder) dioComplete(ret localSel) {
	saved := b.arg
	b.arg = ret
	b.sec("dio_complete")
	b.arg = saved
}

// dioCompleteCentral is dio_complete as the clean-ups left it (before):
// the end_io call, the i_alloc_sem release, and the choice of the result.
// The seed patch makes its first step map -EIOCBQUEUED to 0
// (dioCompleteTransferredQueued).
func dioCompleteCentral(b *builder) {
	ret := b.arg
	b.add(b.dio("dio_complete:transferred"),
		"dio_complete: transferred = 0; if dio->result: transferred = dio->result, clamped to dio->i_size - offset for a read past EOF",
		func(c *Ctx) { dioCompleteTransferred(c, ret, false) })
	b.endIO(b.dio("dio_complete:end-io"),
		"if dio->end_io && dio->result: dio->end_io(dio->iocb, offset, transferred, dio->map_bh.b_private)")
	b.add(b.dio("dio_complete:up-alloc-sem"),
		"if dio->lock_type == DIO_LOCKING: up_read_non_owner(&dio->inode->i_alloc_sem)",
		func(c *Ctx) {
			useDio(c)
			if c.R.Dio.LockType == sim.DIOLocking {
				c.S.Inode.AllocSem--
			}
		})
	b.add(b.dio("dio_complete:ret"),
		"if ret == 0: ret = dio->page_errors; if ret == 0: ret = dio->io_error; if ret == 0: ret = transferred; return ret",
		dioCompleteRet(ret))
}

// dioCompleteRet is dio_complete's choice of its result: the ret it was
// given, else the page errors, the I/O error, the byte count.
func dioCompleteRet(ret localSel) func(c *Ctx) {
	return func(c *Ctx) {
		l := c.L()
		d := &c.R.Dio
		useDio(c)
		r := ret(l)
		if *r == 0 {
			*r = d.PageErrors
		}
		if *r == 0 {
			*r = d.IoError
		}
		if *r == 0 {
			*r = l.Transferred
		}
	}
}

// dioCompleteTransferredQueued is the seed patch's first step of
// dio_complete: a -EIOCBQUEUED ret becomes 0 before the byte count.
func dioCompleteTransferredQueued(b *builder) {
	ret := b.arg
	b.add(b.dio("dio_complete:transferred"),
		"dio_complete: if ret == -EIOCBQUEUED: ret = 0; transferred = 0; if dio->result: transferred = dio->result, clamped to dio->i_size - offset for a read past EOF",
		func(c *Ctx) { dioCompleteTransferred(c, ret, true) })
}

// dioCompleteTransferred computes dio_complete's transferred; queued says
// whether a -EIOCBQUEUED ret is first mapped to 0.
func dioCompleteTransferred(c *Ctx, ret localSel, queued bool) {
	l := c.L()
	d := &c.R.Dio
	useDio(c)
	if queued && *ret(l) == eiocbqueued {
		*ret(l) = 0
	}
	l.Transferred = 0
	if d.Result != 0 {
		l.Transferred = d.Result
		if d.Rw == sim.RWRead && l.Off+l.Transferred > d.ISize {
			l.Transferred = d.ISize - l.Off
		}
	}
}

// dioComplete2618 emits v2.6.18's dio_complete(dio, offset, bytes): offset
// in Off, bytes in Transferred.
func (b *builder) dioComplete2618() {
	b.endIO(b.dio("dio_complete:end-io"),
		"dio_complete: if dio->end_io && dio->result: dio->end_io(dio->iocb, offset, bytes, dio->map_bh.b_private)")
	b.add(b.dio("dio_complete:up-alloc-sem"),
		"if dio->lock_type == DIO_LOCKING: up_read_non_owner(&dio->inode->i_alloc_sem)",
		func(c *Ctx) {
			useDio(c)
			if c.R.Dio.LockType == sim.DIOLocking {
				c.S.Inode.AllocSem--
			}
		})
}

// endIO emits the end_io call of dio_complete: for XFS, xfs_end_io_direct
// with offset Off and size Transferred; nothing for the generic filesystem.
func (b *builder) endIO(loc Loc, text string) {
	skip := b.label("endio-skip")
	b.add(loc, text, func(c *Ctx) {
		useDio(c)
		if !c.R.Dio.EndIO || c.R.Dio.Result == 0 {
			c.Goto(skip)
		}
	})
	b.xfsEndIO()
	b.mark(skip)
}

// xfsEndIO emits XFS's ->end_io as the lineage has it (section
// "xfs_end_io_direct"): v2.6.18's xfs_end_io_direct(iocb, offset, size,
// private), with offset in Off and size in Transferred.
func (b *builder) xfsEndIO() { b.sec("xfs_end_io_direct") }

// xfsEndIODirect2618 is v2.6.18's xfs_end_io_direct.
func xfsEndIODirect2618(b *builder) {
	destroy := b.label("xeio-destroy")
	clear := b.label("xeio-clear")
	b.add(b.xfs("xfs_end_io_direct:load-private"), "xfs_end_io_direct: ioend = iocb->private",
		func(c *Ctx) {
			useKiocb(c)
			c.L().Flag2 = c.R.Kiocb.Private
			if !(c.R.Dio.BPrivate && c.L().Transferred > 0) {
				c.Goto(destroy)
			}
		})
	b.add(b.xfs("xfs_end_io_direct:finish-ioend"),
		"if private && size > 0: ioend->io_offset = offset; ioend->io_size = size; xfs_finish_ioend(ioend): if atomic_dec_and_test(&ioend->io_remaining), queue_work(xfsdatad_workqueue, &ioend->io_work)",
		func(c *Ctx) {
			r := c.R
			if !c.L().Flag2 {
				bug(c, "oops: xfs_finish_ioend(NULL): iocb->private was already cleared")
				return
			}
			useIoend(c)
			r.Kiocb.IoOffset, r.Kiocb.IoSize = c.L().Off, c.L().Transferred
			r.Kiocb.IoendRemaining--
			if r.Kiocb.IoendRemaining == 0 {
				r.Kiocb.IoendQueued = true
			}
			c.Goto(clear)
		})
	b.inlines("xfs_finish_ioend")
	b.mark(destroy)
	b.add(b.xfs("xfs_end_io_direct:destroy-ioend"),
		"else: xfs_destroy_ioend(ioend): vn_iowake(ioend->io_vnode); mempool_free(ioend)",
		func(c *Ctx) {
			if !c.L().Flag2 {
				bug(c, "oops: xfs_destroy_ioend(NULL): iocb->private was already cleared")
				return
			}
			useIoend(c)
			c.R.Free(sim.ObjIoend, &c.Step.Loc)
		})
	b.inlines("xfs_destroy_ioend")
	b.mark(clear)
	b.add(b.xfs("xfs_end_io_direct:clear-private"), "iocb->private = NULL",
		func(c *Ctx) { useKiocb(c); c.R.Kiocb.Private = false })
}

// xfsDirectIO emits xfs_vm_direct_IO around __blockdev_direct_IO as the
// lineage has it (section "xfs_vm_direct_IO"). Result in Ret.
func (b *builder) xfsDirectIO() { b.sec("xfs_vm_direct_IO") }

// xfsDirectIO2618 is v2.6.18's xfs_vm_direct_IO.
func xfsDirectIO2618(b *builder) {
	b.add(b.xfs("xfs_vm_direct_IO:alloc-ioend"),
		"xfs_vm_direct_IO: bhv_vop_bmap for the target device; iocb->private = xfs_alloc_ioend(inode, IOMAP_UNWRITTEN) (io_remaining = 1)",
		func(c *Ctx) {
			r := c.R
			r.Alloc(sim.ObjIoend)
			r.Kiocb.Private = true
			r.Kiocb.IoendRemaining = 1
		})
	b.private()
	b.inlines("xfs_alloc_ioend")
	b.blockdevDirectIO()
	skip := b.label("xvd-skip")
	b.add(b.xfs("xfs_vm_direct_IO:test-private"), "if (ret <= 0 && iocb->private)",
		func(c *Ctx) {
			useKiocb(c)
			if !(c.L().Ret <= 0 && c.R.Kiocb.Private) {
				c.Goto(skip)
			}
		})
	b.add(b.xfs("xfs_vm_direct_IO:destroy-ioend"), "xfs_destroy_ioend(iocb->private) (the pointer is loaded again)",
		destroyIoendPrivate)
	b.mark(skip)
}

// destroyIoendPrivate is xfs_vm_direct_IO's xfs_destroy_ioend of
// iocb->private, loaded again after the test: an oops if the completion
// cleared it in between.
func destroyIoendPrivate(c *Ctx) {
	useKiocb(c)
	if !c.R.Kiocb.Private {
		bug(c, "oops: xfs_destroy_ioend(NULL): iocb->private was cleared since the test")
		return
	}
	useIoend(c)
	c.R.Free(sim.ObjIoend, &c.Step.Loc)
}

// xfsTestQueued is xfs_vm_direct_IO's test after the seed patch: the
// ioend is destroyed unless the request was queued.
func xfsTestQueued(b *builder) {
	skip := b.named("xvd-skip")
	b.add(b.xfs("xfs_vm_direct_IO:test-private"), "if (ret != -EIOCBQUEUED && iocb->private)",
		func(c *Ctx) {
			useKiocb(c)
			if !(c.L().Ret != eiocbqueued && c.R.Kiocb.Private) {
				c.Goto(skip)
			}
		})
}

// awaitCompletion emits dio_await_completion with the version's
// dio_await_one. In v2.6.18 its int result is left in Ret2.
func (b *builder) awaitCompletion() { b.sec("dio_await_completion") }

func init() {
	rootFuncs["dio_await_completion"] = await2618
	rootFuncs["direct_io_worker:tail"] = tail2618
	rootFuncs["dio_complete"] = func(b *builder) { panic("v2.6.18's dio_complete has its own signature: dioComplete2618") }
	rootFuncs["xfs_end_io_direct"] = xfsEndIODirect2618
	rootFuncs["xfs_vm_direct_IO"] = xfsDirectIO2618
}

// completeReapedBio is dio_bio_complete for a bio the submitter took off
// bio_list.
func completeReapedBio(c *Ctx) {
	useDio(c)
	bio := &c.R.Bios[c.L().Bio]
	if !bio.Uptodate {
		c.R.Dio.IoError = -sim.EIO
	}
	bio.State = sim.BioEnded
}

// awaitLockless: after and before, where dio_bio_end_aio takes no lock, so
// every load or store between the lock calls is its own step.
func awaitLockless(b *builder) {
	one := b.label("await-one")
	pop := b.label("await-pop")
	running := b.label("await-running")
	body := b.label("await-body")
	done := b.label("await-done")
	wait := func(d *sim.Dio) bool { return d.Refcount > 1 && d.BioList < 0 }
	b.mark(one)
	b.add(b.dio("dio_await_one:lock-test"),
		"dio_await_one: bio = NULL; spin_lock_irqsave(&dio->bio_lock); while wait_for_more_bios(dio): atomic_read(&dio->refcount) > 1 && dio->bio_list == NULL",
		func(c *Ctx) {
			useDio(c)
			lockBioLock(c)
			c.L().Bio = -1
			if !wait(&c.R.Dio) {
				c.Goto(pop)
			}
		})
	b.inlines("wait_for_more_bios")
	b.lastGuard(bioLockFree)
	b.mark(body)
	b.add(b.dio("dio_await_one:set-uninterruptible"), "set_current_state(TASK_UNINTERRUPTIBLE)",
		func(c *Ctx) { c.Act.State = sim.TaskUninterruptible })
	b.add(b.dio("dio_await_one:wait-test"),
		"if wait_for_more_bios(dio): atomic_read(&dio->refcount) > 1 && dio->bio_list == NULL",
		func(c *Ctx) {
			useDio(c)
			if !wait(&c.R.Dio) {
				c.Goto(running)
			}
		})
	b.inlines("wait_for_more_bios")
	b.add(b.dio("dio_await_one:set-waiter-unlock"),
		"dio->waiter = current; spin_unlock_irqrestore(&dio->bio_lock)",
		func(c *Ctx) { useDio(c); c.R.Dio.Waiter = me(c); unlockBioLock(c) })
	b.add(b.dio("dio_await_one:io-schedule"), "io_schedule()",
		func(c *Ctx) { c.S.Schedule(c.A) })
	b.add(b.dio("dio_await_one:relock"),
		"spin_lock_irqsave(&dio->bio_lock); dio->waiter = NULL",
		func(c *Ctx) { useDio(c); lockBioLock(c); c.R.Dio.Waiter = 0 })
	b.lastGuard(bioLockFree)
	b.mark(running)
	b.add(b.dio("dio_await_one:set-running"), "set_current_state(TASK_RUNNING)",
		func(c *Ctx) { c.Act.State = sim.TaskRunning })
	b.add(b.dio("dio_await_one:loop-test"),
		"while wait_for_more_bios(dio) (loop test, bio_lock held): atomic_read(&dio->refcount) > 1 && dio->bio_list == NULL",
		func(c *Ctx) {
			useDio(c)
			if wait(&c.R.Dio) {
				c.Goto(body)
			}
		})
	b.inlines("wait_for_more_bios")
	b.mark(pop)
	b.add(b.dio("dio_await_one:pop"),
		"if dio->bio_list: bio = dio->bio_list, dio->bio_list = bio->bi_private; spin_unlock_irqrestore(&dio->bio_lock); return bio",
		func(c *Ctx) { popBioList(c); unlockBioLock(c) })
	b.add(b.dio("dio_await_completion:complete-bio"),
		"dio_await_completion: if bio: dio_bio_complete(dio, bio) (io_error = -EIO for a failed bio; release pages; bio_put); repeat while bio",
		func(c *Ctx) {
			if c.L().Bio < 0 {
				c.Goto(done)
				return
			}
			completeReapedBio(c)
			c.Goto(one)
		})
	b.inlines("dio_bio_complete")
	b.mark(done)
}

// lockBioLock is spin_lock_irqsave(&dio->bio_lock) in a step of its own
// (before and after's dio_await_one, the one place that holds bio_lock
// across steps). Taking it again while holding it is what spinlock
// debugging reports as recursion (kernel/spinlock.c, lib/spinlock_debug.c:
// "BUG: spinlock recursion"); without debugging the task spins forever on
// its own lock. The model records the BUG and goes on, as it does for a
// mutex_unlock by a task that does not hold i_mutex.
func lockBioLock(c *Ctx) {
	if c.R.Dio.BioLock == me(c) {
		c.R.Bug(c.Step.Loc.String(), "spin_lock of dio->bio_lock by the task that holds it (spinlock recursion: it would spin forever)")
	}
	c.R.Dio.BioLock = me(c)
}

// unlockBioLock is spin_unlock_irqrestore(&dio->bio_lock) in a step of
// its own: by a task that does not hold it, spinlock debugging reports
// "BUG: spinlock already unlocked" or "wrong owner"
// (lib/spinlock_debug.c).
func unlockBioLock(c *Ctx) {
	if c.R.Dio.BioLock != me(c) {
		c.R.Bug(c.Step.Loc.String(), "spin_unlock of dio->bio_lock by a task that does not hold it")
	}
	c.R.Dio.BioLock = 0
}

func popBioList(c *Ctx) {
	useDio(c)
	d := &c.R.Dio
	c.L().Bio = -1
	if d.BioList >= 0 {
		c.L().Bio = d.BioList
		d.BioList = c.R.Bios[d.BioList].Next
	}
}

// awaitLocked: v2.6.20, where every competing access takes bio_lock, so each
// locked section is one step.
func awaitLocked(b *builder) {
	one := b.label("await-one")
	sleep := b.label("await-sleep")
	complete := b.label("await-complete")
	done := b.label("await-done")
	section := func(c *Ctx) {
		d := &c.R.Dio
		useDio(c)
		if d.Refcount > 1 && d.BioList < 0 {
			c.Act.State = sim.TaskUninterruptible
			d.Waiter = me(c)
			c.Goto(sleep)
			return
		}
		popBioList(c)
		c.Goto(complete)
	}
	b.mark(one)
	b.add(b.dio("dio_await_one:lock-test"),
		"dio_await_one: bio = NULL; spin_lock_irqsave(&dio->bio_lock); while dio->refcount > 1 && dio->bio_list == NULL: __set_current_state(TASK_UNINTERRUPTIBLE), dio->waiter = current, spin_unlock_irqrestore and sleep; else pop bio_list into bio, spin_unlock_irqrestore, return bio",
		func(c *Ctx) { c.L().Bio = -1; section(c) })
	b.lastGuard(bioLockFree)
	b.mark(sleep)
	b.add(b.dio("dio_await_one:io-schedule"), "io_schedule()",
		func(c *Ctx) { c.S.Schedule(c.A) })
	b.add(b.dio("dio_await_one:relock"),
		"spin_lock_irqsave(&dio->bio_lock); dio->waiter = NULL; loop test: sleep again as above, or pop bio_list into bio, spin_unlock_irqrestore, return bio",
		func(c *Ctx) {
			c.R.Dio.Waiter = 0
			section(c)
		})
	b.lastGuard(bioLockFree)
	b.mark(complete)
	b.add(b.dio("dio_await_completion:complete-bio"),
		"dio_await_completion: if bio: dio_bio_complete(dio, bio) (io_error = -EIO for a failed bio; release pages; bio_put); repeat while bio",
		func(c *Ctx) {
			if c.L().Bio < 0 {
				c.Goto(done)
				return
			}
			completeReapedBio(c)
			c.Goto(one)
		})
	b.inlines("dio_bio_complete")
	b.mark(done)
}

// await2618: v2.6.18's dio_await_completion: while bio_count, take a bio off
// bio_list (sleeping until one is there) and complete it. Result in Ret2.
func await2618(b *builder) {
	loop := b.label("await-loop")
	sleep := b.label("await-sleep")
	got := b.label("await-got")
	done := b.label("await-done")
	section := func(c *Ctx) {
		d := &c.R.Dio
		useDio(c)
		if d.BioList < 0 {
			c.Act.State = sim.TaskUninterruptible
			d.Waiter = me(c)
			c.Goto(sleep)
			return
		}
		popBioList(c)
		c.Goto(got)
	}
	b.mark(loop)
	b.add(b.dio("dio_await_completion:count-test"),
		"dio_await_completion: ret = 0; if dio->bio: dio_bio_submit(dio) (never: the tail submitted it); while dio->bio_count (plain load)",
		func(c *Ctx) {
			useDio(c)
			if c.R.Dio.BioCount == 0 {
				c.Goto(done)
			}
		})
	b.add(b.dio("dio_await_one:lock-test"),
		"dio_await_one: spin_lock_irqsave(&dio->bio_lock); while dio->bio_list == NULL: set_current_state(TASK_UNINTERRUPTIBLE), dio->waiter = current, spin_unlock_irqrestore and sleep; else pop bio_list, spin_unlock_irqrestore, return bio",
		section)
	b.lastGuard(bioLockFree)
	b.mark(sleep)
	b.add(b.dio("dio_await_one:io-schedule"), "blk_run_address_space(dio->inode->i_mapping); io_schedule()",
		func(c *Ctx) { c.S.Schedule(c.A) })
	b.add(b.dio("dio_await_one:relock"),
		"spin_lock_irqsave(&dio->bio_lock); dio->waiter = NULL; set_current_state(TASK_RUNNING); the loop test again: sleep as above while dio->bio_list == NULL, else bio = dio->bio_list, dio->bio_list = bio->bi_private, spin_unlock_irqrestore, return bio",
		func(c *Ctx) {
			c.R.Dio.Waiter = 0
			c.Act.State = sim.TaskRunning
			section(c)
		})
	b.lastGuard(bioLockFree)
	b.mark(got)
	b.add(b.dio("dio_bio_complete:reaped"),
		"ret2 = dio_bio_complete(dio, bio): if !uptodate: dio->io_error = -EIO; release the pages; bio_put; then finished_one_bio(dio); back in dio_await_completion: if ret == 0, ret = ret2",
		func(c *Ctx) {
			if !c.R.Bios[c.L().Bio].Uptodate && c.L().Ret2 == 0 {
				c.L().Ret2 = -sim.EIO
			}
			completeReapedBio(c)
		})
	b.finishedOneBio()
	b.add(b.dio("dio_await_completion:loop"), "loop: while dio->bio_count",
		func(c *Ctx) { c.Goto(loop) })
	b.mark(done)
}
