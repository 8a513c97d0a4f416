package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"newswatch/feeds"
	"newswatch/internal/config"
)

const feedsUsage = `Usage: newswatch feeds <subcommand> [flags]

Subcommands:
  list            each feed's health: status, last success, next poll, items seen, last error
  add URL         find the feed of a page (or take the feed given) and add it to the config
  import FILE     add the feeds of an OPML file to the config
  export          print the configured feeds as OPML 2.0

add and import append to the feeds list of the config file, leaving its
other lines and comments as they are; a running daemon reads them on SIGHUP.
`

func cmdFeeds(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, feedsUsage)
		return exitUsage
	}
	switch args[0] {
	case "list":
		return cmdFeedsList(ctx, args[1:], stdout, stderr)
	case "add":
		return cmdFeedsAdd(ctx, args[1:], stdout, stderr)
	case "import":
		return cmdFeedsImport(ctx, args[1:], stdout, stderr)
	case "export":
		return cmdFeedsExport(ctx, args[1:], stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, feedsUsage)
		return exitOK
	}
	fmt.Fprintf(stderr, "newswatch feeds: unknown subcommand %q\n\n%s", args[0], feedsUsage)
	return exitUsage
}

func cmdFeedsList(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("feeds list", "", "List every configured feed's health, failing feeds first: status (ok, failed, failing\nfor longer than poll.failing_after, or new), last success, next poll, items seen, last error.", stderr, &c, "warn")
	asJSON := flags.Bool("json", false, "print one JSON object per line")
	if code := parseFlags(flags, args); code >= 0 {
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
		r.Status, r.statusRank = st.Health(time.Duration(m.Config.Poll.FailingAfter), now)
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

// parseArgFlags parses flags that may come before or after one positional
// argument ("feeds add URL -name X"), and returns that argument.
func parseArgFlags(fs *flag.FlagSet, args []string, what string) (string, int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return "", exitOK
		}
		return "", exitUsage
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprintf(fs.Output(), "newswatch %s: give the %s\n", fs.Name(), what)
		fs.Usage()
		return "", exitUsage
	}
	arg := rest[0]
	if err := fs.Parse(rest[1:]); err != nil {
		return "", exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "newswatch %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return "", exitUsage
	}
	return arg, -1
}

func cmdFeedsAdd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("feeds add", " URL", "Find the feed of a page, or take the feed given, and add it to the config's feeds.\nThe feed is found at the address itself, in the page's <link rel=\"alternate\">, or at a\ncommon path of the site (/feed, /rss.xml, ...).", stderr, &c, "warn")
	name := flags.String("name", "", "the feed's `name` (default: the feed's title)")
	tags := flags.String("tags", "", "comma-separated `tags`")
	dry := flags.Bool("n", false, "say what would be added, change nothing")
	addr, code := parseArgFlags(flags, args, "URL of a feed or a page")
	if code >= 0 {
		return code
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	found, err := feeds.Discover(ctx, newFetcher(cfg), addr, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "newswatch feeds add: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "found %s (%s, %q, %d items) via %s\n", found.URL, found.Type, found.Title, found.Items, found.Via)
	feed := config.Feed{URL: found.URL, Name: *name, Tags: splitTags(*tags)}
	if feed.Name == "" {
		feed.Name = found.Title
	}
	return addFeeds(c.config, []config.Feed{feed}, *dry, stdout, stderr)
}

// addFeeds adds feeds to the config file and says what it did.
func addFeeds(path string, list []config.Feed, dry bool, stdout, stderr io.Writer) int {
	if dry {
		for _, f := range list {
			fmt.Fprintf(stdout, "would add %s (%s)\n", f.URL, f.Name)
		}
		return exitOK
	}
	added, skipped, err := config.AddFeeds(path, list)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitError
	}
	for _, f := range skipped {
		fmt.Fprintf(stdout, "already listed: %s\n", f.URL)
	}
	for _, f := range added {
		fmt.Fprintf(stdout, "added %s (%s)\n", f.URL, f.Name)
	}
	fmt.Fprintf(stdout, "%d added to %s, %d already there\n", len(added), path, len(skipped))
	return exitOK
}

func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
