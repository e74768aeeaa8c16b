// Package variants holds versions derived from the kernel's: candidate
// fixes and experiments, each a parent version plus a patch of step edits
// (see docs/your-own-fix.md). Every command of dio-sim can use them by
// name (check --version, the main table's --versions, play, explain,
// diff).
//
// To add one, put a Go file in this directory whose init function calls
// add with a model.Version; a malformed variant (unknown parent, an edit
// naming a step the parent does not have, a bad citation) is reported by
// Err, which the command line prints as one line before doing anything.
package variants

import (
	"errors"

	"diosim/model"
)

var errs []error

// add registers v, keeping the error for Err.
func add(v model.Version) {
	if err := model.Register(v); err != nil {
		errs = append(errs, err)
	}
}

// Err returns the errors of the variants that could not be registered.
func Err() error { return errors.Join(errs...) }
