package main

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"newswatch/dashboard"
	"newswatch/internal/config"
	"newswatch/internal/corpus"
	"newswatch/match"
	"newswatch/storage"
)

// grower fills a database with days of feeds that each publish perDay
// items a day: corpus text, matched against the config's topics and stored
// through storage.SaveFeed as polls would store it, one update per feed
// and day. Then it measures what a long-running install lives with: the
// file's size, the time to open it, and the dashboard's pages over it.
type grower struct {
	feeds, days, perDay int
	topics              string
	db                  string
	measureOnly         bool
	out                 io.Writer
}

func (g *grower) run() error {
	cfg, err := config.Load(g.topics)
	if err != nil {
		return err
	}
	if g.measureOnly {
		return g.measure(cfg)
	}
	m, err := match.Compile(cfg.MatchTopics())
	if err != nil {
		return err
	}
	items, err := corpus.News()
	if err != nil {
		return err
	}
	db, err := storage.Open(g.db, 0)
	if err != nil {
		return err
	}
	start := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -g.days)
	began := time.Now()
	stored, matches := 0, 0
	for day := range g.days {
		n, k, err := g.day(db, m, items, start.AddDate(0, 0, day), day)
		if err != nil {
			db.Close()
			return err
		}
		stored, matches = stored+n, matches+k
		if (day+1)%10 == 0 || day+1 == g.days {
			size, _ := db.Size()
			fmt.Fprintf(g.out, "day %d: %d items, %d matches, %d MiB, %s\n", day+1, stored, matches, size>>20, time.Since(began).Round(time.Second))
		}
	}
	if err := db.Close(); err != nil {
		return err
	}
	return g.measure(cfg)
}

// day stores one day of every feed, 32 feeds at a time so that their
// updates share commits as a poll's do.
func (g *grower) day(db *storage.DB, m *match.Matcher, corpusItems []corpus.NewsItem, date time.Time, day int) (stored, matches int, err error) {
	var mu sync.Mutex
	next := make(chan int)
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range next {
				u := g.update(m, corpusItems, date, day, f)
				res, serr := db.SaveFeed(u)
				mu.Lock()
				if serr != nil && err == nil {
					err = serr
				}
				stored, matches = stored+res.NewItems, matches+res.NewMatches
				mu.Unlock()
			}
		}()
	}
	for f := range g.feeds {
		next <- f
	}
	close(next)
	wg.Wait()
	return stored, matches, err
}

// update is one feed's day: perDay items spread over the day, a quarter of
// the feeds with full text.
func (g *grower) update(m *match.Matcher, corpusItems []corpus.NewsItem, date time.Time, day, f int) storage.FeedUpdate {
	r := rand.New(rand.NewPCG(uint64(f), uint64(day)))
	url := fmt.Sprintf("http://grow.example/%d/feed.xml", f)
	u := storage.FeedUpdate{URL: url, FeedName: fmt.Sprintf("grow %d", f), Polled: date.Add(24 * time.Hour)}
	full := f%4 == 0
	for j := range g.perDay {
		src := corpusItems[r.IntN(len(corpusItems))]
		text := src.Description
		if full {
			var b strings.Builder
			b.WriteString(text)
			for range 3 + r.IntN(4) {
				b.WriteString(" " + corpusItems[r.IntN(len(corpusItems))].Description)
			}
			text = b.String()
		}
		it := storage.NewItem{
			Key:  fmt.Sprintf("grow-%d-%d-%d", f, day, j),
			Hash: r.Uint64() | 1,
			Article: storage.Article{
				FeedName: u.FeedName, Title: src.Title, Text: text,
				URL:       fmt.Sprintf("https://grow%d.example/%d/%d", f%50, day, f*g.perDay+j),
				Published: date.Add(time.Duration(j) * 24 * time.Hour / time.Duration(g.perDay)),
				FirstSeen: u.Polled,
			},
		}
		for _, h := range m.Match(match.Document{Title: src.Title, Text: text}) {
			sn := storage.Snippet{Text: h.Snippet.Text}
			for _, mk := range h.Snippet.Marks {
				sn.Marks = append(sn.Marks, [2]int{mk.Start, mk.End})
			}
			it.Hits = append(it.Hits, storage.TopicHit{Topic: h.Topic, Score: h.Score, Terms: h.Terms, Snippet: sn})
		}
		u.Items = append(u.Items, it)
	}
	return u
}

// measure opens the database a few times, then serves the dashboard over
// it on loopback and times its pages.
func (g *grower) measure(cfg *config.Config) error {
	fi, err := os.Stat(g.db)
	if err != nil {
		return err
	}
	var opens []time.Duration
	for i := range 6 {
		if i == 1 {
			// The first open may have migrated the file: report it apart.
			fmt.Fprintf(g.out, "first open (migrating, if the file's schema is older): %s\n", opens[0].Round(time.Millisecond))
			opens = opens[:0]
		}
		t0 := time.Now()
		db, err := storage.Open(g.db, 0)
		if err != nil {
			return err
		}
		opens = append(opens, time.Since(t0))
		db.Close()
	}
	db, err := storage.Open(g.db, 0)
	if err != nil {
		return err
	}
	defer db.Close()
	s := &dashboard.Server{Store: db, Log: slog.New(slog.DiscardHandler)}
	for _, t := range cfg.Topics {
		s.Topics = append(s.Topics, dashboard.Topic{ID: t.ID, Name: t.Name})
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	fmt.Fprintf(g.out, "\n%d feeds × %d days × %d items a day: file %d MiB; open (warm page cache) median %s of 5\n\n",
		g.feeds, g.days, g.perDay, fi.Size()>>20, median(opens).Round(time.Microsecond))
	fmt.Fprintln(g.out, "| page | median of 20 | max |")
	fmt.Fprintln(g.out, "|---|---|---|")
	topic := cfg.Topics[0].ID
	for _, page := range []string{"/", "/?topic=" + topic, "/api/matches", "/topics", "/feeds"} {
		var lat []time.Duration
		for range 20 {
			t0 := time.Now()
			resp, err := http.Get(srv.URL + page)
			if err != nil {
				return err
			}
			_, err = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if err != nil || resp.StatusCode != http.StatusOK {
				return fmt.Errorf("GET %s: %s %v", page, resp.Status, err)
			}
			lat = append(lat, time.Since(t0))
		}
		fmt.Fprintf(g.out, "| `GET %s` | %s | %s |\n", page, median(lat).Round(time.Microsecond), slices.Max(lat).Round(time.Microsecond))
	}
	return nil
}
