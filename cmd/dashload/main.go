// Command dashload measures the dashboard under load: it seeds a database
// with many matches, serves the dashboard on loopback, keeps polling a
// loopback feed server (so that writes go on), and requests filtered pages
// (a topic and a date range, 50 rows) from several clients for a while,
// then prints the latency percentiles. It runs with the daemon's runtime
// settings (internal/tuning: collector and GOMAXPROCS), since the poll's
// work competes with the requests for the cores.
//
//	go run ./cmd/dashload -matches 1000000 -duration 30s
//
// Everything stays on loopback. The figures go in BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"newswatch/dashboard"
	"newswatch/feeds"
	"newswatch/internal/corpus"
	"newswatch/internal/poller"
	"newswatch/internal/tuning"
	"newswatch/match"
	"newswatch/storage"
)

var topics = []string{"security-guarantees", "mineral-deal", "frozen-assets", "ceasefire-talks", "military-aid",
	"russia-sanctions", "nuclear-threats", "deported-children", "territorial-claims"}

func main() {
	n := flag.Int("matches", 1_000_000, "matches to seed")
	dbPath := flag.String("db", "", "database file (default: a new temporary one); an existing one is reused as seeded")
	clients := flag.Int("clients", 8, "concurrent clients")
	dur := flag.Duration("duration", 30*time.Second, "how long to send requests")
	flag.Parse()
	tuning.Apply() // the daemon's runtime settings
	if err := run(*n, *dbPath, *clients, *dur); err != nil {
		fmt.Fprintln(os.Stderr, "dashload:", err)
		os.Exit(1)
	}
}

func run(n int, dbPath string, clients int, dur time.Duration) error {
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "dashload")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "nw.db")
	}
	_, statErr := os.Stat(dbPath)
	db, err := storage.Open(dbPath, 0)
	if err != nil {
		return err
	}
	defer db.Close()
	end := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	if os.IsNotExist(statErr) {
		start := time.Now()
		if err := seed(db, n, end); err != nil {
			return err
		}
		size, _ := db.Size()
		fmt.Printf("seeded %d matches in %s; database %d MB\n", n, time.Since(start).Round(time.Second), size>>20)
	}

	// The dashboard on loopback.
	s := &dashboard.Server{Store: db, Log: slog.New(slog.DiscardHandler)}
	for _, t := range topics {
		s.Topics = append(s.Topics, dashboard.Topic{ID: t, Name: t})
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: s.Handler()}
	go srv.Serve(l)
	defer srv.Close()
	base := "http://" + l.Addr().String()

	// A poll loop against loopback feeds whose items change every cycle.
	polls, stopPolls, err := pollLoop(db)
	if err != nil {
		return err
	}

	// Memory, sampled every second while the load runs: it must not grow
	// without bound.
	mem := sampleMemory(time.Second)

	// The load: filtered pages, a random topic and a random 30-day range.
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(c), 7))
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
			for time.Now().Before(deadline) {
				from := end.Add(-time.Duration(30+r.IntN(300)) * 24 * time.Hour)
				url := fmt.Sprintf("%s/?topic=%s&from=%s&to=%s", base, topics[r.IntN(len(topics))],
					from.Format("2006-01-02"), from.Add(30*24*time.Hour).Format("2006-01-02"))
				t0 := time.Now()
				resp, err := client.Get(url)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					errs++
				} else {
					lat = append(lat, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	stopPolls()
	slices.Sort(lat)
	pct := func(p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(p*float64(len(lat))))]
	}
	fmt.Printf("%d requests from %d clients in %s (%.0f/s), %d errors, %d poll cycles meanwhile\n",
		len(lat), clients, dur, float64(len(lat))/dur.Seconds(), errs, *polls)
	fmt.Printf("latency: p50 %s  p90 %s  p99 %s  max %s\n", pct(0.50), pct(0.90), pct(0.99), pct(1))
	rss, anon := mem()
	fmt.Printf("RSS (MiB, every second): first %d, max %d, last %d; of which anonymous (heap, stacks): first %d, max %d, last %d; %d samples\n",
		rss[0]>>10, slices.Max(rss)>>10, rss[len(rss)-1]>>10, anon[0]>>10, slices.Max(anon)>>10, anon[len(anon)-1]>>10, len(rss))
	fmt.Println("(the rest of RSS is the database file's pages mapped by bbolt; the kernel reclaims them under pressure)")
	return nil
}

// sampleMemory records the process's resident set and its anonymous part
// (KiB, from /proc) every interval until the returned function is called,
// which returns the samples, at least one of each.
func sampleMemory(interval time.Duration) func() (rss, anon []int64) {
	var mu sync.Mutex
	var rss, anon []int64
	read := func() {
		b, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, line := range strings.Split(string(b), "\n") {
			for key, dst := range map[string]*[]int64{"VmRSS:": &rss, "RssAnon:": &anon} {
				if v, ok := strings.CutPrefix(line, key); ok {
					kib, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
					*dst = append(*dst, kib)
				}
			}
		}
	}
	read()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // owned by the caller, which stops it
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				read()
			}
		}
	}()
	return func() ([]int64, []int64) {
		close(stop)
		<-done
		read()
		mu.Lock()
		defer mu.Unlock()
		return rss, anon
	}
}

// seed stores n matches over a year, in batches of one feed update each.
func seed(db *storage.DB, n int, end time.Time) error {
	r := rand.New(rand.NewPCG(1, 2))
	const batch = 2000
	id := 0
	for id < n {
		var items []storage.NewItem
		for range batch {
			if id >= n {
				break
			}
			pub := end.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))
			t := topics[r.IntN(len(topics))]
			items = append(items, storage.NewItem{Key: fmt.Sprintf("seed-%d", id), Hash: 1,
				Article: storage.Article{Title: fmt.Sprintf("Seeded headline number %d about %s", id, t),
					URL: fmt.Sprintf("https://news.example/%d", id), Published: pub},
				Hits: []storage.TopicHit{{Topic: t, Score: 3, Terms: []string{"seeded"},
					Snippet: storage.Snippet{Text: "A seeded sentence that stands for the snippet of a match.", Marks: [][2]int{{2, 8}}}}}})
			id++
		}
		if _, err := db.SaveFeed(storage.FeedUpdate{URL: fmt.Sprintf("https://seed.example/%d", id/batch%500), Polled: end, Items: items}); err != nil {
			return err
		}
	}
	return nil
}

// pollLoop polls the news-2025 feeds, served on loopback with fresh GUIDs
// every cycle, until stopped; it returns a counter of cycles and the stop,
// which waits for the cycle in flight.
func pollLoop(db *storage.DB) (*int, func(), error) {
	dir, err := corpus.Dir()
	if err != nil {
		return nil, nil, err
	}
	items, err := corpus.LoadNews(dir, "items-*.jsonl")
	if err != nil {
		return nil, nil, err
	}
	urls, groups := corpus.ByFeed(items)
	var cycle int
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		c := cycle
		mu.Unlock()
		var i int
		fmt.Sscanf(r.URL.Path, "/%d", &i)
		g := append([]corpus.NewsItem(nil), groups[urls[i%len(urls)]]...)
		for k := range g {
			g[k].ID = fmt.Sprintf("%s-c%d", g[k].ID, c) // new items every cycle
		}
		w.Write(corpus.RSS("feed", "https://news.example/", g))
	}))
	m, err := match.Compile([]match.Topic{{ID: "ceasefire-talks", Query: "ceasefire OR truce OR talks"}, {ID: "russia-sanctions", Query: "sanction*"}})
	if err != nil {
		return nil, nil, err
	}
	p := &poller.Poller{Store: db, Fetcher: feeds.NewFetcher(feeds.Options{}), Matcher: m, Workers: 4, MaxAge: 10 * 365 * 24 * time.Hour,
		Log: slog.New(slog.DiscardHandler)}
	var list []poller.Feed
	for i := range urls {
		list = append(list, poller.Feed{URL: fmt.Sprintf("%s/%d", srv.URL, i)})
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			p.Poll(ctx, list, nil)
			mu.Lock()
			cycle++
			mu.Unlock()
		}
	}()
	return &cycle, func() {
		cancel()
		<-done
		srv.Close()
	}, nil
}
