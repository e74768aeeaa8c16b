//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package main

import "os"

// terminalWidth returns 0: the terminal's width is not known here.
func terminalWidth(f *os.File) int { return 0 }
