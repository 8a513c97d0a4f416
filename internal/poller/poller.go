// Package poller runs one poll cycle: it fetches every feed, keeps the items
// it has not seen, matches them against the topics and hands each feed's
// outcome to storage in one piece.
package poller

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	"newswatch/feeds"
	"newswatch/match"
	"newswatch/storage"
)

// Store is the part of the database a poll needs.
type Store interface {
	// FeedState returns the feed's validators and counters; a feed never
	// polled has a zero state.
	FeedState(url string) (storage.FeedState, error)
	// Seen reports for each key whether the feed carried it before, and
	// the hash of its content then.
	Seen(url string, keys []string) ([]storage.Seen, error)
	// SaveFeed records one poll of one feed atomically and ignores items
	// already seen.
	SaveFeed(u storage.FeedUpdate) (storage.SaveResult, error)
}

// Fetcher downloads a feed with a conditional GET.
type Fetcher interface {
	Fetch(ctx context.Context, r feeds.Request) (*feeds.Response, error)
}

// Matcher returns the topics a document matches.
type Matcher interface {
	Match(d match.Document) []match.Hit
}

// Feed is a feed to poll.
type Feed struct {
	URL  string
	Name string
	// Every, when set, fixes the feed's interval instead of adapting it.
	Every time.Duration
	// Cron, when set, gives the feed's poll times instead.
	Cron interface{ Next(time.Time) time.Time }
}

// Poller polls feeds. Its fields must be set before the first Poll and not
// changed after.
type Poller struct {
	Store   Store
	Fetcher Fetcher
	Matcher Matcher
	// Workers is how many feeds are fetched at once (at least 1).
	Workers int
	// PerHost is how many of them may be on one host (default 2), so that
	// many feeds of one publisher never hammer it.
	PerHost int
	// MaxAge: new items published longer ago are recorded, not flagged.
	MaxAge time.Duration
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Log receives a line per feed (slog.Default when nil).
	Log *slog.Logger
	// Schedule decides each feed's next poll.
	Schedule Schedule
}

// Status is the outcome of one feed's poll.
type Status string

// The outcomes of a feed's poll.
const (
	StatusOK          Status = "ok"
	StatusNotModified Status = "not modified"
	// StatusUnchanged: a 200 whose body is byte for byte the last one
	// parsed; it is not parsed again. Totals count it as not modified.
	StatusUnchanged Status = "unchanged"
	StatusFailed    Status = "failed"
	// StatusCanceled: the cycle was stopped before the feed finished; nothing
	// was recorded for it.
	StatusCanceled Status = "canceled"
	// StatusGone: the feed answered 410 Gone once and is not fetched again.
	StatusGone Status = "gone"
)

// Result is one feed's part of a cycle.
type Result struct {
	Feed   Feed
	Status Status
	// Err says why the feed failed: fetch, parse or storage.
	Err error
	// Items is how many items the feed carried; New how many of them were
	// new; Updated how many had a changed title or text; Matches how many
	// topics those new and changed items were newly flagged for.
	Items, New, Updated, Matches int
	// Topics counts the matches by topic.
	Topics  map[string]int
	Elapsed time.Duration
}

// Report is the outcome of one cycle.
type Report struct {
	Started, Finished time.Time
	Results           []Result
	// StorageErr is the first error of the database, if any: a cycle with
	// a storage error did not record all it read.
	StorageErr error
}

// Totals sums a report.
type Totals struct {
	Feeds, OK, NotModified, Failed, Canceled, Gone int
	Items, New, Updated, Matches                   int
}

// Totals sums the report's results.
func (r *Report) Totals() Totals {
	t := Totals{Feeds: len(r.Results)}
	for _, res := range r.Results {
		switch res.Status {
		case StatusOK:
			t.OK++
		case StatusNotModified, StatusUnchanged:
			t.NotModified++
		case StatusFailed:
			t.Failed++
		case StatusCanceled:
			t.Canceled++
		case StatusGone:
			t.Gone++
		}
		t.Items += res.Items
		t.New += res.New
		t.Updated += res.Updated
		t.Matches += res.Matches
	}
	return t
}

// errStorage marks an error of the database, as opposed to one of a feed.
type errStorage struct{ err error }

func (e errStorage) Error() string { return e.err.Error() }
func (e errStorage) Unwrap() error { return e.err }

// Poll runs one cycle over feeds and returns when every feed is done. One
// feed's failure never stops the others. When ctx is canceled, feeds not yet
// started are reported as canceled, and in-flight fetches are abandoned
// without recording anything for them. done, when not nil, is called once per
// feed as it finishes, in that order, from one goroutine; however slow it
// is, it holds back only Poll's return, not the polling.
func (p *Poller) Poll(ctx context.Context, list []Feed, done func(Result)) *Report {
	return p.run(ctx, list, p.fetch, done)
}

// Check fetches and parses every feed of list, as Poll does but storing
// nothing: Status is ok or failed, Items the number of items. Store is
// not used.
func (p *Poller) Check(ctx context.Context, list []Feed, done func(Result)) *Report {
	return p.run(ctx, list, func(ctx context.Context, f Feed) pending {
		return pending{res: p.checkFeed(ctx, f), quiet: true}
	}, done)
}

func (p *Poller) checkFeed(ctx context.Context, f Feed) Result {
	res := Result{Feed: f, Status: StatusFailed}
	resp, err := p.Fetcher.Fetch(ctx, feeds.Request{URL: f.URL})
	if err != nil {
		res.Err = err
		return res
	}
	parsed, err := feeds.ParseHTTP(resp.Body, resp.ContentType, f.URL, p.now())
	if err != nil {
		res.Err = fmt.Errorf("%s: %w", f.URL, err)
		return res
	}
	res.Status, res.Items = StatusOK, len(parsed.Items)
	return res
}

// run calls fn for every feed of list on the worker pool, at most PerHost
// at a time on one host, and records what fn returns. Recording is
// pipelined: a worker hands its feed's update to a saving goroutine and
// fetches the next feed while the update waits for the database's next
// group commit, so that workers do not sit idle through commits. At most
// 8×Workers updates wait at once: when most feeds answer 304, workers
// finish feeds faster than commits do, and the more updates wait, the more
// each commit takes (a warm cycle of 10,000 feeds made 315 commits with
// 2×Workers and 154 – 184 with 8×, and took 40% less time; BENCHMARKS.md).
func (p *Poller) run(ctx context.Context, list []Feed, fn func(context.Context, Feed) pending, done func(Result)) *Report {
	now := p.now()
	rep := &Report{Started: now, Results: make([]Result, len(list))}
	perHost := p.PerHost
	if perHost <= 0 {
		perHost = 2
	}
	hosts := make([]string, len(list)) // each feed's host, parsed once
	hostSem := map[string]chan struct{}{}
	for i, f := range list {
		hosts[i] = hostOf(f.URL)
		if hostSem[hosts[i]] == nil {
			hostSem[hosts[i]] = make(chan struct{}, perHost)
		}
	}
	// done hears of each feed from one goroutine of its own, through a
	// channel with room for every feed's result: a done that is slow (a
	// reader of "newswatch poll" that stops reading) delays only Poll's
	// return. Called under mu, it held back every worker.
	var reports chan Result
	var reporting sync.WaitGroup
	if done != nil {
		reports = make(chan Result, len(list))
		reporting.Go(func() {
			for res := range reports {
				done(res)
			}
		})
	}
	var mu sync.Mutex
	finish := func(i int, res Result) {
		mu.Lock()
		defer mu.Unlock()
		rep.Results[i] = res
		var se errStorage
		if rep.StorageErr == nil && errors.As(res.Err, &se) {
			rep.StorageErr = se.err
		}
		if reports != nil {
			reports <- res // never blocks: room for every feed
		}
	}
	workers := max(1, min(p.Workers, len(list)))
	jobs := make(chan int)
	saving := make(chan struct{}, 8*workers) // updates waiting for a commit
	var wg, saves sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				sem := hostSem[hosts[i]]
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					finish(i, Result{Feed: list[i], Status: StatusCanceled, Err: ctx.Err()})
					continue
				}
				start := p.now()
				pd := fn(ctx, list[i])
				<-sem
				switch {
				case pd.quiet:
					finish(i, pd.res)
					continue
				case pd.update == nil:
					finish(i, p.logged(list[i], start, pd.res))
					continue
				}
				saving <- struct{}{}
				saves.Add(1)
				go func() {
					defer saves.Done()
					finish(i, p.logged(list[i], start, p.commit(pd)))
					<-saving
				}()
			}
		}()
	}
	order := byHostRoundRobin(hosts)
	next := 0
feed:
	for ; next < len(order); next++ {
		select {
		case jobs <- order[next]:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	saves.Wait()
	for _, i := range order[next:] {
		finish(i, Result{Feed: list[i], Status: StatusCanceled, Err: ctx.Err()})
	}
	rep.Finished = p.now()
	if reports != nil {
		close(reports)
		reporting.Wait()
	}
	return rep
}

// hostOf returns the host (and port) of a feed URL, or the URL itself when
// it does not parse.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.ToLower(u.Host)
}

// byHostRoundRobin orders feed indexes, given each feed's host, so that
// consecutive feeds are on different hosts where possible: one of each host
// in turn. Workers then rarely wait on a host's limit while feeds of other
// hosts are pending.
func byHostRoundRobin(hosts []string) []int {
	var distinct []string
	queues := map[string][]int{}
	for i, h := range hosts {
		if _, ok := queues[h]; !ok {
			distinct = append(distinct, h)
		}
		queues[h] = append(queues[h], i)
	}
	order := make([]int, 0, len(hosts))
	for len(order) < len(hosts) {
		for _, h := range distinct {
			if q := queues[h]; len(q) > 0 {
				order = append(order, q[0])
				queues[h] = q[1:]
			}
		}
	}
	return order
}

func (p *Poller) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Poller) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// Due returns the feeds of list whose next poll time has come at now; a
// feed never polled is due, a feed that is gone (410) never.
func (p *Poller) Due(list []Feed, now time.Time) ([]Feed, error) {
	var due []Feed
	for _, f := range list {
		st, err := p.Store.FeedState(f.URL)
		if err != nil {
			return nil, err
		}
		if !st.Gone && !st.NextPoll.After(now) {
			due = append(due, f)
		}
	}
	return due, nil
}

// newItems keeps the items the feed has not carried before, and those whose
// title or text changed since, and matches those recent enough to flag.
func (p *Poller) newItems(f Feed, items []feeds.Item, now time.Time) ([]storage.NewItem, error) {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	seen, err := p.Store.Seen(f.URL, keys)
	if err != nil {
		return nil, err
	}
	cutoff := now.Add(-p.MaxAge)
	var out []storage.NewItem
	inBatch := make(map[string]bool, len(items))
	for i, it := range items {
		if inBatch[it.Key] {
			continue // a feed may repeat an item; the first copy wins
		}
		inBatch[it.Key] = true
		hash := contentHash(it)
		changed := seen[i].Seen && seen[i].Hash != 0 && seen[i].Hash != hash
		if seen[i].Seen && !changed {
			continue
		}
		ni := storage.NewItem{Key: it.Key, Hash: hash, Changed: changed, Article: storage.Article{
			FeedName: f.Name, Title: it.Title, URL: it.URL, Text: it.Text,
			Published: it.Published, FirstSeen: now,
		}}
		if p.MaxAge <= 0 || !it.Published.Before(cutoff) {
			for _, h := range p.Matcher.Match(match.Document{Title: it.Title, Text: it.Text}) {
				ni.Hits = append(ni.Hits, topicHit(h))
			}
		}
		if !changed && len(ni.Hits) == 0 {
			// Storage keeps nothing of a new item that matched nothing
			// but its key, its hash and, when its link names an article
			// stored from another feed, its feed as a source: its text,
			// most of its size, need not wait for the commit.
			ni.Article.Title, ni.Article.Text = "", ""
		}
		if out == nil {
			// Room for this item and every one after it: a feed's new
			// items usually come together, and a NewItem is large
			// enough that growing the slice by doubling was 4% of
			// BenchmarkIngest's allocations.
			out = make([]storage.NewItem, 0, len(items)-i)
		}
		out = append(out, ni)
	}
	return out, nil
}

// contentHash identifies what an item says: its title and text (64-bit
// FNV-1a, computed over the strings in place: hash/fnv would take a copy
// of each text as a []byte).
func contentHash(it feeds.Item) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(it.Title); i++ {
		h = (h ^ uint64(it.Title[i])) * prime
	}
	h *= prime // the 0 byte between title and text
	for i := 0; i < len(it.Text); i++ {
		h = (h ^ uint64(it.Text[i])) * prime
	}
	if h != 0 {
		return h
	}
	return 1 // 0 means "unknown"
}

// topicHit converts a matcher's hit for storage.
func topicHit(h match.Hit) storage.TopicHit {
	sn := storage.Snippet{Text: h.Snippet.Text}
	for _, m := range h.Snippet.Marks {
		sn.Marks = append(sn.Marks, [2]int{m.Start, m.End})
	}
	return storage.TopicHit{Topic: h.Topic, Score: h.Score, Terms: h.Terms, Snippet: sn}
}
