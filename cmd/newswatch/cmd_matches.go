package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"newswatch/internal/config"
	"newswatch/storage"
)

func cmdMatches(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("matches", "", "List stored matches, the most recently published first.", stderr, &c, "warn")
	topic := flags.String("topic", "", "only matches of the topic with this `id`")
	since := flags.String("since", "", "only articles published within a `duration` (24h, 7d) or since a date (2025-03-01, or RFC 3339)")
	limit := flags.Int("limit", 50, "at most `n` matches; 0 for all")
	asJSON := flags.Bool("json", false, "print one JSON object per line")
	if code := parseFlags(flags, args); code >= 0 {
		return code
	}
	if *limit < 0 {
		fmt.Fprintf(stderr, "newswatch matches: -limit must not be negative\n")
		return exitUsage
	}
	from, err := parseSince(*since, time.Now())
	if err != nil {
		fmt.Fprintf(stderr, "newswatch matches: %v\n", err)
		return exitUsage
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	if *topic != "" && !hasTopic(cfg, *topic) {
		// Matches of a topic removed from the config are still listed.
		fmt.Fprintf(stderr, "newswatch matches: note: topic %q is not in %s\n", *topic, cfg.File)
	}
	if _, err := os.Stat(cfg.Storage.Path); errors.Is(err, fs.ErrNotExist) {
		fmt.Fprintf(stderr, "newswatch: no database at %s yet: run \"newswatch poll\" or \"newswatch run\" first\n", cfg.Storage.Path)
		return exitError
	}
	log, err := newLogger(stderr, c.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitUsage
	}
	db, err := openDB(cfg.Storage.Path, log)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitError
	}
	defer db.Close()
	out := bufio.NewWriter(stdout)
	enc := json.NewEncoder(out)
	printed := 0
	err = listMatches(db, storage.Query{Topic: *topic, Since: from}, *limit, matchesPage, func(m storage.Match) error {
		printed++
		if *asJSON {
			return enc.Encode(newMatchJSON(m))
		}
		fmt.Fprintf(out, "%s  %-20s %s\n", m.Article.Published.Local().Format("2006-01-02 15:04"), m.Topic, m.Article.Title)
		fmt.Fprintf(out, "%18s%s  (%s; score %d; matched: %s)\n", "", m.Article.URL, m.Article.FeedName, m.Score, strings.Join(m.Terms, ", "))
		if m.Snippet.Text != "" {
			fmt.Fprintf(out, "%18s%s\n", "", m.Snippet.Marked("«", "»", nil))
		}
		return nil
	}, out.Flush)
	if err == nil {
		err = out.Flush()
	}
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitError
	}
	if printed == 0 {
		fmt.Fprintln(stderr, "no matches")
	}
	return exitOK
}

// matchesPage is how many matches "newswatch matches" reads at a time.
const matchesPage = 1000

// listMatches calls each for the matches q selects, at most limit (0: all),
// newest first, reading them a page at a time, each page in a read
// transaction of its own, and calls flush after each page: a listing of a
// million matches holds a few MB, not gigabytes, and prints from the first
// page on.
func listMatches(db *storage.DB, q storage.Query, limit, page int, each func(storage.Match) error, flush func() error) error {
	listed := 0
	for {
		q.Limit = page
		if limit > 0 {
			q.Limit = min(page, limit-listed)
		}
		ms, next, err := db.MatchesPage(q)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := each(m); err != nil {
				return err
			}
		}
		if err := flush(); err != nil {
			return err
		}
		listed += len(ms)
		if next == "" || limit > 0 && listed >= limit {
			return nil
		}
		q.Cursor = next
	}
}

// matchJSON is the -json form of a match, one object per line.
type matchJSON struct {
	Topic     string    `json:"topic"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Feed      string    `json:"feed"`
	FeedName  string    `json:"feed_name"`
	Published time.Time `json:"published"`
	MatchedAt time.Time `json:"matched_at"`
	Terms     []string  `json:"terms"`
	Score     int       `json:"score"`
	Snippet   string    `json:"snippet"`
	Marks     [][2]int  `json:"snippet_marks"`
	Sources   []string  `json:"sources"`
	MatchID   uint64    `json:"match_id"`
	ArticleID uint64    `json:"article_id"`
}

func newMatchJSON(m storage.Match) matchJSON {
	terms := m.Terms
	if terms == nil {
		terms = []string{}
	}
	sources := []string{m.Article.Feed}
	if len(m.Article.Sources) > 0 {
		sources = sources[:0]
		for _, s := range m.Article.Sources {
			sources = append(sources, s.Feed)
		}
	}
	return matchJSON{
		Topic: m.Topic, Title: m.Article.Title, URL: m.Article.URL, Feed: m.Article.Feed,
		FeedName: m.Article.FeedName, Published: m.Article.Published, MatchedAt: m.MatchedAt,
		Terms: terms, Score: m.Score, Snippet: m.Snippet.Text, Marks: m.Snippet.Marks, Sources: sources,
		MatchID: m.ID, ArticleID: m.Article.ID,
	}
}

// parseSince reads -since: empty, a duration back from now, or a date.
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := config.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("-since %q: the duration must be positive", s)
		}
		return now.Add(-d), nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, time.Local); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("-since %q: want a duration such as 24h or 7d, or a date such as 2025-03-01", s)
}

func hasTopic(cfg *config.Config, id string) bool {
	for _, t := range cfg.Topics {
		if t.ID == id {
			return true
		}
	}
	return false
}
