package model

// filemapLater returns what release v changed in mm/filemap.c and fs/read_write.c: its part of
// v's patch on its predecessor (later.go).
func filemapLater(v string) patchPart {
	switch v {
	}
	return patchPart{}
}
