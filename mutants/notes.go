package mutants

// The decisions about the survivors of the full zoo (dio-sim mutants,
// every version), one rule per group of survivors that share the
// argument. A rule names mutants without their version (every version),
// with "V/" (version V only) or with "V+/" (V and the releases descended
// from it); see NoteFor.
//
// Kills added since the first run (283 mutants, 175 killed), each a check
// of the kernel's behaviour, not of a mutant:
//   - no-hang's lock balance: dio_complete forgetting up_read(i_alloc_sem),
//     __blockdev_direct_IO forgetting down_read;
//   - the default scenario xfs-sync-read-gup: the ioend's destroy on an
//     error path with every property holding;
//   - the kill criterion "a verdict or the set of bug signatures of a
//     scenario changes": a new bug behind a property the parent already
//     violates (v2.6.20's dio leaked behind its use after free; a use after
//     free of the dio at dio_bio_end_aio:reload-waiter behind the lost
//     wake-up of after);
//   - no-bug's unlock check (the model records a mutex_unlock or
//     xfs_iunlock by a task that does not hold the lock): the removed
//     mutex_lock/xfs_ilock of __blockdev_direct_IO, generic_file_aio_write
//     and xfs_write;
//   - the property data-at-rest (a successful write's range is no XFS
//     unwritten extent once the run is over): the inverted
//     xfs_end_io_direct/xfs_vm_direct_IO tests (the conversion not queued),
//     and the swap of i_size_write with *ppos = end in
//     generic_file_direct_write, whose note called it equivalent ("*ppos is
//     read by nobody"): for XFS *ppos is iocb->ki_pos, which the completion
//     reads as the offset of the conversion; the swapped store writes a
//     stale end and changes which range is converted;
//   - the default scenarios aio-write-hole-eio (v2.6.18's async short write
//     that frees its dio after an error) and xfs-sync-write-invalidate
//     (xfsdatad destroying the ioend after an error): the forgotten frees
//     on those error paths;
//   - no-hang's livelock check (scheduler/livelock.go: a state from which
//     no run can end): after's inverted dio_await_one wait test spins with
//     bio_lock held while the bio completion of stale-isize's extending
//     write (a dio that after waits for as for a synchronous one) needs
//     it; v2.6.18's async wait whose exit jumps to itself;
//   - no-bug's bio_lock checks (before and after's dio_await_one, the one
//     place that holds bio_lock across steps, record what spinlock
//     debugging reports: recursion, an unlock by a task that does not hold
//     the lock, lib/spinlock_debug.c): dio_await_one's relock removed or
//     swapped with set-running, and the waiter set and the lock dropped
//     before the wait test;
//   - result-value's file position (a read(2)/write(2) returning n >= 0 at
//     p leaves the position at p + n): the swap of i_size_write with
//     *ppos = end in after and v2.6.20, on xfs-sync-write-invalidate;
//   - the default scenarios with two tasks contending for one lock, which
//     no-bug's lock checks judge (the unlock check, and the exclusion
//     check: i_mutex or the XFS iolock taken while another task holds it in
//     a mode that excludes the taker's): the 36 waits for a lock removed
//     (drop-guard) on the eight versions. two-sync-writers kills
//     generic_file_aio_write:lock-i-mutex (after and later) and v2.6.18's
//     generic_file_write:lock-i-mutex; two-aio-writers-extend kills
//     generic_file_aio_write:lock-i-mutex on v2.6.18, whose write(2) does
//     not go through it (and again on the others); two-sync-readers kills
//     __blockdev_direct_IO:lock-i-mutex (a DIO_LOCKING read holds i_mutex
//     until its bios are submitted); xfs-two-sync-writers-cached (cached
//     pages make both writers take i_mutex and the iolock exclusive) kills
//     xfs_write:lock-i-mutex and xfs_write:ilock before 2.6.22, and from
//     2.6.22 xfs_write:ilock (the iolock taken shared while the other task
//     holds it exclusive), relock-i-mutex and relock-ilock, as
//     xfs_file_aio_write's in 2.6.36. Before them, every default scenario
//     had one submitter, so the guard was always true there;
//   - the default scenario xfs-sync-overwrite-eio (a written-extent XFS
//     write whose bio may fail): the forgotten free of 2.6.22's and
//     2.6.32's xfs_end_bio_written:destroy-ioend, a step only
//     xfs-two-sync-writers-cached reached before it, and without an error;
//   - the default scenario xfs-sync-write-eio (a write(2) into an
//     unwritten extent whose bio may fail): the forgotten free of
//     v2.6.18's xfs_end_bio_unwritten:destroy-ioend. In v2.6.18 an AIO
//     write that met -EIO hands xfs_end_io_direct a negative size
//     (finished_one_bio, fs/direct-io.c@v2.6.18:256-259), which
//     destroys the ioend itself, so only a synchronous write gets
//     xfsdatad's destroy after an error.
var rules = []struct {
	names []string
	note  Note
}{
	{[]string{"drop-guard/generic_file_aio_write:osync-range", "drop-guard/generic_file_write:osync-range",
		"v2.6.32+/drop-guard/generic_file_aio_write:write-sync"},
		Note{true, "equivalent in the model: sync_page_range (from 2.6.32 generic_write_sync's fsync) takes and releases i_mutex inside the one step, which changes only " +
			"its own request's result (the O_SYNC fault), so running it while another task holds i_mutex only reorders " +
			"independent steps. In the kernel generic_osync_inode would race with the holder's metadata updates, which the " +
			"model does not have"}},
	{[]string{"v2.6.36/remove-op/xfs_end_io_direct_write:finish-sync"},
		Note{true, "equivalent: a direct-IO ioend's io_remaining is 1 (xfs_alloc_ioend's; no bio of the dio takes a reference " +
			"on it), so xfs_finish_ioend_sync's atomic_dec_and_test always succeeds and the step always goes on to xfs_end_io in " +
			"the caller; without the decrement it goes on all the same, and nothing reads io_remaining after it"}},
	{[]string{
		"drop-guard/dio_await_one:lock-test", "drop-guard/dio_await_one:relock",
	}, Note{true, "equivalent: the guard waits for bio_lock to be free or held by this task. Only dio_await_one (in before and after) holds " +
		"bio_lock across steps, and there is one submitter per dio; in v2.6.18 and v2.6.20 every bio_lock section is a single step. " +
		"So whenever these steps can run, nobody else holds the lock and the guard is always true"}},
	{[]string{
		"v2.6.18+/drop-guard/dio_bio_submit:get-ref", "v2.6.18/drop-guard/finished_one_bio:last-test", "v2.6.18/drop-guard/finished_one_bio:drop-count",
		"v2.6.18/drop-guard/direct_io_worker:async-wait-lock", "v2.6.18/drop-guard/direct_io_worker:async-wait-relock",
		"v2.6.18/drop-guard/dio_bio_end_io:queue-bio",
		"v2.6.20+/drop-guard/direct_io_worker:drop-ref", "v2.6.20+/drop-guard/dio_bio_end_aio:drop-ref",
		"v2.6.20+/drop-guard/dio_bio_end_io:queue-bio",
	}, Note{true, "equivalent: in v2.6.18 and v2.6.20 every section under bio_lock is one step of the model (the lock is taken and released " +
		"in the same atomic step), so no actor ever holds bio_lock between steps and the guard is always true"}},
	{[]string{"after+/swap/generic_file_direct_write:i-size-write+generic_file_direct_write:ppos"},
		Note{false, "not equivalent, killed: direct-IO jumps to the ppos label when the write does not extend the file, and the swap " +
			"put i_size_write there, so *ppos = end now runs only for an extending write. In after and later a queued AIO write " +
			"returns -EIOCBQUEUED and stores neither (written > 0 is false); a synchronous write into the file that writes every " +
			"byte directly leaves iocb->ki_pos, and so the file position do_sync_write copies back (fs/read_write.c@v2.6.20:305-307), " +
			"where it was: the next write(2) would overwrite the same bytes. result-value checks that position (a read(2) or " +
			"write(2) returning n >= 0 at p leaves it at p + n) and kills the mutant in after and v2.6.20 on the default " +
			"xfs-sync-write-invalidate (xfs_write's direct write is generic_file_direct_write: result-value holds -> wrong file " +
			"position), as on any plain synchronous write into a generic file (op=write mode=sync blocks=2 place=inside, not a " +
			"default scenario). In v2.6.18 and before data-at-rest kills it (the completion reads the unmoved ki_pos and converts " +
			"the right range)"}},
	{[]string{"swap/generic_file_buffered_write:copy+generic_file_buffered_write:ppos"},
		Note{true, "equivalent: the two steps touch disjoint state. The copy writes the page cache, i_size and the buffered count, and " +
			"reads only the locals pos and count; *ppos = pos stores pos + count from the same locals into iocb->ki_pos, which the " +
			"copy does not read. So either order leaves the same state: the same file position for result-value's check of a " +
			"synchronous write (sync-hole-syncrange shows no change), and the dio's completion, which reads ki_pos for XFS, has run " +
			"before the fallback (a short direct write waits for its bios; XFS writes never fall back)"}},
	{[]string{"swap/xfs_end_bio_unwritten:load-ioend+xfs_end_bio_unwritten:convert"},
		Note{true, "equivalent: load-ioend only reads ioend fields (the model records the access) and convert reads the same ioend, " +
			"which only the worker's own later step frees; two reads of an object nobody can free in between commute"}},
	{[]string{"swap/dio_complete:up-alloc-sem+dio_complete:ret"},
		Note{true, "equivalent: ret is computed from the dio's page_errors, io_error and result, which nothing writes once dio_complete runs; " +
			"up_read touches only i_alloc_sem, which ret does not read: the two commute"}},
	{[]string{
		"swap/direct_io_worker:drop-ref+direct_io_worker:dio-complete", "swap/direct_io_worker:check-ref+direct_io_worker:dio-complete",
		"swap/direct_io_worker:sync-result+direct_io_worker:sync-dio-complete",
	}, Note{true, "equivalent: the swap only applies where the first step falls through (the synchronous path, last reference), and " +
		"the dio-complete step only copies the worker's offset argument into a local (in v2.6.18 it does nothing at all): it commutes with " +
		"the reference drop and its test"}},
	{[]string{"off-by-one/dio_await_one:loop-test-1"},
		Note{true, "equivalent: loop-test runs with bio_lock held, either after wait-test found nothing to wait for (a bio queued, or " +
			"refcount 1) or after a wake-up, which comes only when refcount drops to 1 or a bio is queued; refcount never drops below 1 " +
			"while the submitter holds its reference. So refcount > 1 && bio_list == NULL is false there, and so is refcount - 1 > 1"}},
	{[]string{"v2.6.18/off-by-one/dio_await_one:lock-test-1"},
		Note{true, "equivalent (a mis-aimed mutant): v2.6.18's dio_await_one tests dio->bio_list, not bios_in_flight, so the shifted counter is never read by the test"}},
	{[]string{
		"swap/dio_await_one:set-uninterruptible+dio_await_one:wait-test", "swap/dio_await_one:set-running+dio_await_one:loop-test",
	}, Note{true, "equivalent in before and after (where only these steps are apart): no wake-up can reach the submitter between " +
		"them. Both run with bio_lock held (from lock-test or relock to set-waiter-unlock or pop). A synchronous dio's waker, " +
		"dio_bio_end_io, takes bio_lock, so it runs before or after the pair, never between. An asynchronous dio's waker, " +
		"dio_bio_end_aio, takes no lock but wakes only the task it read from dio->waiter, which is NULL from relock to " +
		"set-waiter-unlock; and it wakes only after dropping the reference count to 1, after which wait_for_more_bios is false " +
		"for good (references are taken only while submitting, which is over). The task state set in between (UNINTERRUPTIBLE or " +
		"RUNNING) is then read by nobody before the task sets it again or leaves the loop: for set-running/loop-test, a true loop " +
		"test goes on to set-uninterruptible, a false one runs set-running before pop, as the parent does. The lost wake-up the " +
		"first swap is shaped like is the parent's own (dio_bio_end_aio reads waiter before it is set), with the same signature"}},
	{[]string{"before/invert-test/dio_await_one:wait-test"},
		Note{false, "not equivalent, masked in before: the inversion applies only where the parent's test went both ways, which is " +
			"the asynchronous dio's wait (in a synchronous dio's wait the test runs under bio_lock right after lock-test or " +
			"loop-test and always says wait). There the submitter spins with bio_lock held while the bios complete without it " +
			"(dio_bio_end_aio), so every spin can end: when the count drops to 1 the inverted test sends it to sleep with dio->waiter " +
			"set too late for any waker, asleep forever at dio_await_one:io-schedule, which is the parent's own lost wake-up, with " +
			"the same signature. In after an extending AIO write is waited for as a synchronous dio whose bios need bio_lock, and " +
			"the livelock check kills the mutant on stale-isize (no run can end); in before that write is asynchronous (the " +
			"stale-isize bug). What differs in before is only that no run of an async wait succeeds where some of the parent's do, " +
			"a possibility (some run ends well), which no safety property states"}},
	{[]string{"v2.6.18/swap/direct_io_worker:async-wait-relock+direct_io_worker:async-wait-unlock"},
		Note{false, "not equivalent: a livelock. The loop's exit (bio_count == 0) now jumps to the re-lock step itself, which tests " +
			"again and jumps to itself: once the short async write's bios are all done the submitter spins forever and never frees " +
			"the dio or returns. No run that reaches the wait ends. Killed since aio-write-hole-eio is in the default set (the " +
			"violations its runs showed at their end are gone), and by the livelock check on aio-write-hole and aio-write-hole-eio " +
			"(no-hang: no run can end at direct_io_worker:async-wait-unlock)"}},
	{[]string{
		"v2.6.18+/swap/dio_await_one:io-schedule+dio_await_one:relock",
		"v2.6.18/swap/direct_io_worker:async-io-schedule+direct_io_worker:async-wait-relock",
	}, Note{true, "equivalent in every outcome: the sleep becomes a busy wait. The re-lock section (one step in v2.6.18 and v2.6.20) " +
		"now sits where io_schedule was, and its loop test jumps back to itself while there is nothing to take, so io_schedule is " +
		"never reached: the submitter re-takes bio_lock until the bio completion it would have slept for has come (each spin returns " +
		"to the same state). Every state a run can end in is the parent's; a spin that never ends would be a parent that sleeps " +
		"forever, and no-hang holds on v2.6.18 and v2.6.20 (the livelock check confirms it: from every state some run ends). It " +
		"burns CPU, which no property measures. (In before and after the parent's lost wake-up makes the spin endless: killed " +
		"there)"}},
	{[]string{"v2.6.18/split-atomic/finished_one_bio:drop-count"},
		Note{true, "equivalent: drop-count is the buffered-fallback branch of the last reference (finished_one_bio found bio_count == 1 " +
			"and is_async, and the result is short). Every other holder has dropped its reference already (in last-test, one step " +
			"under bio_lock), and no new bio can be submitted, so nobody writes bio_count between the split's load and store: no " +
			"update can be lost. (The submitter waiting in direct_io_worker only reads it.)"}},
	{[]string{"before/remove-op/direct_io_worker:sync-drop-ref"},
		Note{true, "equivalent: on the synchronous path the submitter's drop is always the last reference (its bios are all completed " +
			"by then), so the test that follows the decrement always goes on to dio_complete and kfree; without the decrement it goes " +
			"the same way, and nothing reads the count of a dio about to be freed"}},
}
