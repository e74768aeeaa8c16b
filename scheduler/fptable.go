package scheduler

// fpTable maps fingerprints to values: an open-addressing hash table with
// linear probing, indexed by the fingerprint's own bits (a fingerprint is
// already a uniform hash, so it is not hashed again). It is the search's
// visited set (values: state ids) and its per-level claims (values: the
// first position of a fingerprint among a level's successors). It is not
// safe for concurrent use with a writer; readers alone may share it.
//
// The all-zero fingerprint marks an empty slot; the one state whose
// fingerprint it is (with probability 2^-128) is kept aside.
type fpTable[V any] struct {
	keys    []fingerprint
	vals    []V
	n       int // entries in keys
	hasZero bool
	zero    V
}

// fpTableMin is the smallest number of slots of a table that holds
// anything.
const fpTableMin = 16

// slot returns the index of fp's slot in keys (the slot holding fp, or
// the empty slot where it would go). keys must not be empty.
func (t *fpTable[V]) slot(fp fingerprint) int {
	mask := len(t.keys) - 1
	// The low bits: shardOfFP uses the top ones.
	i := int(fp[0]) & mask
	for {
		k := t.keys[i]
		if k == fp || k == (fingerprint{}) {
			return i
		}
		i = (i + 1) & mask
	}
}

// get returns the value of fp and whether fp is in t.
func (t *fpTable[V]) get(fp fingerprint) (V, bool) {
	if fp == (fingerprint{}) {
		return t.zero, t.hasZero
	}
	if t.n == 0 {
		var v V
		return v, false
	}
	i := t.slot(fp)
	if t.keys[i] != fp {
		var v V
		return v, false
	}
	return t.vals[i], true
}

// has reports whether fp is in t.
func (t *fpTable[V]) has(fp fingerprint) bool {
	if fp == (fingerprint{}) {
		return t.hasZero
	}
	return t.n > 0 && t.keys[t.slot(fp)] == fp
}

// ref returns a pointer to fp's value, adding fp (with the zero value)
// if it is not in t; added reports whether it was. The pointer is valid
// until the next ref.
func (t *fpTable[V]) ref(fp fingerprint) (v *V, added bool) {
	if fp == (fingerprint{}) {
		added = !t.hasZero
		t.hasZero = true
		return &t.zero, added
	}
	if 4*(t.n+1) > 3*len(t.keys) {
		t.grow()
	}
	i := t.slot(fp)
	if t.keys[i] != fp {
		t.keys[i] = fp
		var zero V
		t.vals[i] = zero
		t.n++
		added = true
	}
	return &t.vals[i], added
}

// put sets the value of fp.
func (t *fpTable[V]) put(fp fingerprint, v V) {
	p, _ := t.ref(fp)
	*p = v
}

// grow doubles the slots of t (or makes the first ones).
func (t *fpTable[V]) grow() {
	keys, vals := t.keys, t.vals
	n := max(fpTableMin, 2*len(keys))
	t.keys, t.vals = make([]fingerprint, n), make([]V, n)
	for i, k := range keys {
		if k != (fingerprint{}) {
			j := t.slot(k)
			t.keys[j], t.vals[j] = k, vals[i]
		}
	}
}

// reset empties t. It keeps t's slots, or half of them when t was less
// than one eighth full: a table reset after each level follows the
// levels' sizes.
func (t *fpTable[V]) reset() {
	switch {
	case len(t.keys) > fpTableMin && 8*t.n < len(t.keys):
		n := len(t.keys) / 2
		t.keys, t.vals = make([]fingerprint, n), make([]V, n)
	case t.n > 0:
		clear(t.keys)
	}
	t.n, t.hasZero = 0, false
}

// all calls f with every entry of t, in no particular order.
func (t *fpTable[V]) all(f func(fingerprint, V)) {
	if t.hasZero {
		f(fingerprint{}, t.zero)
	}
	if t.n == 0 {
		return
	}
	for i, k := range t.keys {
		if k != (fingerprint{}) {
			f(k, t.vals[i])
		}
	}
}

// len returns the number of entries of t.
func (t *fpTable[V]) len() int {
	if t.hasZero {
		return t.n + 1
	}
	return t.n
}
