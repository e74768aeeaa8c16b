package model

import (
	"fmt"

	"diosim/sim"
)

func bioLockFree(s *sim.State, a int) bool {
	r := s.ReqOf(a)
	return r.Dio.BioLock == 0 || r.Dio.BioLock == int8(a+1)
}

func (b *builder) lockType() int8 {
	if !b.xfsFS() {
		return sim.DIOLocking
	}
	if b.write() {
		return sim.DIOOwnLocking
	}
	return sim.DIONoLocking
}

// blockdevDirectIO emits __blockdev_direct_IO (identical text in all four
// versions) with the lock type of the program's filesystem. Result in Ret.
func (b *builder) blockdevDirectIO() {
	lt := b.lockType()
	xfs := b.xfsFS()
	b.add(b.dio("__blockdev_direct_IO:alloc-dio"),
		"__blockdev_direct_IO: if rw & WRITE: rw = WRITE_SYNC; alignment checks pass; dio = kmalloc(sizeof(*dio)); dio->lock_type = dio_lock_type",
		func(c *Ctx) {
			s, r := c.S, c.R
			r.Alloc(sim.ObjDio)
			r.Dio.Rw = sim.RWRead
			if s.Scn.Op == sim.Write {
				r.Dio.Rw = sim.WriteSync
			}
			r.Dio.LockType = lt
			r.Dio.EndIO = xfs
		})
	b.private()
	if lt == sim.DIOLocking && !b.write() {
		b.add(b.dio("__blockdev_direct_IO:lock-i-mutex"),
			"rw == READ && end > offset: mutex_lock(&inode->i_mutex); release_i_mutex = 1; retval = filemap_write_and_wait_range(mapping, offset, end - 1): no dirty pages, 0",
			lockIMutex)
		b.privateInode()
		b.lastGuard(iMutexFree)
	}
	if lt == sim.DIOLocking {
		b.add(b.dio("__blockdev_direct_IO:down-alloc-sem"),
			"dio_lock_type == DIO_LOCKING: down_read_non_owner(&inode->i_alloc_sem)",
			func(c *Ctx) { c.S.Inode.AllocSem++ })
		b.privateInode()
	}
	b.add(b.dio("__blockdev_direct_IO:is-async"),
		"dio->is_async = !is_sync_kiocb(iocb) && !((rw & WRITE) && (end > i_size_read(inode)))",
		func(c *Ctx) {
			s, r := c.S, c.R
			end := c.L().Pos + int64(s.Scn.Blocks)*sim.BlockSize
			r.Dio.IsAsync = !r.Kiocb.IsSync && !(s.Scn.Op == sim.Write && end > s.Inode.ISize)
		})
	b.privateInode()
	b.worker()
	b.add(b.dio("__blockdev_direct_IO:return"),
		"if rw == READ && dio_lock_type == DIO_LOCKING: release_i_mutex = 0 (the worker dropped it); out: return retval",
		func(c *Ctx) {})
	b.private()
}

// worker emits direct_io_worker for one segment. Result in Ret.
func (b *builder) worker() {
	b.add(b.dio("direct_io_worker:init"),
		"direct_io_worker: initialise the dio (bio = NULL, block_in_file = offset >> blkbits, result = io_error = page_errors = 0, iocb, dio->i_size = i_size_read(inode), bio_count = 1, bios_in_flight = 0, bio_lock, bio_list = NULL, waiter = NULL, pages_in_io); segment 0: size += iov_len, final_block_in_request, head = tail = curr_page = 0, total_pages",
		func(c *Ctx) { workerInit(c, false) })
	b.privateInode()
	b.doDirectIO()
	b.add(b.dio("direct_io_worker:result"),
		"dio->result += iov_len - ((final_block_in_request - block_in_file) << blkbits); if ret: dio_cleanup(dio), leave the segment loop",
		func(c *Ctx) {
			useDio(c)
			c.R.Dio.Result += int64(c.R.Dio.BlockInFile) * sim.BlockSize
		})
	b.private()
	noCur := b.label("tail-nocur")
	newBio := b.label("tail-newbio")
	b.add(b.dio("direct_io_worker:tail-cur-page"),
		"if ret == -ENOTBLK && (rw & WRITE): ret = 0; dio_zero_block(dio, 1) (blkfactor is 0: nothing); if dio->cur_page: ret2 = dio_send_cur_page(dio), which submits dio->bio first when there is one (it does not end at cur_page_block)",
		func(c *Ctx) {
			l := c.L()
			if l.Ret == -sim.ENOTBLK && c.S.Scn.Op == sim.Write {
				l.Ret = 0
			}
			if c.R.Dio.CurPage < 0 {
				c.Goto(noCur)
			} else if c.R.Dio.Bio < 0 {
				c.Goto(newBio)
			}
		})
	b.private()
	b.inlines("dio_send_cur_page")
	b.dioBioSubmit()
	b.mark(newBio)
	b.add(b.dio("dio_send_cur_page:tail-new-bio"),
		"dio_send_cur_page: dio->bio == NULL: dio_new_bio(dio, dio->cur_page_block) (dio_bio_reap: nothing to reap; dio_bio_alloc: bio->bi_end_io = dio->is_async ? dio_bio_end_aio : dio_bio_end_io; dio->bio = bio); dio_bio_add_page(dio); back in direct_io_worker: page_cache_release(dio->cur_page), dio->cur_page = NULL ("+b.ref(dioFile, "direct_io_worker:release-cur-page")+")",
		func(c *Ctx) {
			newBioForCurPage(c)
			c.R.Dio.CurPage = -1
		})
	b.private()
	b.inlines("dio_new_bio", "dio_bio_reap", "dio_bio_alloc", "dio_bio_add_page")
	b.mark(noCur)
	done := b.label("tail-nobio")
	b.add(b.dio("direct_io_worker:submit-bio"),
		"if dio->bio: dio_bio_submit(dio)",
		func(c *Ctx) {
			if c.R.Dio.Bio < 0 {
				c.Goto(done)
			}
		})
	b.private()
	b.dioBioSubmit()
	b.mark(done)
	b.add(b.dio("direct_io_worker:unplug"), "dio_cleanup(dio); if rw == READ && dio->lock_type == DIO_LOCKING: mutex_unlock(&inode->i_mutex)", workerUnplug)
	b.privateInode()
	b.sec("direct_io_worker:tail")
}

// workerInit is direct_io_worker's initialisation of the dio; refcount
// says whether the bio counters are the reference count of the clean-ups.
func workerInit(c *Ctx, refcount bool) {
	s, r := c.S, c.R
	d := &r.Dio
	d.ISize = s.Inode.ISize
	if refcount {
		d.Refcount = 1
	} else {
		d.BioCount, d.BiosInFlight = 1, 0
	}
	d.BioList, d.Waiter, d.Bio, d.CurPage = -1, 0, -1, -1
	d.Size = int64(s.Scn.Blocks) * sim.BlockSize
	d.FinalBlock = int32(s.Scn.Blocks)
	c.L().Ret = 0
	c.L().Ret2 = 0
}

// workerInitRefcount is direct_io_worker's initialisation once the bio
// counters are a reference count ("dio: formalize bio counters as a dio
// reference count").
func workerInitRefcount(b *builder) {
	b.add(b.dio("direct_io_worker:init"),
		"direct_io_worker: initialise the dio (bio = NULL, block_in_file = offset >> blkbits, result = io_error = page_errors = 0, iocb, dio->i_size = i_size_read(inode), refcount = 1, bio_lock, bio_list = NULL, waiter = NULL, pages_in_io); segment 0: size += iov_len, final_block_in_request, head = tail = curr_page = 0, total_pages",
		func(c *Ctx) { workerInit(c, true) })
	b.privateInode()
}

// workerUnplug is the unplug at the end of direct_io_worker's submission
// loop; the clean-ups ("dio: call blk_run_address_space() once per op")
// add blk_run_address_space to its text.
func workerUnplug(c *Ctx) {
	s, r := c.S, c.R
	if s.Scn.Op == sim.Read && r.Dio.LockType == sim.DIOLocking {
		unlockIMutex(c, "mutex_unlock of i_mutex")
	}
}

// workerUnplugOnce is the unplug step after "dio: call
// blk_run_address_space() once per op".
func workerUnplugOnce(b *builder) {
	b.add(b.dio("direct_io_worker:unplug"), "blk_run_address_space(inode->i_mapping); dio_cleanup(dio); if rw == READ && dio->lock_type == DIO_LOCKING: mutex_unlock(&inode->i_mutex)", workerUnplug)
	b.privateInode()
}

// newBioForCurPage is dio_new_bio + dio_bio_alloc + dio_bio_add_page for
// the deferred cur_page: its block gets its own bio. dio_bio_reap reaps
// only from the 65th new bio on (reap_counter >= 64), which a request of at
// most 64 blocks never reaches, so reap_counter is not kept.
func newBioForCurPage(c *Ctx) {
	r := c.R
	i := r.Dio.CurPage
	r.Bios[i].State = sim.BioAllocated
	r.Bios[i].Uptodate = true
	r.Bios[i].EndAIO = r.Dio.IsAsync
	r.Dio.Bio = int8(i)
}

// doDirectIO emits do_direct_IO's block loop for a page-aligned buffer
// with blkbits == PAGE_SHIFT: each iteration gets a user page, maps one
// block and hands the previous block's page to a bio. Result in Ret.
func (b *builder) doDirectIO() {
	loop := b.label("block-loop")
	out := b.label("ddio-out")
	mapped := b.label("ddio-mapped")
	b.mark(loop)
	b.choice(b.dio("do_direct_IO:get-page"),
		"while block_in_file < final_block_in_request: page = dio_get_page(dio): when no page is queued, dio_refill_pages calls get_user_pages for the rest of the buffer; an error comes back as ret",
		gupOutcomes, gupName,
		func(c *Ctx) {
			r := c.R
			d := &r.Dio
			l := c.L()
			if d.BlockInFile >= d.FinalBlock {
				c.Goto(out)
				return
			}
			if d.PagesPinned > d.BlockInFile {
				return // a page is queued
			}
			limit := d.FinalBlock
			if c.Choice > 0 {
				d.GupBad = d.BlockInFile + int32(c.Choice)
			}
			if d.GupBad != 0 {
				limit = d.GupBad - 1
			}
			if limit <= d.BlockInFile {
				l.Ret = -sim.EFAULT
				r.Facts.FaultsMet |= sim.ErrMetEFAULT
				c.Goto(out)
				return
			}
			d.PagesPinned = limit
		})
	b.private()
	b.inlines("dio_get_page", "dio_refill_pages")
	b.choice(b.dio("get_more_blocks:get-block"),
		"get_more_blocks: page_errors is 0; create = rw & WRITE, cleared for DIO_LOCKING when block_in_file < (i_size_read(inode) >> blkbits) and for DIO_NO_LOCKING; ret = get_block(inode, block, &map_bh, create)",
		getBlockOutcomes, getBlockName,
		func(c *Ctx) {
			s, r := c.S, c.R
			d := &r.Dio
			isMapped, _ := baseMapping(s, r)
			switch getBlockOutcome(s, c.A, c.Choice) {
			case "getblock:-EIO":
				c.L().Ret = -sim.EIO
				r.Facts.FaultsMet |= sim.ErrMetGetBlock
				c.Goto(out)
				return
			case "hole":
				r.Facts.FaultsMet |= sim.HoleMet
				isMapped = false
			}
			if isMapped && s.Scn.FS == sim.XFS && s.Scn.Op == sim.Write {
				// __xfs_get_blocks maps an unwritten extent for a direct
				// write and sets map_bh.b_private to the inode
				// (xfs_aops.c@v2.6.20:1271-1276).
				d.BPrivate = true
				s.Inode.Unwritten[s.Block(int(c.Act.Req), int(d.BlockInFile))] = true
			}
			if isMapped {
				c.Goto(mapped)
			}
		})
	b.privateInode()
	b.add(b.dio("do_direct_IO:hole"),
		"do_holes: !buffer_mapped(map_bh): a write returns -ENOTBLK; a read stops at EOF when block_in_file >= ALIGN(i_size_read(inode)) >> blkbits, else zero-fills the block in the page and moves on",
		func(c *Ctx) {
			s, r := c.S, c.R
			d := &r.Dio
			if s.Scn.Op == sim.Write {
				c.L().Ret = -sim.ENOTBLK
				c.Goto(out)
				return
			}
			abs := r.Pos + int64(d.BlockInFile)*sim.BlockSize
			aligned := (s.Inode.ISize + sim.BlockSize - 1) / sim.BlockSize * sim.BlockSize
			if abs >= aligned {
				c.L().Ret = 0
				c.Goto(out)
				return
			}
			d.BlockInFile++
			c.Goto(loop)
		})
	b.privateInode()
	b.mark(mapped)
	newBio := b.label("ddio-newbio")
	b.add(b.dio("submit_page_section:send-cur-page"),
		"do_direct_IO: blocks_available = 1, next_block_for_io = b_blocknr ("+b.ref(dioFile, "do_direct_IO:map")+"); submit_page_section(dio, page, offset, len, next_block_for_io): page is not dio->cur_page; with no deferred page: dio->cur_page = page; do_direct_IO: on to the next block ("+b.ref(dioFile, "do_direct_IO:advance")+"); else dio_send_cur_page(dio): if dio->bio (it does not end at cur_page_block): dio_bio_submit(dio)",
		func(c *Ctx) {
			d := &c.R.Dio
			if d.CurPage < 0 {
				d.CurPage = d.BlockInFile
				d.BlockInFile++
				c.Goto(loop)
				return
			}
			if d.Bio < 0 {
				c.Goto(newBio)
			}
		})
	b.private()
	b.inlines("dio_send_cur_page")
	b.dioBioSubmit()
	b.mark(newBio)
	b.add(b.dio("dio_send_cur_page:new-bio"),
		"dio_send_cur_page: dio->bio == NULL: dio_new_bio(dio, dio->cur_page_block) (dio_bio_reap: nothing to reap; dio_bio_alloc: bio->bi_end_io = dio->is_async ? dio_bio_end_aio : dio_bio_end_io; dio->bio = bio); dio_bio_add_page(dio); back in submit_page_section: page_cache_release(dio->cur_page), dio->cur_page = page ("+b.ref(dioFile, "submit_page_section:install")+"); do_direct_IO: block_in_file += 1, page_cache_release(page) ("+b.ref(dioFile, "do_direct_IO:advance")+")",
		func(c *Ctx) {
			newBioForCurPage(c)
			d := &c.R.Dio
			d.CurPage = d.BlockInFile
			d.BlockInFile++
			c.Goto(loop)
		})
	b.private()
	b.inlines("dio_new_bio", "dio_bio_reap", "dio_bio_alloc", "dio_bio_add_page")
	b.mark(out)
}

func gupOutcomes(s *sim.State, a int) int {
	r := s.ReqOf(a)
	d := &r.Dio
	if !s.Scn.Faults.Has(sim.FaultGUP) || d.GupBad != 0 || d.BlockInFile >= d.FinalBlock || d.PagesPinned > d.BlockInFile {
		return 1
	}
	return 1 + int(d.FinalBlock-d.BlockInFile)
}

func gupName(s *sim.State, a, k int) string {
	r := s.ReqOf(a)
	if k == 0 {
		return "ok"
	}
	return fmt.Sprintf("gup:-EFAULT@block%d", int(r.Dio.BlockInFile)+k-1)
}

// baseMapping is what get_block finds without faults: whether the block is
// mapped, and whether it is allocated by this call (create).
func baseMapping(s *sim.State, r *sim.Req) (isMapped, create bool) {
	d := &r.Dio
	abs := r.Pos + int64(d.BlockInFile)*sim.BlockSize
	allocated := abs < s.Inode.ISize
	if s.Scn.Op == sim.Write {
		create = true
		if d.LockType == sim.DIOLocking && abs/sim.BlockSize < s.Inode.ISize/sim.BlockSize {
			create = false
		}
		if d.LockType == sim.DIONoLocking {
			create = false
		}
	}
	return allocated || create, create
}

func getBlockOutcomesList(s *sim.State, a int) (eio, hole bool) {
	isMapped, create := baseMapping(s, s.ReqOf(a))
	eio = s.Scn.Faults.Has(sim.FaultGetBlock)
	hole = s.Scn.Faults.Has(sim.FaultHole) && isMapped && !create
	return
}

func getBlockOutcomes(s *sim.State, a int) int {
	eio, hole := getBlockOutcomesList(s, a)
	n := 1
	if eio {
		n++
	}
	if hole {
		n++
	}
	return n
}

func getBlockOutcome(s *sim.State, a, k int) string {
	if k == 0 {
		return "ok"
	}
	// Outcome 1 is -EIO when that fault is on; the last is the hole.
	if eio, _ := getBlockOutcomesList(s, a); eio && k == 1 {
		return "getblock:-EIO"
	}
	return "hole"
}

func getBlockName(s *sim.State, a, k int) string { return getBlockOutcome(s, a, k) }

// dioBioSubmit emits dio_bio_submit for dio->bio.
func (b *builder) dioBioSubmit() {
	b.add(b.dio("dio_bio_submit:get-ref"),
		"dio_bio_submit: bio->bi_private = dio; spin_lock_irqsave(&dio->bio_lock); dio->bio_count++; dio->bios_in_flight++; spin_unlock_irqrestore",
		func(c *Ctx) { useDio(c); c.R.Dio.BioCount++; c.R.Dio.BiosInFlight++ })
	b.lastGuard(bioLockFree)
	b.add(b.dio("dio_bio_submit:submit"),
		"if dio->is_async && dio->rw == READ: bio_set_pages_dirty(bio); submit_bio(dio->rw, bio) (the bio's completion may run from now on); dio->bio = NULL; dio->boundary = 0",
		func(c *Ctx) {
			useDio(c)
			d := &c.R.Dio
			c.R.Bios[d.Bio].State = sim.BioSubmitted
			d.Bio = -1
		})
}

// getRefAtomic is dio_bio_submit's reference after "dio: formalize bio
// counters as a dio reference count": atomic_inc, no lock.
func getRefAtomic(b *builder) {
	b.add(b.dio("dio_bio_submit:get-ref"),
		"dio_bio_submit: bio->bi_private = dio; atomic_inc(&dio->refcount)",
		func(c *Ctx) { useDio(c); c.R.Dio.Refcount++ })
}

// getRefLocked is dio_bio_submit's reference after "dio: lock refcount
// operations": the increment under bio_lock.
func getRefLocked(b *builder) {
	b.add(b.dio("dio_bio_submit:get-ref"),
		"dio_bio_submit: bio->bi_private = dio; spin_lock_irqsave(&dio->bio_lock); dio->refcount++; spin_unlock_irqrestore",
		func(c *Ctx) { useDio(c); c.R.Dio.Refcount++ })
	b.lastGuard(bioLockFree)
}
