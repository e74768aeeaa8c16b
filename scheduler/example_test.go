package scheduler_test

import (
	"fmt"

	"diosim/model"
	"diosim/scheduler"
	"diosim/sim"
)

// Run one seeded random walk of the commit message's scenario on the
// version before the patch and print what it found.
func ExampleRun() {
	m, _ := model.Lookup("before")
	sc := &sim.Scenario{Op: sim.Read, Blocks: 2, Faults: sim.FaultSet(sim.FaultGUP)}
	for seed := uint64(0); ; seed++ {
		res, _ := scheduler.Run(m, sc, scheduler.NewRandom(seed), scheduler.Options{})
		if res.Has("exactly-once") {
			for _, v := range res.Violations {
				if v.Prop == "exactly-once" {
					fmt.Println(v.Prop, "-", v.Msg)
				}
			}
			return
		}
	}
	// Output: exactly-once - the iocb was completed 2 times (double completion): first with -EFAULT
}

// A campaign keeps the shortest violating run of each property; Record
// turns it into a trace.
func ExampleRandomCampaign() {
	m, _ := model.Lookup("after")
	sc := &sim.Scenario{Op: sim.Read, Blocks: 2, Faults: sim.FaultSet(sim.FaultGUP)}
	cr, _ := scheduler.RandomCampaign(m, sc, 1, 1000, 1)
	f := cr.Found["no-hang"]
	tr, _, _ := scheduler.Record(m, sc, f.Seed, "random", f.Moves)
	last := tr.Steps[len(tr.Steps)-1]
	fmt.Println(last.Actor, last.Loc, "-", last.Text)
	// Output: submitter fs/direct-io.c@after:392 - io_schedule()
}
