package model

// The releases after 2.6.20. Each is its predecessor plus the changes its
// release made to this code path, as one patch: what the release did to
// fs/direct-io.c and fs/bio.c (later_dio.go), to mm/filemap.c and
// fs/read_write.c (later_filemap.go), and to fs/aio.c and XFS
// (later_xfs.go). Each of those files contributes its part of each
// release's patch; laterRelease puts the parts together.

// A patchPart is what one group of kernel files contributes to a
// release's patch.
type patchPart struct {
	About string                      // what the release changed in these files, in our words
	Files map[string]string           // the file versions the release brings
	funcs map[string]func(b *builder) // sections replaced whole
	Edits []Edit                      // single steps replaced, inserted or removed
}

// laterRelease assembles the patch that makes release name from its
// parent out of every file group's part.
func laterRelease(name, parent, doc, title string) *Version {
	p := &Patch{Title: title, Files: map[string]string{}, funcs: map[string]func(b *builder){}}
	for _, part := range []patchPart{dioLater(name), filemapLater(name), xfsLater(name)} {
		if part.About != "" {
			if p.About != "" {
				p.About += " "
			}
			p.About += part.About
		}
		for f, v := range part.Files {
			p.Files[f] = v
		}
		for s, fn := range part.funcs {
			if _, dup := p.funcs[s]; dup {
				panic("model: two parts of " + name + " replace section " + s)
			}
			p.funcs[s] = fn
		}
		p.Edits = append(p.Edits, part.Edits...)
	}
	return &Version{Name: name, Parent: parent, Doc: doc, Patch: p}
}

// laterLineage lists the releases after 2.6.20, oldest first.
func laterLineage() []*Version {
	return []*Version{
		laterRelease("v2.6.21", "v2.6.20",
			"Linux 2.6.21: a direct write invalidates the page cache before the I/O, and after it only when ->direct_IO returned 0",
			"Linux 2.6.21 (dio: invalidate clean pages before dio write)"),
		laterRelease("v2.6.22", "v2.6.21",
			"Linux 2.6.22.19: direct_io_worker's refcounting BUG_ON goes; eventfd in aio_complete; every XFS direct-IO completion goes through xfsdatad",
			"Linux 2.6.22 (dio: remove bogus refcounting BUG_ON; 2.6.22.y: clear map_bh.b_state)"),
		laterRelease("v2.6.32", "v2.6.22",
			"Linux 2.6.32: generic_file_direct_IO is gone, O_SYNC moves to generic_write_sync, void bi_end_io, xfsconvertd",
			"Linux 2.6.32 (kill generic_file_direct_IO; generic_write_sync; bi_end_io without size; XFS conversion work queue)"),
		laterRelease("v2.6.36", "v2.6.32",
			"Linux 2.6.36: aio_complete moves into ->end_io; XFS completes an AIO write only after converting its extent",
			"Linux 2.6.36 (direct-io: move aio_complete into ->end_io; xfs: move aio completion after unwritten extent conversion)"),
	}
}
