package model

import "diosim/sim"

// Locks held across steps.

func iMutexFree(s *sim.State, a int) bool { return s.Inode.IMutex == 0 || s.Inode.IMutex == int8(a+1) }

// lockIMutex is mutex_lock(&inode->i_mutex). Its step's guard (iMutexFree)
// is the sleep until the holder lets go, so a task never takes i_mutex
// while another holds it: two tasks inside the mutex at once would break
// the mutual exclusion every caller relies on. A model in which that
// happens anyway (a mutant without the guard) records it as a bug
// (no-bug), and the task goes on holding the lock.
func lockIMutex(c *Ctx) {
	if c.S.Inode.IMutex == me(c) {
		bug(c, "mutex_lock of i_mutex already held by this task (deadlock)")
		return
	}
	if c.S.Inode.IMutex != 0 {
		c.R.Bug(c.Step.Loc.String(), "mutex_lock of i_mutex while another task holds it")
	}
	c.S.Inode.IMutex = me(c)
}

// lockIOLock is the iolock half of xfs_ilock (XFS's i_iolock, an mrlock:
// an rw_semaphore), taken exclusively or shared. As for lockIMutex, the
// step's guard is the wait; a task that takes the iolock while another
// task holds it in a mode that excludes its own (an exclusive holder, or
// shared holders when it wants it exclusively) is recorded as a bug
// (no-bug).
func lockIOLock(c *Ctx, excl bool) {
	in := &c.S.Inode
	if in.IOLockExcl != 0 && in.IOLockExcl != me(c) || excl && in.IOLockShared > 0 {
		c.R.Bug(c.Step.Loc.String(), "xfs_ilock of the iolock while another task holds it")
	}
	if excl {
		in.IOLockExcl = me(c)
	} else {
		in.IOLockShared++
	}
}

// unlockIMutex is mutex_unlock(&inode->i_mutex) (what names the call; the
// XFS iolock is modelled by the same field). A task that releases a lock
// it does not hold is a bug the kernel's lock debugging reports
// (DEBUG_MUTEXES warns that the owner is not current; XFS asserts the
// iolock is held): it is recorded as such (no-bug), and the task goes on
// as the kernel does, the lock left free.
func unlockIMutex(c *Ctx, what string) {
	if c.S.Inode.IMutex != me(c) {
		c.R.Bug(c.Step.Loc.String(), what+" by a task that does not hold it")
	}
	c.S.Inode.IMutex = 0
}

// lastGuard sets the guard of the step added last.
func (b *builder) lastGuard(g func(s *sim.State, a int) bool) {
	b.lastStep().Guard = g
}

// readOp emits the O_DIRECT read branch of generic_file_aio_read (v2.6.18:
// __generic_file_aio_read) and, for XFS, xfs_read's wait; the result is
// left in Retval.
func (b *builder) readOp() {
	end := b.label("read-end")
	b.add(b.fm("generic_file_aio_read:checks"),
		"__generic_file_aio_read: segment checks; O_DIRECT: count != 0; size = i_size_read(inode)",
		func(c *Ctx) { readChecks(c, end) })
	b.privateInode()
	b.directIO()
	b.add(b.fm("generic_file_aio_read:return"),
		"if retval > 0 && !is_sync_kiocb(iocb): retval = -EIOCBQUEUED; if retval > 0: *ppos = pos + retval; file_accessed(filp); return retval",
		func(c *Ctx) { readReturn(c, true, true, end) })
	b.mark(end)
	if b.xfsFS() {
		b.sec("xfs_read:tail")
	}
}

// xfsReadTail2620 is what xfs_read does after generic_file_aio_read returns.
func xfsReadTail2620(b *builder) {
	// v2.6.18's xfs_read calls __generic_file_aio_read with the
	// offset pointer; 2.6.19's calls the vectored
	// generic_file_aio_read.
	call := "ret = generic_file_aio_read(...)"
	if b.files[lrwFile] == "v2.6.18" {
		call = "ret = __generic_file_aio_read(iocb, iovp, segs, offset)"
	}
	b.xfsSyncWait(b.lrw("xfs_read:sync-wait"),
		"xfs_read: "+call+"; if ret == -EIOCBQUEUED && !(ioflags & IO_ISAIO): ret = wait_on_sync_kiocb(iocb)")
}

// readChecks is the start of the O_DIRECT read: a read at or past i_size
// returns 0 (v2.6.18) or goes to the buffered read (to, from the
// clean-ups on).
func readChecks(c *Ctx, to *Label) {
	l := c.L()
	if l.Pos >= c.S.Inode.ISize {
		l.Retval = 0
		c.Goto(to)
	}
}

// readFallback is generic_file_aio_read's O_DIRECT branch from 2.6.19 on:
// a read at or past i_size, or a direct read that returned 0, goes on to
// the buffered read; the return step translates (before) or not (after).
func readFallback(translate bool) func(b *builder) {
	return func(b *builder) {
		end := b.named("read-end")
		if translate {
			b.add(b.fm("generic_file_aio_read:return"),
				"if retval > 0 && !is_sync_kiocb(iocb): retval = -EIOCBQUEUED; if retval > 0: *ppos = pos + retval; if retval != 0: file_accessed(filp), return retval",
				func(c *Ctx) { readReturn(c, true, false, end) })
		} else {
			b.add(b.fm("generic_file_aio_read:return"),
				"if retval > 0: *ppos = pos + retval; if retval != 0: file_accessed(filp), return retval",
				func(c *Ctx) { readReturn(c, false, false, end) })
		}
		if !translate {
			return // the seed patch replaces only the return step
		}
		b.add(b.fm("generic_file_aio_read:buffered"),
			"direct I/O returned 0: buffered read: retval = 0; do_generic_file_read from *ppos reads up to EOF and advances *ppos",
			bufferedRead)
		b.privateInode()
	}
}

// bufferedRead is the buffered read after a direct read that returned 0
// (or of a read at or past i_size): up to count bytes, up to EOF, from
// *ppos, which it advances; the result is what it read.
func bufferedRead(c *Ctx) {
	s, r := c.S, c.R
	useKiocb(c)
	n := s.Inode.ISize - r.Kiocb.Pos
	if n > c.L().Count {
		n = c.L().Count
	}
	if n < 0 {
		n = 0
	}
	r.Kiocb.Pos += n
	c.L().Retval = n
}

// readChecksFallback is the first step of the O_DIRECT read from 2.6.19
// on: a read at or past i_size goes to the buffered read.
func readChecksFallback(b *builder) {
	buffered := b.labelAt("generic_file_aio_read:buffered")
	b.add(b.fm("generic_file_aio_read:checks"),
		"generic_file_aio_read: segment checks; O_DIRECT: count != 0; size = i_size_read(inode)",
		func(c *Ctx) { readChecks(c, buffered) })
	b.privateInode()
}

// readReturn is the tail of the O_DIRECT read branch: the translation of a
// positive AIO result into -EIOCBQUEUED (before, v2.6.18), the *ppos update
// and the return.
func readReturn(c *Ctx, translate, always bool, end *Label) {
	r := c.R
	l := c.L()
	v := l.Ret
	if translate && v > 0 && !r.Kiocb.IsSync {
		v = eiocbqueued
		r.Facts.Committed = true
	}
	if v > 0 {
		useKiocb(c)
		r.Kiocb.Pos = l.Pos + v
	}
	l.Retval = v
	if v != 0 || always {
		c.Goto(end)
	}
}

// xfsSyncWait emits XFS's own wait for -EIOCBQUEUED on a synchronous
// request (xfs_read, xfs_write). For a sync kiocb the direct-I/O paths never
// produce -EIOCBQUEUED, so the wait is there for fidelity only.
func (b *builder) xfsSyncWait(loc Loc, text string) {
	skip := b.label("xfs-nowait")
	b.add(loc, text, func(c *Ctx) {
		if !(c.R.Kiocb.IsSync && c.L().Retval == eiocbqueued) {
			c.Goto(skip)
			return
		}
		c.L().Waited = true // the result is taken from ki_user_data: already delivered
	})
	b.waitOnSyncKiocb(skip)
	b.mark(skip)
}

// directIO emits generic_file_direct_IO (identical in every version): the
// flush, the filesystem's direct_IO, and for writes the page-cache
// invalidation that may replace the result. The result is left in Ret.
func (b *builder) directIO() {
	b.add(b.fm("generic_file_direct_IO:write-and-wait"),
		"generic_file_direct_IO: write_len = iov_length (writes; unmap_mapping_range if mmapped); retval = filemap_write_and_wait(mapping): no dirty pages, 0; retval = mapping->a_ops->direct_IO(rw, iocb, iov, offset, nr_segs)",
		func(c *Ctx) {})
	b.private()
	if b.xfsFS() {
		b.xfsDirectIO()
	} else {
		b.blockdevDirectIO()
	}
	if b.write() {
		b.choice(b.fm("generic_file_direct_IO:invalidate"),
			"if rw == WRITE && mapping->nrpages: err = invalidate_inode_pages2_range(mapping, offset >> PAGE_CACHE_SHIFT, end); if err: retval = err",
			faultOutcomes(sim.FaultInvalidate, func(s *sim.State, a int) bool { return s.Inode.NrPages > 0 }),
			okOr("invalidate:-EIO"),
			func(c *Ctx) {
				s, r := c.S, c.R
				if s.Inode.NrPages == 0 {
					return
				}
				if c.Choice == 1 {
					r.Facts.FaultsMet |= sim.ErrMetInvalidate
					if c.L().Ret == eiocbqueued {
						r.Facts.Committed = false
					}
					c.L().Ret = -sim.EIO
					return
				}
				s.Inode.NrPages = 0
			})
	}
}

// xfsWrite emits xfs_write for a direct write: its locking as the C does
// it (xfs_lrw.c@v2.6.20:679-719, 793, 819-835, 926-930), the generic
// direct write, and XFS's own wait. A write that needs i_mutex (cached
// pages to flush, or a write at or past i_size) takes i_mutex and the
// iolock exclusive, and demotes the iolock to shared and drops i_mutex
// before the direct write; every other one takes the iolock shared. So
// every direct write runs generic_file_direct_write under the iolock
// shared and without i_mutex, and concurrent direct writes interleave
// inside it. The ilock section (719-793) is one step: nothing else in the
// model takes the ilock while it is held there.
func (b *builder) xfsWrite() {
	b.add(b.lrw("xfs_write:need-i-mutex"),
		"xfs_write: count = ocount; pos = *offset; IO_ISDIRECT: need_i_mutex = 0 when !VN_CACHED(vp) && pos < i_size_read(inode); need_flush = 1 when VN_CACHED(vp)",
		func(c *Ctx) {
			s, r := c.S, c.R
			useKiocb(c)
			l := c.L()
			l.Pos = r.Kiocb.Pos
			l.Count = r.Kiocb.Left
			cached := s.Inode.NrPages > 0
			l.Flag = cached || l.Pos >= s.Inode.ISize // need_i_mutex
			l.Flag2 = cached                          // need_flush
		})
	b.privateInode()
	b.add(b.lrw("xfs_write:lock-i-mutex"),
		"relock: if need_i_mutex: iolock = XFS_IOLOCK_EXCL, mutex_lock(&inode->i_mutex); else iolock = XFS_IOLOCK_SHARED",
		func(c *Ctx) {
			if c.L().Flag {
				lockIMutex(c)
			}
		})
	b.lastGuard(func(s *sim.State, a int) bool { return !s.Actors[a].L.Flag || iMutexFree(s, a) })
	b.privateInode()
	b.add(b.lrw("xfs_write:ilock"),
		"xfs_ilock(xip, XFS_ILOCK_EXCL|iolock); isize = i_size_read(inode); generic_write_checks; pos > isize: xfs_zero_eof (never: every write starts at or before EOF); file_update_time; xfs_iunlock(xip, XFS_ILOCK_EXCL)",
		func(c *Ctx) { lockIOLock(c, c.L().Flag) })
	b.lastGuard(func(s *sim.State, a int) bool {
		in := &s.Inode
		if s.Actors[a].L.Flag {
			return in.IOLockExcl == 0 && in.IOLockShared == 0
		}
		return in.IOLockExcl == 0
	})
	b.privateInode()
	b.add(b.lrw("xfs_write:flush-demote"),
		"IO_ISDIRECT: if need_flush: bhv_vop_flushinval_pages(vp, ctooff(offtoct(pos)), -1, FI_REMAPF_LOCKED); if need_i_mutex: XFS_ILOCK_DEMOTE(mp, io, XFS_IOLOCK_EXCL), mutex_unlock(&inode->i_mutex), iolock = XFS_IOLOCK_SHARED, need_i_mutex = 0; then ret = generic_file_direct_write(...)",
		func(c *Ctx) {
			in := &c.S.Inode
			l := c.L()
			if l.Flag2 {
				in.NrPages = 0
			}
			if l.Flag {
				in.IOLockExcl = 0
				in.IOLockShared++
				unlockIMutex(c, "mutex_unlock(&inode->i_mutex)")
			}
			l.Flag, l.Flag2 = false, false // need_i_mutex = 0; need_flush is not read again
		})
	b.privateInode()
	b.directWrite()
	b.add(b.lrw("xfs_write:fallback"),
		"if ret >= 0 && ret != count: fall back to buffered I/O (XFS direct writes allocate blocks, so they are never short here)",
		func(c *Ctx) { c.L().Retval = c.L().Written })
	b.private()
	b.xfsSyncWait(b.lrw("xfs_write:sync-wait"), "if ret == -EIOCBQUEUED && !(ioflags & IO_ISAIO): ret = wait_on_sync_kiocb(iocb)")
}

// writeOp emits the filesystem's aio_write: generic_file_aio_write for the
// generic filesystem, xfs_write for XFS. The result is left in Retval.
func (b *builder) writeOp() {
	if b.xfsFS() {
		b.sec("xfs_write")
		return
	}
	b.add(b.fm("generic_file_aio_write:lock-i-mutex"),
		"generic_file_aio_write: BUG_ON(iocb->ki_pos != pos); mutex_lock(&inode->i_mutex)",
		func(c *Ctx) {
			useKiocb(c)
			if c.R.Kiocb.Pos != c.R.Pos {
				bug(c, "BUG_ON(iocb->ki_pos != pos) in generic_file_aio_write")
				return
			}
			lockIMutex(c)
		})
	b.privateInode()
	b.lastGuard(iMutexFree)
	b.writeNolock()
	b.add(b.fm("generic_file_aio_write:unlock-i-mutex"), "mutex_unlock(&inode->i_mutex)",
		func(c *Ctx) { unlockIMutex(c, "mutex_unlock of i_mutex"); c.L().Retval = c.L().Written })
	b.privateInode()
	b.syncPageRange(b.fm("generic_file_aio_write:osync-range"), selRetval)
}

// xfsOSyncTail emits the end of xfs_write: for a write that returns
// bytes (ret > 0: a synchronous one, or an AIO write the direct-I/O code
// completed itself) on an O_SYNC file, the log force and, once the
// iolock is dropped, sync_page_range; each may fail (fault osync). Else
// out_unlock_internal drops the iolock and returns. With -EIOCBQUEUED
// (ret <= 0) the O_SYNC tail is skipped: XFS leaves the sync of a queued
// write to generic_file_direct_write.
func (b *builder) xfsOSyncTail() { b.xfsOSyncTailWith(osyncRangeReturn) }

// xfsOSyncCond: xfs_write's O_SYNC tail runs (an O_SYNC file, ret > 0).
func xfsOSyncCond(s *sim.State, a int) bool { return s.Scn.OSync && s.Actors[a].L.Retval > 0 }

// xfsOSyncTailWith emits xfs_write's O_SYNC tail with syncRange for its
// sync_page_range step, which goes to done when it returns by itself.
func (b *builder) xfsOSyncTailWith(syncRange func(b *builder, done *Label)) {
	unlock := b.label("xfs-write-unlock")
	done := b.label("xfs-write-done")
	cond := xfsOSyncCond
	b.choice(b.lrw("xfs_write:osync-logforce"),
		"error = -ret; if ret <= 0: goto out_unlock_internal; if (file->f_flags & O_SYNC) || IS_SYNC(inode): error = xfs_write_sync_logforce(mp, xip), if error: goto out_unlock_internal",
		faultOutcomes(sim.FaultOSync, cond), okOr("logforce:-EIO"),
		func(c *Ctx) {
			if !cond(c.S, c.A) {
				c.Goto(unlock)
				return
			}
			if c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetOSync
				c.L().Retval = -sim.EIO
				c.Goto(unlock)
			}
		})
	b.private()
	syncRange(b, done)
	b.mark(unlock)
	b.add(b.lrw("xfs_write:unlock"),
		"out_unlock_internal: xfs_rwunlock(bdp, locktype) drops the iolock (shared since the demote); out_unlock_mutex: need_i_mutex is 0, i_mutex is not held; return -error",
		func(c *Ctx) { c.S.Inode.IOLockShared-- })
	b.privateInode()
	b.mark(done)
}

// osyncRangeReturn is xfs_write's sync_page_range up to 2.6.21: the
// iolock is dropped, and xfs_write returns the sync's error or ret.
func osyncRangeReturn(b *builder, done *Label) {
	b.osyncRWUnlock()
	b.choice(b.lrw("xfs_write:osync-range"),
		"error = sync_page_range(inode, mapping, pos, ret) (filemap_fdatawrite_range, generic_osync_inode under i_mutex, wait_on_page_writeback_range); if !error: error = ret; return error",
		faultOutcomes(sim.FaultOSync, xfsOSyncCond), okOr("osync:-EIO"),
		func(c *Ctx) {
			if c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetOSync
				c.L().Retval = -sim.EIO
			}
			c.Goto(done)
		})
	b.lastGuard(iMutexFree)
	b.privateInode()
	b.inlines(filemapFile + ":sync_page_range")
}

// osyncRWUnlock is xfs_write's unlock before sync_page_range: the iolock
// (shared since the demote) is dropped; need_i_mutex is 0, so i_mutex is
// not held. It is a step of its own: sync_page_range then waits for
// i_mutex, which a writer that needs it may hold while it waits for the
// iolock.
func (b *builder) osyncRWUnlock() {
	b.add(b.lrw("xfs_write:osync-rwunlock"),
		"xfs_rwunlock(bdp, locktype) drops the iolock (shared since the demote); if need_i_mutex: mutex_unlock(&inode->i_mutex) (need_i_mutex is 0)",
		func(c *Ctx) { c.S.Inode.IOLockShared-- })
	b.privateInode()
}

// syncPageRange emits the O_SYNC tail of generic_file_aio_write and
// generic_file_write: sync_page_range, whose generic_osync_inode may fail.
func (b *builder) syncPageRange(loc Loc, ret localSel) {
	cond := func(s *sim.State, a int) bool { return s.Scn.OSync && *ret(&s.Actors[a].L) > 0 }
	b.choice(loc,
		"if ret > 0 && (O_SYNC || IS_SYNC(inode)): err = sync_page_range(inode, mapping, pos, ret) (generic_osync_inode under i_mutex); if err < 0: ret = err; return ret",
		faultOutcomes(sim.FaultOSync, cond), okOr("osync:-EIO"),
		func(c *Ctx) {
			if cond(c.S, c.A) && c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetOSync
				*ret(c.L()) = -sim.EIO
			}
		})
	b.lastGuard(iMutexFree)
	b.inlines("sync_page_range")
}

// writeNolock emits __generic_file_aio_write_nolock for O_DIRECT: the direct
// write and the buffered fallback for a short one. Result in Written.
func (b *builder) writeNolock() {
	out := b.label("write-out")
	b.add(b.fm("__generic_file_aio_write_nolock:checks"),
		"__generic_file_aio_write_nolock: segment checks; count = ocount; pos = *ppos; vfs_check_frozen; generic_write_checks; count != 0; remove_suid; file_update_time",
		writeChecks)
	b.private()
	b.directWrite()
	b.add(b.fm("__generic_file_aio_write_nolock:short-write"),
		"if written < 0 || written == count: goto out; otherwise a short direct write: pos += written; count -= written, and the rest goes through the page cache",
		func(c *Ctx) {
			l := c.L()
			if l.Written < 0 || l.Written == l.Count {
				c.Goto(out)
				return
			}
			l.Pos += l.Written
			l.Count -= l.Written
		})
	b.private()
	b.bufferedWrite()
	b.add(b.fm("__generic_file_aio_write_nolock:buffered-write"),
		"written = generic_file_buffered_write(iocb, iov, nr_segs, pos, ppos, count, written)",
		func(c *Ctx) { c.L().Written = c.L().Buffered })
	b.private()
	b.mark(out)
	b.add(b.fm("__generic_file_aio_write_nolock:out"),
		"out: current->backing_dev_info = NULL; return written ? written : err",
		func(c *Ctx) {
			if c.L().Written == 0 {
				c.L().Written = c.L().Tmp
			}
		})
	b.private()
}

// bufferedSync is __generic_file_aio_write_nolock's tail of a short direct
// write from 2.6.19 on: the buffered part is synced and its pages
// invalidated, so that O_DIRECT semantics hold. do_sync_file_range can fail
// (fault syncrange): it returns the error a writeback of the mapping
// recorded (AS_EIO, which any writeback of the file's pages may set, and
// which generic_file_buffered_write's own filemap_write_and_wait cleared
// only for what it waited on), and the write then returns the bytes written
// directly, or the error when there were none; the pages stay in the page
// cache.
func bufferedSync(b *builder) {
	out := b.named("write-out")
	cond := func(s *sim.State, a int) bool { return s.Actors[a].L.Buffered >= 0 }
	b.choice(b.fm("__generic_file_aio_write_nolock:buffered-sync"),
		"if written_buffered < 0: err = written_buffered, goto out; endbyte = pos + written_buffered - written - 1; err = do_sync_file_range(file, pos, endbyte, SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE|SYNC_FILE_RANGE_WAIT_AFTER); if err == 0: written = written_buffered; invalidate_mapping_pages(mapping, pos >> PAGE_CACHE_SHIFT, endbyte >> PAGE_CACHE_SHIFT); else written stays the bytes written directly",
		faultOutcomes(sim.FaultSyncRange, cond), okOr("syncrange:-EIO"),
		func(c *Ctx) {
			l := c.L()
			if l.Buffered < 0 {
				l.Tmp = l.Buffered
				c.Goto(out)
				return
			}
			if c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetSyncRange
				l.Tmp = -sim.EIO
				return
			}
			l.Written = l.Buffered
			c.S.Inode.NrPages = 0
		})
	b.privateInode()
}

// directWrite emits generic_file_direct_write. Result in Written.
func (b *builder) directWrite() {
	osync := b.label("dw-osync")
	ppos := b.label("dw-ppos")
	b.directIO()
	b.add(b.fm("generic_file_direct_write:direct-IO"),
		"written = generic_file_direct_IO(WRITE, ...); if written > 0: end = pos + written; if end > i_size_read(inode) && !S_ISBLK(inode->i_mode)",
		directWritten(osync, ppos))
	b.privateInode()
	b.add(b.fm("generic_file_direct_write:i-size-write"),
		"i_size_write(inode, end); mark_inode_dirty(inode)",
		func(c *Ctx) { c.S.Inode.ISize = c.L().Pos + c.L().Written })
	b.mark(ppos)
	b.add(b.fm("generic_file_direct_write:ppos"), "*ppos = end",
		func(c *Ctx) { useKiocb(c); c.R.Kiocb.Pos = c.L().Pos + c.L().Written })
	b.mark(osync)
	b.choice(b.fm("generic_file_direct_write:osync"),
		"if written >= 0 && (O_SYNC || IS_SYNC(inode)): err = generic_osync_inode(inode, mapping, OSYNC_METADATA), if err < 0: written = err; if written == count && !is_sync_kiocb(iocb): written = -EIOCBQUEUED; return written",
		faultOutcomes(sim.FaultOSync, osyncCond(true)), okOr("osync:-EIO"), osyncDo(true))
}

// directWritten is generic_file_direct_write's test of the direct write's
// result (left in Ret): a positive one that ends past i_size goes on to
// i_size_write, another positive one to the *ppos update, anything else to
// the tail at osync.
func directWritten(osync, ppos *Label) func(c *Ctx) {
	return func(c *Ctx) {
		l := c.L()
		l.Written = l.Ret
		if l.Written <= 0 {
			c.Goto(osync)
			return
		}
		if l.Pos+l.Written <= c.S.Inode.ISize {
			c.Goto(ppos)
		}
	}
}

// osyncCond is the condition of generic_file_direct_write's O_SYNC sync:
// written >= 0, and after the seed patch also written == -EIOCBQUEUED.
func osyncCond(translate bool) func(s *sim.State, a int) bool {
	return func(s *sim.State, a int) bool {
		w := s.Actors[a].L.Written
		if translate {
			return s.Scn.OSync && w >= 0
		}
		return s.Scn.OSync && (w >= 0 || w == eiocbqueued)
	}
}

// osyncDo is generic_file_direct_write's O_SYNC sync and, before the seed
// patch, the translation of a complete AIO write into -EIOCBQUEUED.
func osyncDo(translate bool) func(c *Ctx) {
	cond := osyncCond(translate)
	return func(c *Ctx) {
		s, r := c.S, c.R
		l := c.L()
		if cond(s, c.A) && c.Choice == 1 {
			r.Facts.FaultsMet |= sim.ErrMetOSync
			if l.Written == eiocbqueued {
				r.Facts.Committed = false
			}
			l.Written = -sim.EIO
		}
		if translate && l.Written == l.Count && !r.Kiocb.IsSync {
			l.Written = eiocbqueued
			r.Facts.Committed = true
		}
	}
}

// osyncQueued is the seed patch's generic_file_direct_write tail: the
// sync also runs for -EIOCBQUEUED, and nothing is translated.
func osyncQueued(b *builder) {
	b.choice(b.fm("generic_file_direct_write:osync"),
		"if (written >= 0 || written == -EIOCBQUEUED) && (O_SYNC || IS_SYNC(inode)): err = generic_osync_inode(inode, mapping, OSYNC_METADATA), if err < 0: written = err; return written",
		faultOutcomes(sim.FaultOSync, osyncCond(false)), okOr("osync:-EIO"), osyncDo(false))
}

// bufferedWrite emits generic_file_buffered_write for the rest of a short
// direct write. Result in Buffered (it counts the direct bytes too).
func (b *builder) bufferedWrite() {
	b.add(b.fm("generic_file_buffered_write:copy"),
		"generic_file_buffered_write: skip the written bytes of the iovec; for each remaining page prepare_write, copy, commit_write (which extends the file past its old size)",
		bufferedCopy)
	b.add(b.fm("generic_file_buffered_write:ppos"), "*ppos = pos", bufferedPpos)
	cond := func(s *sim.State, a int) bool { return s.Scn.OSync && !s.ReqOf(a).Kiocb.IsSync }
	b.choice(b.fm("generic_file_buffered_write:osync"),
		"if status >= 0 && (O_SYNC || IS_SYNC(inode)) && (!a_ops->writepage || !is_sync_kiocb(iocb)): status = generic_osync_inode(inode, mapping, OSYNC_METADATA|OSYNC_DATA)",
		faultOutcomes(sim.FaultOSync, cond), okOr("osync:-EIO"),
		func(c *Ctx) {
			if cond(c.S, c.A) && c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetOSync
				c.L().Tmp = -sim.EIO // status; dropped below because written is non-zero
			}
		})
	b.private()
	b.add(b.fm("generic_file_buffered_write:write-and-wait"),
		"if O_DIRECT && written: status = filemap_write_and_wait(mapping) (the pages go to disk); return written ? written : status",
		func(c *Ctx) {})
	b.private()
}

// writeChecks is the start of the O_DIRECT write under i_mutex: the
// request's position and length become the locals.
func writeChecks(c *Ctx) {
	useKiocb(c)
	c.L().Pos = c.R.Kiocb.Pos
	c.L().Count = int64(c.S.Scn.Blocks) * sim.BlockSize
	c.L().Tmp = 0 // err
}

// bufferedCopy is the page-cache copy of the rest of a short direct
// write: its blocks get the new data, the mapping a page, the file its
// new size. Buffered counts the direct bytes too.
func bufferedCopy(c *Ctx) {
	s, r := c.S, c.R
	l := c.L()
	first := (l.Pos - r.Pos) / sim.BlockSize
	for i := int(first); i < len(r.Bios); i++ {
		s.Inode.Data[s.Block(int(c.Act.Req), i)] = byte(c.Act.Req) + 1
	}
	s.Inode.NrPages++
	if end := l.Pos + l.Count; end > s.Inode.ISize {
		s.Inode.ISize = end
	}
	l.Buffered = l.Written + l.Count
}

// bufferedPpos is the buffered write's *ppos update.
func bufferedPpos(c *Ctx) { useKiocb(c); c.R.Kiocb.Pos = c.L().Pos + c.L().Count }

// xfsWrite2620 is xfs_write's direct write (xfs_lrw.c). The result is left in Retval.
func xfsWrite2620(b *builder) {
	xfsWriteDirect(b)
	b.xfsOSyncTail()
}

// xfsWriteDirect is xfs_write up to its O_SYNC tail: the iolock, the
// direct write, the buffered fallback's test and the sync kiocb's wait.
func xfsWriteDirect(b *builder) { b.xfsWrite() }

func init() {
	rootFuncs["xfs_read:tail"] = xfsReadTail2620
	rootFuncs["xfs_write"] = xfsWrite2620
}
