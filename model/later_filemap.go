package model

import "diosim/sim"

// filemapLater returns what release v changed in mm/filemap.c and fs/read_write.c: its part of
// v's patch on its predecessor (later.go).
//
// The steps keep their ids across the releases where the C keeps its
// statement: __generic_file_aio_write_nolock's steps keep theirs when
// 2.6.32 renames the function __generic_file_aio_write (the citation
// tables name the function of each release). generic_file_direct_IO's
// steps go with the function in 2.6.32: its body is split between
// generic_file_aio_read and generic_file_direct_write, whose new steps
// have those functions' ids.
func filemapLater(v string) patchPart {
	switch v {
	case "v2.6.21":
		return patchPart{
			About: "generic_file_direct_IO invalidates a write's range of the page cache before calling ->direct_IO, so that a failing invalidation returns its error with no I/O started, and returns at once whatever ->direct_IO returned unless it was 0; only then does it invalidate again, an error replacing only a non-negative result.",
			Files: map[string]string{filemapFile: "v2.6.21", rwFile: "v2.6.21"},
			Edits: []Edit{
				{Op: Replace, Step: "generic_file_direct_IO:write-and-wait", emit: directIOFlush2621},
				{Op: Replace, Step: "generic_file_direct_IO:invalidate", emit: directIOInvalidateAfter2621},
			},
		}
	case "v2.6.22":
		return patchPart{
			About: "mm/filemap.c only moves (the segment checks become generic_segment_checks), except that the sync of a short direct write's buffered part calls do_sync_mapping_range.",
			Files: map[string]string{filemapFile: "v2.6.22", rwFile: "v2.6.22"},
			Edits: []Edit{
				{Op: Replace, Step: "__generic_file_aio_write_nolock:buffered-sync", emit: bufferedSyncMapping},
			},
		}
	case "v2.6.32":
		return patchPart{
			About: "generic_file_direct_IO is gone: a direct read flushes its range and calls ->direct_IO from generic_file_aio_read; generic_file_direct_write flushes, invalidates before the write (a page that cannot be released, -EBUSY, makes it return 0: the write falls back to the page cache), calls ->direct_IO, invalidates again ignoring the result, and no longer syncs O_SYNC writes: generic_file_aio_write does, through generic_write_sync, after dropping i_mutex, for a positive result and for -EIOCBQUEUED alike, an error replacing only a positive result. The buffered write (generic_perform_write) has no O_SYNC code either; __generic_file_aio_write_nolock is renamed __generic_file_aio_write.",
			Files: map[string]string{filemapFile: "v2.6.32", rwFile: "v2.6.32"},
			Edits: []Edit{
				{Op: Replace, Step: "generic_file_direct_IO:write-and-wait", emit: directFlush2632},
				{Op: Remove, Step: "generic_file_direct_IO:pre-invalidate"},
				{Op: Replace, Step: "generic_file_aio_read:buffered", emit: readBuffered2632},
				{Op: Replace, Step: "generic_file_direct_IO:invalidate", emit: directWriteInvalidateAfter2632},
				{Op: Replace, Step: "generic_file_direct_write:direct-IO", emit: directWriteResult2632},
				{Op: Remove, Step: "generic_file_direct_write:osync"},
				{Op: Replace, Step: "__generic_file_aio_write_nolock:checks", emit: writeChecks2632},
				{Op: Replace, Step: "generic_file_buffered_write:copy", emit: bufferedCopy2632},
				{Op: Replace, Step: "generic_file_buffered_write:ppos", emit: bufferedPpos2632},
				{Op: Remove, Step: "generic_file_buffered_write:osync"},
				{Op: Replace, Step: "generic_file_buffered_write:write-and-wait", emit: bufferedWriteAndWait2632},
				{Op: Replace, Step: "generic_file_aio_write:osync-range", emit: writeSync2632},
			},
		}
	case "v2.6.36":
		return patchPart{
			About: "a synchronous direct read that comes back short, before EOF, is completed by a buffered read of the rest (-EIOCBQUEUED and errors still return at once); generic_file_buffered_write no longer flushes for O_DIRECT, and __generic_file_aio_write syncs a short direct write's buffered part with filemap_write_and_wait_range.",
			Files: map[string]string{filemapFile: "v2.6.36", rwFile: "v2.6.36"},
			Edits: []Edit{
				{Op: Replace, Step: "generic_file_aio_read:return", emit: readReturnShort2636},
				{Op: Replace, Step: "generic_file_aio_read:buffered", emit: readBufferedRest2636},
				{Op: Remove, Step: "generic_file_buffered_write:write-and-wait"},
				{Op: Replace, Step: "__generic_file_aio_write_nolock:buffered-sync", emit: bufferedSyncRange2636},
			},
		}
	}
	return patchPart{}
}

// textRef renders " (FILE:LINES)" for lines a step's text cites, from the
// table of the file version being built; "" when that version has no such
// lines. A release's replacement code also runs when a later release is
// built, before that release's own edits replace the steps it emits.
func (b *builder) textRef(file, key string) string {
	if _, ok := citeTables[fileVersion{file, b.files[file]}][key]; !ok {
		return ""
	}
	return " (" + b.ref(file, key) + ")"
}

// invalidated empties the mapping's page cache: the invalidation of the
// request's range (the model's page cache holds pages of that range only).
func invalidated(s *sim.State) { s.Inode.NrPages = 0 }

func hasPages(s *sim.State, a int) bool { return s.Inode.NrPages > 0 }

// directIOFlush2621 is the start of 2.6.21's generic_file_direct_IO: the
// flush and, for a write, the invalidation before ->direct_IO, whose
// failure returns with no I/O started.
func directIOFlush2621(b *builder) {
	if !b.write() {
		b.add(b.fm("generic_file_direct_IO:write-and-wait"),
			"generic_file_direct_IO: retval = filemap_write_and_wait(mapping): no dirty pages, 0; a read: retval = mapping->a_ops->direct_IO(rw, iocb, iov, offset, nr_segs)"+b.textRef(filemapFile, "generic_file_direct_IO:call"),
			func(c *Ctx) {})
		b.private()
		return
	}
	b.add(b.fm("generic_file_direct_IO:write-and-wait"),
		"generic_file_direct_IO: write_len = iov_length(iov, nr_segs); end = (offset + write_len - 1) >> PAGE_CACHE_SHIFT; unmap_mapping_range if mapping_mapped(mapping); retval = filemap_write_and_wait(mapping): no dirty pages, 0",
		func(c *Ctx) {})
	b.private()
	out := b.label("direct-IO-out") // marked by directIOInvalidateAfter2621
	b.choice(b.fm("generic_file_direct_IO:pre-invalidate"),
		"if rw == WRITE && mapping->nrpages: retval = invalidate_inode_pages2_range(mapping, offset >> PAGE_CACHE_SHIFT, end), if retval: goto out (nothing was submitted); retval = mapping->a_ops->direct_IO(rw, iocb, iov, offset, nr_segs)",
		faultOutcomes(sim.FaultInvalidate, hasPages), okOr("invalidate:-EIO"),
		func(c *Ctx) {
			if !hasPages(c.S, c.A) {
				return
			}
			if c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetInvalidate
				c.L().Ret = -sim.EIO
				c.Goto(out)
				return
			}
			invalidated(c.S)
		})
	// With one iocb nothing else touches the page cache, and no bio is
	// in flight yet: the step commutes with every other actor's.
	b.privateInode()
}

// directIOInvalidateAfter2621 is the tail of 2.6.21's
// generic_file_direct_IO: any non-zero result of ->direct_IO returns at
// once; after a 0 the range is invalidated again, and an error replaces
// the result only if it is not negative.
func directIOInvalidateAfter2621(b *builder) {
	cond := func(s *sim.State, a int) bool { return s.Actors[a].L.Ret == 0 && hasPages(s, a) }
	b.mark(b.named("direct-IO-out"))
	b.choice(b.fm("generic_file_direct_IO:invalidate"),
		"if retval: goto out; if rw == WRITE && mapping->nrpages: err = invalidate_inode_pages2_range(mapping, offset >> PAGE_CACHE_SHIFT, end); if err && retval >= 0: retval = err; out: return retval",
		faultOutcomes(sim.FaultInvalidate, cond), okOr("invalidate:-EIO"),
		func(c *Ctx) {
			if !cond(c.S, c.A) {
				return
			}
			if c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetInvalidate
				if c.L().Ret >= 0 {
					c.L().Ret = -sim.EIO
				}
				return
			}
			invalidated(c.S)
		})
}

// bufferedSyncMapping is __generic_file_aio_write_nolock's sync of a
// short direct write's buffered part from 2.6.22 on.
func bufferedSyncMapping(b *builder) {
	bufferedSyncWith(b, "do_sync_mapping_range(file->f_mapping, pos, endbyte, SYNC_FILE_RANGE_WAIT_BEFORE|SYNC_FILE_RANGE_WRITE|SYNC_FILE_RANGE_WAIT_AFTER)")
}

// bufferedSyncRange is the same in 2.6.36.
func bufferedSyncRange2636(b *builder) {
	bufferedSyncWith(b, "filemap_write_and_wait_range(file->f_mapping, pos, endbyte)")
}

func bufferedSyncWith(b *builder, call string) {
	out := b.named("write-out")
	b.add(b.fm("__generic_file_aio_write_nolock:buffered-sync"),
		"if written_buffered < 0: err = written_buffered, goto out; endbyte = pos + written_buffered - written - 1; err = "+call+"; if err == 0: written = written_buffered; invalidate_mapping_pages(mapping, pos >> PAGE_CACHE_SHIFT, endbyte >> PAGE_CACHE_SHIFT)",
		func(c *Ctx) {
			l := c.L()
			if l.Buffered < 0 {
				l.Tmp = l.Buffered
				c.Goto(out)
				return
			}
			l.Written = l.Buffered
			invalidated(c.S)
		})
	b.privateInode()
}

// directFlush2632 is what 2.6.32 does before ->direct_IO, now in the
// callers: generic_file_aio_read flushes the range; generic_file_direct_write
// flushes it and invalidates it, returning 0 (the caller falls back to a
// buffered write) when a page cannot be released.
func directFlush2632(b *builder) {
	if !b.write() {
		b.add(b.fm("generic_file_aio_read:write-and-wait"),
			"retval = filemap_write_and_wait_range(mapping, pos, pos + iov_length(iov, nr_segs) - 1): no dirty pages, 0; if !retval: retval = mapping->a_ops->direct_IO(READ, iocb, iov, pos, nr_segs)",
			func(c *Ctx) {})
		b.private()
		return
	}
	b.add(b.fm("generic_file_direct_write:write-and-wait"),
		"generic_file_direct_write: write_len = iov_length(iov, *nr_segs); end = (pos + write_len - 1) >> PAGE_CACHE_SHIFT; written = filemap_write_and_wait_range(mapping, pos, pos + write_len - 1): no dirty pages, 0",
		func(c *Ctx) {})
	b.private()
	ret := b.labelAt("generic_file_direct_write:direct-IO")
	b.choice(b.fm("generic_file_direct_write:pre-invalidate"),
		"if mapping->nrpages: written = invalidate_inode_pages2_range(mapping, pos >> PAGE_CACHE_SHIFT, end) (a page that cannot be released makes it -EBUSY); if written == -EBUSY: return 0 (nothing was submitted); written = mapping->a_ops->direct_IO(WRITE, iocb, iov, pos, *nr_segs)",
		faultOutcomes(sim.FaultInvalidate, hasPages), okOr("invalidate:-EBUSY"),
		func(c *Ctx) {
			if !hasPages(c.S, c.A) {
				return
			}
			if c.Choice == 1 {
				// Not an error the write returns: the caller writes
				// through the page cache instead.
				c.R.Facts.FaultsMet |= sim.InvalidateBusy
				c.L().Ret = 0
				c.Goto(ret)
				return
			}
			invalidated(c.S)
		})
	b.privateInode()
}

// directWriteInvalidateAfter2632 is generic_file_direct_write's second
// invalidation in 2.6.32: whatever ->direct_IO returned, its own result
// ignored.
func directWriteInvalidateAfter2632(b *builder) {
	b.choice(b.fm("generic_file_direct_write:invalidate"),
		"if mapping->nrpages: invalidate_inode_pages2_range(mapping, pos >> PAGE_CACHE_SHIFT, end), its result ignored",
		faultOutcomes(sim.FaultInvalidate, hasPages), okOr("invalidate:-EBUSY"),
		func(c *Ctx) {
			if !hasPages(c.S, c.A) {
				return
			}
			if c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.InvalidateBusy
				return
			}
			invalidated(c.S)
		})
}

// directWriteResult2632 is generic_file_direct_write's test of the result
// in 2.6.32: the call is now in the function itself.
func directWriteResult2632(b *builder) {
	b.add(b.fm("generic_file_direct_write:direct-IO"),
		"if written > 0: end = pos + written; if end > i_size_read(inode) && !S_ISBLK(inode->i_mode)",
		directWritten(b.named("dw-osync"), b.named("dw-ppos")))
	b.privateInode()
}

// writeChecks2632 is the start of __generic_file_aio_write (2.6.32's name
// for __generic_file_aio_write_nolock).
func writeChecks2632(b *builder) {
	b.add(b.fm("__generic_file_aio_write_nolock:checks"),
		"__generic_file_aio_write: generic_segment_checks; count = ocount; pos = *ppos; vfs_check_frozen; generic_write_checks; count != 0; file_remove_suid; file_update_time",
		writeChecks)
	b.private()
}

// bufferedCopy2632 is generic_file_buffered_write's copy from 2.6.32 on:
// generic_perform_write.
func bufferedCopy2632(b *builder) {
	b.add(b.fm("generic_file_buffered_write:copy"),
		"generic_file_buffered_write: iov_iter_init skips the written bytes; status = generic_perform_write(file, &i, pos): for each page write_begin, copy, write_end (which extends the file past its old size)",
		bufferedCopy)
	b.inlines("generic_perform_write")
}

func bufferedPpos2632(b *builder) {
	b.add(b.fm("generic_file_buffered_write:ppos"), "if status >= 0: written += status; *ppos = pos + status",
		bufferedPpos)
}

func bufferedWriteAndWait2632(b *builder) {
	b.add(b.fm("generic_file_buffered_write:write-and-wait"),
		"if O_DIRECT && written: status = filemap_write_and_wait_range(mapping, pos, pos + written - 1) (the pages go to disk); return written ? written : status",
		func(c *Ctx) {})
	b.private()
}

// writeSync2632 is generic_file_aio_write's O_SYNC tail from 2.6.32 on,
// after i_mutex is dropped: generic_write_sync (fs/sync.c) does nothing
// for a file that is not synchronous, else an fsync of the written range
// that takes i_mutex for the filesystem's fsync and may fail. It runs for
// -EIOCBQUEUED too, while the bios may still be in flight, and its error
// replaces only a positive result.
func writeSync2632(b *builder) {
	cond := func(s *sim.State, a int) bool {
		r := s.Actors[a].L.Retval
		return s.Scn.OSync && (r > 0 || r == eiocbqueued)
	}
	b.choice(b.fm("generic_file_aio_write:write-sync"),
		"if ret > 0 || ret == -EIOCBQUEUED: err = generic_write_sync(file, pos, ret) (for a synchronous file or inode an fsync of the range, under the inode's mutex; else 0); if err < 0 && ret > 0: ret = err; return ret",
		faultOutcomes(sim.FaultOSync, cond), okOr("fsync:-EIO"),
		func(c *Ctx) {
			if cond(c.S, c.A) && c.Choice == 1 {
				c.R.Facts.FaultsMet |= sim.ErrMetOSync
				if c.L().Retval > 0 {
					c.L().Retval = -sim.EIO
				}
			}
		})
	b.lastGuard(iMutexFree)
}

// readBuffered2632 is generic_file_aio_read's buffered read in 2.6.32
// (retval is 0 when it is reached).
func readBuffered2632(b *builder) {
	b.add(b.fm("generic_file_aio_read:buffered"),
		"direct I/O returned 0 (or pos >= size): for each segment, desc.count = iov_len; do_generic_file_read from *ppos reads up to EOF and advances *ppos; retval += desc.written",
		bufferedRead)
	b.privateInode()
}

// readReturnShort2636 is the tail of generic_file_aio_read's O_DIRECT
// branch in 2.6.36: a positive result moves *ppos and shrinks count; an
// error (-EIOCBQUEUED among them), a complete read or one that reached
// i_size returns; a short read before i_size goes on to the buffered read
// of the rest.
func readReturnShort2636(b *builder) {
	end := b.named("read-end")
	b.add(b.fm("generic_file_aio_read:return"),
		"if retval > 0: *ppos = pos + retval, count -= retval; if retval < 0 || !count || *ppos >= size: file_accessed(filp), goto out (return retval)",
		func(c *Ctx) {
			r, l := c.R, c.L()
			v := l.Ret
			l.Retval = v
			if v < 0 {
				c.Goto(end)
				return
			}
			useKiocb(c)
			rest := l.Count
			if v > 0 {
				r.Kiocb.Pos = l.Pos + v
				rest -= v
			}
			// size was read by the checks step; no modelled actor
			// changes i_size while a read is in flight.
			if rest == 0 || r.Kiocb.Pos >= c.S.Inode.ISize {
				c.Goto(end)
			}
		})
}

// readBufferedRest2636 is the buffered read of 2.6.36's
// generic_file_aio_read: after a short direct read it skips the part of
// the iovec already read and adds what it reads to retval.
func readBufferedRest2636(b *builder) {
	b.add(b.fm("generic_file_aio_read:buffered"),
		"count = retval; skip the first count bytes of the iovec; do_generic_file_read from *ppos reads the rest up to EOF and advances *ppos; retval += desc.written",
		func(c *Ctx) {
			s, r, l := c.S, c.R, c.L()
			useKiocb(c)
			done := l.Retval
			if done < 0 {
				done = 0
			}
			n := s.Inode.ISize - r.Kiocb.Pos
			if n > l.Count-done {
				n = l.Count - done
			}
			if n < 0 {
				n = 0
			}
			r.Kiocb.Pos += n
			l.Retval = done + n
		})
	b.privateInode()
}
