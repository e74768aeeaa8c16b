package explorer

import (
	"strings"

	"diosim"
	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// View is everything the page draws for the current position.
type View struct {
	Version  string `json:"version"`
	Scenario string `json:"scenario"` // the scenario's name ("custom" without one)
	Spec     string `json:"spec"`     // the scenario in key=value form
	Doc      string `json:"doc,omitempty"`
	N        int    `json:"n"` // moves taken
	CanUndo  bool   `json:"canUndo"`
	CanRedo  bool   `json:"canRedo"`
	Ended    bool   `json:"ended"` // no actor can move
	Link     string `json:"link"`  // URL fragment of this position
	// Actors are every actor of the scenario, in state order: one lane each.
	Actors     []ActorView `json:"actors"`
	Steps      []StepView  `json:"steps"`
	Timelines  []Timeline  `json:"timelines"`
	Violations []ViolView  `json:"violations"`
	Accounts   []Account   `json:"accounts"`
}

// ActorView is one lane: the actor's next statement and what it can do.
type ActorView struct {
	ID      int     `json:"id"`
	Name    string  `json:"name"`
	Enabled bool    `json:"enabled"`
	Done    bool    `json:"done"`
	Why     string  `json:"why,omitempty"` // why it cannot run
	Loc     string  `json:"loc,omitempty"` // the next step's citation
	Func    string  `json:"func,omitempty"`
	Text    string  `json:"text,omitempty"`
	Choices []Label `json:"choices,omitempty"` // outcomes at a fault point (more than one)
}

// Label is one outcome of a fault point.
type Label struct {
	Choice int    `json:"choice"`
	Name   string `json:"name"`
}

// StepView is one step taken.
type StepView struct {
	N       int      `json:"n"`
	Actor   int      `json:"actor"`
	Name    string   `json:"name"`
	Outcome string   `json:"outcome,omitempty"`
	Loc     string   `json:"loc"`
	Func    string   `json:"func"`
	Text    string   `json:"text"`
	Changes []Change `json:"changes"`
	// Reads are the shared values the step read (before it ran): what it
	// decided on, even when it changed nothing (explain.Reads).
	Reads []Read   `json:"reads"`
	Auto  bool     `json:"auto"`            // taken automatically (the only move)
	Broke []string `json:"broke,omitempty"` // properties that broke at this step
}

// Read is one shared value a step read.
type Read struct {
	Field string `json:"field"`
	Val   string `json:"val"`
}

// Change is one piece of state a step changed.
type Change struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
}

// Timeline is the history of one shared variable: its value before the
// first step and after each.
type Timeline struct {
	Field  string   `json:"field"`
	Values []string `json:"values"`
}

// ViolView is a violation and the step it broke at.
type ViolView struct {
	Prop string `json:"prop"`
	Step int    `json:"step"`
	Msg  string `json:"msg"`
}

// Account is explain's plain-language account of a violation.
type Account struct {
	Prop  string   `json:"prop"`
	Step  int      `json:"step"`
	Title string   `json:"title"`
	Lines []string `json:"lines"`
	Cited []int    `json:"cited"`
}

// timelineFields are the shared variables drawn as timelines, by the end
// of their field names (several iocbs prefix them).
var timelineFields = []string{"dio.refcount", "dio.bio_count", "dio.waiter", "kiocb.ki_users", "inode.i_size", "aio_complete.calls"}

// View renders the current position.
func (x *Session) View() (*View, error) {
	st, err := x.Story()
	if err != nil {
		return nil, err
	}
	s := x.s
	v := &View{Version: x.m.Name, Scenario: x.sc.Name, Spec: x.sc.String(), N: len(x.moves),
		CanUndo: len(x.marks) > 0, CanRedo: len(x.redo) > 0, Link: x.Link(),
		Actors: []ActorView{}, Steps: []StepView{}, Timelines: []Timeline{}, Violations: []ViolView{}, Accounts: []Account{}}
	if v.Scenario == "" {
		v.Scenario = "custom"
	}
	if n, err := diosim.Lookup(x.sc.Name); err == nil {
		v.Doc = n.Doc
	}
	moves := x.m.Moves(s, nil)
	v.Ended = len(moves) == 0
	for a := range s.Actors {
		av := ActorView{ID: a, Name: model.ActorName(s, a), Enabled: x.m.Enabled(s, a), Done: s.Actors[a].Done}
		if st := x.m.Next(s, a); st != nil {
			av.Loc, av.Func, av.Text = st.Loc.String(), st.Loc.Func, st.Text
		}
		if av.Enabled {
			if k := x.m.Outcomes(s, a); k > 1 {
				for j := 0; j < k; j++ {
					av.Choices = append(av.Choices, Label{j, x.m.OutcomeName(s, a, j)})
				}
			}
		} else {
			av.Why = Why(x.m, s, a)
		}
		v.Actors = append(v.Actors, av)
	}
	for i, ss := range st.Steps {
		sv := StepView{N: ss.N, Actor: ss.ActorID, Name: ss.Actor, Loc: ss.Loc, Func: ss.Func, Text: ss.Text,
			Changes: []Change{}, Reads: []Read{}, Auto: x.auto[i]}
		for _, r := range ss.Reads {
			sv.Reads = append(sv.Reads, Read{r.Name, r.Val})
		}
		if ss.Outcome != "-" {
			sv.Outcome = ss.Outcome
		}
		for _, c := range ss.Changes {
			sv.Changes = append(sv.Changes, Change{c.Field, c.Old, c.New})
		}
		for _, b := range ss.Broke {
			sv.Broke = append(sv.Broke, string(b.Prop))
		}
		v.Steps = append(v.Steps, sv)
	}
	for _, f := range st.Fields {
		if !timelineField(f) {
			continue
		}
		tl := Timeline{Field: f}
		for n := 0; n <= len(st.Steps); n++ {
			val, _ := st.Value(n, f)
			tl.Values = append(tl.Values, val)
		}
		if strings.HasSuffix(f, "dio.bio_count") && x.m.Name != "v2.6.18" && constant(tl.Values) {
			continue // only v2.6.18 counts the dio's references in bio_count
		}
		v.Timelines = append(v.Timelines, tl)
	}
	for _, vi := range st.Violations {
		v.Violations = append(v.Violations, ViolView{string(vi.Prop), vi.Step, vi.Msg})
	}
	for _, a := range st.Accounts {
		v.Accounts = append(v.Accounts, Account{string(a.Prop), a.Step, a.Title, a.Lines, a.Cited})
	}
	return v, nil
}

func constant(vals []string) bool {
	for _, v := range vals {
		if v != vals[0] {
			return false
		}
	}
	return true
}

func timelineField(f string) bool {
	for _, t := range timelineFields {
		if f == t || strings.HasSuffix(f, "."+t) || strings.HasSuffix(f, "]"+t) {
			return true
		}
	}
	return false
}

// Why says in a few words why actor a cannot run in s.
func Why(m *model.Model, s *sim.State, a int) string {
	act := &s.Actors[a]
	switch {
	case act.Done:
		return "finished"
	case act.Dead:
		return "killed by a BUG or an oops"
	case act.Asleep:
		return "asleep in schedule() after " + m.Where(s, a)
	case act.Kind == sim.Reaper:
		return "waits in io_getevents for a completion event"
	case act.Kind == sim.BioEnd && bioState(s, model.ActorName(s, a)) == "none":
		return "its bio has not been submitted"
	}
	return "waits: a lock it needs is held, or the event it waits for has not happened"
}

// bioState returns the state field of the bio of actor name ("bio1", or
// "bio1#2" for the second iocb's when there are several), as the state's
// fields show it ("" if there is none).
func bioState(s *sim.State, name string) string {
	bio, iocb, several := strings.Cut(name, "#")
	want := []string{bio + ".state"}
	if several {
		want = []string{"iocb" + iocb + "." + bio + ".state"}
	} else {
		want = append(want, "iocb0."+bio+".state")
	}
	for _, f := range s.Fields() {
		for _, w := range want {
			if f.Name == w {
				return f.Val
			}
		}
	}
	return ""
}

// Catalog lists what the page offers to choose from.
type Catalog struct {
	Versions   []NameDoc   `json:"versions"`
	Scenarios  []Scenario  `json:"scenarios"`
	Properties []string    `json:"properties"`
	Challenges []Challenge `json:"challenges"`
}

// NameDoc is a version and its one-line description.
type NameDoc struct {
	Name string `json:"name"`
	Doc  string `json:"doc"`
}

// Scenario is a named scenario.
type Scenario struct {
	Name    string `json:"name"`
	Doc     string `json:"doc"`
	Spec    string `json:"spec"`
	Default bool   `json:"default"`
}

// NewCatalog returns the versions, scenarios, properties and challenges.
func NewCatalog() *Catalog {
	c := &Catalog{Challenges: Challenges()}
	for _, m := range model.Versions() {
		c.Versions = append(c.Versions, NameDoc{m.Name, m.Doc})
	}
	for _, n := range diosim.Scenarios() {
		c.Scenarios = append(c.Scenarios, Scenario{n.Name, n.Doc, n.Scenario.String(), n.Default})
	}
	for _, id := range properties.All {
		c.Properties = append(c.Properties, string(id))
	}
	return c
}
