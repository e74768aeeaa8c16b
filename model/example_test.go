package model_test

import (
	"fmt"

	"diosim/model"
	"diosim/sim"
)

// Walk the v2.6.20 model of a synchronous read by always taking the first
// enabled move, and print the first steps with their kernel locations.
func ExampleModel_Moves() {
	m, _ := model.Lookup("v2.6.20")
	s := m.Init(&sim.Scenario{Op: sim.Read, Blocks: 1, Sync: true})
	var moves []model.Move
	for i := 0; i < 3; i++ {
		moves = m.Moves(s, moves)
		st := m.Next(s, moves[0].Actor)
		fmt.Println(model.ActorName(s, moves[0].Actor), st.Loc)
		m.Apply(s, moves[0])
	}
	// Output:
	// submitter fs/read_write.c@v2.6.20:236-241
	// submitter mm/filemap.c@v2.6.20:1147-1180
	// submitter mm/filemap.c@v2.6.20:2396-2412
}
