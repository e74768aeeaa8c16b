package scheduler

import (
	"math/rand"
	"testing"
)

// TestFPTable checks the fingerprint table against a map: after random
// puts (the all-zero fingerprint and colliding low bits among them),
// resets and more puts, get, has, len and all agree with the map.
func TestFPTable(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var tab fpTable[int32]
	ref := map[fingerprint]int32{}
	key := func() fingerprint {
		switch r.Intn(10) {
		case 0:
			return fingerprint{}
		case 1:
			// Same low bits: the same first slot.
			return fingerprint{uint64(r.Intn(4)) << 40, uint64(r.Intn(3))}
		}
		return fingerprint{r.Uint64(), r.Uint64()}
	}
	for round, n := range []int{0, 1, 100, 5000, 3, 20000} {
		if round%2 == 1 {
			tab.reset()
			clear(ref)
		}
		var keys []fingerprint
		for i := 0; i < n; i++ {
			k := key()
			v := int32(r.Intn(1000))
			tab.put(k, v)
			ref[k] = v
			keys = append(keys, k)
		}
		if tab.len() != len(ref) {
			t.Fatalf("round %d: len %d, want %d", round, tab.len(), len(ref))
		}
		for _, k := range append(keys, key(), key()) {
			want, wok := ref[k]
			got, ok := tab.get(k)
			if ok != wok || got != want || tab.has(k) != wok {
				t.Fatalf("round %d: get(%x) = %d, %v; want %d, %v", round, k, got, ok, want, wok)
			}
		}
		seen := map[fingerprint]bool{}
		tab.all(func(k fingerprint, v int32) {
			if seen[k] || ref[k] != v {
				t.Fatalf("round %d: all gave %x = %d (again: %v), want %d", round, k, v, seen[k], ref[k])
			}
			seen[k] = true
		})
		if len(seen) != len(ref) {
			t.Fatalf("round %d: all gave %d entries, want %d", round, len(seen), len(ref))
		}
	}
}

// TestFPTableRef: ref adds a key once, with the zero value, and then
// returns the value its pointer last set.
func TestFPTableRef(t *testing.T) {
	var tab fpTable[uint64]
	want := map[fingerprint]uint64{}
	for i, k := range []fingerprint{{1, 2}, {}, {1, 2}, {3, 4}, {}} {
		p, added := tab.ref(k)
		old, had := want[k]
		if added == had || *p != old {
			t.Fatalf("ref(%x): added %v with value %d; want added %v, value %d", k, added, *p, !had, old)
		}
		*p = uint64(100 + i)
		want[k] = *p
	}
	for k, v := range want {
		if got, ok := tab.get(k); !ok || got != v {
			t.Errorf("get(%x) = %d, %v; want %d", k, got, ok, v)
		}
	}
	if tab.len() != len(want) {
		t.Errorf("len %d, want %d", tab.len(), len(want))
	}
}
