package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// common holds the flags every command takes.
type common struct {
	config   string
	db       string
	logLevel string
}

// newFlagSet returns a flag set for one command with the common flags
// registered. summary and argsUsage form the first line of its -h text.
func newFlagSet(name, argsUsage, summary string, stderr io.Writer, c *common, defaultLog string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.config, "config", "config.yaml", "configuration `file`")
	fs.StringVar(&c.db, "db", "", "database `file` (overrides storage.path in the config)")
	fs.StringVar(&c.logLevel, "log-level", defaultLog, "log `level`: debug, info, warn or error (logs go to stderr)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: newswatch %s [flags]%s\n\n%s\n\nFlags:\n", name, argsUsage, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args and returns the exit code to stop with, or -1 to go on.
func parseFlags(fs *flag.FlagSet, args []string) int {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "newswatch %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return exitUsage
	}
	return -1
}

// newLogger returns a text logger at the named level.
func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
