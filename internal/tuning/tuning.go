// Package tuning sets the Go runtime the way newswatch runs it, so that
// the daemon and the load tools that measure it behave alike.
package tuning

import (
	"os"
	"runtime"
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

// Apply trades memory for CPU with Percent and Limit, and runs Go code on
// one more thread than the runtime would (GOMAXPROCS): bbolt's commits
// wait in fdatasync, twice each, and a goroutine in a system call keeps
// its thread's share of the cores until the runtime notices; with the
// default, a cold poll cycle left a core idle about 5% of the time
// waiting for the disk while feeds were waiting to be parsed
// (BENCHMARKS.md). Any of the environment variables GOGC, GOMEMLIMIT and
// GOMAXPROCS, when set, wins.
func Apply() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(Limit)
	}
	if os.Getenv("GOMAXPROCS") == "" {
		// The runtime's own choice already follows the CPU affinity
		// and the cgroup's CPU limit; one more than that.
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + 1)
	}
}
