// Package gctune sets the garbage collector the way newswatch runs it, so
// that the daemon and the load tools that measure it behave alike.
package gctune

import (
	"os"
	"runtime/debug"
)

// Percent and Limit are the collector's settings: parsing feeds allocates a
// lot of short-lived garbage, and with Go's default (GOGC=100) the
// collector took about a fifth of a poll cycle's CPU (BENCHMARKS.md). The
// heap may grow to five times the live data (GOGC=400), within a soft limit
// of 100 MiB (GOMEMLIMIT) past which the collector works harder again.
const (
	Percent = 400
	Limit   = 100 << 20
)

// Apply trades memory for CPU with Percent and Limit. Either environment
// variable, GOGC or GOMEMLIMIT, when set, wins.
func Apply() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(Limit)
	}
}
