package explain_test

import (
	"fmt"

	"diosim/explain"
	"diosim/scheduler"
)

// Explain the commit message's double completion: the accounts say which
// step broke each property and which earlier steps set it up.
func ExampleNew() {
	t, err := scheduler.ReadTraceFile("../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	if err != nil {
		fmt.Println(err)
		return
	}
	story, err := explain.New(t)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("lanes:", story.Lanes)
	for _, a := range story.Accounts {
		fmt.Println(a.Title)
		fmt.Println("  " + a.Lines[0])
		fmt.Println("  steps:", a.Cited)
	}
	// Output:
	// lanes: [submitter bio0]
	// exactly-once broke at step 41: the iocb was completed 2 times (double completion): first with -EFAULT
	//   The iocb's result was delivered 2 times, at step 30 and step 41: each of these paths believed it was the one to complete the request.
	//   steps: [10 11 14 19 24 27 29 30 33 41]
	// only-after-queued broke at step 41: fs/direct-io.c called aio_complete before the submitter committed to returning -EIOCBQUEUED
	//   At step 41, bio0 called aio_complete from fs/direct-io.c (fs/direct-io.c@before:267) and delivered 4096.
	//   steps: [10 19 24 33 41]
}
