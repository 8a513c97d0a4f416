package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime/pprof"
	"strings"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"newswatch/internal/poller"
)

func cmdPoll(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("poll", "", "Poll every configured feed once, due or not, store new matches, print a line per feed\n(on a terminal: a progress bar, then the feeds that failed) and a total, and exit.\nExits 0 even when some feeds fail; 1 only when the database is unusable.", stderr, &c, "error")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the poll to `file` (for go tool pprof)")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	if *cpuProfile != "" {
		stop, err := startCPUProfile(*cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "newswatch poll: %v\n", err)
			return exitError
		}
		defer stop()
	}
	m, code := openMain(c, stderr)
	if m == nil {
		return code
	}
	defer m.Close()
	if m.DB.ReadOnly() {
		fmt.Fprintf(stderr, "newswatch poll: %s is read-only: nothing could be stored\n", m.DB.Path())
		return exitError
	}
	list := m.Feeds()
	var rep *poller.Report
	if terminal(stdout) {
		// On a terminal: a progress bar, then the feeds that failed and
		// the total.
		bar := progressbar.NewOptions(len(list),
			progressbar.OptionSetWriter(stdout),
			progressbar.OptionSetDescription("polling"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetWidth(30),
			progressbar.OptionClearOnFinish(),
			progressbar.OptionSetPredictTime(false))
		var failed []poller.Result
		rep = m.Poller.Poll(ctx, list, func(r poller.Result) {
			if r.Status == poller.StatusFailed || r.Status == poller.StatusGone {
				failed = append(failed, r)
			}
			bar.Add(1)
		})
		bar.Finish()
		for _, r := range failed {
			printResult(stdout, r)
		}
	} else {
		rep = m.Poller.Poll(ctx, list, func(r poller.Result) { printResult(stdout, r) })
	}
	printTotals(stdout, rep)
	if rep.StorageErr != nil {
		fmt.Fprintf(stderr, "newswatch: database error, some results were not stored: %v\n", rep.StorageErr)
		return exitError
	}
	if ctx.Err() != nil {
		return exitError
	}
	return exitOK
}

// startCPUProfile profiles the process into path until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// printResult prints one feed's outcome on one line.
func printResult(w io.Writer, r poller.Result) {
	name := r.Feed.Name
	if name == "" {
		name = r.Feed.URL
	}
	switch r.Status {
	case poller.StatusOK:
		updated := ""
		if r.Updated > 0 {
			updated = fmt.Sprintf(" (%d updated)", r.Updated)
		}
		fmt.Fprintf(w, "%-12s %-32s %4d items %4d new %4d %s%s\n", r.Status, trimTo(name, 32), r.Items, r.New, r.Matches, plural(r.Matches, "match", "matches"), updated)
	case poller.StatusNotModified, poller.StatusUnchanged:
		fmt.Fprintf(w, "%-12s %s\n", r.Status, trimTo(name, 32))
	default:
		fmt.Fprintf(w, "%-12s %-32s %v\n", r.Status, trimTo(name, 32), r.Err)
	}
}

func printTotals(w io.Writer, rep *poller.Report) {
	t := rep.Totals()
	parts := []string{fmt.Sprintf("%d ok", t.OK), fmt.Sprintf("%d not modified", t.NotModified), fmt.Sprintf("%d failed", t.Failed)}
	if t.Gone > 0 {
		parts = append(parts, fmt.Sprintf("%d gone", t.Gone))
	}
	if t.Canceled > 0 {
		parts = append(parts, fmt.Sprintf("%d canceled", t.Canceled))
	}
	updated := ""
	if t.Updated > 0 {
		updated = fmt.Sprintf("%d updated, ", t.Updated)
	}
	fmt.Fprintf(w, "total: %d feeds (%s); %d new items, %s%d new %s in %s\n",
		t.Feeds, strings.Join(parts, ", "), t.New, updated, t.Matches, plural(t.Matches, "match", "matches"),
		rep.Finished.Sub(rep.Started).Round(1e6))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// trimTo shortens s to n characters, marking the cut with "…".
func trimTo(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// terminal reports whether w is a terminal.
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
