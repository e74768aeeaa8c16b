package scheduler

import (
	"testing"

	"diosim"
	"diosim/model"
	"diosim/properties"
)

// TestExhaustiveKeepsEverySignature: on before's aio-write-hole, the
// shortest dio-lifetime violation is the leak, and the search keeps the
// use after free in dio_bio_end_aio (fs/direct-io.c@before:291) as a bug
// of its own, with or without reductions; its moves replay to a run that
// shows that signature at its last step.
func TestExhaustiveKeepsEverySignature(t *testing.T) {
	m, err := model.Lookup("before")
	if err != nil {
		t.Fatal(err)
	}
	n, err := diosim.Lookup("aio-write-hole")
	if err != nil {
		t.Fatal(err)
	}
	uaf := properties.Signature{Prop: properties.DioLifetime, Kind: "use after free of the dio", StepID: "dio_bio_end_aio:reload-waiter"}
	leak := properties.Signature{Prop: properties.DioLifetime, Kind: "leak of the dio"}
	var sigs [2]map[properties.Signature]bool
	for i, opt := range []ExhaustiveOptions{{}, {NoPOR: true, NoSymmetry: true}} {
		cert, err := Exhaustive(m, &n.Scenario, opt)
		if err != nil {
			t.Fatal(err)
		}
		sigs[i] = map[properties.Signature]bool{}
		var got *Bug
		for k, b := range cert.Bugs {
			if sigs[i][b.Signature] {
				t.Errorf("%v: signature %s twice", opt, b.Signature)
			}
			sigs[i][b.Signature] = true
			if b.Signature == uaf {
				got = &cert.Bugs[k]
			}
		}
		if got == nil || got.Where != "fs/direct-io.c@before:291" {
			t.Fatalf("%+v: no bug %s at fs/direct-io.c@before:291 in %v", opt, uaf, cert.Bugs)
		}
		if !sigs[i][leak] || cert.Properties[string(properties.DioLifetime)].Length >= got.Length {
			t.Errorf("%+v: dio-lifetime's verdict is not the shorter leak: %+v", opt, cert.Properties[string(properties.DioLifetime)])
		}
		res, err := Run(m, &n.Scenario, &Fixed{Moves: got.Moves}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		shown := false
		for _, v := range res.Violations {
			if v.Signature() == uaf && v.Step == len(got.Moves) {
				shown = true
			}
		}
		if !shown {
			t.Errorf("%+v: the moves of %s show %v", opt, uaf, res.Violations)
		}
	}
	if len(sigs[0]) != len(sigs[1]) {
		t.Errorf("the reductions change the bugs found: %v, %v", sigs[0], sigs[1])
	}
}
