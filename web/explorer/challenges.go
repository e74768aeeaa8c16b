package explorer

// Challenge is one level of the explorer's game: a scenario on a version,
// a goal and a move budget (every move counts, forced ones too).
type Challenge struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Version  string `json:"version"`
	Scenario string `json:"scenario"`
	Goal     string `json:"goal"`
	// Prop is the property the goal is about. With Break, the level is
	// won when Prop breaks within the budget; without, when the run ends
	// within the budget and Prop holds.
	Prop   string `json:"prop"`
	Break  bool   `json:"break"`
	Budget int    `json:"budget"`
	// Lesson is shown when the level is won (with explain's account of
	// the violation, for a Break level).
	Lesson string `json:"lesson"`
}

// Challenges returns the levels, in order.
func Challenges() []Challenge {
	return []Challenge{
		{
			ID: "double-completion-before", Title: "1. The commit message's double completion", Version: "before", Scenario: "double-completion",
			Goal: "An AIO read whose get_user_pages fails after a bio was submitted. Make aio_complete() run twice for the same iocb: " +
				"once from the bio's end_io path and once from the AIO core with the submission's error.",
			Prop: "exactly-once", Break: true, Budget: 50,
			Lesson: "Before the patch, the bio path completes the iocb as soon as the last bio ends, while the submitter still returns its " +
				"error to io_submit, which completes the same iocb again. The fix: direct_io_worker decides who completes, and " +
				"returns -EIOCBQUEUED only when the bios will.",
		},
		{
			ID: "double-completion-after", Title: "2. Try the same on after", Version: "after", Scenario: "double-completion",
			Goal: "The same failing AIO read, with the patch applied. Take the failing get_user_pages again and play the run to its end: " +
				"the iocb must be completed exactly once (ask for a hint on exactly-once to see what is still possible).",
			Prop: "exactly-once", Break: false, Budget: 70,
			Lesson: "After the patch, a submission that fails waits for its bios and returns the error itself; the bio path completes the " +
				"iocb only when the submitter has returned -EIOCBQUEUED. One completion, whoever finishes last.",
		},
		{
			ID: "lost-wakeup-after", Title: "3. The lost wake-up on after", Version: "after", Scenario: "double-completion",
			Goal: "The failing submitter waits for its bios to end. Make the last bio's end_io miss the waiter, so the " +
				"submitter sleeps for ever (no-hang breaks).",
			Prop: "no-hang", Break: true, Budget: 40,
			Lesson: "dio_bio_end_aio reads dio->waiter and drops the reference without the lock the waiter uses, so it can test " +
				"before the submitter stores itself as the waiter and decrement after the submitter's last check. Linux 2.6.20 " +
				"puts both under bio_lock.",
		},
		{
			ID: "use-after-free-v2.6.20", Title: "4. Use after free on v2.6.20", Version: "v2.6.20", Scenario: "aio-read",
			Goal: "A plain AIO read with no fault at all. Make the submitter touch the dio after the last bio has freed it " +
				"(dio-lifetime breaks).",
			Prop: "dio-lifetime", Break: true, Budget: 55,
			Lesson: "In 2.6.20 the submitter drops its reference under bio_lock and then still reads dio->is_async; if the last bio " +
				"ends in between, it has already freed the dio.",
		},
	}
}
