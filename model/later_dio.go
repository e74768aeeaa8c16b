package model

import "diosim/sim"

// dioLater returns what release v changed in fs/direct-io.c and fs/bio.c: its part of
// v's patch on its predecessor (later.go).
//
//   - v2.6.21: both files are 2.6.20's, byte for byte: only the citation
//     tables are new.
//   - v2.6.22 (2.6.22.19): direct_io_worker no longer checks
//     BUG_ON(!dio->is_async && ret2 != 0) after dropping its reference, so
//     the submitter no longer loads dio->is_async once a bio completion may
//     have freed the dio; the stable series clears map_bh.b_state in the
//     initialisation.
//   - v2.6.32: bi_end_io is void and gets no byte count (bio_endio(bio,
//     error)); the dio comes zeroed from kzalloc; writes are WRITE_ODIRECT;
//     get_user_pages_fast; a failed extending write under DIO_LOCKING
//     truncates what it instantiated past i_size.
//   - v2.6.36: dio_complete(dio, offset, ret, is_async) computes its result
//     first, then calls ->end_io(…, ret, is_async) or, without one, calls
//     aio_complete itself when is_async; dio_bio_end_aio no longer calls
//     aio_complete; i_alloc_sem is released after the completion; the
//     unplug moves into the branch that waits; lock_type becomes flags; the
//     submit_io hook (NULL for every caller modelled); the trim of a failed
//     extending write leaves fs/direct-io.c for the filesystems.
func dioLater(v string) patchPart {
	switch v {
	case "v2.6.21":
		return patchPart{Files: map[string]string{dioFile: "v2.6.21", bioFile: "v2.6.21"}}
	case "v2.6.22":
		return patchPart{
			About: "direct_io_worker drops the BUG_ON(!dio->is_async && ret2 != 0) that read the dio after the submitter had dropped its reference, when the last bio completion may already have freed it; 2.6.22.y clears map_bh.b_state when it sets up the dio.",
			Files: map[string]string{dioFile: "v2.6.22", bioFile: "v2.6.22"},
			Edits: []Edit{
				{Op: Replace, Step: "direct_io_worker:init", emit: workerInit2622},
				{Op: Replace, Step: "direct_io_worker:drop-ref", emit: dropRefNoIsAsync},
				{Op: Remove, Step: "direct_io_worker:check-ref"},
			},
		}
	case "v2.6.32":
		return patchPart{
			About: "bio_endio and the dio's bi_end_io functions lose the byte count and the partial-completion return (void bi_end_io); the dio is allocated zeroed; a direct write that extended the file and failed truncates what it instantiated past i_size (DIO_LOCKING).",
			Files: map[string]string{dioFile: "v2.6.32", bioFile: "v2.6.32"},
			Edits: []Edit{
				{Op: Replace, Step: "bio_endio:end-io", emit: bioEndioVoid},
				{Op: Remove, Step: "dio_bio_end_aio:return"},
				{Op: Replace, Step: "dio_bio_end_aio:kfree", emit: endAioKfreeVoid},
				{Op: Replace, Step: "dio_bio_end_io:queue-bio", emit: endIOVoid},
				{Op: Replace, Step: "__blockdev_direct_IO:alloc-dio", emit: allocDio2632},
				{Op: Replace, Step: "direct_io_worker:init", emit: workerInit2632},
				{Op: Replace, Step: "do_direct_IO:get-page", emit: getPageFast},
				{Op: InsertBefore, Step: "__blockdev_direct_IO:return", emit: trimFailedWrite},
			},
		}
	case "v2.6.36":
		return patchPart{
			About: "dio_complete takes is_async: it computes the result first, then hands it to ->end_io with is_async, or without an end_io calls aio_complete itself when is_async, and only then releases i_alloc_sem; dio_bio_end_aio calls dio_complete(…, true) and no longer aio_complete; direct_io_worker calls dio_complete(…, false) and unplugs the queue only when it waits; lock_type becomes flags, and the trim of a failed extending write moves out to the filesystems.",
			Files: map[string]string{dioFile: "v2.6.36", bioFile: "v2.6.36"},
			funcs: map[string]func(b *builder){
				"dio_complete": dioCompleteAsync,
			},
			Edits: []Edit{
				// dio_bio_end_aio's remaining == 0 branch: dio_complete(…, true)
				// completes the iocb itself or through ->end_io, then kfree.
				{Op: Alter, Step: "dio_bio_end_aio:dio-complete", Alter: setText("remaining == 0: dio_complete(dio, dio->iocb->ki_pos, 0, true)")},
				{Op: Remove, Step: "dio_bio_end_aio:aio-complete"},
				{Op: Replace, Step: "__blockdev_direct_IO:alloc-dio", emit: allocDio2636},
				{Op: Replace, Step: "__blockdev_direct_IO:lock-i-mutex", emit: lockIMutex2636},
				{Op: Replace, Step: "__blockdev_direct_IO:down-alloc-sem", emit: downAllocSem2636},
				{Op: Remove, Step: "__blockdev_direct_IO:trim-failed-write"},
				{Op: Replace, Step: "__blockdev_direct_IO:return", emit: blockdevReturn2636},
				{Op: Replace, Step: "direct_io_worker:init", emit: workerInit2636},
				{Op: Replace, Step: "get_more_blocks:get-block", emit: getBlockSkipHoles},
				{Op: Replace, Step: "dio_bio_submit:submit", emit: submitBioHook},
				{Op: Replace, Step: "direct_io_worker:tail-cur-page", emit: tailCurPage2636},
				{Op: Replace, Step: "direct_io_worker:unplug", emit: workerUnplug2636},
				{Op: Replace, Step: "direct_io_worker:queue-or-wait", emit: queueOrWaitUnplug},
				{Op: Replace, Step: "direct_io_worker:dio-complete", emit: workerDioComplete2636},
			},
		}
	}
	return patchPart{}
}

// v2.6.22

// workerInit2622 is direct_io_worker's initialisation with 2.6.22.y's
// clearing of map_bh.b_state (get_more_blocks clears it again before
// every get_block, so it changes nothing the model sees).
func workerInit2622(b *builder) {
	b.add(b.dio("direct_io_worker:init"),
		"direct_io_worker: initialise the dio (bio = NULL, block_in_file = offset >> blkbits, map_bh.b_private = NULL, map_bh.b_state = 0, result = io_error = page_errors = 0, iocb, dio->i_size = i_size_read(inode), refcount = 1, bio_lock, bio_list = NULL, waiter = NULL, pages_in_io); segment 0: size += iov_len, final_block_in_request, head = tail = curr_page = 0, total_pages",
		func(c *Ctx) { workerInit(c, true) })
	b.privateInode()
}

// dropRefNoIsAsync is direct_io_worker's reference drop once "dio: remove
// bogus refcounting BUG_ON" took out the is_async test: the tests that
// remain are on the locals ret2 and ret, so they belong to the locked
// section's step, and once ret2 != 0 the submitter does not touch the dio
// again.
func dropRefNoIsAsync(b *builder) {
	end := b.named("tail-end")
	b.add(b.dio("direct_io_worker:drop-ref"),
		"spin_lock_irqsave(&dio->bio_lock); ret2 = --dio->refcount; spin_unlock_irqrestore(&dio->bio_lock); if ret2 == 0: go on to dio_complete and kfree; else BUG_ON(ret != -EIOCBQUEUED)",
		func(c *Ctx) {
			r := c.R
			l := c.L()
			useDio(c)
			r.Dio.Refcount--
			l.Ret2 = int64(r.Dio.Refcount)
			testRet2(c, end)
		})
	b.lastGuard(bioLockFree)
}

// v2.6.32

// bioEndioVoid is bio_endio(bio, error) calling a void bi_end_io(bio,
// error): no byte count, no bi_size test, no partial completion.
func bioEndioVoid(b *builder) {
	b.choice(b.bio("bio_endio:end-io"),
		"the device completes the bio: bio_endio(bio, error) clears BIO_UPTODATE on error and calls bio->bi_end_io(bio, error), with no byte count and no partial completion; bi_end_io: dio = bio->bi_private",
		faultOutcomes(sim.FaultEIO, nil), okOr("eio"), bioEndio(b.named("end-io")))
	b.inlines("fs/direct-io.c:dio_bio_end_aio", "fs/direct-io.c:dio_bio_end_io")
	b.private() // as in buildBioEnd: only the bio's own struct
}

// endAioKfreeVoid is the last statement of the void dio_bio_end_aio: the
// completion ends with the kfree.
func endAioKfreeVoid(b *builder) {
	b.add(b.dio("dio_bio_end_aio:kfree"), "kfree(dio); dio_bio_end_aio returns (void)",
		func(c *Ctx) { c.R.Free(sim.ObjDio, &c.Step.Loc); c.Finish() })
}

// endIOVoid is the void dio_bio_end_io.
func endIOVoid(b *builder) {
	b.add(b.dio("dio_bio_end_io:queue-bio"),
		"dio_bio_end_io: spin_lock_irqsave(&dio->bio_lock); bio->bi_private = dio->bio_list; dio->bio_list = bio; if --dio->refcount == 1 && dio->waiter: wake_up_process(dio->waiter); spin_unlock_irqrestore",
		endIORefcount)
	b.lastGuard(bioLockFree)
}

// allocDio2632: kzalloc and WRITE_ODIRECT.
func allocDio2632(b *builder) {
	b.add(b.dio("__blockdev_direct_IO:alloc-dio"),
		"__blockdev_direct_IO: if rw & WRITE: rw = WRITE_ODIRECT; alignment checks pass; dio = kzalloc(sizeof(*dio)); dio->lock_type = dio_lock_type",
		allocDio(b.lockType(), b.xfsFS()))
	b.private()
}

// workerInit2632 is direct_io_worker's initialisation of a dio that came
// zeroed from kzalloc: only the non-zero fields are set.
func workerInit2632(b *builder) {
	b.add(b.dio("direct_io_worker:init"),
		"direct_io_worker: the dio came zeroed; set inode, rw, block_in_file = offset >> blkbits, get_block, end_io, final_block_in_bio = next_block_for_io = -1, iocb, dio->i_size = i_size_read(inode), bio_lock, refcount = 1, pages_in_io; segment 0: size += iov_len, final_block_in_request, head = tail = curr_page = 0, total_pages",
		func(c *Ctx) { workerInit(c, true) })
	b.privateInode()
}

// getPageFast is do_direct_IO's dio_get_page with get_user_pages_fast.
func getPageFast(b *builder) {
	b.choice(b.dio("do_direct_IO:get-page"),
		"while block_in_file < final_block_in_request: page = dio_get_page(dio): when no page is queued, dio_refill_pages calls get_user_pages_fast for the rest of the buffer; an error comes back as ret",
		gupOutcomes, gupName, getPage(b.named("ddio-out")))
	b.private()
	b.inlines("dio_get_page", "dio_refill_pages")
}

// trimFailedWrite is __blockdev_direct_IO's trim of a failed extending
// write ("fs: truncate blocks outside i_size after O_DIRECT write error"):
// vmtruncate frees the blocks the write instantiated past i_size. Only a
// DIO_LOCKING write program has it: for the others the test on the lock
// type fails, and reading i_size changes nothing.
//
// In the model the blocks past i_size are the request's blocks there:
// their data is gone (Data 0), and nothing reads them before a later write
// (a read stops at i_size). Private with one iocb: the submitter holds
// i_mutex (generic_file_aio_write), i_size only changes under it, and the
// failed write's bios have all completed (an extending write is never
// is_async).
func trimFailedWrite(b *builder) {
	if !b.write() || b.lockType() != sim.DIOLocking {
		return
	}
	b.add(b.dio("__blockdev_direct_IO:trim-failed-write"),
		"if retval < 0 && (rw & WRITE): isize = i_size_read(inode); if end > isize && dio_lock_type == DIO_LOCKING: vmtruncate(inode, isize), which frees the blocks past isize and drops their pages",
		func(c *Ctx) {
			s := c.S
			l := c.L()
			if l.Ret >= 0 {
				return
			}
			end := l.Pos + int64(s.Scn.Blocks)*sim.BlockSize
			isize := s.Inode.ISize
			if end <= isize {
				return
			}
			for blk := range s.Inode.Data {
				if int64(blk)*sim.BlockSize >= isize {
					s.Inode.Data[blk] = 0
				}
			}
		})
	b.privateInode()
}

// v2.6.36

// dioCompleteIsAsync is dio_complete's is_async in 2.6.36: true when the
// bio completion (dio_bio_end_aio) calls it, false when direct_io_worker
// does.
func dioCompleteIsAsync(c *Ctx) bool { return c.Act.Kind == sim.BioEnd }

// dioCompleteAsync is 2.6.36's dio_complete(dio, offset, ret, is_async):
// the result first, then ->end_io with it and is_async, or aio_complete
// for an async completion without an end_io, then the i_alloc_sem
// release. Offset in Off, ret selected by b.arg (Ret at both call sites);
// the end_io (XFS's, b.xfsEndIO) finds transferred in Transferred and ret
// through b.arg while it is emitted.
func dioCompleteAsync(b *builder) {
	ret := b.arg
	b.add(b.dio("dio_complete:transferred"),
		"dio_complete: if ret == -EIOCBQUEUED: ret = 0; transferred = 0; if dio->result: transferred = dio->result, clamped to dio->i_size - offset for a read past EOF",
		func(c *Ctx) { dioCompleteTransferred(c, ret, true) })
	b.add(b.dio("dio_complete:ret"),
		"if ret == 0: ret = dio->page_errors; if ret == 0: ret = dio->io_error; if ret == 0: ret = transferred",
		dioCompleteRet(ret))
	callEndIO := b.label("dc-end-io")
	after := b.label("dc-after")
	b.add(b.dio("dio_complete:end-io"),
		"if dio->end_io && dio->result: dio->end_io(dio->iocb, offset, transferred, dio->map_bh.b_private, ret, is_async); else if is_async (true from the bio completion, false from the submitter)",
		func(c *Ctx) {
			useDio(c)
			if c.R.Dio.EndIO && c.R.Dio.Result != 0 {
				c.Goto(callEndIO)
				return
			}
			if !dioCompleteIsAsync(c) {
				c.Goto(after)
			}
		})
	b.aioComplete(b.dio("dio_complete:aio-complete"), "aio_complete(dio->iocb, ret, 0)", true, ret)
	do := b.lastStep().Do
	b.lastStep().Do = func(c *Ctx) { do(c); c.Goto(after) }
	b.mark(callEndIO)
	b.xfsEndIO()
	b.mark(after)
	b.add(b.dio("dio_complete:up-alloc-sem"),
		"if dio->flags & DIO_LOCKING: up_read_non_owner(&dio->inode->i_alloc_sem); return ret",
		func(c *Ctx) {
			useDio(c)
			if c.R.Dio.LockType == sim.DIOLocking {
				c.S.Inode.AllocSem--
			}
		})
}

// lockType2636 is the model's dio lock type for 2.6.36's flags: the
// generic filesystem (blockdev_direct_IO) passes DIO_LOCKING |
// DIO_SKIP_HOLES, which the model writes sim.DIOLocking (both tests,
// flags & DIO_LOCKING and flags & DIO_SKIP_HOLES, then hold); XFS passes
// 0 for both directions, written 0: no locking, and get_more_blocks
// leaves create = rw & WRITE.
func (b *builder) lockType2636() int8 {
	if b.xfsFS() {
		return 0
	}
	return sim.DIOLocking
}

// allocDio2636: kmalloc with the fields before pages[] zeroed, flags for
// the lock type; XFS sets an end_io for writes only.
func allocDio2636(b *builder) {
	b.add(b.dio("__blockdev_direct_IO:alloc-dio"),
		"__blockdev_direct_IO: if rw & WRITE: rw = WRITE_ODIRECT_PLUG; alignment checks pass; dio = kmalloc(sizeof(*dio)); memset(dio, 0, offsetof(struct dio, pages)); dio->flags = flags (for the generic filesystem they ask for the locking and for skipping holes, for XFS they are 0)",
		allocDio(b.lockType2636(), b.xfsFS() && b.write()))
	b.private()
}

func lockIMutex2636(b *builder) {
	b.add(b.dio("__blockdev_direct_IO:lock-i-mutex"),
		"dio->flags & DIO_LOCKING, rw == READ && end > offset: mutex_lock(&inode->i_mutex) (released in the worker); retval = filemap_write_and_wait_range(mapping, offset, end - 1): no dirty pages, 0",
		lockIMutex)
	b.privateInode()
	b.lastGuard(iMutexFree)
}

func downAllocSem2636(b *builder) {
	b.add(b.dio("__blockdev_direct_IO:down-alloc-sem"),
		"dio->flags & DIO_LOCKING: down_read_non_owner(&inode->i_alloc_sem) (released at I/O completion)",
		func(c *Ctx) { c.S.Inode.AllocSem++ })
	b.privateInode()
}

func blockdevReturn2636(b *builder) {
	b.add(b.dio("__blockdev_direct_IO:return"), "out: return retval", func(c *Ctx) {})
	b.private()
}

// workerInit2636 is direct_io_worker's initialisation of a dio zeroed up
// to pages[], with the submit_io hook.
func workerInit2636(b *builder) {
	b.add(b.dio("direct_io_worker:init"),
		"direct_io_worker: the dio came zeroed up to its page array; set inode, rw, block_in_file = offset >> blkbits, get_block, end_io, submit_io (none of the callers modelled passes one), final_block_in_bio = next_block_for_io = -1, iocb, dio->i_size = i_size_read(inode), bio_lock, refcount = 1, pages_in_io; segment 0: size += iov_len, final_block_in_request, head = tail = curr_page = 0, total_pages",
		func(c *Ctx) { workerInit(c, true) })
	b.privateInode()
}

// getBlockSkipHoles: create is cleared inside i_size by DIO_SKIP_HOLES
// (the model's DIOLocking for 2.6.36, see lockType2636).
func getBlockSkipHoles(b *builder) {
	b.choice(b.dio("get_more_blocks:get-block"),
		"get_more_blocks: page_errors is 0; create = dio->rw & WRITE, cleared when dio->flags & DIO_SKIP_HOLES and block_in_file < (i_size_read(dio->inode) >> blkbits); ret = get_block(inode, block, &map_bh, create)",
		getBlockOutcomes, getBlockName, getBlock(b.named("ddio-out"), b.named("ddio-mapped")))
	b.privateInode()
}

// submitBioHook is dio_bio_submit with 2.6.35's submit_io hook, NULL for
// every caller modelled: a load of a field only the submitter wrote.
func submitBioHook(b *builder) {
	b.add(b.dio("dio_bio_submit:submit"),
		"if dio->is_async && dio->rw == READ: bio_set_pages_dirty(bio); dio->submit_io is NULL: submit_bio(dio->rw, bio) (the bio's completion may run from now on); dio->bio = NULL; dio->boundary = 0; dio->logical_offset_in_bio = 0",
		submitBio)
}

// tailCurPage2636: -ENOTBLK becomes 0 for reads too (a read never gets
// it from do_direct_IO).
func tailCurPage2636(b *builder) {
	b.add(b.dio("direct_io_worker:tail-cur-page"),
		"if ret == -ENOTBLK: ret = 0; dio_zero_block(dio, 1) (blkfactor is 0: nothing); if dio->cur_page: ret2 = dio_send_cur_page(dio), which submits dio->bio first when there is one (it does not end at cur_page_block)",
		tailCurPage(b.named("tail-nocur"), b.named("tail-newbio"), false))
	b.private()
	b.inlines("dio_send_cur_page")
}

// workerUnplug2636: the unplug is no longer here (queueOrWaitUnplug).
func workerUnplug2636(b *builder) {
	b.add(b.dio("direct_io_worker:unplug"), "dio_cleanup(dio); if rw == READ && (dio->flags & DIO_LOCKING): mutex_unlock(&dio->inode->i_mutex)", workerUnplug)
	b.privateInode()
}

// queueOrWaitUnplug: blk_run_address_space only on the way to waiting.
// The model has no request-queue plugging: a submitted bio may complete
// at any time, as in every version.
func queueOrWaitUnplug(b *builder) {
	b.add(b.dio("direct_io_worker:queue-or-wait"),
		"BUG_ON(ret == -EIOCBQUEUED); if dio->is_async && ret == 0 && dio->result && ((rw & READ) || dio->result == dio->size): ret = -EIOCBQUEUED; if ret != -EIOCBQUEUED: blk_run_address_space(inode->i_mapping), dio_await_completion(dio)",
		queueOrWait(b.named("tail-dec")))
}

func workerDioComplete2636(b *builder) {
	b.add(b.dio("direct_io_worker:dio-complete"),
		"ret = dio_complete(dio, offset, ret, false) (offset is the worker's argument; false: dio_complete leaves aio_complete to the caller, fs/direct-io.c:252-253)",
		func(c *Ctx) { c.L().Off = c.L().Pos })
}
