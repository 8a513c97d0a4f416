package poller

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"runtime/debug"
	"time"

	"newswatch/feeds"
	"newswatch/storage"
)

// pending is one feed's poll between fetching and recording: update is
// what to record (nil when there is nothing), and result gives the feed's
// result once it is recorded. res is the result when there is nothing to
// record; quiet keeps it out of the log (a check, not a poll).
type pending struct {
	update *storage.FeedUpdate
	result func(storage.SaveResult) Result
	res    Result
	quiet  bool
}

// finished is a poll with nothing to record.
func finished(r Result) pending { return pending{res: r} }

// fetch fetches, parses and matches one feed, and returns what to record.
// states are the feeds' states as the cycle began (nil: read the feed's
// own); fetch reads the database but does not write it.
//
// A panic while the feed is read (a bug that its content meets) is the
// feed's failure, recorded and logged with its stack, and not the end of
// the poll or of the daemon: as net/http does for a request.
func (p *Poller) fetch(ctx context.Context, f Feed, states map[string]storage.FeedState) (pd pending) {
	now := p.now()
	st, ok := states[f.URL]
	switch {
	case states == nil:
		var err error
		if st, err = p.Store.FeedState(f.URL); err != nil {
			return finished(Result{Status: StatusFailed, Err: errStorage{err}})
		}
	case !ok:
		st = storage.FeedState{URL: f.URL} // never polled
	}
	if st.Gone {
		return finished(Result{Status: StatusGone, Err: fmt.Errorf("%s answered 410 Gone and is not fetched any more; remove it from the config", f.URL)})
	}
	fp := &feedPoll{p: p, f: f, st: st, now: now}
	defer func() {
		if v := recover(); v != nil {
			pd = fp.fail(ctx, p.recovered(f, v))
		}
	}()
	addr := f.URL
	if st.MovedTo != "" {
		addr = st.MovedTo
	}
	resp, err := p.Fetcher.Fetch(ctx, feeds.Request{URL: addr, ETag: st.ETag, LastModified: st.LastModified})
	if err != nil {
		return fp.fail(ctx, err)
	}
	if resp.MovedTo != "" && resp.MovedTo != addr {
		fp.movedTo = resp.MovedTo
		p.log().Warn("feed moved permanently; update its url in the config", "feed", f.URL, "to", fp.movedTo)
		addr = resp.MovedTo
	}
	return fp.ingest(ctx, resp, addr)
}

// recovered logs a panic met while reading feed f, with its stack, and
// returns it as the feed's error.
func (p *Poller) recovered(f Feed, v any) error {
	p.log().Error("internal error, please report it", "feed", f.URL, "panic", v, "stack", string(debug.Stack()))
	return fmt.Errorf("internal error while reading %s: %v", f.URL, v)
}

// feedPoll is one feed's poll in progress.
type feedPoll struct {
	p       *Poller
	f       Feed
	st      storage.FeedState
	now     time.Time
	movedTo string // set when the fetch followed permanent redirects
}

// ingest turns a response into what to record: nothing new for a 304 or a
// body seen before, else the feed's new and changed items, matched.
func (fp *feedPoll) ingest(ctx context.Context, resp *feeds.Response, addr string) pending {
	if resp.NotModified {
		return fp.record(storage.FeedUpdate{NotModified: true}, outcome{hint: resp.MaxAge}, status(StatusNotModified))
	}
	hash := bodyHash(resp.Body)
	if hash == fp.st.BodyHash {
		return fp.record(storage.FeedUpdate{ETag: resp.ETag, LastModified: resp.LastModified}, outcome{hint: resp.MaxAge}, status(StatusUnchanged))
	}
	parsed, err := feeds.ParseHTTP(resp.Body, resp.ContentType, addr, fp.now)
	if err != nil {
		return fp.fail(ctx, fmt.Errorf("%s: %w", fp.f.URL, err))
	}
	items, err := fp.p.newItems(fp.f, parsed.Items, fp.now)
	if err != nil {
		return finished(Result{Status: StatusFailed, Err: errStorage{err}})
	}
	newCount := 0
	for _, it := range items {
		if !it.Changed {
			newCount++
		}
	}
	// The update waits for a group commit with up to 8×Workers others:
	// it holds only what is stored, not the parsed feed.
	carried := len(parsed.Items)
	return fp.record(storage.FeedUpdate{
		ETag: resp.ETag, LastModified: resp.LastModified, BodyHash: hash,
		Items: items,
	}, outcome{newItems: newCount, hint: max(parsed.TTL, resp.MaxAge)}, func(saved storage.SaveResult) Result {
		return Result{Status: StatusOK, Items: carried, New: saved.NewItems, Updated: saved.Updated, Matches: saved.NewMatches, Topics: saved.Topics}
	})
}

// bodyHash fingerprints a body to tell it from the last one parsed: two
// CRC-32s of it (Castagnoli's and IEEE's, both computed in hardware) and
// its length, in hex. It is no defence against a forger and needs none: a
// feed that made a body collide with its last one would only keep its own
// update from being read. It replaced SHA-256, eight times slower, which
// took 0.27 s of a cold cycle's 30 s of CPU (BENCHMARKS.md). An older
// build's SHA-256 (64 hex digits) never equals it, so after an upgrade
// each feed is parsed once more and its items are found seen.
func bodyHash(body []byte) string {
	var sum [16]byte
	binary.BigEndian.PutUint32(sum[0:], crc32.Checksum(body, castagnoli))
	binary.BigEndian.PutUint32(sum[4:], crc32.ChecksumIEEE(body))
	binary.BigEndian.PutUint64(sum[8:], uint64(len(body)))
	return hex.EncodeToString(sum[:])
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// record returns the update to record, with the feed's next poll time, and
// how to tell the result once it is recorded.
func (fp *feedPoll) record(u storage.FeedUpdate, o outcome, result func(storage.SaveResult) Result) pending {
	u.URL, u.FeedName, u.Polled, u.MovedTo = fp.f.URL, fp.f.Name, fp.now, fp.movedTo
	u.Elapsed = fp.p.now().Sub(fp.now)
	u.NextPoll, u.Interval = fp.p.Schedule.next(fp.f, fp.st, o, fp.now)
	return pending{update: &u, result: result}
}

// fail records a failed fetch or parse; a 410 Gone marks the feed gone.
// When ctx is canceled the failure is the cancel's, and nothing is recorded.
func (fp *feedPoll) fail(ctx context.Context, err error) pending {
	if ctx.Err() != nil {
		return finished(Result{Status: StatusCanceled, Err: ctx.Err()})
	}
	var se *feeds.StatusError
	gone := errors.As(err, &se) && se.Code == http.StatusGone
	return fp.record(storage.FeedUpdate{Err: err.Error(), Gone: gone}, outcome{err: err}, func(storage.SaveResult) Result {
		if gone {
			fp.p.log().Warn("feed is gone (410): it will not be fetched again", "feed", fp.f.URL)
			return Result{Status: StatusGone, Err: err}
		}
		return Result{Status: StatusFailed, Err: err}
	})
}

// status is a result that depends on nothing recorded.
func status(s Status) func(storage.SaveResult) Result {
	return func(storage.SaveResult) Result { return Result{Status: s} }
}

// commit records a pending poll and returns the feed's result.
func (p *Poller) commit(pd pending) Result {
	saved, err := p.Store.SaveFeed(*pd.update)
	if err != nil {
		return Result{Status: StatusFailed, Err: errStorage{err}}
	}
	return pd.result(saved)
}

// logged completes a feed's result and logs it.
func (p *Poller) logged(f Feed, start time.Time, res Result) Result {
	res.Feed = f
	res.Elapsed = p.now().Sub(start)
	attrs := []any{"feed", f.URL, "status", string(res.Status), "items", res.Items, "new", res.New, "matches", res.Matches, "elapsed", res.Elapsed.Round(time.Millisecond)}
	if res.Err != nil {
		p.log().Warn("poll feed", append(attrs, "err", res.Err)...)
	} else {
		p.log().Info("poll feed", attrs...)
	}
	return res
}
