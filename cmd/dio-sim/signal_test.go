//go:build unix

package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// interrupt starts dio-sim with args, sends it SIGINT once it has run for
// a while, and returns its exit status, output and the time from the
// signal to its exit. The process is killed (and the test fails) if it
// does not stop within a generous bound.
func interrupt(t *testing.T, dir string, after time.Duration, args ...string) (code int, stdout, stderr string, took time.Duration) {
	t.Helper()
	cmd := exec.Command(dioSimBinary(t), args...)
	cmd.Dir = dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		t.Fatalf("dio-sim %v ended before the signal: %v\n%s%s", args, err, o.String(), e.String())
	case <-time.After(after):
	}
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("dio-sim %v still running 60s after SIGINT\n%s%s", args, o.String(), e.String())
	}
	took = time.Since(start)
	t.Logf("dio-sim %s: exit %d, %v from SIGINT to exit", strings.Join(args, " "), cmd.ProcessState.ExitCode(), took.Round(time.Millisecond))
	return cmd.ProcessState.ExitCode(), o.String(), e.String(), took
}

// TestInterrupt: Ctrl-C (SIGINT) stops every strategy; the command prints
// what it found, writes its traces and exits by the rule (1 if a
// violation was found, else 3).
func TestInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the command")
	}
	cases := []struct {
		name string
		args []string
		// a violation found before the signal (the runs find it within a
		// fraction of a second); else none may have been found yet
		found bool
	}{
		{"random", []string{"check", "--version", "before", "--scenario", "double-completion", "--runs", "100000000"}, true},
		{"rapid", []string{"check", "--version", "before", "--scenario", "double-completion", "--strategy", "rapid", "--runs", "100000000"}, true},
		{"exhaustive", []string{"check", "--version", "before", "--op", "write", "--blocks", "3", "--faults", "hole,eio", "--iocbs", "3", "--strategy", "exhaustive"}, false},
		{"matrix-random", []string{"--strategy", "random", "--runs", "100000000"}, false},
		{"matrix-rapid", []string{"--strategy", "rapid", "--runs", "100000000"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr, _ := interrupt(t, dir, 1500*time.Millisecond, append(c.args, "--trace-dir", "traces")...)
			violated := strings.Contains(stdout, "VIOLATED")
			if c.found && !violated {
				t.Fatalf("nothing found before the signal, or nothing printed:\n%s%s", stdout, stderr)
			}
			want := exitLimit
			if violated {
				want = exitViolation
			}
			if code != want {
				t.Errorf("exit %d, want %d\n%s%s", code, want, stdout, stderr)
			}
			if !strings.Contains(stdout, "by Ctrl-C") {
				t.Errorf("the output does not say Ctrl-C stopped the search:\n%s", stdout)
			}
			// Every trace named was written, and replays.
			n := 0
			for _, f := range strings.Fields(stdout) {
				if !strings.HasSuffix(f, ".trace") {
					continue
				}
				n++
				if code, out, errs := runCLI("replay", "--brief", filepath.Join(dir, f)); code != exitViolation {
					t.Errorf("replay %s: exit %d\n%s%s", f, code, out, errs)
				}
			}
			if violated && n == 0 {
				t.Errorf("no trace named:\n%s", stdout)
			}
		})
	}
}
