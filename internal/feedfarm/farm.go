// Package feedfarm serves many synthetic news feeds on loopback, for
// benchmarks and crash tests. The feeds are built from real news text (the
// news-2025 corpus, recombined and re-dated): RSS 2.0, Atom and JSON Feed
// in turn, 20 to 100 items each, some with full content, most with ETag and
// Last-Modified, spread over many listeners so that each is a host of its
// own. Some answer slowly, some fail, and a share gain items each time the
// farm advances. The same Config always gives the same feeds.
package feedfarm

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"newswatch/internal/corpus"
)

// Config describes a farm. Zero fields take the defaults in brackets.
type Config struct {
	Feeds int    // number of feeds [1000]
	Hosts int    // listeners, each a host of its own [50]
	Seed  uint64 // the same seed gives the same feeds
	// Base dates the items: a feed's items are spread over the days before
	// it, and items added by Advance come after it [the start of the
	// current hour].
	Base               time.Time
	MinItems, MaxItems int     // items per feed [20, 100]
	FullContent        float64 // share of feeds whose items carry full text [0.25]
	NoValidators       float64 // share of feeds without ETag or Last-Modified [0.15]
	Changing           float64 // share of feeds that gain items on Advance [0.2]
	Slow               float64 // share of feeds that answer after SlowDelay [0.01]
	SlowDelay          time.Duration
	Failing            float64 // share of feeds that fail: 500, 404, malformed, 429 [0.02]
}

func (c *Config) defaults() {
	if c.Feeds <= 0 {
		c.Feeds = 1000
	}
	if c.Hosts <= 0 {
		c.Hosts = 50
	}
	if c.Base.IsZero() {
		c.Base = time.Now().UTC().Truncate(time.Hour)
	}
	if c.MinItems <= 0 {
		c.MinItems = 20
	}
	if c.MaxItems < c.MinItems {
		c.MaxItems = max(100, c.MinItems)
	}
	share := func(p *float64, d float64) {
		if *p == 0 {
			*p = d
		}
		*p = min(max(*p, 0), 1) // a negative share means none
	}
	share(&c.FullContent, 0.25)
	share(&c.NoValidators, 0.15)
	share(&c.Changing, 0.2)
	share(&c.Slow, 0.01)
	share(&c.Failing, 0.02)
	if c.SlowDelay <= 0 {
		c.SlowDelay = 200 * time.Millisecond
	}
}

// Failure kinds of failing feeds.
const (
	failNone = iota
	failServer
	failNotFound
	failMalformed
	failRateLimited
	failKinds
)

// Farm is a set of feeds and the servers that serve them.
type Farm struct {
	cfg    Config
	corpus []corpus.NewsItem

	mu    sync.RWMutex // guards feeds' bodies and gen
	feeds []*feed
	gen   int

	addrs []string // host:port of each listener, set by Start
	srvs  []*http.Server
	wg    sync.WaitGroup
}

// New builds the feeds of cfg from the corpus items. It renders every body
// up front, so that serving costs the farm next to nothing.
func New(cfg Config, items []corpus.NewsItem) (*Farm, error) {
	cfg.defaults()
	if len(items) == 0 {
		return nil, errors.New("feedfarm: no corpus items to build feeds from")
	}
	f := &Farm{cfg: cfg, corpus: items}
	r := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed))
	for i := range cfg.Feeds {
		fd := &feed{
			id:         i,
			host:       i % cfg.Hosts,
			format:     Format(i % 3),
			count:      cfg.MinItems + r.IntN(cfg.MaxItems-cfg.MinItems+1),
			interval:   time.Duration(20+r.IntN(160)) * time.Minute,
			full:       r.Float64() < cfg.FullContent,
			validators: r.Float64() >= cfg.NoValidators,
			changing:   r.Float64() < cfg.Changing,
			slow:       r.Float64() < cfg.Slow,
		}
		if r.Float64() < cfg.Failing {
			fd.fail = 1 + r.IntN(failKinds-1)
		}
		fd.initial = fd.count
		f.render(fd)
		f.feeds = append(f.feeds, fd)
	}
	return f, nil
}

// Start opens the listeners on 127.0.0.1 and serves until Close.
func (f *Farm) Start() error {
	for h := range f.cfg.Hosts {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			f.Close()
			return fmt.Errorf("feedfarm: listen: %w", err)
		}
		mux := http.NewServeMux()
		host := h
		mux.HandleFunc("GET /feeds/{name}", func(w http.ResponseWriter, r *http.Request) { f.serve(w, r, host) })
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		f.addrs = append(f.addrs, ln.Addr().String())
		f.srvs = append(f.srvs, srv)
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			srv.Serve(ln) // returns at Close
		}()
	}
	return nil
}

// Close stops the servers and waits for them.
func (f *Farm) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, s := range f.srvs {
		if err := s.Shutdown(ctx); err != nil {
			s.Close()
		}
	}
	f.wg.Wait()
}

// URLs returns the address of every feed, in order. Start must have run.
func (f *Farm) URLs() []string {
	out := make([]string, len(f.feeds))
	for i, fd := range f.feeds {
		out[i] = fmt.Sprintf("http://%s/feeds/%d.%s", f.addrs[fd.host], fd.id, fd.format.ext())
	}
	return out
}

// Body returns the body feed i serves now and its content type, for
// benchmarks that parse without a network. A failing feed's body is the
// one it would serve if it did not fail.
func (f *Farm) Body(i int) (body []byte, contentType string) {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.feeds[i].body, f.feeds[i].format.contentType()
}

// BenchFeeds builds the farm that feedfarm bench serves (seed 1), with no
// failing feeds, from news-2025, and returns the bodies of its first n
// feeds and their content types: the same bytes for every benchmark that
// parses or ingests without a network.
func BenchFeeds(n int) (bodies [][]byte, contentTypes []string, err error) {
	items, err := corpus.News()
	if err != nil {
		return nil, nil, err
	}
	farm, err := New(Config{Feeds: n, Seed: 1, Failing: -1}, items)
	if err != nil {
		return nil, nil, err
	}
	for i := range n {
		body, contentType := farm.Body(i)
		bodies, contentTypes = append(bodies, body), append(contentTypes, contentType)
	}
	return bodies, contentTypes, nil
}

// ETag returns the ETag feed i serves now: with Body, what a crash test
// needs to know which content a stored ETag acknowledged.
func (f *Farm) ETag(i int) string {
	f.mu.RLock()
	defer f.mu.RUnlock()
	return f.feeds[i].etag
}

// Advance moves the farm on by one poll interval: each changing feed gains
// one to five new items and drops as many old ones, and gets a new ETag and
// Last-Modified. It returns how many items were added.
func (f *Farm) Advance() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gen++
	added := 0
	for _, fd := range f.feeds {
		if !fd.changing || fd.fail != failNone {
			continue
		}
		r := rand.New(rand.NewPCG(f.cfg.Seed^uint64(fd.id), uint64(f.gen)))
		k := 1 + r.IntN(5)
		fd.first += k
		added += k
		f.render(fd)
	}
	return added
}

// Stats describes what the farm serves.
type Stats struct {
	Feeds, Items, Failing, Slow, Changing, FullContent, Validators int
	Bytes                                                          int64
}

// Stats counts the feeds and items as they are now.
func (f *Farm) Stats() Stats {
	f.mu.RLock()
	defer f.mu.RUnlock()
	var s Stats
	for _, fd := range f.feeds {
		s.Feeds++
		count := func(b bool, n *int) {
			if b {
				*n++
			}
		}
		count(fd.fail != failNone, &s.Failing)
		count(fd.slow, &s.Slow)
		count(fd.changing, &s.Changing)
		count(fd.full, &s.FullContent)
		count(fd.validators, &s.Validators)
		if fd.fail == failNone {
			s.Items += fd.count
			s.Bytes += int64(len(fd.body))
		}
	}
	return s
}

func (f *Farm) serve(w http.ResponseWriter, r *http.Request, host int) {
	id, err := strconv.Atoi(strings.SplitN(r.PathValue("name"), ".", 2)[0])
	if err != nil || id < 0 || id >= len(f.feeds) || f.feeds[id].host != host {
		http.NotFound(w, r)
		return
	}
	fd := f.feeds[id]
	if fd.slow {
		select {
		case <-time.After(f.cfg.SlowDelay):
		case <-r.Context().Done():
			return
		}
	}
	switch fd.fail {
	case failServer:
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	case failNotFound:
		http.NotFound(w, r)
		return
	case failRateLimited:
		w.Header().Set("Retry-After", "3600")
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	f.mu.RLock()
	body, etag, modified := fd.body, fd.etag, fd.modified
	f.mu.RUnlock()
	if fd.validators {
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", modified.Format(http.TimeFormat))
		if inm := r.Header.Get("If-None-Match"); inm != "" && inm == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if ims, err := http.ParseTime(r.Header.Get("If-Modified-Since")); err == nil && !modified.After(ims) && r.Header.Get("If-None-Match") == "" {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	if fd.fail == failMalformed {
		body = body[:len(body)/2]
	}
	w.Header().Set("Content-Type", fd.format.contentType())
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Write(body)
}
