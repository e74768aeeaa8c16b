package properties_test

import (
	"os"
	"testing"

	"diosim/internal/testbudget"
)

func TestMain(m *testing.M) { os.Exit(testbudget.Run(m)) }
