package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"newswatch/feeds"
	"newswatch/internal/config"
	"newswatch/internal/opml"
	"newswatch/internal/poller"

	"github.com/schollz/progressbar/v3"
)

func cmdFeedsImport(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("feeds import", " FILE.opml", "Add the feeds of an OPML file to the config's feeds, with their names and tags\n(the outline's category and the folders it is in). Feeds listed already are skipped.\nWith -check, each feed is fetched first (progress on a terminal) and only those that\nwork are added.", stderr, &c, "warn")
	dry := flags.Bool("n", false, "say what would be added, change nothing")
	check := flags.Bool("check", false, "fetch every feed first and add only those that work")
	file, code := parseArgFlags(flags, args, "OPML file")
	if code >= 0 {
		return code
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	r, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch feeds import: %v\n", err)
		return exitError
	}
	defer r.Close()
	subs, err := opml.Read(r)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch feeds import: %s: %v\n", file, err)
		return exitError
	}
	var list []config.Feed
	for _, s := range subs {
		if u := feeds.CanonicalURL(nil, s.URL); u == "" {
			fmt.Fprintf(stderr, "skipped %q: not an http or https address\n", s.URL)
			continue
		}
		list = append(list, config.Feed{URL: s.URL, Name: s.Name, Tags: s.Tags})
	}
	if *check {
		log, err := newLogger(stderr, c.logLevel)
		if err != nil {
			fmt.Fprintf(stderr, "newswatch: %v\n", err)
			return exitUsage
		}
		p := &poller.Poller{Fetcher: newFetcher(cfg), Workers: cfg.Poll.Workers, PerHost: cfg.Poll.PerHost, Log: log}
		list = checkImported(ctx, p, list, stdout)
	}
	return addFeeds(c.config, list, *dry, stdout, stderr)
}

// checkImported fetches every feed once, with the poller's worker pool
// and per-host limit, showing progress on a terminal, reports those that
// fail, and returns the others.
func checkImported(ctx context.Context, p *poller.Poller, list []config.Feed, stdout io.Writer) []config.Feed {
	in := make([]poller.Feed, len(list))
	for i, f := range list {
		in[i] = poller.Feed{URL: f.URL, Name: f.Name}
	}
	var bar *progressbar.ProgressBar
	if terminal(stdout) {
		bar = progressbar.NewOptions(len(in), progressbar.OptionSetWriter(stdout), progressbar.OptionSetDescription("checking"),
			progressbar.OptionShowCount(), progressbar.OptionSetWidth(30), progressbar.OptionClearOnFinish(), progressbar.OptionSetPredictTime(false))
	}
	rep := p.Check(ctx, in, func(r poller.Result) {
		if bar != nil {
			bar.Add(1)
		}
	})
	if bar != nil {
		bar.Finish()
	}
	var ok []config.Feed
	for i, r := range rep.Results {
		if r.Status == poller.StatusOK {
			ok = append(ok, list[i])
			continue
		}
		fmt.Fprintf(stdout, "not added, it does not work: %s: %v\n", list[i].URL, r.Err)
	}
	return ok
}

func cmdFeedsExport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("feeds export", "", "Print the configured feeds as OPML 2.0, with their names and tags.", stderr, &c, "warn")
	if code := parseFlags(flags, args); code >= 0 {
		return code
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	subs := make([]opml.Feed, len(cfg.Feeds))
	for i, f := range cfg.Feeds {
		subs[i] = opml.Feed{URL: f.URL, Name: f.Name, Tags: f.Tags}
	}
	if err := opml.Write(stdout, "newswatch feeds", subs, time.Now()); err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitError
	}
	return exitOK
}
