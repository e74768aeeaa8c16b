package scheduler

import (
	"fmt"
	"sync"
	"testing"
)

// TestPieceQueue: however the workers race, every piece of a level is
// handed out exactly once, and a worker alone takes its own range in
// order before the others'.
func TestPieceQueue(t *testing.T) {
	var x search
	for _, c := range []struct{ workers, pieces int }{{1, 1}, {1, 7}, {2, 1}, {2, 2}, {2, 128}, {3, 10}, {8, 5}, {8, 512}} {
		q := x.pieces(c.workers, c.pieces)
		got := make([][]int, c.workers)
		var wg sync.WaitGroup
		for w := 0; w < c.workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for {
					p, ok := q.next(w)
					if !ok {
						return
					}
					got[w] = append(got[w], p)
				}
			}(w)
		}
		wg.Wait()
		seen := make([]int, c.pieces)
		for _, ps := range got {
			for _, p := range ps {
				if p < 0 || p >= c.pieces {
					t.Fatalf("%+v: piece %d out of range", c, p)
				}
				seen[p]++
			}
		}
		for p, n := range seen {
			if n != 1 {
				t.Errorf("%+v: piece %d handed out %d times", c, p, n)
			}
		}
	}
	q := x.pieces(2, 6)
	var order []int
	for {
		p, ok := q.next(1)
		if !ok {
			break
		}
		order = append(order, p)
	}
	if want := []int{3, 4, 5, 2, 1, 0}; fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("worker 1 alone took %v, want %v (its own range in order, then the other's from the back)", order, want)
	}
}
