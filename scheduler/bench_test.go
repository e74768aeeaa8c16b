package scheduler

import (
	"testing"

	"diosim"
	"diosim/model"
)

// BenchmarkRandomDefaultSet runs the random strategy on one core over the
// default scenario set of every version and reports simulated steps and
// runs per second (target: 2 million steps/s on one core).
func BenchmarkRandomDefaultSet(b *testing.B) {
	set := diosim.DefaultSet()
	ms := model.Versions()
	ch := NewRandom(0)
	var steps, runs int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := ms[i%len(ms)]
		sc := set[(i/len(ms))%len(set)].Scenario
		ch.Reseed(uint64(i))
		res, err := Run(m, &sc, ch, Options{})
		if err != nil {
			b.Fatal(err)
		}
		steps += int64(len(res.Moves))
		runs++
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(steps)/sec, "steps/s")
	b.ReportMetric(float64(runs)/sec, "runs/s")
}
