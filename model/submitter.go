package model

import (
	"diosim/sim"
)

// buildSubmitter builds the program of the thread that submits the
// request: io_submit (or read(2)/write(2) when sync is set) down through
// the AIO core, mm/filemap.c, the filesystem glue and fs/direct-io.c, and
// back, then the userspace observation of a synchronous result.
func buildSubmitter(mb *modelBuild, sync bool, op sim.Op, fs sim.FS) *Program {
	mode := "io_submit"
	if sync {
		mode = "sync"
	}
	b := newBuilder(mb, "submitter ("+mode+" "+op.String()+", "+fs.String()+")")
	b.op, b.fs, b.sync = op, fs, sync
	if sync {
		b.syncEntry()
	} else {
		b.aioEntry()
	}
	return b.finish()
}

// aioEntry: io_submit -> io_submit_one -> aio_run_iocb -> ki_retry.
func (b *builder) aioEntry() {
	b.add(b.aio("io_submit_one:get-req"),
		"io_submit_one: aio_get_req allocates the kiocb with ki_users = 2; ki_pos, ki_buf, ki_left = ki_nbytes from the user iocb; aio_setup_iocb sets ki_retry",
		func(c *Ctx) {
			s, r := c.S, c.R
			r.Alloc(sim.ObjKiocb)
			r.Kiocb.Users = 2
			r.Kiocb.Pos = r.Pos
			n := int64(s.Scn.Blocks) * sim.BlockSize
			r.Kiocb.Left, r.Kiocb.NBytes = n, n
			r.Facts.Submitted = true
			recordCall(c)
		})
	b.privateInode()
	b.inlines("__aio_get_req", "aio_setup_iocb")
	b.add(b.aio("aio_run_iocb:unlink"),
		"io_submit_one: spin_lock_irq(&ctx->ctx_lock); aio_run_iocb(req): kiocbClearKicked(iocb); ki_run_list.next = ki_run_list.prev = NULL; spin_unlock_irq(&ctx->ctx_lock); not kiocbIsCancelled(iocb); current->io_wait = &iocb->ki_wait; ret = retry(iocb)",
		func(c *Ctx) { useKiocb(c) })
	b.private()
	b.inlines("aio_run_iocb")
	call := b.label("retry-call")
	b.mark(call)
	b.add(b.citeAs(aioFile, retryKey2618(b.write(), "call"), "ki_retry:call"),
		retryText2618(b.write()),
		retryCall)
	b.private()
	b.fileOp()
	b.add(b.citeAs(aioFile, retryKey2618(b.write(), "advance"), "ki_retry:advance"),
		"if ret > 0: ki_buf += ret, ki_left -= ret; again while ret > 0 && ki_left > 0; if ret == 0 || ki_left == 0: ret = ki_nbytes - ki_left",
		retryAdvance(call))
	b.private()
	queued := b.label("queued")
	b.add(b.aio("aio_run_iocb:retry-returned"),
		"aio_run_iocb: ret = retry(iocb) returned; current->io_wait = NULL; if ret != -EIOCBRETRY && ret != -EIOCBQUEUED, the core completes the iocb",
		func(c *Ctx) {
			f := &c.R.Facts
			f.RetryReturned = true
			f.RetryRet = c.L().Retval
			if c.L().Retval == eiocbqueued {
				c.Goto(queued)
			}
		})
	b.aioComplete(b.aio("aio_run_iocb:aio-complete"), "aio_complete(iocb, ret, 0) (aio core)", false, selRetval)
	b.mark(queued)
	b.add(b.aio("io_submit_one:put-req"),
		"aio_run_iocb out: spin_lock_irq(&ctx->ctx_lock), ret is not -EIOCBRETRY, return; io_submit_one: ctx->run_list is empty; spin_unlock_irq(&ctx->ctx_lock); aio_put_req(req) drops the submitter's ki_users reference (freeing the kiocb at 0); back to userspace",
		func(c *Ctx) {
			useKiocb(c)
			aioPutReq(c)
			c.Finish()
		})
	b.inlines("aio_run_iocb", "__aio_put_req")
}

// retryKey2618 is the citation-table key of v2.6.18's retry method,
// aio_pread or aio_pwrite, for part ("call" or "advance"); the step id is
// ki_retry's either way.
func retryKey2618(write bool, part string) string {
	if write {
		return "aio_pwrite:" + part
	}
	return "aio_pread:" + part
}

// retryText2618 is the call in v2.6.18's aio_pread or aio_pwrite.
func retryText2618(write bool) string {
	if write {
		return "aio_pwrite: ret = file->f_op->aio_write(iocb, iocb->ki_buf, iocb->ki_left, iocb->ki_pos)"
	}
	return "aio_pread: ret = file->f_op->aio_read(iocb, iocb->ki_buf, iocb->ki_left, iocb->ki_pos)"
}

// retryAdvance is the retry loop's test after a call of the file
// operation: a partial transfer moves the request on and calls again.
func retryAdvance(call *Label) func(c *Ctx) {
	return func(c *Ctx) { retryAdvanced(c, call) }
}

// retryAdvanced is retryAdvance's test; it reports whether the loop goes
// round again (to call).
func retryAdvanced(c *Ctx, call *Label) bool {
	k := &c.R.Kiocb
	l := c.L()
	useKiocb(c)
	if l.Retval > 0 {
		k.Left -= l.Retval
		if k.Left > 0 {
			c.Goto(call)
			return true
		}
	}
	if l.Retval == 0 || k.Left == 0 {
		l.Retval = k.NBytes - k.Left
	}
	return false
}

// retryCall is the AIO core's call of ki_retry: the request's position
// and length become the file operation's arguments.
func retryCall(c *Ctx) { useKiocb(c); c.L().Pos = c.R.Kiocb.Pos; c.L().Count = c.R.Kiocb.Left }

// retryVectored is ki_retry from 2.6.19 on: aio_rw_vect_retry.
func retryVectored(b *builder) {
	b.add(b.aio("ki_retry:call"),
		"aio_rw_vect_retry: rw_op = file->f_op->aio_read for IOCB_CMD_PREAD, else file->f_op->aio_write; ret = rw_op(iocb, &iocb->ki_iovec[ki_cur_seg], ki_nr_segs - ki_cur_seg, ki_pos)",
		retryCall)
	b.private()
}

// retryVectoredAdvance is aio_rw_vect_retry's loop test.
func retryVectoredAdvance(b *builder) {
	b.add(b.aio("ki_retry:advance"),
		"if ret > 0: aio_advance_iovec(iocb, ret) (ki_left -= ret); again while ret > 0 && ki_left > 0; if ret == 0 || ki_left == 0: ret = ki_nbytes - ki_left",
		retryAdvance(b.named("retry-call")))
	b.private()
	b.inlines("aio_advance_iovec")
}

// aioPutReq is __aio_put_req under ctx_lock (fs/aio.c@v2.6.20:504-531).
func aioPutReq(c *Ctx) {
	k := &c.R.Kiocb
	k.Users--
	if k.Users < 0 {
		bug(c, "BUG_ON(req->ki_users < 0) in __aio_put_req")
		return
	}
	if k.Users == 0 {
		c.R.Free(sim.ObjKiocb, &c.Step.Loc)
	}
}

// aioComplete emits aio_complete(iocb, res, 0) called at loc: for an AIO
// kiocb the event goes into the ring and __aio_put_req drops a reference
// (BUG on underflow); for a synchronous kiocb ki_user_data is set, ki_users
// cleared and the waiting task woken. fromDio marks a call from
// fs/direct-io.c, which the only-after-queued property watches.
func (b *builder) aioComplete(loc Loc, text string, fromDio bool, res localSel) {
	b.add(loc, text+"; "+aioCompleteText(b.files[aioFile]),
		func(c *Ctx) {
			s, r := c.S, c.R
			useKiocb(c)
			v := *res(c.L())
			f := &r.Facts
			if fromDio {
				f.DioCompletes++
				if !f.Committed && !(f.RetryReturned && f.RetryRet == eiocbqueued) {
					f.EarlyDioComp = true
				}
			}
			deliver(r, v)
			k := &r.Kiocb
			if k.IsSync {
				if k.Users != 1 {
					bug(c, "BUG_ON(iocb->ki_users != 1) in aio_complete for a sync kiocb")
					return
				}
				k.UserData = v
				k.Users = 0
				s.WakeUpProcess(0)
				return
			}
			s.Ring = append(s.Ring, sim.Event{Res: v, Iocb: c.Act.Req})
			aioPutReq(c)
		})
	b.inlines("fs/aio.c:aio_complete", "fs/aio.c:__aio_put_req")
}

// aioCompleteText describes aio_complete's body as the given version of
// fs/aio.c has it (the releases after 2.6.20: aioCompleteLater).
func aioCompleteText(ver string) string {
	if t, ok := aioCompleteLater[ver]; ok {
		return t
	}
	return "aio_complete (fs/aio.c) posts the event under ctx_lock and drops ki_users, or for a sync kiocb sets ki_user_data, ki_users = 0 and wakes the waiter"
}

// syncEntry: read(2)/write(2) -> do_sync_read/do_sync_write (v2.6.18:
// generic_file_read/generic_file_write) -> aio_read/aio_write, waiting in
// wait_on_sync_kiocb for -EIOCBQUEUED; then userspace looks at the file.
func (b *builder) syncEntry() {
	b.sec("sys_read/sys_write")
	b.add(b.user("return"), "userspace: read(2)/write(2) returns ret",
		func(c *Ctx) {
			if !c.L().Waited {
				// The value was returned, not handed over by aio_complete
				// to wait_on_sync_kiocb: this return is its delivery.
				deliver(c.R, c.L().Retval)
			}
			// The position the call leaves: *ppos = kiocb.ki_pos, then
			// file_pos_write (fs/read_write.c).
			c.S.Record(sim.HistEvent{Return: true, Op: histOp(c.S), ID: c.Act.Req, Client: c.Act.Req, Pos: c.R.Pos, Len: requestLen(c.S), Val: c.L().Retval,
				FPos: c.R.Kiocb.Pos})
		})
	b.observe(selRetval, -1)
}

// syncInit is init_sync_kiocb and the syscall's arguments: a synchronous
// kiocb with one user, the request's position and length.
func syncInit(c *Ctx) {
	s, r := c.S, c.R
	r.Alloc(sim.ObjKiocb)
	r.Kiocb.IsSync = true
	r.Kiocb.Users = 1
	r.Kiocb.Pos = r.Pos
	n := int64(s.Scn.Blocks) * sim.BlockSize
	r.Kiocb.Left, r.Kiocb.NBytes = n, n
	r.Facts.Submitted = true
	c.L().Pos = r.Pos
	c.L().Count = n
	recordCall(c)
}

// syncEntry2618 is v2.6.18's read(2)/write(2): generic_file_read and
// generic_file_write, except on XFS.
func syncEntry2618(b *builder) {
	if b.xfsFS() {
		// XFS's file operations read(2) and write(2) through
		// do_sync_read and do_sync_write over its own aio_read and
		// aio_write already in 2.6.18 (xfs_file.c@v2.6.18:541-542).
		syncEntryDoSync(b)
		return
	}
	if b.write() {
		// generic_file_write holds i_mutex around the whole write, and
		// __generic_file_write_nolock waits on the sync kiocb inside it.
		b.add(b.fm("generic_file_write:lock-i-mutex"),
			"write(2): generic_file_write: one-segment iovec; mutex_lock(&inode->i_mutex)",
			func(c *Ctx) { syncInit(c); lockIMutex(c) })
		b.privateInode()
		b.lastGuard(iMutexFree)
		b.add(b.fm("__generic_file_write_nolock:init-sync-kiocb"),
			"__generic_file_write_nolock: init_sync_kiocb(&kiocb, file) (ki_users = 1, ki_key = KIOCB_SYNC_KEY)",
			func(c *Ctx) {})
		b.private()
		b.inlines("include/linux/aio.h:init_sync_kiocb")
		b.writeNolock()
		wret := b.label("v2618-write-ret")
		b.add(b.fm("__generic_file_write_nolock:sync-wait"),
			"ret = __generic_file_aio_write_nolock(...) returned; if ret == -EIOCBQUEUED: ret = wait_on_sync_kiocb(&kiocb)",
			func(c *Ctx) { c.L().Retval = c.L().Written; syncReturned(c, wret) })
		b.waitOnSyncKiocb(wret)
		b.mark(wret)
		b.add(b.fm("generic_file_write:unlock-i-mutex"), "mutex_unlock(&inode->i_mutex)",
			func(c *Ctx) { unlockIMutex(c, "mutex_unlock of i_mutex") })
		b.privateInode()
		b.syncPageRange(b.fm("generic_file_write:osync-range"), selRetval)
		return
	}
	b.add(b.fm("generic_file_read:init-sync-kiocb"),
		"read(2): generic_file_read: init_sync_kiocb(&kiocb, filp) (ki_users = 1, ki_key = KIOCB_SYNC_KEY); ret = __generic_file_aio_read(&kiocb, &local_iov, 1, ppos)",
		syncInit)
	b.privateInode()
	b.inlines("include/linux/aio.h:init_sync_kiocb")
	b.readOp()
	rret := b.label("v2618-read-ret")
	b.add(b.fm("generic_file_read:sync-wait"),
		"the read returned ret; if ret == -EIOCBQUEUED: ret = wait_on_sync_kiocb(&kiocb)",
		func(c *Ctx) { syncReturned(c, rret) })
	b.waitOnSyncKiocb(rret)
	b.mark(rret)
}

// syncEntryDoSync is read(2)/write(2) from 2.6.19 on: do_sync_read and
// do_sync_write over aio_read/aio_write.
func syncEntryDoSync(b *builder) {
	fn, op := "do_sync_read", "aio_read"
	if b.write() {
		fn, op = "do_sync_write", "aio_write"
	}
	// v2.6.18's do_sync_read/do_sync_write pass the user buffer itself
	// and retry while aio_read/aio_write return -EIOCBRETRY.
	call, retry := "kiocb.ki_left = len; ret = filp->f_op->"+op+"(&kiocb, &iov, 1, kiocb.ki_pos)", "ret is not -EIOCBRETRY; "
	if b.files[rwFile] == "v2.6.18" {
		call, retry = "while -EIOCBRETRY == (ret = filp->f_op->"+op+"(&kiocb, buf, len, kiocb.ki_pos)): wait_on_retry_sync_kiocb (never: ret is not -EIOCBRETRY)", ""
	}
	b.add(b.citeAs(rwFile, fn+":init-sync-kiocb", "do_sync_read/do_sync_write:init-sync-kiocb"),
		"read(2)/write(2): "+fn+": init_sync_kiocb(&kiocb, filp) (ki_users = 1, ki_key = KIOCB_SYNC_KEY); kiocb.ki_pos = *ppos; "+call,
		syncInit)
	b.privateInode()
	b.inlines("include/linux/aio.h:init_sync_kiocb")
	b.fileOp()
	after := b.label("sync-ret")
	b.add(b.citeAs(rwFile, fn+":sync-wait", "do_sync_read/do_sync_write:sync-wait"),
		retry+"if ret == -EIOCBQUEUED, wait_on_sync_kiocb(&kiocb)",
		func(c *Ctx) { syncReturned(c, after) })
	b.waitOnSyncKiocb(after)
	b.mark(after)
	b.add(b.citeAs(rwFile, fn+":return", "do_sync_read/do_sync_write:return"), "*ppos = kiocb.ki_pos; return ret to userspace",
		func(c *Ctx) {})
	b.private()
}

func init() { rootFuncs["sys_read/sys_write"] = syncEntry2618 }

// recordCall records the call of the iocb's operation in the history.
func recordCall(c *Ctx) {
	s := c.S
	s.Record(sim.HistEvent{Op: histOp(s), ID: c.Act.Req, Client: c.Act.Req, Pos: c.R.Pos, Len: requestLen(s)})
}

func histOp(s *sim.State) sim.HistOp {
	if s.Scn.Op == sim.Write {
		return sim.HistWrite
	}
	return sim.HistRead
}

func requestLen(s *sim.State) int64 { return int64(s.Scn.Blocks) * sim.BlockSize }

// syncReturned records the return of aio_read/aio_write on a sync kiocb;
// unless it is -EIOCBQUEUED the actor goes on at skip, past
// wait_on_sync_kiocb. The result is delivered when the system call
// returns to userspace (v2.6.18's generic_file_write still runs its O_SYNC
// sync after this point).
func syncReturned(c *Ctx, skip *Label) {
	f := &c.R.Facts
	v := c.L().Retval
	f.RetryReturned = true
	f.RetryRet = v
	if v != eiocbqueued {
		c.Goto(skip)
	}
}

// waitOnSyncKiocb emits wait_on_sync_kiocb (fs/aio.c@v2.6.20:323-333), four
// steps, leaving ki_user_data in Retval; it is entered only for
// -EIOCBQUEUED.
func (b *builder) waitOnSyncKiocb(out *Label) {
	defer b.rootCode()()
	loop := b.label("wait-sync")
	b.mark(loop)
	exit := b.label("wait-sync-exit")
	b.add(b.aio("wait_on_sync_kiocb:load-users"), "while (iocb->ki_users): load ki_users",
		func(c *Ctx) {
			useKiocb(c)
			if c.R.Kiocb.Users == 0 {
				c.Goto(exit)
			}
		})
	b.add(b.aio("wait_on_sync_kiocb:set-uninterruptible"), "set_current_state(TASK_UNINTERRUPTIBLE)",
		func(c *Ctx) { c.Act.State = sim.TaskUninterruptible })
	b.add(b.aio("wait_on_sync_kiocb:test-users"), "if (!iocb->ki_users) break",
		func(c *Ctx) {
			useKiocb(c)
			if c.R.Kiocb.Users == 0 {
				c.Goto(exit)
			}
		})
	b.add(b.aio("wait_on_sync_kiocb:schedule"), "schedule()",
		func(c *Ctx) { c.S.Schedule(c.A); c.Goto(loop) })
	b.mark(exit)
	b.add(b.aio("wait_on_sync_kiocb:return"), "__set_current_state(TASK_RUNNING); return iocb->ki_user_data",
		func(c *Ctx) {
			c.Act.State = sim.TaskRunning
			c.L().Retval = c.R.Kiocb.UserData
			c.L().Waited = true // delivered by aio_complete
			c.Goto(out)
		})
}

// observe emits what userspace does once it has the result of a write:
// stat(2) for i_size and a pread(2) of the written range.
// The observing thread is the history's client: a synchronous caller is
// its iocb's client; the reaper (client -1 here) is the client after the
// iocbs.
func (b *builder) observe(res localSel, client int8) {
	cl := func(c *Ctx) int8 {
		if client >= 0 || c.Act.Kind != sim.Reaper {
			return c.Act.Req
		}
		return int8(c.S.NumReqs())
	}
	b.add(b.user("stat"), "userspace: stat(2) reads i_size after the result was seen",
		func(c *Ctx) { observeStat(c, *res(c.L()), cl(c)) })
	b.add(b.user("pread"), "userspace: pread(2) reads the request's range back through the page cache",
		func(c *Ctx) { observePread(c, *res(c.L()), cl(c)); c.Finish() })
}

func observeStat(c *Ctx, res int64, client int8) {
	s, r := c.S, c.R
	id := s.NextObserverOp()
	s.Record(sim.HistEvent{Op: sim.HistStat, ID: id, Client: client})
	s.Record(sim.HistEvent{Return: true, Op: sim.HistStat, ID: id, Client: client, Val: s.Inode.ISize})
	if s.Scn.Op == sim.Write && res > 0 && r.Facts.StatAfterReap < 0 {
		r.Facts.StatAfterReap = s.Inode.ISize
		r.Facts.StatRes = res
	}
}

// observePread reads the request's range as a buffered read would: up to
// i_size, each block as sim.State.ReadBlock says (zeros for a hole or an
// XFS unwritten extent, stale disk contents for an allocated block no data
// reached, else the old contents or the data of the iocb that wrote it).
func observePread(c *Ctx, res int64, client int8) {
	s, r := c.S, c.R
	id := s.NextObserverOp()
	n := requestLen(s)
	if lim := s.Inode.ISize - r.Pos; lim < n {
		n = lim
	}
	if n < 0 {
		n = 0
	}
	blocks := (n + sim.BlockSize - 1) / sim.BlockSize
	data := make([]byte, blocks)
	seen := int8(0)
	for i := int64(0); i < blocks; i++ {
		data[i] = s.ReadBlock(s.Block(int(c.Act.Req), int(i)))
		if data[i] == byte(c.Act.Req)+1 {
			seen++
		}
	}
	s.Record(sim.HistEvent{Op: sim.HistPread, ID: id, Client: client, Pos: r.Pos, Len: requestLen(s)})
	s.Record(sim.HistEvent{Return: true, Op: sim.HistPread, ID: id, Client: client, Pos: r.Pos, Len: requestLen(s), Val: n, Data: string(data)})
	if s.Scn.Op == sim.Write && res > 0 && r.Facts.PreadSeen < 0 {
		r.Facts.PreadSeen = seen
	}
}

// fileOp emits the filesystem's aio_read/aio_write for the program's
// operation and filesystem, leaving its return value in Retval.
func (b *builder) fileOp() {
	defer b.rootCode()()
	if b.write() {
		b.writeOp()
		return
	}
	b.readOp()
}
