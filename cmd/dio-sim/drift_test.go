package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"diosim/model"
)

// stepDef returns the definition of the step with id in version ver.
func stepDef(t *testing.T, ver, id string) model.StepDef {
	t.Helper()
	m, err := model.Lookup(ver)
	if err != nil {
		t.Fatal(err)
	}
	d, ok := m.StepDef(id)
	if !ok {
		t.Fatalf("%s has no step %s", ver, id)
	}
	return d
}

// registerOnce registers a variant for a test (the registry is global).
func registerOnce(t *testing.T, v model.Version) {
	t.Helper()
	if _, err := model.Lookup(v.Name); err == nil {
		return
	}
	if err := model.Register(v); err != nil {
		t.Fatal(err)
	}
}

// TestReplayDrift edits the model of `before` two ways, as variants, and
// replays every committed trace of `before` on them: a cosmetic edit (a
// statement's text and citation) leaves each trace replaying with the same
// exit status and a drift warning where the trace takes the edited step;
// a behavioural edit (the same text, other code) makes the traces that
// take the step fail at their first divergence, exit 2.
func TestReplayDrift(t *testing.T) {
	const id = "dio_bio_end_aio:drop-ref"
	cosmetic := stepDef(t, "before", id)
	cosmetic.Text += " (reworded)"
	cosmetic.Cite = "fs/direct-io.c@before:289"
	registerOnce(t, model.Version{Name: "before+cosmetic", Parent: "before", Patch: &model.Patch{
		Title: "test: reword one step", Edits: []model.Edit{{Op: model.Replace, Step: id, With: []model.StepDef{cosmetic}}}}})
	behaviour := stepDef(t, "before", id)
	orig := behaviour.Do
	behaviour.Do = func(c *model.Ctx) {
		c.R.Dio.Refcount++ // one more reference than the C drops: another run
		orig(c)
	}
	registerOnce(t, model.Version{Name: "before+behaviour", Parent: "before", Patch: &model.Patch{
		Title: "test: change one step's code", Edits: []model.Edit{{Op: model.Replace, Step: id, With: []model.StepDef{behaviour}}}}})

	files, _ := filepath.Glob("../../testdata/traces/exhaustive/before-*.trace")
	if len(files) < 10 {
		t.Fatalf("only %d committed traces of before", len(files))
	}
	dir := t.TempDir()
	takes, drifted, diverged := 0, 0, 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		passes := strings.Contains(string(data), " | "+id+" | ")
		if passes {
			takes++
		}
		var o, e bytes.Buffer
		want := run([]string{"replay", "--brief", f}, &o, &e)
		if want != exitOK && want != exitViolation {
			t.Fatalf("%s does not replay on before: %s", f, e.String())
		}
		for _, variant := range []string{"before+cosmetic", "before+behaviour"} {
			path := filepath.Join(dir, variant+"-"+filepath.Base(f))
			text := strings.Replace(string(data), "version: before\n", "version: "+variant+"\n", 1)
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			o.Reset()
			e.Reset()
			got := run([]string{"replay", "--brief", path}, &o, &e)
			switch {
			case variant == "before+cosmetic":
				if got != want {
					t.Errorf("%s on %s: exit %d, want %d as on before: %s", filepath.Base(f), variant, got, want, e.String())
				}
				if warned := strings.Contains(e.String(), "drift: step") && strings.Contains(e.String(), "("+id+")"); warned != passes {
					t.Errorf("%s on %s: drift warning %v, the trace takes %s: %v\n%s", filepath.Base(f), variant, warned, id, passes, e.String())
				} else if warned {
					drifted++
				}
			case passes:
				if got != exitUsage || !strings.Contains(e.String(), "diverges from the model at step") {
					t.Errorf("%s on %s: exit %d, want 2 with the first divergence: %s", filepath.Base(f), variant, got, e.String())
				} else {
					diverged++
				}
			default:
				if got != want {
					t.Errorf("%s on %s (does not take the step): exit %d, want %d: %s", filepath.Base(f), variant, got, want, e.String())
				}
			}
		}
	}
	if takes == 0 || drifted != takes || diverged != takes {
		t.Errorf("%d traces take %s: %d drifted, %d diverged", takes, id, drifted, diverged)
	}
	t.Logf("%d traces of before, %d take %s", len(files), takes, id)
}

// TestReplayUpdate: --update rewrites a drifted trace's annotations, after
// which it replays with no drift; --strict refuses the drifted trace.
func TestReplayUpdate(t *testing.T) {
	data, err := os.ReadFile("../../testdata/traces/commit-message/before-double-completion-exactly-once.trace")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "x.trace")
	edited := strings.Replace(string(data), "waiter_holds_ref = !!dio->waiter", "waiter_holds_ref = (dio->waiter != NULL)", 1)
	if edited == string(data) {
		t.Fatal("the trace has no waiter_holds_ref step")
	}
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	if code := run([]string{"replay", "--brief", "--strict", path}, &o, &e); code != exitUsage {
		t.Errorf("--strict on a drifted trace: exit %d, want 2: %s", code, e.String())
	}
	o.Reset()
	e.Reset()
	if code := run([]string{"replay", "--brief", "--update", path}, &o, &e); code != exitViolation || !strings.Contains(e.String(), "rewrote the trace") {
		t.Errorf("--update: exit %d: %s", code, e.String())
	}
	now, _ := os.ReadFile(path)
	if string(now) != string(data) {
		t.Error("--update did not restore the model's annotations")
	}
	o.Reset()
	e.Reset()
	if code := run([]string{"replay", "--brief", "--strict", path}, &o, &e); code != exitViolation || e.Len() != 0 {
		t.Errorf("--strict after --update: exit %d: %s", code, e.String())
	}
}
