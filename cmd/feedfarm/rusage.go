package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// rusage runs a command and prints, as its last line on stderr, its wall
// time, CPU time and peak RSS. bench runs newswatch through it: a process
// started by Go shares its parent's memory until exec, and Linux carries the
// parent's peak RSS over into the child's, so a command started directly by
// bench (whose farm holds hundreds of megabytes) would report bench's peak
// rather than its own. Started from this small process, it reports its own.
func rusage(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: feedfarm rusage COMMAND [ARG...]")
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if cmd.ProcessState == nil {
		fmt.Fprintln(stderr, "feedfarm rusage:", err)
		return 1
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	// Oublock counts 512-byte blocks written to storage (not page-cache
	// writes that a file system on memory absorbs).
	fmt.Fprintf(stderr, "\nrusage: wall_ns=%d cpu_ns=%d maxrss_kib=%d written_bytes=%d\n", wall.Nanoseconds(), ru.Utime.Nano()+ru.Stime.Nano(), ru.Maxrss, ru.Oublock*512)
	return cmd.ProcessState.ExitCode()
}

// selfCPU returns the CPU time this process (the farm, and the floor when
// it runs) has used so far; a child's time is not in it.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
