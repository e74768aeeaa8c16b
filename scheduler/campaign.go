package scheduler

import (
	"diosim/model"
	"diosim/properties"
	"diosim/sim"
)

// Found is the shortest violation of one property found by a campaign.
type Found struct {
	Prop  properties.ID
	Msg   string
	Seed  uint64       // the run's own seed (RunSeed of the campaign seed)
	Run   int          // index of the run in the campaign
	Moves []model.Move // the schedule up to the step that broke the property, for Record
}

// CampaignResult summarises a random campaign on one scenario.
type CampaignResult struct {
	Runs  int
	Steps int64                   // steps simulated in all runs
	Found map[properties.ID]Found // shortest violation per property
}

// RandomCampaign runs n random runs of sc on m, run i with RunSeed(seed, i),
// on up to workers goroutines (0: GOMAXPROCS). For each property it keeps
// the shortest violating run, ties going to the lowest run index, so the
// result does not depend on the number of workers.
func RandomCampaign(m *model.Model, sc *sim.Scenario, seed uint64, n, workers int) (*CampaignResult, error) {
	return campaign(m, sc, seed, n, workers, func() reseeder { return NewRandom(0) })
}

func better(len1, run1, len2, run2 int) bool {
	return len1 < len2 || len1 == len2 && run1 < run2
}
