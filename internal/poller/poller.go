// Package poller runs one poll cycle: it fetches every feed, keeps the items
// it has not seen, matches them against the topics and hands each feed's
// outcome to storage in one piece.
package poller

import (
	"context"
	"fmt"
	"log/slog"
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
	// Feeds returns the state of every feed polled so far.
	Feeds() ([]storage.FeedState, error)
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
// feed's failure never stops the others. Feeds that were much slower than
// most at their last poll start in the first half (see slowEarly). When
// ctx is canceled, feeds not yet started are reported as canceled, and
// in-flight fetches are abandoned without recording anything for them.
// done, when not nil, is called once per feed as it finishes, in that
// order, from one goroutine; however slow it is, it holds back only Poll's
// return, not the polling.
func (p *Poller) Poll(ctx context.Context, list []Feed, done func(Result)) *Report {
	// Without the states (the database cannot be read), each feed's
	// fetch reads its own state and reports the error.
	states, _ := p.states()
	return p.run(ctx, list, lastElapsed(list, states), func(ctx context.Context, f Feed) pending {
		return p.fetch(ctx, f, states)
	}, done)
}

// Check fetches and parses every feed of list, as Poll does but storing
// nothing: Status is ok or failed, Items the number of items. Store is
// not used. A panic while one feed is read fails that feed, as in Poll.
func (p *Poller) Check(ctx context.Context, list []Feed, done func(Result)) *Report {
	return p.run(ctx, list, nil, func(ctx context.Context, f Feed) pending {
		return pending{res: p.checkFeed(ctx, f), quiet: true}
	}, done)
}

func (p *Poller) checkFeed(ctx context.Context, f Feed) (res Result) {
	defer func() {
		if v := recover(); v != nil { // as in fetch
			res = Result{Feed: f, Status: StatusFailed, Err: p.recovered(f, v)}
		}
	}()
	res = Result{Feed: f, Status: StatusFailed}
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
// feed never polled is due, a feed that is gone (410) never. It reads
// every feed's state in one scan, not one read each.
func (p *Poller) Due(list []Feed, now time.Time) ([]Feed, error) {
	states, err := p.states()
	if err != nil {
		return nil, err
	}
	var due []Feed
	for _, f := range list {
		if st := states[f.URL]; !st.Gone && !st.NextPoll.After(now) {
			due = append(due, f)
		}
	}
	return due, nil
}
