package model

// xfsLater returns what release v changed in fs/aio.c and XFS (xfs_aops.c, xfs_lrw.c, xfs_file.c): its part of
// v's patch on its predecessor (later.go).
func xfsLater(v string) patchPart {
	switch v {
	}
	return patchPart{}
}
