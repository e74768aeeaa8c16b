package mutants_test

import (
	"strings"
	"testing"

	"diosim"
	"diosim/model"
	"diosim/mutants"
)

func set(t *testing.T, names ...string) []diosim.Named {
	var out []diosim.Named
	for _, n := range names {
		s, err := diosim.Lookup(n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestZooSubset runs a fast subset of the zoo on after with two
// scenarios: each mutant's fate is what the zoo reports in full.
func TestZooSubset(t *testing.T) {
	m, _ := model.Lookup("after")
	base, err := mutants.NewBaseline(m, set(t, "aio-read", "double-completion"), mutants.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	all := mutants.Generate(base)
	byName := map[string]*mutants.Mutant{}
	for i := range all {
		byName[all[i].Name] = &all[i]
	}
	for _, tc := range []struct {
		name   string
		killed bool
		err    bool
		change string // a change the kill must include
	}{
		// up_read(i_alloc_sem) forgotten: only the lock balance (no-hang) sees it.
		{"after/remove-op/dio_complete:up-alloc-sem", true, false, "aio-read no-hang: holds -> violated"},
		// the lost wake-up made worse: the waiter stops waiting one bio early.
		{"after/off-by-one/dio_await_one:lock-test-1", true, false, ""},
		// a lost update of the refcount.
		{"after/split-atomic/dio_bio_end_aio:drop-ref", true, false, ""},
		// the reaper reads an empty ring: the search reports an error, no panic.
		{"after/drop-guard/aio_read_evt:reap", true, true, ""},
		// one iocb: nothing competes for i_mutex in these scenarios.
		{"after/drop-guard/__blockdev_direct_IO:lock-i-mutex", false, false, ""},
		// i_mutex never taken: the worker's mutex_unlock releases a mutex
		// its task does not hold (no-bug's lock check).
		{"after/remove-op/__blockdev_direct_IO:lock-i-mutex", true, false, "aio-read no-bug: holds -> violated"},
	} {
		mu := byName[tc.name]
		if mu == nil {
			t.Errorf("no mutant %s", tc.name)
			continue
		}
		r := mutants.Run(mu, base, mutants.Options{Workers: 1})
		if r.Killed != tc.killed || (r.Err != nil) != tc.err {
			t.Errorf("%s: killed %v, err %v; want killed %v, error %v (changes %v)", tc.name, r.Killed, r.Err, tc.killed, tc.err, r.Changes)
		}
		if tc.change != "" && !strings.Contains(strings.Join(r.Changes, "\n"), tc.change) {
			t.Errorf("%s: changes %v, want %q among them", tc.name, r.Changes, tc.change)
		}
		if tc.err && !strings.Contains(r.Err.Error(), "panicked") {
			t.Errorf("%s: error %v, want a step that panicked", tc.name, r.Err)
		}
	}
	if s := mutants.Summary(nil); !strings.HasPrefix(s, "0 mutants") {
		t.Errorf("Summary(nil) = %q", s)
	}
}

// TestGenerateEveryOperator: the zoo has at least 40 mutants, of every
// operator, each with a description and a citation.
func TestGenerateEveryOperator(t *testing.T) {
	n := 0
	ops := map[string]int{}
	for _, m := range model.Versions() {
		base, err := mutants.NewBaseline(m, set(t, "aio-read", "double-completion", "aio-osync-write", "xfs-aio-write"), mutants.Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, mu := range mutants.Generate(base) {
			n++
			ops[mu.Op]++
			if mu.About == "" || mu.Where == "" || !strings.Contains(mu.Where, "@") {
				t.Errorf("%s: no description or citation (%q, %q)", mu.Name, mu.About, mu.Where)
			}
		}
	}
	if n < 40 {
		t.Errorf("%d mutants, want at least 40", n)
	}
	for _, o := range mutants.Operators {
		if ops[o.Name] == 0 {
			t.Errorf("no mutant of operator %s", o.Name)
		}
	}
}

// TestUnreached: the coverage of the default set names the steps it never
// runs; wait_on_sync_kiocb is one (a synchronous dio is never queued).
func TestUnreached(t *testing.T) {
	m, _ := model.Lookup("after")
	base, err := mutants.NewBaseline(m, nil, mutants.Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	un, reached := base.Unreached()
	var ids []string
	for _, st := range un {
		ids = append(ids, st.ID)
	}
	if reached == 0 || !strings.Contains(strings.Join(ids, " "), "wait_on_sync_kiocb:schedule") || strings.Contains(strings.Join(ids, " "), "dio_bio_end_aio:drop-ref") {
		t.Errorf("reached %d, unreached %v", reached, ids)
	}
}

// TestZooNewKillers: the kills of the checks added for the zoo's
// survivors, each on one or two scenarios: data-at-rest (the conversion never
// queued), the kill criterion's bug signatures (a leaked dio behind
// v2.6.20's use after free), bio_lock's lock debugging, the livelock
// check, and the two-task scenarios with no-bug's lock checks (a lock
// released by a task that does not hold it; i_mutex or the XFS iolock
// taken while another task holds it).
func TestZooNewKillers(t *testing.T) {
	for _, tc := range []struct {
		version   string
		scenarios []string // the second, if any, shows the step going its other way
		mutant    string
		change    string
	}{
		{"after", []string{"xfs-aio-write", "xfs-aio-read-gup"}, "after/invert-test/xfs_end_io_direct:load-private", "xfs-aio-write data-at-rest: holds -> violated"},
		{"v2.6.20", []string{"aio-read"}, "v2.6.20/remove-op/dio_bio_end_aio:kfree", "aio-read: new bug: dio-lifetime: leak of the dio"},
		// bio_lock's debugging checks: pop releases a lock the task no
		// longer holds (relock gone), relock takes the lock it holds.
		{"after", []string{"aio-read-getblock"}, "after/remove-op/dio_await_one:relock",
			"aio-read-getblock: new bug: no-bug: spin_unlock of dio->bio_lock by a task that does not hold it at dio_await_one:pop"},
		{"after", []string{"aio-read-getblock"}, "after/swap/dio_await_one:relock+dio_await_one:set-running",
			"aio-read-getblock: new bug: no-bug: spin_lock of dio->bio_lock by the task that holds it (spinlock recursion: it would spin forever) at dio_await_one:relock"},
		// The livelock check: an extending AIO write waits as a sync dio,
		// whose bios need bio_lock, which the spinning submitter holds.
		{"after", []string{"stale-isize", "aio-write-hole"}, "after/invert-test/dio_await_one:wait-test",
			"stale-isize: new bug: no-hang: hang: no run can end (livelock) at dio_await_one:set-uninterruptible"},
		{"after", []string{"two-sync-readers"}, "after/drop-guard/__blockdev_direct_IO:lock-i-mutex", "two-sync-readers: new bug: no-bug: mutex_unlock of i_mutex by a task that does not hold it at direct_io_worker:unplug"},
		{"v2.6.18", []string{"two-aio-writers-extend"}, "v2.6.18/drop-guard/generic_file_aio_write:lock-i-mutex", "two-aio-writers-extend: new bug: no-bug: mutex_lock of i_mutex while another task holds it at generic_file_aio_write:lock-i-mutex"},
		{"v2.6.18", []string{"two-sync-writers"}, "v2.6.18/drop-guard/generic_file_write:lock-i-mutex", "two-sync-writers no-bug: holds -> violated"},
		{"v2.6.20", []string{"xfs-two-sync-writers-cached"}, "v2.6.20/drop-guard/xfs_write:ilock", "xfs-two-sync-writers-cached: new bug: no-bug: xfs_ilock of the iolock while another task holds it at xfs_write:ilock"},
		{"v2.6.22", []string{"xfs-two-sync-writers-cached"}, "v2.6.22/drop-guard/xfs_write:relock-ilock", "xfs-two-sync-writers-cached: new bug: no-bug: xfs_ilock of the iolock while another task holds it at xfs_write:relock-ilock"},
		{"v2.6.18", []string{"xfs-sync-write-eio"}, "v2.6.18/forget-free-on-error/xfs_end_bio_unwritten:destroy-ioend", "xfs-sync-write-eio object-lifetime: holds -> violated"},
		{"v2.6.22", []string{"xfs-sync-overwrite-eio"}, "v2.6.22/forget-free-on-error/xfs_end_bio_written:destroy-ioend", "xfs-sync-overwrite-eio object-lifetime: holds -> violated"},
		{"v2.6.36", []string{"xfs-two-sync-writers-cached"}, "v2.6.36/drop-guard/xfs_file_aio_write:relock-i-mutex", "xfs-two-sync-writers-cached: new bug: no-bug: mutex_unlock(&inode->i_mutex) by a task that does not hold it at xfs_file_aio_write:flush-demote"},
	} {
		m, _ := model.Lookup(tc.version)
		base, err := mutants.NewBaseline(m, set(t, tc.scenarios...), mutants.Options{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var mu *mutants.Mutant
		all := mutants.Generate(base)
		for i := range all {
			if all[i].Name == tc.mutant {
				mu = &all[i]
			}
		}
		if mu == nil {
			t.Errorf("no mutant %s", tc.mutant)
			continue
		}
		r := mutants.Run(mu, base, mutants.Options{Workers: 1})
		if !r.Killed || r.Err != nil || !strings.Contains(strings.Join(r.Changes, "\n"), tc.change) {
			t.Errorf("%s: killed %v, err %v, changes %q; want %q among them", tc.mutant, r.Killed, r.Err, r.Changes, tc.change)
		}
	}
}
