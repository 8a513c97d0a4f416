package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	"newswatch/internal/poller"
	"newswatch/storage"
)

func cmdFeeds(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "list" {
		fmt.Fprintln(stderr, "Usage: newswatch feeds list [flags]\n\nSubcommands:\n  list   each feed's health: status, last success, next poll, items seen, last error")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			return exitOK
		}
		return exitUsage
	}
	var c common
	flags := newFlagSet("feeds list", "", "List every configured feed's health, failing feeds first: status (ok, failed, failing\nfor longer than poll.failing_after, or new), last success, next poll, items seen, last error.", stderr, &c, "warn")
	asJSON := flags.Bool("json", false, "print one JSON object per line")
	if code := parseFlags(flags, args[1:]); code >= 0 {
		return code
	}
	m, code := openMain(c, stderr)
	if m == nil {
		return code
	}
	defer m.Close()
	now := m.Now()
	type row struct {
		Name         string    `json:"name"`
		URL          string    `json:"url"`
		Status       string    `json:"status"`
		LastSuccess  time.Time `json:"last_success,omitzero"`
		NextPoll     time.Time `json:"next_poll,omitzero"`
		ItemsSeen    int       `json:"items_seen"`
		Failures     int       `json:"failures"`
		LastError    string    `json:"last_error,omitempty"`
		statusRank   int
		pollInterval time.Duration
	}
	var rows []row
	for _, f := range m.Feeds() {
		st, err := m.DB.FeedState(f.URL)
		if err != nil {
			fmt.Fprintf(stderr, "newswatch: %v\n", err)
			return exitError
		}
		r := row{Name: f.Name, URL: f.URL, LastSuccess: st.LastSuccess, NextPoll: st.NextPoll, ItemsSeen: st.ItemsSeen,
			Failures: st.Failures, LastError: st.LastError, pollInterval: st.Interval}
		r.Status, r.statusRank = feedStatus(m.Poller.Schedule, st, now)
		rows = append(rows, r)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].statusRank < rows[j].statusRank })
	if *asJSON {
		enc := json.NewEncoder(stdout)
		for _, r := range rows {
			enc.Encode(r)
		}
		return exitOK
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tFEED\tLAST SUCCESS\tNEXT POLL\tITEMS\tLAST ERROR")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", r.Status, trimTo(r.Name, 32), ago(r.LastSuccess, now), until(r.NextPoll, now), r.ItemsSeen, trimTo(r.LastError, 80))
	}
	tw.Flush()
	return exitOK
}

// feedStatus names a feed's health; rank sorts the worst first.
func feedStatus(s poller.Schedule, st storage.FeedState, now time.Time) (string, int) {
	switch {
	case s.Failing(st, now):
		return "failing", 0
	case st.Failures > 0:
		return "failed", 1
	case st.LastPoll.IsZero():
		return "new", 2
	}
	return "ok", 3
}

func ago(t, now time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return now.Sub(t).Round(time.Second).String() + " ago"
}

func until(t, now time.Time) string {
	if t.IsZero() || !t.After(now) {
		return "due"
	}
	return "in " + t.Sub(now).Round(time.Second).String()
}
