package variants

import "diosim/model"

// after+lock-end-aio: a candidate fix of after's lost wake-up, smaller
// than the kernel's. dio_bio_end_aio loads dio->waiter without a lock
// (fs/direct-io.c@after:279) and drops its reference at 280 after the
// submitter's last test at 389; the fix does the drop, the waiter test and
// the wake-up in one section under bio_lock, which dio_await_one already
// holds from its test (384-387) to its store of the waiter (390-391).
func init() {
	add(model.Version{
		Name:   "after+lock-end-aio",
		Parent: "after",
		Doc:    "after, with dio_bio_end_aio's drop and wake-up under bio_lock (a candidate fix of the lost wake-up)",
		Patch: &model.Patch{
			Title: "dio: take bio_lock in dio_bio_end_aio (candidate)",
			About: "dio_bio_end_aio drops its reference, tests the waiter and wakes it under bio_lock.",
			Edits: []model.Edit{
				{Op: model.Remove, Step: "dio_bio_end_aio:load-waiter"},
				{Op: model.Replace, Step: "dio_bio_end_aio:drop-ref", With: []model.StepDef{{
					ID:    "dio_bio_end_aio:drop-ref",
					Text:  "spin_lock_irqsave(&dio->bio_lock); remaining = atomic_sub_return(1, &dio->refcount); if remaining == 1 && dio->waiter: wake_up_process(dio->waiter); spin_unlock_irqrestore(&dio->bio_lock)",
					Guard: model.BioLockFree,
					Do: func(c *model.Ctx) {
						c.UseDio()
						d := &c.R.Dio
						d.Refcount--
						c.L().Remaining = int64(d.Refcount)
						if d.Refcount == 1 && d.Waiter != 0 {
							c.Wake(d.Waiter)
						}
						if d.Refcount != 0 {
							c.Finish()
						}
					},
				}}},
				{Op: model.Remove, Step: "dio_bio_end_aio:reload-waiter"},
				{Op: model.Remove, Step: "dio_bio_end_aio:wake-waiter"},
			},
		},
	})
}
