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
	xfs := b.xfsFS() && !b.noEndIO
	b.add(b.dio("__blockdev_direct_IO:alloc-dio"),
		"__blockdev_direct_IO: if rw & WRITE: rw = WRITE_SYNC; alignment checks pass; dio = kmalloc(sizeof(*dio)); dio->lock_type = dio_lock_type",
		allocDio(lt, xfs))
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

// allocDio is the allocation of the dio in __blockdev_direct_IO: its
// lock type (or, from 2.6.36, its flags) and whether an end_io is set.
func allocDio(lt int8, endIO bool) func(c *Ctx) {
	return func(c *Ctx) {
		s, r := c.S, c.R
		r.Alloc(sim.ObjDio)
		r.Dio.Rw = sim.RWRead
		if s.Scn.Op == sim.Write {
			r.Dio.Rw = sim.WriteSync
		}
		r.Dio.LockType = lt
		r.Dio.EndIO = endIO
	}
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
		"if ret == -ENOTBLK && (rw & WRITE): ret = 0; dio_zero_block(dio, 1) (blkfactor is 0: nothing); if dio->cur_page: ret2 = dio_send_cur_page(dio): with dio->bio, if final_block_in_bio != cur_page_block (blocks elsewhere on disk) dio_bio_submit(dio) first, else dio_bio_add_page(dio) puts the page into it (contiguous blocks, map=extent), page_cache_release(dio->cur_page), dio->cur_page = NULL",
		tailCurPage(noCur, newBio, true))
	b.private()
	b.inlines("dio_send_cur_page", "dio_bio_add_page")
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

// tailCurPage is the start of direct_io_worker's tail: -ENOTBLK (for a
// write only, when writeOnly) becomes 0, then the deferred cur_page goes
// out (into dio->bio, or into a new bio at newBio); without one, on to
// noCur.
func tailCurPage(noCur, newBio *Label, writeOnly bool) func(c *Ctx) {
	return func(c *Ctx) {
		l := c.L()
		if l.Ret == -sim.ENOTBLK && (!writeOnly || c.S.Scn.Op == sim.Write) {
			l.Ret = 0
		}
		if c.R.Dio.CurPage < 0 {
			c.Goto(noCur)
		} else if c.R.Dio.Bio < 0 {
			c.Goto(newBio)
		} else if contiguous(c.S, c.R) {
			addCurPage(c.R)
			c.R.Dio.CurPage = -1
			c.Goto(noCur)
		}
	}
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

// contiguous is dio_send_cur_page's test final_block_in_bio ==
// cur_page_block: with map=extent the file's blocks lie in order on disk,
// so the deferred page continues dio->bio when its block follows the bio's
// last one; otherwise every block lies elsewhere and never continues a
// bio.
func contiguous(s *sim.State, r *sim.Req) bool {
	d := &r.Dio
	if !s.Scn.Extent || d.Bio < 0 {
		return false
	}
	return int32(d.Bio)+int32(r.Bios[d.Bio].More)+1 == d.CurPage
}

// addCurPage is dio_bio_add_page of the deferred page into dio->bio (the
// queue takes the whole request in one bio: bio_add_page does not refuse).
func addCurPage(r *sim.Req) { r.Bios[r.Dio.Bio].More++ }

// advanceBlock is do_direct_IO's advance past one block put under I/O:
// block_in_file++, blocks_available-- (fs/direct-io.c@v2.6.20:930-934).
func advanceBlock(d *sim.Dio) {
	d.BlockInFile++
	d.BlocksAvailable--
}

// mappedRun is how many blocks, from block_in_file on, one get_block call
// maps: one, or with map=extent every following block of the request that
// the filesystem maps the same way (mapped, and allocated by this call or
// not), as one extent.
func mappedRun(s *sim.State, r *sim.Req) int32 {
	d := &r.Dio
	if !s.Scn.Extent {
		return 1
	}
	m0, c0 := mappingAt(s, r, d.BlockInFile)
	n := int32(1)
	for b := d.BlockInFile + 1; b < d.FinalBlock; b++ {
		if m, c := mappingAt(s, r, b); m != m0 || c != c0 {
			break
		}
		n++
	}
	return n
}

// newBioForCurPage is dio_new_bio + dio_bio_alloc + dio_bio_add_page for
// the deferred cur_page: its block starts a new bio. dio_bio_reap reaps
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
		"while block_in_file < final_block_in_request: page = dio_get_page(dio): when no page is queued, dio_refill_pages calls get_user_pages for the rest of the buffer; if it fails while blocks_available && (rw & WRITE): if page_errors == 0: page_errors = ret; the ZERO_PAGE is the one queued page, ret = 0 (curr_user_address stays: the next refill tries the same page); else an error comes back as ret",
		gupOutcomes, gupName,
		getPage(out))
	b.private()
	b.inlines("dio_get_page", "dio_refill_pages")
	b.choice(b.dio("get_more_blocks:get-block"),
		"if blocks_available == 0: ret = get_more_blocks(dio): ret = dio->page_errors; if ret == 0: map_bh->b_size = the rest of the request; create = rw & WRITE, cleared for DIO_LOCKING when block_in_file < (i_size_read(inode) >> blkbits) and for DIO_NO_LOCKING; ret = get_block(inode, fs_startblk, map_bh, create); if ret: goto out; if buffer_mapped(map_bh): blocks_available = map_bh->b_size >> blkbits (one block, or with map=extent the run the filesystem maps alike), next_block_for_io = b_blocknr ("+b.ref(dioFile, "do_direct_IO:map")+")",
		getBlockOutcomes, getBlockName,
		getBlock(out, mapped))
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
		"do_direct_IO: submit_page_section(dio, page, offset, len, next_block_for_io): page is not dio->cur_page; with no deferred page: dio->cur_page = page; do_direct_IO: on to the next block, blocks_available -= this_chunk_blocks ("+b.ref(dioFile, "do_direct_IO:advance")+"); else dio_send_cur_page(dio): with dio->bio, if final_block_in_bio != cur_page_block: dio_bio_submit(dio); else (map=extent) dio_bio_add_page(dio) adds the deferred page to dio->bio, and the new page becomes dio->cur_page",
		func(c *Ctx) {
			d := &c.R.Dio
			if d.CurPage < 0 {
				d.CurPage = d.BlockInFile
				advanceBlock(d)
				c.Goto(loop)
				return
			}
			if d.Bio < 0 {
				c.Goto(newBio)
				return
			}
			if contiguous(c.S, c.R) {
				addCurPage(c.R)
				d.CurPage = d.BlockInFile
				advanceBlock(d)
				c.Goto(loop)
			}
		})
	b.private()
	b.inlines("dio_send_cur_page", "dio_bio_add_page")
	b.dioBioSubmit()
	b.mark(newBio)
	b.add(b.dio("dio_send_cur_page:new-bio"),
		"dio_send_cur_page: dio->bio == NULL: dio_new_bio(dio, dio->cur_page_block) (dio_bio_reap: nothing to reap; dio_bio_alloc: bio->bi_end_io = dio->is_async ? dio_bio_end_aio : dio_bio_end_io; dio->bio = bio); dio_bio_add_page(dio); back in submit_page_section: page_cache_release(dio->cur_page), dio->cur_page = page ("+b.ref(dioFile, "submit_page_section:install")+"); do_direct_IO: block_in_file += 1, blocks_available -= 1, page_cache_release(page) ("+b.ref(dioFile, "do_direct_IO:advance")+")",
		func(c *Ctx) {
			newBioForCurPage(c)
			d := &c.R.Dio
			d.CurPage = d.BlockInFile
			advanceBlock(d)
			c.Goto(loop)
		})
	b.private()
	b.inlines("dio_new_bio", "dio_bio_reap", "dio_bio_alloc", "dio_bio_add_page")
	b.mark(out)
}

// getPage is do_direct_IO's dio_get_page: the next pinned user page, or
// get_user_pages for the rest of the buffer, which may fail (outcome k > 0:
// the page of block k-1 from here cannot be pinned); an error goes to out.
func getPage(out *Label) func(c *Ctx) {
	return func(c *Ctx) {
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
		if gupRetry(d) && c.Choice == 1 {
			// The page was mapped meanwhile: get_user_pages pins
			// the rest of the buffer from the address where it
			// failed, so each later block gets the user page of
			// the block one zero-filled stretch before it (the
			// model's data does not tell pages apart).
			d.ZeroEnd = d.BlockInFile
			d.PagesPinned = d.FinalBlock
			return
		}
		limit := d.FinalBlock
		if c.Choice > 0 {
			d.GupBad = d.BlockInFile + int32(c.Choice)
		}
		if d.GupBad != 0 {
			limit = d.GupBad - 1
		}
		if limit <= d.BlockInFile {
			r.Facts.FaultsMet |= sim.ErrMetEFAULT
			if d.BlocksAvailable > 0 && c.S.Scn.Op == sim.Write {
				// Mapped blocks are outstanding: the ZERO_PAGE
				// stands in for the user page, so that they are
				// written (zeros) rather than left stale.
				if d.PageErrors == 0 {
					d.PageErrors = -sim.EFAULT
				}
				d.PagesPinned = d.BlockInFile + 1
				return
			}
			l.Ret = -sim.EFAULT
			c.Goto(out)
			return
		}
		d.PagesPinned = limit
	}
}

// getBlock is get_more_blocks' call of get_block for the current block:
// a fault goes to out (-EIO) or makes the block a hole; a mapped block goes
// to mapped.
func getBlock(out, mapped *Label) func(c *Ctx) {
	return func(c *Ctx) {
		s, r := c.S, c.R
		d := &r.Dio
		if d.BlocksAvailable > 0 {
			c.Goto(mapped)
			return
		}
		if d.PageErrors != 0 {
			c.L().Ret = d.PageErrors
			c.Goto(out)
			return
		}
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
		if !isMapped {
			mapBlock(s, r, int(c.Act.Req), d.BlockInFile, false)
			return
		}
		n := mappedRun(s, r)
		for i := int32(0); i < n; i++ {
			mapBlock(s, r, int(c.Act.Req), d.BlockInFile+i, true)
		}
		d.BlocksAvailable = n
		c.Goto(mapped)
	}
}

// mapBlock is what get_block did to block blk of request req, as the
// file's blocks record it: a block it found unmapped is a hole (it reads
// as zeros, unless a write already put data there); a write's mapping of a
// hole allocates the block, whose disk holds stale contents until the
// write's bio lands. XFS allocates it as an unwritten extent when it lies
// inside the file and as a written one past EOF (xfs_iomap_write_direct in
// fs/xfs/xfs_iomap.c, a file outside the cited trees, adds
// XFS_BMAPI_PREALLOC for a direct write only when offset < di_size or the
// inode has an extent size hint). For an XFS write, a mapping of an
// unwritten extent sets map_bh.b_private to the inode (__xfs_get_blocks,
// xfs_aops.c@v2.6.20:1271-1276), which then stays set for the rest of the
// request (nothing clears it).
func mapBlock(s *sim.State, r *sim.Req, req int, b int32, isMapped bool) {
	blk := s.Block(req, int(b))
	in := &s.Inode
	hole := in.Data[blk] == sim.ContentZero && !in.Unwritten[blk]
	switch {
	case !isMapped:
		if in.Data[blk] == sim.ContentOld {
			in.Data[blk] = sim.ContentZero
		}
		return
	case s.Scn.Op != sim.Write:
		return
	case hole:
		in.Data[blk] = sim.ContentStale
		abs := r.Pos + int64(b)*sim.BlockSize
		in.Unwritten[blk] = s.Scn.FS == sim.XFS && abs < in.ISize
	}
	if s.Scn.FS == sim.XFS && in.Unwritten[blk] {
		r.Dio.BPrivate = true
	}
}

func gupOutcomes(s *sim.State, a int) int {
	r := s.ReqOf(a)
	d := &r.Dio
	if !s.Scn.Faults.Has(sim.FaultGUP) || d.BlockInFile >= d.FinalBlock || d.PagesPinned > d.BlockInFile {
		return 1
	}
	if gupRetry(d) {
		return 2
	}
	if d.GupBad != 0 {
		return 1
	}
	return 1 + int(d.FinalBlock-d.BlockInFile)
}

// gupRetry: after the ZERO_PAGE stood in, dio_refill_pages calls
// get_user_pages again at the same user address (curr_user_address did not
// move). It fails again, unless another thread has mapped the page
// meanwhile: a second outcome, "gup:ok(remapped)".
func gupRetry(d *sim.Dio) bool { return d.GupBad != 0 && d.PageErrors != 0 && d.ZeroEnd == 0 }

func gupName(s *sim.State, a, k int) string {
	r := s.ReqOf(a)
	if gupRetry(&r.Dio) {
		if k == 0 {
			return "gup:-EFAULT(again)"
		}
		return "gup:ok(remapped)"
	}
	if k == 0 {
		return "ok"
	}
	return fmt.Sprintf("gup:-EFAULT@block%d", int(r.Dio.BlockInFile)+k-1)
}

// baseMapping is what get_block finds without faults: whether the block is
// mapped, and whether it is allocated by this call (create).
func baseMapping(s *sim.State, r *sim.Req) (isMapped, create bool) {
	return mappingAt(s, r, r.Dio.BlockInFile)
}

// mappingAt is baseMapping for block blk of the request.
func mappingAt(s *sim.State, r *sim.Req, blk int32) (isMapped, create bool) {
	d := &r.Dio
	abs := r.Pos + int64(blk)*sim.BlockSize
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
	r := s.ReqOf(a)
	if r.Dio.BlocksAvailable > 0 || r.Dio.PageErrors != 0 {
		return false, false // get_block is not called
	}
	isMapped, create := baseMapping(s, r)
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
		submitBio)
}

// submitBio is submit_bio in dio_bio_submit: from now on the bio's
// completion may run.
func submitBio(c *Ctx) {
	useDio(c)
	d := &c.R.Dio
	c.R.Bios[d.Bio].State = sim.BioSubmitted
	d.Bio = -1
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
