//go:build race

package testbudget

const raceEnabled = true
