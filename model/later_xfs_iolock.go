package model

import "diosim/sim"

// xfsWriteRelock emits the locking of xfs_write (2.6.22, 2.6.32) and of
// xfs_file_aio_write (2.6.36, xfs_file.c) for a direct write, up to the
// sync kiocb's wait. From 2.6.22 a direct write starts with the iolock
// shared and without i_mutex, and only after the checks, if the mapping has
// cached pages or the write starts past i_size, drops the iolock, takes
// i_mutex and the iolock exclusive and goes back to start; before the
// direct write it flushes the cached pages and demotes the iolock to
// shared (xfs_lrw.c@v2.6.22:689-756, 812-830). at cites a step of the
// function fn in that release's file.
func xfsWriteRelock(b *builder, at func(id string) Loc, fn, cached string) {
	checked := b.label("xfs-write-checked")
	b.add(at(fn+":need-i-mutex"),
		fn+": count = ocount; pos = *offset; IO_ISDIRECT: iolock = XFS_IOLOCK_SHARED, need_i_mutex = 0",
		func(c *Ctx) {
			useKiocb(c)
			l := c.L()
			l.Pos = c.R.Kiocb.Pos
			l.Count = c.R.Kiocb.Left
			l.Flag, l.Flag2 = false, false // need_i_mutex; need_flush is not kept
		})
	b.privateInode()
	b.add(at(fn+":ilock"),
		"xfs_ilock(XFS_ILOCK_EXCL|iolock) (the iolock shared); start: generic_write_checks; IO_ISDIRECT: the alignment test passes",
		func(c *Ctx) { lockIOLock(c, false) })
	b.lastGuard(func(s *sim.State, a int) bool { return s.Inode.IOLockExcl == 0 })
	b.privateInode()
	b.add(at(fn+":recheck"),
		"if !need_i_mutex && ("+cached+" || pos > i_size): xfs_iunlock(XFS_ILOCK_EXCL|iolock); iolock = XFS_IOLOCK_EXCL; need_i_mutex = 1",
		func(c *Ctx) {
			in := &c.S.Inode
			if in.NrPages == 0 && c.L().Pos <= in.ISize {
				c.Goto(checked)
				return
			}
			in.IOLockShared--
			c.L().Flag = true
		})
	b.privateInode()
	b.add(at(fn+":relock-i-mutex"), "mutex_lock(&inode->i_mutex)", lockIMutex)
	b.lastGuard(iMutexFree)
	b.privateInode()
	b.add(at(fn+":relock-ilock"),
		"xfs_ilock(XFS_ILOCK_EXCL|iolock) (the iolock exclusive); goto start: the checks run again, now holding both locks",
		func(c *Ctx) { lockIOLock(c, true) })
	b.lastGuard(func(s *sim.State, a int) bool { return s.Inode.IOLockExcl == 0 && s.Inode.IOLockShared == 0 })
	b.privateInode()
	b.mark(checked)
	b.add(at(fn+":flush-demote"),
		"IO_ISDIRECT: if "+cached+": flush and invalidate the cached pages from pos on; if need_i_mutex: demote the iolock to shared, mutex_unlock(&inode->i_mutex), iolock = XFS_IOLOCK_SHARED, need_i_mutex = 0; then ret = generic_file_direct_write(...)",
		func(c *Ctx) {
			in := &c.S.Inode
			l := c.L()
			in.NrPages = 0
			if l.Flag {
				in.IOLockExcl = 0
				in.IOLockShared++
				unlockIMutex(c, "mutex_unlock(&inode->i_mutex)")
			}
			l.Flag = false
		})
	b.privateInode()
	b.asRoot(b.directWrite)
	b.add(at(fn+":fallback"),
		"if ret >= 0 && ret != count: fall back to buffered I/O (XFS direct writes allocate blocks, so they are never short here)",
		func(c *Ctx) { c.L().Retval = c.L().Written })
	b.private()
}

// xfsWrite2622 is xfs_write of 2.6.22: the relocking iolock, the sync
// kiocb's wait and the O_SYNC tail, with 2.6.22's sync_page_range
// (xfsOSyncRangeRelock).
func xfsWrite2622(b *builder) {
	xfsWriteRelock(b, b.lrw, "xfs_write", "VN_CACHED(vp)")
	b.xfsSyncWait(b.lrw("xfs_write:sync-wait"), "if ret == -EIOCBQUEUED && !(ioflags & IO_ISAIO): ret = wait_on_sync_kiocb(iocb)")
	b.xfsOSyncTailWith(xfsOSyncRangeRelock)
}
