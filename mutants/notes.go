package mutants

// The decisions about the survivors of the full zoo (dio-sim mutants,
// every version), one rule per group of survivors that share the
// argument. A rule applies to the mutants whose name, without the
// version, is one of Names (or, with a version prefix "V/", only to that
// version's). Kills added since the first run: no-hang's lock balance
// (dio_complete forgetting up_read(i_alloc_sem), and since then
// __blockdev_direct_IO forgetting down_read: i_alloc_sem released more
// often than taken), and the default scenario xfs-sync-read-gup (the
// ioend's destroy on an error path with every property holding).
var rules = []struct {
	names []string
	note  Note
}{
	{[]string{
		"drop-guard/__blockdev_direct_IO:lock-i-mutex", "drop-guard/generic_file_aio_write:lock-i-mutex",
		"drop-guard/generic_file_write:lock-i-mutex", "drop-guard/xfs_write:direct-write",
		"drop-guard/generic_file_aio_write:osync-range", "drop-guard/generic_file_write:osync-range",
	}, Note{true, "equivalent in the model (not in the kernel): i_mutex and the XFS iolock only exclude other tasks that take them. " +
		"Every default scenario has one submitter. With two extending writers on after (checked by hand for generic_file_aio_write's " +
		"i_mutex and O_SYNC range) no verdict changes either, because what the lock protects (i_size's compare and i_size_write, " +
		"the page-cache copy) is one step of the model; the read side's i_mutex and the XFS iolock were not tried with several iocbs. " +
		"A kill needs the i_size update split into its load and store and a two-writer scenario in the default set (not done)"}},
	{[]string{
		"remove-op/__blockdev_direct_IO:lock-i-mutex", "remove-op/generic_file_aio_write:lock-i-mutex", "remove-op/xfs_write:direct-write",
	}, Note{false, "not equivalent: the unlock that follows releases a mutex the task does not hold, which DEBUG_MUTEXES reports. " +
		"With one submitter nothing else notices (see the drop-guard note). Killed by a check at each unlock that the unlocker holds the lock " +
		"(the model's unlock statements set the holder to 0 without looking: a model change, not done here)"}},
	{[]string{
		"drop-guard/dio_await_one:lock-test", "drop-guard/dio_await_one:relock",
	}, Note{true, "equivalent: the guard waits for bio_lock to be free or held by this task. Only dio_await_one (in before and after) holds " +
		"bio_lock across steps, and there is one submitter per dio; in v2.6.18 and v2.6.20 every bio_lock section is a single step. " +
		"So whenever these steps can run, nobody else holds the lock and the guard is always true"}},
	{[]string{
		"v2.6.18/drop-guard/dio_bio_submit:get-ref", "v2.6.18/drop-guard/finished_one_bio:last-test", "v2.6.18/drop-guard/finished_one_bio:drop-count",
		"v2.6.18/drop-guard/direct_io_worker:async-wait-lock", "v2.6.18/drop-guard/direct_io_worker:async-wait-relock",
		"v2.6.18/drop-guard/dio_bio_end_io:queue-bio",
		"v2.6.20/drop-guard/dio_bio_submit:get-ref", "v2.6.20/drop-guard/direct_io_worker:drop-ref", "v2.6.20/drop-guard/dio_bio_end_aio:drop-ref",
		"v2.6.20/drop-guard/dio_bio_end_io:queue-bio",
	}, Note{true, "equivalent: in v2.6.18 and v2.6.20 every section under bio_lock is one step of the model (the lock is taken and released " +
		"in the same atomic step), so no actor ever holds bio_lock between steps and the guard is always true"}},
	{[]string{
		"swap/generic_file_direct_write:i-size-write+generic_file_direct_write:ppos", "swap/generic_file_buffered_write:copy+generic_file_buffered_write:ppos",
	}, Note{true, "equivalent: *ppos is the caller's file position, read by no other actor and by no property; the other statement does not read it"}},
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
		"swap/dio_await_one:set-uninterruptible+dio_await_one:wait-test", "swap/dio_await_one:wait-test+dio_await_one:set-waiter-unlock",
		"swap/dio_await_one:set-running+dio_await_one:loop-test", "swap/dio_await_one:relock+dio_await_one:set-running",
		"invert-test/dio_await_one:wait-test", "remove-op/dio_await_one:relock",
	}, Note{false, "not equivalent in general, masked here: these steps run under bio_lock against dio_bio_end_io (which waits for it) " +
		"and against dio_bio_end_aio, which in before and after takes no lock; the parent's own lost wake-up already violates no-hang " +
		"(and what follows) in every default scenario where an async submitter waits, so a new hang there changes no verdict. " +
		"invert-test/wait-test also makes the submitter spin with bio_lock held: a livelock, which no property sees (no-hang looks at " +
		"runs that end; the search sees a cycle). Killed by a livelock check (some state from which no run can end) - not done"}},
	{[]string{"swap/dio_await_one:io-schedule+dio_await_one:relock", "swap/direct_io_worker:async-io-schedule+direct_io_worker:async-wait-relock",
		"swap/direct_io_worker:async-wait-relock+direct_io_worker:async-wait-unlock"},
		Note{false, "undecided: in v2.6.18 and v2.6.20 the relock section is one step that also re-tests and sleeps again; taking it before " +
			"io_schedule looks harmless because the task state makes schedule() return at once after a wake-up, but the argument is not finished"}},
	{[]string{"invert-test/xfs_end_io_direct:load-private", "invert-test/xfs_vm_direct_IO:test-private"},
		Note{false, "not equivalent, masked: on XFS writes the inverted test destroys the ioend instead of queueing the unwritten-extent " +
			"conversion (the data reads back as zeros), but every default XFS write scenario already violates linearizable on every " +
			"version (the XFS read-back finding); on reads the two paths both end with the ioend freed. Killed by an end-of-run check that " +
			"a successful XFS write's extents were converted (a property of its own, not added)"}},
	{[]string{"remove-op/dio_bio_end_aio:kfree", "forget-free-on-error/dio_bio_end_aio:kfree"},
		Note{false, "not equivalent, masked: the leak is a dio-lifetime violation, but v2.6.20 already violates dio-lifetime (the use after " +
			"free of is_async at fs/direct-io.c@v2.6.20:1113) in every default scenario where a bio drops the last reference. " +
			"A verdict per kind of violation (leak, double free, use after free) would kill it (not done)"}},
	{[]string{"remove-op/xfs_end_io_direct:destroy-ioend", "remove-op/xfs_vm_direct_IO:destroy-ioend",
		"forget-free-on-error/xfs_end_io_direct:destroy-ioend", "forget-free-on-error/xfs_vm_direct_IO:destroy-ioend"},
		Note{false, "killed since the first run by the default scenario xfs-sync-read-gup (added for it); a survivor here means " +
			"the step runs only where object-lifetime is already violated"}},
	{[]string{"v2.6.18/forget-free-on-error/xfs_end_bio_unwritten:destroy-ioend", "v2.6.18/forget-free-on-error/direct_io_worker:async-wait-kfree"},
		Note{false, "not equivalent: the error paths that reach these frees (an XFS write with an I/O error; a v2.6.18 async request that " +
			"fails part-way) are only in default scenarios whose parent verdicts already include the leak's property; killed by an " +
			"XFS write with eio whose other properties hold (not added)"}},
	{[]string{"before/remove-op/direct_io_worker:sync-drop-ref"},
		Note{true, "equivalent: on the synchronous path the submitter's drop is always the last reference (its bios are all completed " +
			"by then), so the test that follows the decrement always goes on to dio_complete and kfree; without the decrement it goes " +
			"the same way, and nothing reads the count of a dio about to be freed"}},
	{[]string{"v2.6.18/split-atomic/finished_one_bio:drop-count"},
		Note{false, "undecided: a lost update of bio_count should lose the last completion when two bios end together; why no " +
			"default run shows it was not analysed in the time available"}},
}
