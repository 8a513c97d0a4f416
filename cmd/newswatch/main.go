// Command newswatch polls news feeds on a schedule, flags the articles that
// mention the topics a user follows, and keeps the matches in a bbolt
// database. Run "newswatch help" for its commands.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones without the system's database

	"newswatch/internal/tuning"
)

const usage = `newswatch monitors news feeds for the topics you follow.

Usage:
  newswatch <command> [flags]

Commands:
  run       run the daemon: poll feeds when due, send the digest, serve the dashboard
  serve     serve the dashboard alone
  poll      poll every feed once, print a line per feed, and exit
  matches   list stored matches, newest first
  check     validate the config, test the topics' examples, print what it would use
  explain   show how a topic's query decides on a text, a file or a URL
  feeds     list, add, import or export feeds (newswatch feeds -h)
  digest    print the next digest (-dry-run) or send it now (-send)
  backup    write a consistent copy of the database, also while the daemon runs
  restore   replace the database with a backup (daemon stopped)
  compact   reclaim the space pruning left (daemon stopped)

Every command takes:
  -config PATH   configuration file (default "config.yaml")
  -db PATH       database file; overrides storage.path in the config
  -log-level L   debug, info, warn or error (logs go to stderr; the default
                 is info for run and serve, quieter for the others)

Run "newswatch <command> -h" for the flags of one command.

Runtime: newswatch lets its heap grow to five times its live data (GOGC=400)
within a soft limit of 100 MiB (GOMEMLIMIT), and runs Go code on one thread
more than there are cores (GOMAXPROCS), so that a commit waiting for the disk
leaves no core idle; set any of these variables to change it.

Exit status: 0 on success (also when some feeds fail to poll), 1 when the
database is unusable or a command fails, 2 on a bad command line or config.
`

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

func main() {
	tuning.Apply()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "run":
		return cmdRun(ctx, rest, stdout, stderr)
	case "poll":
		return cmdPoll(ctx, rest, stdout, stderr)
	case "serve":
		return cmdServe(ctx, rest, stdout, stderr)
	case "matches":
		return cmdMatches(ctx, rest, stdout, stderr)
	case "check":
		return cmdCheck(ctx, rest, stdout, stderr)
	case "explain":
		return cmdExplain(ctx, rest, stdout, stderr)
	case "feeds":
		return cmdFeeds(ctx, rest, stdout, stderr)
	case "digest":
		return cmdDigest(ctx, rest, stdout, stderr)
	case "backup":
		return cmdBackup(ctx, rest, stdout, stderr)
	case "restore":
		return cmdRestore(ctx, rest, stdout, stderr)
	case "compact":
		return cmdCompact(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "newswatch: unknown command %q\n\n%s", cmd, usage)
	return exitUsage
}
