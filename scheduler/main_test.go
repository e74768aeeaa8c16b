package scheduler

import (
	"flag"
	"os"
	"testing"

	"diosim/internal/testbudget"
)

func TestMain(m *testing.M) {
	flag.Parse()
	testbudget.SetFuzzDefaults()
	os.Exit(m.Run())
}
