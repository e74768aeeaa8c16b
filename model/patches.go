package model

// The kernel's own lineage of this code path, as patches on v2.6.18.
//
//	v2.6.18
//	  -> before:  2.6.19's vectored AIO and O_DIRECT fallback, and the four
//	              clean-ups of Zach Brown's series (1/5-4/5)
//	  -> after:   "dio: only call aio_complete() after returning -EIOCBQUEUED"
//	  -> v2.6.20: "dio: lock refcount operations"
//
// Each patch names the kernel files it moves to a new version (their
// citation tables are in cites/), the functions whose model it replaces
// whole, and the steps it replaces or removes by id.
func builtinLineage() []*Version {
	return append([]*Version{
		{
			Name: "v2.6.18",
			Doc:  "Linux 2.6.18: bio_count/bios_in_flight, AIO completed in finished_one_bio; callers turn positive AIO results into -EIOCBQUEUED",
		},
		{
			Name:   "before",
			Parent: "v2.6.18",
			Doc:    "parent of the seed patch: atomic refcount, dio_complete_aio; callers translate to -EIOCBQUEUED",
			Patch: &Patch{
				Title: "dio clean-ups 1/5-4/5 (centralize completion in dio_complete(); call blk_run_address_space() once per op; formalize bio counters as a dio reference count; remove duplicate bio wait code), on 2.6.19's vectored AIO and O_DIRECT fallback",
				About: "bio_count and bios_in_flight become one atomic refcount; finished_one_bio gives way to dio_complete_aio, called by whoever drops the last reference; the sync and async waits become one dio_await_completion over a lock-free dio_await_one; dio_complete takes the end_io call. Around it, 2.6.19 brought aio_rw_vect_retry, do_sync_read/do_sync_write, the buffered fallback of a direct read at EOF and the sync of a short direct write's buffered part.",
				Files: map[string]string{dioFile: "before", filemapFile: "before", aioFile: "v2.6.20", rwFile: "v2.6.20", lrwFile: "v2.6.20", bioFile: "v2.6.20"},
				funcs: map[string]func(b *builder){
					"dio_bio_end_aio":       endAioRefcount,
					"dio_bio_end_aio:last":  endAioLastBefore,
					"direct_io_worker:tail": tailBefore,
					"dio_await_completion":  awaitLockless,
					"dio_complete":          dioCompleteCentral,
					"sys_read/sys_write":    syncEntryDoSync,
				},
				Edits: []Edit{
					{Op: Replace, Step: "dio_bio_end_io:queue-bio", emit: endIOAtomic},
					{Op: Replace, Step: "direct_io_worker:init", emit: workerInitRefcount},
					{Op: Replace, Step: "direct_io_worker:unplug", emit: workerUnplugOnce},
					{Op: Replace, Step: "dio_bio_submit:get-ref", emit: getRefAtomic},
					{Op: Replace, Step: "generic_file_aio_read:checks", emit: readChecksFallback},
					{Op: Replace, Step: "generic_file_aio_read:return", emit: readFallback(true)},
					{Op: Replace, Step: "__generic_file_aio_write_nolock:buffered-write", emit: bufferedSync},
					{Op: Replace, Step: "ki_retry:call", emit: retryVectored},
					{Op: Replace, Step: "ki_retry:advance", emit: retryVectoredAdvance},
				},
			},
		},
		{
			Name:   "after",
			Parent: "before",
			Doc:    "the seed patch applied: direct_io_worker returns -EIOCBQUEUED itself, only the last reference calls aio_complete",
			Patch: &Patch{
				Title: "dio: only call aio_complete() after returning -EIOCBQUEUED",
				About: "direct_io_worker returns -EIOCBQUEUED itself when it is not the last to drop the reference, and otherwise waits for the bios and completes synchronously; only the bio completion that drops the last reference calls aio_complete. The callers in mm/filemap.c stop translating positive results (and the O_SYNC sync now also runs for -EIOCBQUEUED); dio_complete maps -EIOCBQUEUED to 0; XFS destroys its ioend unless the request was queued.",
				Files: map[string]string{dioFile: "after", filemapFile: "v2.6.20", xfsFile: "v2.6.20"},
				funcs: map[string]func(b *builder){
					"direct_io_worker:tail": tailAfter,
					"dio_bio_end_aio:last":  lastCompletion,
				},
				Edits: []Edit{
					{Op: Replace, Step: "dio_complete:transferred", emit: dioCompleteTransferredQueued},
					{Op: Replace, Step: "xfs_vm_direct_IO:test-private", emit: xfsTestQueued},
					{Op: Replace, Step: "generic_file_aio_read:return", emit: readFallback(false)},
					{Op: Replace, Step: "generic_file_direct_write:osync", emit: osyncQueued},
				},
			},
		},
		{
			Name:   "v2.6.20",
			Parent: "after",
			Doc:    "Linux 2.6.20: after plus \"dio: lock refcount operations\" (refcount under bio_lock)",
			Patch: &Patch{
				Title: "dio: lock refcount operations",
				About: "the refcount becomes a plain counter changed only under bio_lock: dio_bio_submit, dio_bio_end_io and dio_bio_end_aio take the lock around their decrement and the waiter test, dio_await_one tests and sets the waiter under it, and direct_io_worker drops its reference under it and tests the result outside.",
				Files: map[string]string{dioFile: "v2.6.20"},
				funcs: map[string]func(b *builder){
					"dio_await_completion": awaitLocked,
				},
				Edits: []Edit{
					{Op: Replace, Step: "dio_bio_submit:get-ref", emit: getRefLocked},
					{Op: Replace, Step: "dio_bio_end_io:queue-bio", emit: endIOLocked},
					{Op: Remove, Step: "dio_bio_end_aio:load-waiter"},
					{Op: Replace, Step: "dio_bio_end_aio:drop-ref", emit: endAioDropLocked},
					{Op: Remove, Step: "dio_bio_end_aio:reload-waiter"},
					{Op: Remove, Step: "dio_bio_end_aio:wake-waiter"},
					{Op: Replace, Step: "direct_io_worker:drop-ref", emit: dropRefLocked},
				},
			},
		},
	}, laterLineage()...)
}
