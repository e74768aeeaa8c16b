package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"diosim/internal/testbudget"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string
)

// dioSimBinary builds ./cmd/dio-sim once per test binary.
func dioSimBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "dio-sim-bin-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "dio-sim")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = err
			t.Logf("go build: %s", out)
		}
	})
	if binErr != nil {
		t.Fatalf("building dio-sim: %v", binErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := testbudget.Run(m)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	cleanWasm()
	os.Exit(code)
}
