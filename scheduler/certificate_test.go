package scheduler

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"diosim/model"
	"diosim/properties"
)

// shardCerts returns the two shard certificates of the exhaustive search
// of the commit message's scenario on before, as JSON.
func shardCerts(t testing.TB) [2][]byte {
	t.Helper()
	m := mustModel(t, "before")
	sc := doubleCompletion
	var out [2][]byte
	for i := range out {
		c, err := Exhaustive(m, &sc, ExhaustiveOptions{Shard: i, Shards: 2, Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		out[i], _ = json.MarshalIndent(c, "", "  ")
	}
	return out
}

// edit decodes a certificate, lets f change it and encodes it again.
func edit(t *testing.T, b []byte, f func(c map[string]any)) []byte {
	t.Helper()
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	f(c)
	out, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func prop(c map[string]any, id properties.ID) map[string]any {
	return c["properties"].(map[string]any)[string(id)].(map[string]any)
}

// TestReadCertificateRejects: a forged, mismatched or damaged certificate
// is refused with an error that says what is wrong; a real one is read.
func TestReadCertificateRejects(t *testing.T) {
	certs := shardCerts(t)
	good := certs[0]
	c, err := ReadCertificate(bytes.NewReader(good))
	if err != nil {
		t.Fatalf("a real certificate: %v", err)
	}
	if c.Properties[string(properties.ExactlyOnce)].Verdict != "violated" {
		t.Fatalf("shard 0 does not have the double completion: %s", good)
	}
	cases := []struct {
		name string
		in   []byte
		want string
	}{
		{"actor 99", edit(t, good, func(c map[string]any) {
			mv := prop(c, properties.ExactlyOnce)["moves"].([]any)
			mv[1].(map[string]any)["actor"] = 99
		}), "no actor 99"},
		{"huge shard count", edit(t, good, func(c map[string]any) { c["shard"] = "0/50000000" }), "not i/n"},
		{"shard with trailing letters", edit(t, good, func(c map[string]any) { c["shard"] = "0/3xyz" }), "not i/n"},
		{"shard with a sign", edit(t, good, func(c map[string]any) { c["shard"] = "+0/2" }), "not i/n"},
		{"forged no-hang", edit(t, good, func(c map[string]any) {
			v := prop(c, properties.NoHang)
			v["verdict"], v["message"], v["length"] = "violated", "the submitter never returns", 3
			v["moves"] = []any{map[string]any{"actor": 0, "choice": 0}, map[string]any{"actor": 0, "choice": 0}, map[string]any{"actor": 0, "choice": 0}}
		}), "replays without breaking no-hang"},
		{"violation without moves", edit(t, good, func(c map[string]any) {
			v := prop(c, properties.ExactlyOnce)
			delete(v, "moves")
			v["length"] = 0
		}), "needs its moves"},
		{"length not the moves", edit(t, good, func(c map[string]any) { prop(c, properties.ExactlyOnce)["length"] = 2 }), "needs its moves"},
		{"another message", edit(t, good, func(c map[string]any) { prop(c, properties.ExactlyOnce)["message"] = "all is well" }), "not \"all is well\""},
		{"trailing garbage", append(append([]byte(nil), good...), "xyz"...), "follows the JSON"},
		{"a second object", append(append([]byte(nil), good...), good...), "follows the JSON"},
		{"verdict maybe", edit(t, good, func(c map[string]any) { prop(c, properties.NoHang)["verdict"] = "maybe" }), "unknown verdict \"maybe\""},
		{"holds in a shard", edit(t, good, func(c map[string]any) { prop(c, properties.NoHang)["verdict"] = "holds" }), "whole state graph"},
		{"negative states", edit(t, good, func(c map[string]any) { c["states"] = -5 }), "impossible counts"},
		{"overflowing states", []byte(strings.Replace(string(good), `"states": `, `"states": 99999999999999999999999`, 1)), "not a dio-sim certificate"},
		{"unknown property", edit(t, good, func(c map[string]any) {
			c["properties"].(map[string]any)["happiness"] = map[string]any{"verdict": "holds-in-shard"}
		}), "verdicts"},
		{"missing property", edit(t, good, func(c map[string]any) { delete(c["properties"].(map[string]any), string(properties.NoBug)) }), "verdicts"},
		{"unknown version", edit(t, good, func(c map[string]any) { c["version"] = "2.6.19" }), "unknown version"},
		{"bad scenario", edit(t, good, func(c map[string]any) { c["scenario"] = "op=fly" }), "scenario"},
		{"complete and stopped", edit(t, good, func(c map[string]any) { c["stopped_by"] = "states" }), "contradicts"},
		{"unknown field", edit(t, good, func(c map[string]any) { c["hello"] = 1 }), "unknown field"},
		{"not json", []byte("<html>"), "not a dio-sim certificate"},
		{"empty", nil, "not a dio-sim certificate"},
		{"another strategy", edit(t, good, func(c map[string]any) { c["strategy"] = "random" }), "strategy"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadCertificate(bytes.NewReader(c.in))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error saying %q", err, c.want)
			}
		})
	}
}

// TestMergeSplitDepth: shards split at different depths are of different
// searches.
func TestMergeSplitDepth(t *testing.T) {
	certs := shardCerts(t)
	var a, b Certificate
	json.Unmarshal(certs[0], &a)
	json.Unmarshal(certs[1], &b)
	b.SplitDepth++
	if _, err := MergeCertificates([]*Certificate{&a, &b}); err == nil || !strings.Contains(err.Error(), "another search") {
		t.Errorf("merged shards split at depths %d and %d: %v", a.SplitDepth, b.SplitDepth, err)
	}
}

// TestVerifyCounterexample: every counterexample of a real search replays;
// one cut short does not.
func TestVerifyCounterexample(t *testing.T) {
	m := mustModel(t, "before")
	sc := doubleCompletion
	c, err := Exhaustive(m, &sc, ExhaustiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, id := range properties.All {
		v := c.Properties[string(id)]
		if v.Verdict != "violated" {
			continue
		}
		n++
		if err := VerifyCounterexample(m, &sc, id, v.Message, v.Moves); err != nil {
			t.Errorf("%s: %v", id, err)
		}
		if err := VerifyCounterexample(m, &sc, id, v.Message, v.Moves[:len(v.Moves)-1]); err == nil {
			t.Errorf("%s: the counterexample without its last move verifies", id)
		}
	}
	if n == 0 {
		t.Fatal("no counterexample to verify")
	}
	if err := VerifyCounterexample(m, &sc, properties.NoHang, "", []model.Move{{Actor: -1}}); err == nil {
		t.Error("actor -1 verifies")
	}
}

// FuzzReadCertificate: whatever the input, ReadCertificate returns a
// certificate that passes Check, or an error; it never panics or hangs.
func FuzzReadCertificate(f *testing.F) {
	for _, c := range shardCerts(f) {
		f.Add(c)
	}
	f.Add([]byte(`{"version":"before","scenario":"op=read","strategy":"exhaustive","shard":"0/50000000"}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ReadCertificate(bytes.NewReader(b))
		if err != nil {
			return
		}
		if err := c.Check(); err != nil {
			t.Fatalf("ReadCertificate accepted a certificate that Check refuses: %v", err)
		}
	})
}

// FuzzParseTrace: whatever the input, ParseTrace returns a trace or an
// error without panicking, and a trace it returns writes and parses back
// the same; Replay of it returns (a verdict or an error), never panics.
func FuzzParseTrace(f *testing.F) {
	files, _ := filepath.Glob("../testdata/traces/*/*.trace")
	for i, path := range files {
		if i%4 != 0 { // a sample: the seed corpus runs on every go test
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(TraceMagic + "\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := ParseTrace(bytes.NewReader(b))
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := tr.Write(&out); err != nil {
			return
		}
		if _, err := ParseTrace(bytes.NewReader(out.Bytes())); err != nil {
			t.Fatalf("a parsed trace, written again, does not parse: %v", err)
		}
		if len(tr.Steps) <= 2000 {
			_, _ = Replay(tr)
		}
	})
}
