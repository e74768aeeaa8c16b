package model

import "diosim/sim"

// v2.6.36's XFS direct I/O: "xfs: move aio completion after unwritten
// extent conversion" and "xfs: simplify and speed up direct I/O
// completions".

// xfsDirectIOWritesOnly is v2.6.36's xfs_vm_direct_IO: a write gets an
// IO_NEW ioend and xfs_end_io_direct_write; a read gets neither.
func xfsDirectIOWritesOnly(b *builder) {
	if !b.write() {
		b.add(b.xfs("xfs_vm_direct_IO:read"),
			"xfs_vm_direct_IO: a read: ret = __blockdev_direct_IO(rw, iocb, inode, bdev, iov, offset, nr_segs, xfs_get_blocks_direct, NULL, NULL, 0): no ioend, no completion callback",
			func(c *Ctx) {})
		b.private()
		saved := b.noEndIO
		b.noEndIO = true
		b.asRoot(b.blockdevDirectIO)
		b.noEndIO = saved
		return
	}
	b.add(b.xfs("xfs_vm_direct_IO:alloc-ioend"),
		"xfs_vm_direct_IO: bdev = xfs_find_bdev_for_inode(inode); rw & WRITE: iocb->private = xfs_alloc_ioend(inode, IO_NEW) (io_remaining = 1, io_iocb = NULL, io_work runs xfs_end_io); ret = __blockdev_direct_IO(..., xfs_end_io_direct_write, NULL, 0)",
		func(c *Ctx) { allocIoend(c, sim.WorkUnwritten) })
	b.private()
	b.inlines("xfs_alloc_ioend")
	b.asRoot(b.blockdevDirectIO)
	b.xfsDestroyUnlessQueued()
}

// xfsEndIODirectWrite is v2.6.36's ->end_io, xfs_end_io_direct_write(iocb,
// offset, size, private, ret, is_async): offset in Off, size in
// Transferred, ret in dio_complete's result variable; is_async when a bio
// completion runs it (dio_bio_end_aio), not the submitter.
func xfsEndIODirectWrite(b *builder) {
	ret := b.arg
	if ret == nil {
		ret = selRet
	}
	sync := b.label("xeiodw-sync")
	finish := b.label("xeiodw-finish")
	end := b.label("xeiodw-end")
	b.add(b.xfs("xfs_end_io_direct_write:load-private"), "xfs_end_io_direct_write: ioend = iocb->private",
		func(c *Ctx) { useKiocb(c); c.L().Flag2 = c.R.Kiocb.Private })
	b.add(b.xfs("xfs_end_io_direct_write:clear-private"), "iocb->private = NULL (first: the caller may fail after the completion ran)",
		func(c *Ctx) { useKiocb(c); c.R.Kiocb.Private = false })
	b.add(b.xfs("xfs_end_io_direct_write:set-range"),
		"ioend->io_offset = offset; ioend->io_size = size; if private && size > 0: ioend->io_type = IO_UNWRITTEN; if is_async: an IO_UNWRITTEN ioend remembers io_iocb = iocb, io_result = ret (the work item completes the iocb), any other is completed now",
		func(c *Ctx) {
			if !c.L().Flag2 {
				bug(c, "oops: ioend->io_offset = offset with ioend NULL: iocb->private was already cleared")
				return
			}
			useIoend(c)
			k := &c.R.Kiocb
			l := c.L()
			k.IoOffset, k.IoSize = l.Off, l.Transferred
			if c.R.Dio.BPrivate && l.Transferred > 0 {
				k.IoendUnwritten = true
			}
			switch {
			case c.Act.Kind != sim.BioEnd:
				c.Goto(sync)
			case k.IoendUnwritten:
				k.IoIocb, k.IoResult = true, *ret(l)
				c.Goto(finish)
			}
		})
	b.aioComplete(b.xfs("xfs_end_io_direct_write:aio-complete"), "else: aio_complete(iocb, ret, 0) (an AIO write that mapped no unwritten extent)", true, ret)
	b.mark(finish)
	b.add(b.xfs("xfs_end_io_direct_write:finish-ioend"),
		"xfs_finish_ioend(ioend): if atomic_dec_and_test(&ioend->io_remaining): queue_work(xfsconvertd_workqueue for IO_UNWRITTEN, else xfsdatad_workqueue, &ioend->io_work)",
		func(c *Ctx) {
			useIoend(c)
			k := &c.R.Kiocb
			k.IoendRemaining--
			if k.IoendRemaining == 0 {
				k.IoendQueued = true
			}
			c.Goto(end)
		})
	b.inlines("xfs_finish_ioend")
	b.mark(sync)
	b.add(b.xfs("xfs_end_io_direct_write:finish-sync"),
		"not async: xfs_finish_ioend_sync(ioend): if atomic_dec_and_test(&ioend->io_remaining): xfs_end_io(&ioend->io_work) in this context",
		func(c *Ctx) {
			useIoend(c)
			k := &c.R.Kiocb
			k.IoendRemaining--
			if k.IoendRemaining != 0 {
				c.Goto(end)
			}
		})
	b.inlines("xfs_finish_ioend_sync")
	b.xfsEndIo(false)
	b.mark(end)
}

// xfsEndIo emits v2.6.36's xfs_end_io, the ioend's only work function:
// run by the work queue (worker) or, for a synchronous request, by
// xfs_finish_ioend_sync in the caller.
func (b *builder) xfsEndIo(worker bool) {
	who := "the caller"
	if worker {
		who = "xfsconvertd or xfsdatad"
	}
	destroy := b.label("xei-destroy")
	b.add(b.xfs("xfs_end_io:convert"),
		"xfs_end_io (run by "+who+"): if ioend->io_type == IO_UNWRITTEN && !ioend->io_error: xfs_iomap_write_unwritten(ip, ioend->io_offset, ioend->io_size) converts the range to written extents; io_type != IO_READ: xfs_setfilesize(ioend) raises di_size (not modelled) if xfs_ilock_nowait gets the ilock, which nothing else here holds, so no EAGAIN requeue",
		func(c *Ctx) {
			useIoend(c)
			k := &c.R.Kiocb
			if k.IoendUnwritten {
				convertUnwritten(c.S, k.IoOffset, k.IoSize)
			}
			c.L().Retval = k.IoResult
			if !k.IoIocb {
				c.Goto(destroy)
			}
		})
	b.inlines("xfs_setfilesize")
	b.aioComplete(b.xfs("xfs_end_io:aio-complete"), "if ioend->io_iocb: aio_complete(ioend->io_iocb, ioend->io_result, 0)", true, selRetval)
	b.mark(destroy)
	b.add(b.xfs("xfs_end_io:destroy-ioend"), "xfs_destroy_ioend(ioend): mempool_free",
		func(c *Ctx) {
			if worker {
				destroyQueuedIoend(c)
				return
			}
			useIoend(c)
			c.R.Free(sim.ObjIoend, &c.Step.Loc)
		})
	b.inlines("xfs_destroy_ioend")
}

// xfsFileAioWrite is v2.6.36's xfs_file_aio_write (xfs_file.c) for a
// direct write: xfs_write's locking, modelled the same way, and no wait on
// a synchronous kiocb (do_sync_write waits). The result is left in Retval.
func xfsFileAioWrite(b *builder) {
	b.add(b.xfsf("xfs_file_aio_write:bug-on"),
		"xfs_file_aio_write: BUG_ON(iocb->ki_pos != pos)",
		func(c *Ctx) {
			useKiocb(c)
			if c.R.Kiocb.Pos != c.R.Pos {
				bug(c, "BUG_ON(iocb->ki_pos != pos) in xfs_file_aio_write")
			}
		})
	b.private()
	xfsWriteRelock(b, b.xfsf, "xfs_file_aio_write", "mapping->nrpages")
	b.xfsOSyncTailLater(b.xfsf("xfs_file_aio_write:osync"), "error = -ret; if ret <= 0: goto out_unlock_internal; if (O_DSYNC || IS_SYNC(inode)): xfs_iunlock; error2 = filemap_write_and_wait_range(mapping, pos, end); if (!error) error = error2; xfs_ilock; error2 = -xfs_file_fsync(file, ...); if (!error) error = error2; return -error")
	b.add(b.xfsf("xfs_file_aio_write:unlock"),
		"out_unlock_internal: xfs_iunlock(ip, iolock) drops the iolock (shared since the demote); out_unlock_mutex: need_i_mutex is 0; return -error",
		func(c *Ctx) { c.S.Inode.IOLockShared-- })
	b.privateInode()
}
