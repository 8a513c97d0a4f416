package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"newswatch/feeds"
	"newswatch/internal/config"
	"newswatch/match"
)

func cmdExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("explain", "", `Show how a topic's query decides on a text: the query tree, each branch marked
"+" when it held and "-" when it did not, with where its terms were found.
The first line of -text or -file is the title, the rest the text. -url fetches
a page (its <title> and text) or a feed (every item).`, stderr, &c, "warn")
	topic := flags.String("topic", "", "the topic's `id` (default: every topic)")
	text := flags.String("text", "", "explain this `text`")
	file := flags.String("file", "", "explain the text of this `file`")
	url := flags.String("url", "", "fetch this `URL` (a page or a feed) and explain it")
	if code := parseFlags(flags, args); code >= 0 {
		return code
	}
	given := 0
	for _, s := range []string{*text, *file, *url} {
		if s != "" {
			given++
		}
	}
	if given != 1 {
		fmt.Fprintln(stderr, "newswatch explain: give exactly one of -text, -file and -url")
		flags.Usage()
		return exitUsage
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	m, err := match.Compile(cfg.MatchTopics())
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitUsage
	}
	ids := m.Topics()
	if *topic != "" {
		if !hasTopic(cfg, *topic) {
			fmt.Fprintf(stderr, "newswatch explain: no topic %q in %s (topics: %s)\n", *topic, cfg.File, strings.Join(ids, ", "))
			return exitUsage
		}
		ids = []string{*topic}
	}
	var docs []match.Document
	switch {
	case *text != "":
		docs = []match.Document{match.TextDocument(*text)}
	case *file != "":
		b, err := os.ReadFile(*file)
		if err != nil {
			fmt.Fprintf(stderr, "newswatch explain: %v\n", err)
			return exitError
		}
		docs = []match.Document{match.TextDocument(string(b))}
	default:
		docs, err = fetchDocs(ctx, cfg, *url)
		if err != nil {
			fmt.Fprintf(stderr, "newswatch explain: %v\n", err)
			return exitError
		}
	}
	for i, d := range docs {
		if len(docs) > 1 {
			if i > 0 {
				fmt.Fprintln(stdout)
			}
			fmt.Fprintf(stdout, "=== %s\n", d.Title)
		}
		for _, id := range ids {
			printExplanation(stdout, m, id, d)
		}
	}
	return exitOK
}

// fetchDocs reads a URL as a feed, or failing that as a web page.
func fetchDocs(ctx context.Context, cfg *config.Config, url string) ([]match.Document, error) {
	resp, err := newFetcher(cfg).Fetch(ctx, feeds.Request{URL: url})
	if err != nil {
		return nil, err
	}
	if feed, err := feeds.Parse(resp.Body, url, time.Now()); err == nil && len(feed.Items) > 0 {
		docs := make([]match.Document, len(feed.Items))
		for i, it := range feed.Items {
			docs[i] = match.Document{Title: it.Title, Text: it.Text}
		}
		return docs, nil
	}
	title, text := feeds.PageText(string(resp.Body))
	return []match.Document{{Title: title, Text: text}}, nil
}

func printExplanation(w io.Writer, m *match.Matcher, id string, d match.Document) {
	e, _ := m.Explain(id, d)
	var hit *match.Hit
	for _, h := range m.Match(d) {
		if h.Topic == id {
			hit = &h
		}
	}
	if hit == nil {
		fmt.Fprintf(w, "%s: no match\n", id)
	} else {
		fmt.Fprintf(w, "%s: MATCH, score %d, terms: %s\n", id, hit.Score, strings.Join(hit.Terms, ", "))
	}
	for _, line := range strings.Split(strings.TrimRight(e.String(), "\n"), "\n") {
		fmt.Fprintf(w, "  %s\n", line)
	}
	if hit != nil {
		fmt.Fprintf(w, "  snippet: %s\n", hit.Snippet.Format("«", "»", nil))
	}
}
