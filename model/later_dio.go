package model

// dioLater returns what release v changed in fs/direct-io.c and fs/bio.c: its part of
// v's patch on its predecessor (later.go).
func dioLater(v string) patchPart {
	switch v {
	}
	return patchPart{}
}
