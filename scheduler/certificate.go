package scheduler

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// MaxShards is the largest number of shards a search can be split into.
const MaxShards = 4096

// MaxCertificateBytes bounds the size of a certificate ReadCertificate
// accepts (the largest real ones are a few hundred kilobytes).
const MaxCertificateBytes = 64 << 20

// ParseShard parses "i/n" (decimal, no signs, spaces or leading zeros)
// with 0 <= i < n <= MaxShards.
func ParseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return 0, 0, fmt.Errorf("shard %q is not i/n", s)
	}
	i, err1 := parseSmall(a)
	n, err2 := parseSmall(b)
	if err1 != nil || err2 != nil || n < 1 || n > MaxShards || i >= n {
		return 0, 0, fmt.Errorf("shard %q is not i/n with 0 <= i < n <= %d", s, MaxShards)
	}
	return i, n, nil
}

func parseSmall(s string) (int, error) {
	if s == "" || len(s) > 5 || (len(s) > 1 && s[0] == '0') {
		return 0, errors.New("bad number")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0, errors.New("bad number")
		}
	}
	return strconv.Atoi(s)
}

var verdicts = map[string]bool{"holds": true, "holds-in-shard": true, "violated": true, "not-found": true}

var stopReasons = map[string]bool{"states": true, "depth": true, "timeout": true, "memory": true, "interrupt": true}

// ReadCertificate reads one certificate (JSON, as Exhaustive writes it)
// from r and checks it: nothing after the JSON, no unknown field, a known
// version, a valid scenario, a strict shard, counts that are not negative,
// a verdict for every property and only those, verdicts that agree with
// completeness and sharding, and every counterexample replayed on the
// model (VerifyCounterexample). Any failure is an error that says what is
// wrong.
func ReadCertificate(r io.Reader) (*Certificate, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxCertificateBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxCertificateBytes {
		return nil, fmt.Errorf("larger than %d MB: not a dio-sim certificate", MaxCertificateBytes>>20)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Certificate
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("not a dio-sim certificate: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("not a dio-sim certificate: something follows the JSON object")
	}
	if err := c.Check(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Check checks a certificate as ReadCertificate does.
func (c *Certificate) Check() error {
	if c.Strategy != "exhaustive" {
		return fmt.Errorf("not a dio-sim certificate: strategy %q, want exhaustive", c.Strategy)
	}
	m, err := model.Lookup(c.Version)
	if err != nil {
		return err
	}
	sc, err := sim.ParseScenario(c.Scenario)
	if err != nil {
		return fmt.Errorf("scenario: %v", err)
	}
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("scenario: %v", err)
	}
	if c.Shard != "" {
		if _, _, err := ParseShard(c.Shard); err != nil {
			return err
		}
	} else if c.SplitDepth != 0 {
		return fmt.Errorf("split_depth %d without a shard", c.SplitDepth)
	}
	if c.States < 1 || c.Transitions < 0 || c.MaxDepth < 0 || c.SplitDepth < 0 || c.MaxDepth > DefaultMaxSteps || c.SplitDepth > DefaultMaxSteps {
		return fmt.Errorf("impossible counts: states %d, transitions %d, max_depth %d, split_depth %d", c.States, c.Transitions, c.MaxDepth, c.SplitDepth)
	}
	if c.Complete != (c.StoppedBy == "") {
		return fmt.Errorf("complete %v contradicts stopped_by %q", c.Complete, c.StoppedBy)
	}
	if c.StoppedBy != "" && !stopReasons[c.StoppedBy] {
		return fmt.Errorf("unknown stopped_by %q", c.StoppedBy)
	}
	if len(c.Properties) != len(properties.All) {
		return fmt.Errorf("%d verdicts, want one for each of the %d properties", len(c.Properties), len(properties.All))
	}
	for _, id := range properties.All {
		v, ok := c.Properties[string(id)]
		if !ok {
			return fmt.Errorf("no verdict for %s", id)
		}
		if !verdicts[v.Verdict] {
			return fmt.Errorf("%s: unknown verdict %q", id, v.Verdict)
		}
		switch {
		case v.Verdict == "holds" && (!c.Complete || c.Shard != ""):
			return fmt.Errorf("%s: \"holds\" needs a complete search of the whole state graph", id)
		case v.Verdict == "holds-in-shard" && (!c.Complete || c.Shard == ""):
			return fmt.Errorf("%s: \"holds-in-shard\" needs a complete search of a shard", id)
		case v.Verdict == "not-found" && c.Complete:
			return fmt.Errorf("%s: \"not-found\" from a complete search", id)
		case v.Verdict != "violated" && (len(v.Moves) > 0 || v.Length != 0 || v.Message != "" || v.Key != ""):
			return fmt.Errorf("%s: a counterexample with verdict %q", id, v.Verdict)
		case v.Verdict == "violated":
			if len(v.Moves) == 0 || v.Length != len(v.Moves) {
				return fmt.Errorf("%s: a violation needs its moves (length %d, %d moves)", id, v.Length, len(v.Moves))
			}
			if err := VerifyCounterexample(m, &sc, id, v.Message, v.Moves); err != nil {
				return fmt.Errorf("%s: %v", id, err)
			}
		}
	}
	return nil
}

// VerifyCounterexample replays moves on sc from the initial state and
// checks that they are all enabled, that property id breaks at the last
// one (not before, not after) and, when msg is not empty, with that
// message.
func VerifyCounterexample(m *model.Model, sc *sim.Scenario, id properties.ID, msg string, moves []model.Move) error {
	if len(moves) > DefaultMaxSteps {
		return fmt.Errorf("the counterexample has %d moves, more than any run", len(moves))
	}
	for i, mv := range moves {
		if mv.Actor < 0 || mv.Actor >= 1<<8 || mv.Choice < 0 || mv.Choice >= math.MaxInt16 {
			return fmt.Errorf("the counterexample does not replay: move %d (actor %d, outcome %d) is not enabled", i+1, mv.Actor, mv.Choice)
		}
	}
	res, err := Run(m, sc, &Fixed{Moves: moves}, Options{})
	if err != nil {
		return fmt.Errorf("the counterexample does not replay: %v", err)
	}
	if len(res.Moves) != len(moves) {
		return fmt.Errorf("the counterexample does not replay: the run ended after %d of its %d moves", len(res.Moves), len(moves))
	}
	for _, v := range res.Violations {
		if v.Prop != id {
			continue
		}
		if v.Step != len(moves) {
			return fmt.Errorf("the counterexample breaks %s at move %d, not at its last move (%d)", id, v.Step, len(moves))
		}
		if msg != "" && v.Msg != msg {
			return fmt.Errorf("the counterexample breaks %s with %q, not %q", id, v.Msg, msg)
		}
		return nil
	}
	return fmt.Errorf("the counterexample replays without breaking %s", id)
}
