package model

import "diosim/sim"

// The releases after 2.6.20 in fs/aio.c and XFS (xfs_aops.c, xfs_lrw.c,
// and from 2.6.36 xfs_file.c, which replaces xfs_lrw.c's xfs_write with
// xfs_file_aio_write).
//
//	v2.6.21  line numbers only.
//	v2.6.22  aio_complete signals the iocb's eventfd; XFS allocates an
//	         IOMAP_READ ioend for direct reads, and xfs_end_io_direct
//	         queues every ioend on xfsdatad (reads to xfs_end_bio_read,
//	         writes that mapped no unwritten extent to xfs_end_bio_written)
//	         instead of destroying it; the work functions update the
//	         on-disk size (xfs_setfilesize).
//	v2.6.32  aio_run_iocb no longer sets current->io_wait; aio_complete
//	         signals the eventfd under ctx_lock and has an smp_mb before
//	         the wake-up; aio_rw_vect_retry rejects a negative ki_pos and
//	         returns the bytes a write got out before an error; XFS
//	         converts on xfsconvertd and, for a synchronous kiocb, flushes
//	         that queue before the completion returns.
//	v2.6.36  aio_run_iocb turns -ERESTART* into -EINTR; XFS reads pass no
//	         end_io; xfs_end_io_direct_write(iocb, offset, size, private,
//	         ret, is_async) completes an AIO write into an unwritten
//	         extent from the work item xfs_end_io after the conversion, a
//	         written one at once, and a synchronous one converts in the
//	         caller's context (xfs_finish_ioend_sync).

// xfsLater returns what release v changed in fs/aio.c and XFS (xfs_aops.c, xfs_lrw.c, xfs_file.c): its part of
// v's patch on its predecessor (later.go).
func xfsLater(v string) patchPart {
	switch v {
	case "v2.6.21":
		return patchPart{
			About: "fs/aio.c and XFS only move.",
			Files: map[string]string{aioFile: "v2.6.21", xfsFile: "v2.6.21", lrwFile: "v2.6.21"},
		}
	case "v2.6.22":
		return patchPart{
			About: "aio_complete signals the iocb's eventfd. XFS gives a direct read an IOMAP_READ ioend, and xfs_end_io_direct always records the range and queues the ioend on xfsdatad: a read to xfs_end_bio_read, a write into an unwritten extent for conversion, any other write to xfs_end_bio_written, where v2.6.21 destroyed it at once; the work functions also update the on-disk size.",
			Files: map[string]string{aioFile: "v2.6.22", xfsFile: "v2.6.22", lrwFile: "v2.6.22"},
			funcs: map[string]func(b *builder){
				"xfs_vm_direct_IO":    xfsDirectIOPerDirection,
				"xfs_end_io_direct":   xfsEndIODirectQueueAll,
				"xfsdatad":            xfsEndBioUnwrittenSetSize,
				"xfs_end_bio_written": xfsEndBioWritten,
				"xfs_end_bio_read":    xfsEndBioRead,
				"xfs_write":           xfsWrite2622,
			},
		}
	case "v2.6.32":
		return patchPart{
			About: "aio_run_iocb no longer points current->io_wait at the iocb; aio_complete signals the eventfd under ctx_lock and puts an smp_mb() before its wake-up test; aio_rw_vect_retry rejects a negative ki_pos and a write that got some bytes out before an error returns the byte count. XFS converts unwritten extents on the new xfsconvertd queue, and for a synchronous kiocb xfs_end_io_direct flushes that queue, so the conversion is done before the completion returns; an AIO's conversion is only queued. xfs_write's O_SYNC tail is now filemap_write_and_wait_range and xfs_fsync, whose errors it drops (error already holds -ret).",
			Files: map[string]string{aioFile: "v2.6.32", xfsFile: "v2.6.32", lrwFile: "v2.6.32"},
			funcs: map[string]func(b *builder){
				"xfs_end_io_direct": xfsEndIODirectQueueAll,
				"xfs_write":         xfsWriteOSyncTail,
			},
			Edits: []Edit{
				{Op: Alter, Step: "aio_run_iocb:unlink", Alter: setText("io_submit_one: spin_lock_irq(&ctx->ctx_lock); aio_run_iocb(req): kiocbClearKicked(iocb); ki_run_list.next = ki_run_list.prev = NULL; spin_unlock_irq(&ctx->ctx_lock); not kiocbIsCancelled(iocb); ret = retry(iocb)")},
				{Op: Alter, Step: "aio_run_iocb:retry-returned", Alter: setText("aio_run_iocb: ret = retry(iocb) returned; if ret != -EIOCBRETRY && ret != -EIOCBQUEUED, the core completes the iocb")},
				{Op: Alter, Step: "ki_retry:call", Alter: setText("aio_rw_vect_retry: rw_op = file->f_op->aio_read for IOCB_CMD_PREADV or IOCB_CMD_PREAD, else file->f_op->aio_write; if iocb->ki_pos < 0: return -EINVAL (checked once; ki_pos is the request's offset, never negative here); ret = rw_op(iocb, &iocb->ki_iovec[ki_cur_seg], ki_nr_segs - ki_cur_seg, ki_pos)")},
				{Op: Replace, Step: "ki_retry:advance", emit: retryAdvanceWrittenBytes},
				{Op: Alter, Step: "wait_on_sync_kiocb:schedule", Alter: setText("io_schedule()")},
			},
		}
	case "v2.6.36":
		return patchPart{
			About: "aio_run_iocb turns -ERESTARTSYS and its kin into -EINTR before completing the iocb, and io_submit_one batches the unplug of the file's queue. XFS direct reads get no ioend and no end_io; xfs_end_io_direct_write takes the result and is_async: for an AIO write into an unwritten extent it leaves aio_complete to the work item xfs_end_io, after the conversion; an AIO write into written blocks is completed at once; a synchronous write converts in the caller's context. xfs_file.c's xfs_file_aio_write replaces xfs_write (xfs_lrw.c is gone) and no longer waits on a sync kiocb.",
			Files: map[string]string{aioFile: "v2.6.36", xfsFile: "v2.6.36", xfsFileFile: "v2.6.36"},
			funcs: map[string]func(b *builder){
				"xfs_vm_direct_IO":    xfsDirectIOWritesOnly,
				"xfs_end_io_direct":   xfsEndIODirectWrite,
				"xfsdatad":            func(b *builder) { b.xfsEndIo(true) },
				"xfs_end_bio_written": nil,
				"xfs_end_bio_read":    nil,
				"xfs_read:tail":       func(b *builder) {},
				"xfs_write":           xfsFileAioWrite,
			},
			Edits: []Edit{
				{Op: Alter, Step: "aio_run_iocb:retry-returned", Alter: restartToEINTR},
				{Op: Alter, Step: "io_submit_one:put-req", Alter: setText("aio_run_iocb out: spin_lock_irq(&ctx->ctx_lock), ret is not -EIOCBRETRY, return; io_submit_one: ctx->run_list is empty; spin_unlock_irq(&ctx->ctx_lock); aio_batch_add(file->f_mapping, batch_hash) (the queue is unplugged once the whole batch is submitted); aio_put_req(req) drops the submitter's ki_users reference (freeing the kiocb at 0); back to userspace")},
			},
		}
	}
	return patchPart{}
}

// aioCompleteLater describes aio_complete's body where a release after
// 2.6.20 changed it (aioCompleteText). The eventfd is not modelled: no
// iocb of a scenario has one.
var aioCompleteLater = map[string]string{
	"v2.6.22": "aio_complete (fs/aio.c): for a sync kiocb sets ki_user_data, ki_users = 0 and wakes the waiter; else signals the iocb's eventfd if it has one (if iocb->ki_eventfd: eventfd_signal), then posts the event under ctx_lock and drops ki_users",
	"v2.6.32": "aio_complete (fs/aio.c): for a sync kiocb sets ki_user_data, ki_users = 0 and wakes the waiter; else under ctx_lock posts the event, signals the eventfd if the iocb has one (eventfd_signal), drops ki_users (__aio_put_req), smp_mb() and wakes ctx->wait",
	"v2.6.36": "aio_complete (fs/aio.c): for a sync kiocb sets ki_user_data, ki_users = 0 and wakes the waiter; else under ctx_lock posts the event, signals the eventfd if the iocb has one (eventfd_signal), drops ki_users (__aio_put_req), smp_mb() and wakes ctx->wait",
}

// setText is an Alter that gives a step a new text (the statement changed
// around the same behaviour).
func setText(text string) func(st *Step, orig []Step, pc int) {
	return func(st *Step, orig []Step, pc int) { st.Text = text }
}

// The -ERESTART* codes (include/linux/errno.h).
const (
	eRestartSys          = 512
	eRestartNoIntr       = 513
	eRestartNoHand       = 514
	eRestartRestartBlock = 516
)

// restartToEINTR is v2.6.36's aio_run_iocb after the retry: a restart
// code becomes -EINTR before the core completes the iocb (no path of the
// model returns one; the rule is there as the C has it).
func restartToEINTR(st *Step, orig []Step, pc int) {
	st.Text = "aio_run_iocb: ret = retry(iocb) returned; if ret != -EIOCBRETRY && ret != -EIOCBQUEUED: -ERESTARTSYS, -ERESTARTNOINTR, -ERESTARTNOHAND and -ERESTART_RESTARTBLOCK become -EINTR, and the core completes the iocb"
	do := st.Do
	st.Do = func(c *Ctx) {
		do(c)
		switch -c.L().Retval {
		case eRestartSys, eRestartNoIntr, eRestartNoHand, eRestartRestartBlock:
			c.L().Retval = -sim.EINTR
		}
	}
}

// retryAdvanceWrittenBytes is aio_rw_vect_retry's loop test from 2.6.32:
// as before, and a write that got some bytes out and then an error other
// than -EIOCBQUEUED/-EIOCBRETRY returns the bytes.
func retryAdvanceWrittenBytes(b *builder) {
	call := b.named("retry-call")
	write := b.write()
	b.add(b.aio("ki_retry:advance"),
		"if ret > 0: aio_advance_iovec(iocb, ret) (ki_left -= ret); again while ret > 0 && ki_left > 0 (a write, or a read of a regular file); if ret == 0 || ki_left == 0: ret = ki_nbytes - ki_left; for IOCB_CMD_PWRITEV, if ret < 0 && ret != -EIOCBQUEUED && ret != -EIOCBRETRY && ki_nbytes - ki_left: ret = ki_nbytes - ki_left",
		func(c *Ctx) {
			k := &c.R.Kiocb
			l := c.L()
			if retryAdvanced(c, call) {
				return
			}
			if write && l.Retval < 0 && l.Retval != eiocbqueued && l.Retval != -sim.EIOCBRETRY && k.NBytes-k.Left != 0 {
				l.Retval = k.NBytes - k.Left
			}
		})
	b.private()
	b.inlines("aio_advance_iovec")
}

// xfsDestroyUnlessQueued is xfs_vm_direct_IO's tail from the seed patch
// on: the ioend is destroyed unless the request was queued or the
// completion took it (iocb->private cleared).
func (b *builder) xfsDestroyUnlessQueued() {
	skip := b.label("xvd-skip")
	b.add(b.xfs("xfs_vm_direct_IO:test-private"), "if (ret != -EIOCBQUEUED && iocb->private)",
		func(c *Ctx) {
			useKiocb(c)
			if !(c.L().Ret != eiocbqueued && c.R.Kiocb.Private) {
				c.Goto(skip)
			}
		})
	b.add(b.xfs("xfs_vm_direct_IO:destroy-ioend"), "xfs_destroy_ioend(iocb->private) (the pointer is loaded again)",
		destroyIoendPrivate)
	b.inlines("xfs_destroy_ioend")
	b.mark(skip)
}

// allocIoend is xfs_alloc_ioend: io_remaining = 1, the work function
// work, no AIO to complete.
func allocIoend(c *Ctx, work uint8) {
	r := c.R
	r.Alloc(sim.ObjIoend)
	r.Kiocb.Private = true
	r.Kiocb.IoendRemaining = 1
	r.Kiocb.IoendWork = work
	r.Kiocb.IoendUnwritten = false
	r.Kiocb.IoIocb, r.Kiocb.IoResult = false, 0
}

// xfsDirectIOPerDirection is xfs_vm_direct_IO from 2.6.22 to 2.6.35: a
// write gets an IOMAP_UNWRITTEN ioend (work xfs_end_bio_unwritten), a read
// an IOMAP_READ one (work xfs_end_bio_read).
func xfsDirectIOPerDirection(b *builder) {
	key, typ, work, fn := "xfs_vm_direct_IO:alloc-ioend", "IOMAP_UNWRITTEN", sim.WorkUnwritten, "xfs_end_bio_unwritten"
	if !b.write() {
		key, typ, work, fn = key+"-read", "IOMAP_READ", sim.WorkRead, "xfs_end_bio_read"
	}
	find := "bhv_vop_bmap(vp, offset, 0, BMAPI_DEVICE) for the target device"
	if b.files[xfsFile] != "v2.6.22" {
		find = "bdev = xfs_find_bdev_for_inode(XFS_I(inode))"
	}
	b.add(b.citeAs(xfsFile, key, "xfs_vm_direct_IO:alloc-ioend"),
		"xfs_vm_direct_IO: "+find+"; iocb->private = xfs_alloc_ioend(inode, "+typ+") (io_remaining = 1, io_work runs "+fn+")",
		func(c *Ctx) { allocIoend(c, work) })
	b.private()
	b.inlines("xfs_alloc_ioend")
	b.asRoot(b.blockdevDirectIO)
	b.xfsDestroyUnlessQueued()
}

// xfsEndIODirectQueueAll is xfs_end_io_direct from 2.6.22 to 2.6.35: the
// range is recorded whatever the request, and every ioend is queued on a
// work queue; from 2.6.32 a synchronous kiocb's conversion is waited for
// (flush_workqueue) before the completion returns.
func xfsEndIODirectQueueAll(b *builder) {
	flushSync := b.files[xfsFile] != "v2.6.22"
	clear := b.label("xeio-clear")
	b.add(b.xfs("xfs_end_io_direct:load-private"), "xfs_end_io_direct: ioend = iocb->private",
		func(c *Ctx) { useKiocb(c); c.L().Flag2 = c.R.Kiocb.Private })
	text := "ioend->io_offset = offset; ioend->io_size = size; if ioend->io_type == IOMAP_READ: xfs_finish_ioend(ioend); else if private && size > 0: xfs_finish_ioend(ioend) (the conversion); else: INIT_WORK(&ioend->io_work, xfs_end_bio_written), xfs_finish_ioend(ioend); xfs_finish_ioend: if atomic_dec_and_test(&ioend->io_remaining), queue_work(xfsdatad_workqueue, &ioend->io_work)"
	if flushSync {
		text = "ioend->io_offset = offset; ioend->io_size = size; if ioend->io_type == IOMAP_READ: xfs_finish_ioend(ioend, 0); else if private && size > 0: xfs_finish_ioend(ioend, is_sync_kiocb(iocb)) (the conversion); else: INIT_WORK(&ioend->io_work, xfs_end_bio_written), xfs_finish_ioend(ioend, 0); xfs_finish_ioend: if atomic_dec_and_test(&ioend->io_remaining), queue_work on xfsconvertd_workqueue for xfs_end_bio_unwritten, else xfsdatad_workqueue"
	}
	b.add(b.xfs("xfs_end_io_direct:finish-ioend"), text,
		func(c *Ctx) {
			if !c.L().Flag2 {
				bug(c, "oops: ioend->io_offset = offset with ioend NULL: iocb->private was already cleared")
				return
			}
			useIoend(c)
			k := &c.R.Kiocb
			k.IoOffset, k.IoSize = c.L().Off, c.L().Transferred
			wait := false
			switch {
			case k.IoendWork == sim.WorkRead:
			case c.R.Dio.BPrivate && c.L().Transferred > 0:
				wait = flushSync && k.IsSync
			default:
				k.IoendWork = sim.WorkWritten
			}
			k.IoendRemaining--
			if k.IoendRemaining == 0 {
				k.IoendQueued = true
			} else {
				wait = false
			}
			if !wait {
				c.Goto(clear)
			}
		})
	b.inlines("xfs_finish_ioend")
	if flushSync {
		// flush_workqueue returns once every work queued before it has
		// run: here the ioend's conversion (xfsconvertd, the worker).
		b.guarded(b.xfs("xfs_finish_ioend:flush-workqueue"),
			"if wait (a sync kiocb): flush_workqueue(wq): sleeps until xfsconvertd has run the ioend's conversion",
			func(s *sim.State, a int) bool { return !s.ReqOf(a).Kiocb.IoendQueued },
			func(c *Ctx) {})
	}
	b.mark(clear)
	b.add(b.xfs("xfs_end_io_direct:clear-private"), "iocb->private = NULL",
		func(c *Ctx) { useKiocb(c); c.R.Kiocb.Private = false })
}

// workQueueName is the queue the unwritten-extent conversion runs on.
func (b *builder) workQueueName() string {
	if b.files[xfsFile] == "v2.6.22" {
		return "xfsdatad"
	}
	return "xfsconvertd"
}

// destroyQueuedIoend is xfs_destroy_ioend at the end of a work function:
// the work item is done.
func destroyQueuedIoend(c *Ctx) {
	useIoend(c)
	c.R.Free(sim.ObjIoend, &c.Step.Loc)
	c.R.Kiocb.IoendQueued = false
	c.Finish()
}

// xfsEndBioUnwrittenSetSize is xfs_end_bio_unwritten from 2.6.22 to
// 2.6.35: the conversion, then xfs_setfilesize.
func xfsEndBioUnwrittenSetSize(b *builder) {
	load := "vp = ioend->io_vnode; offset = ioend->io_offset; size = ioend->io_size"
	conv := "if !ioend->io_error: bhv_vop_bmap(vp, offset, size, BMAPI_UNWRITTEN) converts the range to written extents"
	if b.files[xfsFile] != "v2.6.22" {
		load = "ip = XFS_I(ioend->io_inode); offset = ioend->io_offset; size = ioend->io_size"
		conv = "if !ioend->io_error: unless XFS_FORCED_SHUTDOWN, xfs_iomap_write_unwritten(ip, offset, size) converts the range to written extents"
	}
	b.add(b.xfs("xfs_end_bio_unwritten:load-ioend"),
		"xfs_end_bio_unwritten (run by "+b.workQueueName()+"): "+load,
		func(c *Ctx) { useIoend(c) })
	b.add(b.xfs("xfs_end_bio_unwritten:convert"),
		conv+"; xfs_setfilesize(ioend) raises the on-disk size (di_size, not modelled) under the ilock",
		func(c *Ctx) {
			useIoend(c)
			convertUnwritten(c.S, c.R.Kiocb.IoOffset, c.R.Kiocb.IoSize)
		})
	b.inlines("xfs_setfilesize")
	b.add(b.xfs("xfs_end_bio_unwritten:destroy-ioend"), "xfs_destroy_ioend(ioend): wake the inode's I/O waiters, mempool_free",
		destroyQueuedIoend)
	b.inlines("xfs_destroy_ioend")
}

// xfsEndBioWritten is xfs_end_bio_written, run by xfsdatad for a direct
// write that mapped no unwritten extent (from 2.6.22).
func xfsEndBioWritten(b *builder) {
	b.add(b.xfs("xfs_end_bio_written:destroy-ioend"),
		"xfs_end_bio_written (run by xfsdatad): xfs_setfilesize(ioend) raises the on-disk size (di_size, not modelled) under the ilock; xfs_destroy_ioend(ioend): mempool_free",
		destroyQueuedIoend)
	b.inlines("xfs_setfilesize", "xfs_destroy_ioend")
}

// xfsEndBioRead is xfs_end_bio_read, run by xfsdatad for a direct read's
// IOMAP_READ ioend (2.6.22 to 2.6.35).
func xfsEndBioRead(b *builder) {
	b.add(b.xfs("xfs_end_bio_read:destroy-ioend"),
		"xfs_end_bio_read (run by xfsdatad): xfs_destroy_ioend(ioend): mempool_free",
		destroyQueuedIoend)
	b.inlines("xfs_destroy_ioend")
}

// asRoot emits f, code of other files that the root version's builders
// emit, as root code: every patch's edits apply to its steps, as they do
// where the root emits it.
func (b *builder) asRoot(f func()) {
	restore := b.rootCode()
	f()
	restore()
}

// xfsWriteOSyncTail is xfs_write from 2.6.32: v2.6.20's model of the
// direct write, then the O_SYNC tail (filemap_write_and_wait_range,
// xfs_fsync). Before 2.6.32 xfs_write's tail was sync_page_range, whose
// error replaced the result; the model of those versions leaves that tail
// out.
func xfsWriteOSyncTail(b *builder) {
	xfsWriteRelock(b, b.lrw, "xfs_write", "mapping->nrpages")
	b.xfsSyncWait(b.lrw("xfs_write:sync-wait"), "if ret == -EIOCBQUEUED && !(ioflags & IO_ISAIO): ret = wait_on_sync_kiocb(iocb)")
	b.xfsOSyncTailLater(b.lrw("xfs_write:osync"), "xfs_write: error = -ret; if ret <= 0: goto out_unlock_internal; if (O_SYNC || IS_SYNC(inode)): xfs_iunlock; error2 = filemap_write_and_wait_range(mapping, pos, end); if (!error) error = error2; xfs_ilock; error2 = xfs_fsync(xip); if (!error) error = error2; return -error")
	b.add(b.lrw("xfs_write:unlock"),
		"out_unlock_internal: xfs_iunlock(xip, iolock) drops the iolock (shared since the demote); out_unlock_mutex: need_i_mutex is 0; return -error",
		func(c *Ctx) { c.S.Inode.IOLockShared-- })
	b.privateInode()
}

// xfsOSyncTail emits XFS's O_SYNC tail of 2.6.32 and 2.6.36 for a result
// ret > 0 (in Retval): the data and the inode are synced, and a failure
// (fault osync) is lost, because error already holds -ret, which is not 0.
func (b *builder) xfsOSyncTailLater(loc Loc, text string) {
	cond := func(s *sim.State, a int) bool { return s.Scn.OSync && s.Actors[a].L.Retval > 0 }
	b.choice(loc, text+" (error is -ret, not 0, so a failed sync is not reported)",
		faultOutcomes(sim.FaultOSync, cond), okOr("osync:-EIO"),
		func(c *Ctx) {
			if cond(c.S, c.A) && c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetOSync
			}
		})
}

// xfsOSyncRangeRelock is xfs_write's sync_page_range of 2.6.22: the
// iolock and i_mutex are dropped for the sync and taken again, and the
// function falls through to out_unlock_internal and returns -error. A
// successful sync sets error = -ret; a failed one leaves sync_page_range's
// negative errno in error, so xfs_write returns it negated: a positive
// number (fault osync: 5, EIO) that its caller takes for a byte count.
func xfsOSyncRangeRelock(b *builder, _ *Label) {
	cond := xfsOSyncCond
	b.osyncRWUnlock()
	b.choice(b.lrw("xfs_write:osync-range"),
		"error = sync_page_range(inode, mapping, pos, ret) (filemap_fdatawrite_range, generic_osync_inode under i_mutex, wait_on_page_writeback_range); if !error: error = -ret",
		faultOutcomes(sim.FaultOSync, cond), okOr("osync:-EIO"),
		func(c *Ctx) {
			if c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetOSync
				c.L().Retval = sim.EIO // return -error with error = -EIO
			}
		})
	b.lastGuard(iMutexFree)
	b.privateInode()
	b.inlines(filemapFile + ":sync_page_range")
	b.add(b.lrw("xfs_write:osync-relock"),
		"need_i_mutex is 0; xfs_rwlock(bdp, locktype) takes the iolock shared again; then on past the if block",
		func(c *Ctx) { lockIOLock(c, false) })
	b.lastGuard(func(s *sim.State, a int) bool { return s.Inode.IOLockExcl == 0 })
	b.privateInode()
}
