package main

import (
	"strings"
	"testing"
)

func TestMutantsCLI(t *testing.T) {
	code, out, stderr := runCLI("mutants", "--list", "--versions", "after", "--op", "split-atomic")
	if code != 0 || !strings.Contains(out, "after/split-atomic/dio_bio_end_aio:drop-ref\n") || !strings.Contains(out, "fs/direct-io.c@after:280-281") {
		t.Fatalf("--list: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI("mutants", "--versions", "after", "--match", "split-atomic/dio_bio_end_aio")
	if code != 0 || !strings.Contains(out, "killed    after/split-atomic/dio_bio_end_aio:drop-ref") || !strings.Contains(out, "1 mutants, 1 killed (100.0%)") {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	// A survivor with its note, and the exit status 0 (every survivor decided).
	code, out, _ = runCLI("mutants", "--versions", "after", "--match", "swap/dio_complete:up-alloc-sem")
	if code != 0 || !strings.Contains(out, "SURVIVED  after/swap/dio_complete:up-alloc-sem+dio_complete:ret") || !strings.Contains(out, "equivalent: ret is computed") {
		t.Fatalf("survivor: exit %d\n%s", code, out)
	}
	if code, _, stderr := runCLI("mutants", "--op", "nope"); code != 2 || !strings.Contains(stderr, "unknown --op") {
		t.Fatalf("bad --op: exit %d %s", code, stderr)
	}
}

func TestCoverageAndPCTFlags(t *testing.T) {
	dir := t.TempDir()
	code, out, stderr := runCLI("check", "--version", "after", "--scenario", "sync-read-faults", "--strategy", "exhaustive", "--coverage", "--trace-dir", dir)
	if code != 0 || !strings.Contains(out, "coverage of after: ") || !strings.Contains(out, "never run: wait_on_sync_kiocb:schedule") ||
		!strings.Contains(out, "only-after-queued  vacuous") {
		t.Fatalf("--coverage: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI("check", "--version", "before", "--scenario", "double-completion", "--strategy", "pct", "--runs", "300", "--trace-dir", dir)
	if code != 1 || !strings.Contains(out, "pct: 300 runs (seed 1, depth 3)") || !strings.Contains(out, "found with probability >= ") ||
		!strings.Contains(out, "exactly-once       VIOLATED") {
		t.Fatalf("pct: exit %d\n%s%s", code, out, stderr)
	}
	// The main table with PCT: the weakest bound of its searches, named.
	code, out, stderr = runCLI("--strategy", "pct", "--runs", "20", "--versions", "after", "--trace-dir", dir)
	if code != 1 || !strings.Contains(out, "pct, depth 3: each bug of depth 3 is found with probability >= ") ||
		!strings.Contains(out, "the weakest bound is ") || !strings.Contains(out, " on after\n(") {
		t.Fatalf("main table with pct: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = runCLI("--strategy", "pct", "--runs", "20", "--versions", "after", "--trace-dir", dir, "--json")
	if code != 1 || !strings.Contains(out, `"pct": {`) || !strings.Contains(out, `"version": "after"`) || !strings.Contains(out, `"depth": 3`) {
		t.Fatalf("main table with pct, --json: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := runCLI("check", "--version", "after", "--scenario", "aio-read", "--strategy", "random", "--coverage"); code != 2 || !strings.Contains(stderr, "--coverage needs") {
		t.Fatalf("--coverage with random: exit %d %s", code, stderr)
	}
}
