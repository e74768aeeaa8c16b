package properties_test

import (
	"fmt"
	"testing"

	"diosim/properties"
)

func ExampleSignature_Slug() {
	g := properties.Signature{Prop: properties.NoBug, Kind: "BUG_ON(req->ki_users < 0)", StepID: "io_submit_one:put-req"}
	fmt.Println(g)
	fmt.Println(g.Slug())
	// Output:
	// no-bug: BUG_ON(req->ki_users < 0) at io_submit_one:put-req
	// no-bug--bug_on-req-ki_users-lt-0--io_submit_one-put-req
}

// TestSlugsDiffer: signatures that differ only in a comparison, or only in
// their step, have different slugs (file names).
func TestSlugsDiffer(t *testing.T) {
	sigs := []properties.Signature{
		{Prop: properties.NoBug, Kind: "BUG_ON(ret == -EIOCBQUEUED)", StepID: "direct_io_worker:x"},
		{Prop: properties.NoBug, Kind: "BUG_ON(ret != -EIOCBQUEUED)", StepID: "direct_io_worker:x"},
		{Prop: properties.NoBug, Kind: "BUG_ON(ret != -EIOCBQUEUED)", StepID: "direct_io_worker:y"},
		{Prop: properties.NoBug, Kind: "BUG_ON(ret != -EIOCBQUEUED)"},
		{Prop: properties.DioLifetime, Kind: "leak of the dio"},
		{Prop: properties.ObjectLifetime, Kind: "leak of the dio"},
	}
	seen := map[string]properties.Signature{}
	for _, g := range sigs {
		s := g.Slug()
		if old, ok := seen[s]; ok {
			t.Errorf("%s and %s share the slug %s", old, g, s)
		}
		seen[s] = g
	}
}
