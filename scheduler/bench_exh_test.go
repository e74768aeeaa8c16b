package scheduler

import (
	"fmt"
	"testing"

	"diosim/sim"
)

// BenchmarkExhaustiveReference is the reference question: the v2.6.20
// async read of N blocks where get_user_pages may fail at any block, fully
// checked, with one and two workers. It reports states and transitions per
// second (targets: N=32 under 2 s, N=48 under 20 s and 1 GB, 2 million
// transitions/s per core at every N, 1.8x with two workers on a 5-60 s
// search).
func BenchmarkExhaustiveReference(b *testing.B) {
	m := mustModel(b, "v2.6.20")
	for _, n := range []int{8, 16, 32, 48} {
		for _, w := range []int{1, 2} {
			b.Run(fmt.Sprintf("N=%d/workers=%d", n, w), func(b *testing.B) {
				sc := sim.Scenario{Op: sim.Read, Blocks: n, Faults: sim.FaultSet(sim.FaultGUP)}
				var states, trans int64
				for i := 0; i < b.N; i++ {
					c, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: w})
					if err != nil || !c.Complete {
						b.Fatal(err)
					}
					states, trans = c.States, c.Transitions
				}
				sec := b.Elapsed().Seconds() / float64(b.N)
				b.ReportMetric(float64(states), "states")
				b.ReportMetric(float64(trans)/sec, "transitions/s")
			})
		}
	}
}

// BenchmarkExhaustiveTwoReaders is two 2-block AIO readers where
// get_user_pages may fail, on before (target: under 2 s and 300 MB).
func BenchmarkExhaustiveTwoReaders(b *testing.B) {
	m := mustModel(b, "before")
	sc := sim.Scenario{Op: sim.Read, Blocks: 2, Iocbs: 2, Faults: sim.FaultSet(sim.FaultGUP)}
	var states, trans int64
	for i := 0; i < b.N; i++ {
		c, err := Exhaustive(m, &sc, ExhaustiveOptions{Workers: 1})
		if err != nil || !c.Complete {
			b.Fatal(err)
		}
		states, trans = c.States, c.Transitions
	}
	sec := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(states), "states")
	b.ReportMetric(float64(trans)/sec, "transitions/s")
}
