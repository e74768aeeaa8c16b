package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestHistoryTraces: every trace docs/history.md names as evidence is
// committed under testdata/traces (where TestCommittedTraces replays each
// one against the model and its recorded verdict).
func TestHistoryTraces(t *testing.T) {
	doc, err := os.ReadFile("../../docs/history.md")
	if err != nil {
		t.Fatal(err)
	}
	names := regexp.MustCompile(`[A-Za-z0-9_.+-]+\.trace`).FindAllString(string(doc), -1)
	if len(names) < 10 {
		t.Fatalf("docs/history.md names %d traces; its claims should each name one", len(names))
	}
	for _, n := range names {
		if m, _ := filepath.Glob(filepath.Join("../../testdata/traces", "*", n)); len(m) == 0 {
			t.Errorf("docs/history.md names %s, which is not under testdata/traces", n)
		}
	}
}
