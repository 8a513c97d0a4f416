package feedfarm

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"newswatch/internal/corpus"
)

func corpusItems(t *testing.T) []corpus.NewsItem {
	t.Helper()
	items, err := corpus.News()
	if err != nil {
		t.Fatal(err)
	}
	return items
}

func startFarm(t *testing.T, cfg Config) *Farm {
	t.Helper()
	f, err := New(cfg, corpusItems(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

func get(t *testing.T, u string, hdr http.Header) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

var base = time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)

func TestSameSeedSameFeeds(t *testing.T) {
	items := corpusItems(t)
	cfg := Config{Feeds: 40, Hosts: 4, Seed: 7, Base: base}
	a, _ := New(cfg, items)
	b, _ := New(cfg, items)
	cfg.Seed = 8
	c, _ := New(cfg, items)
	differ := 0
	for i := range a.feeds {
		if !bytes.Equal(a.feeds[i].body, b.feeds[i].body) {
			t.Fatalf("feed %d differs between two farms of one seed", i)
		}
		if !bytes.Equal(a.feeds[i].body, c.feeds[i].body) {
			differ++
		}
	}
	if differ != len(a.feeds) {
		t.Errorf("seed 8 repeats %d of seed 7's feeds", len(a.feeds)-differ)
	}
	a.Advance()
	b.Advance()
	for i := range a.feeds {
		if !bytes.Equal(a.feeds[i].body, b.feeds[i].body) {
			t.Fatalf("feed %d differs after one advance", i)
		}
	}
}

// Every healthy feed parses, with the items it was built with, in all three
// formats, spread over the farm's hosts.
func TestFeedsParse(t *testing.T) {
	f := startFarm(t, Config{Feeds: 30, Hosts: 5, Seed: 1, Base: base, Failing: -1, Slow: -1, FullContent: 0.5})
	hosts := map[string]bool{}
	types := map[string]int{}
	full := 0
	p := gofeed.NewParser()
	for i, u := range f.URLs() {
		resp, body := get(t, u, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %s", u, resp.Status)
		}
		pu, _ := url.Parse(u)
		hosts[pu.Host] = true
		feed, err := p.Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: %v", u, err)
		}
		types[feed.FeedType]++
		fd := f.feeds[i]
		if len(feed.Items) != fd.count || fd.count < 20 || fd.count > 100 {
			t.Errorf("%s: %d items, built with %d (want 20-100)", u, len(feed.Items), fd.count)
		}
		newest := feed.Items[0]
		if newest.PublishedParsed == nil || !newest.PublishedParsed.Before(base) || newest.Title == "" || newest.Link == "" {
			t.Errorf("%s: newest item %+v lacks a date before the base, a title or a link", u, newest)
		}
		if fd.full && len(newest.Content) < 400 {
			t.Errorf("%s: a full-content feed's item has %d bytes of content", u, len(newest.Content))
		}
		if fd.full {
			full++
		}
	}
	if len(hosts) != 5 || types["rss"] != 10 || types["atom"] != 10 || types["json"] != 10 {
		t.Errorf("hosts %d, formats %v: want 5 hosts and 10 feeds of each format", len(hosts), types)
	}
	if full == 0 || full == 30 {
		t.Errorf("%d of 30 feeds carry full content, want some", full)
	}
}

// Conditional GETs get 304 until the farm advances; then changing feeds
// carry new items first and the others still answer 304.
func TestConditionalGetAndAdvance(t *testing.T) {
	f := startFarm(t, Config{Feeds: 60, Hosts: 3, Seed: 2, Base: base, Failing: -1, Slow: -1, NoValidators: -1, Changing: 0.5})
	urls := f.URLs()
	etags := make([]string, len(urls))
	for i, u := range urls {
		resp, _ := get(t, u, nil)
		etags[i] = resp.Header.Get("ETag")
		if etags[i] == "" || resp.Header.Get("Last-Modified") == "" {
			t.Fatalf("%s: no validators", u)
		}
		again, body := get(t, u, http.Header{"If-None-Match": {etags[i]}})
		if again.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Fatalf("%s with its ETag: %s, %d bytes", u, again.Status, len(body))
		}
		since, _ := get(t, u, http.Header{"If-Modified-Since": {resp.Header.Get("Last-Modified")}})
		if since.StatusCode != http.StatusNotModified {
			t.Fatalf("%s with its Last-Modified: %s", u, since.Status)
		}
	}
	if added := f.Advance(); added == 0 {
		t.Fatal("advance added nothing")
	}
	changed := 0
	p := gofeed.NewParser()
	for i, u := range urls {
		resp, body := get(t, u, http.Header{"If-None-Match": {etags[i]}})
		switch {
		case !f.feeds[i].changing && resp.StatusCode != http.StatusNotModified:
			t.Errorf("%s does not change, yet answers %s", u, resp.Status)
		case f.feeds[i].changing:
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("%s changed, yet answers %s", u, resp.Status)
			}
			feed, err := p.Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if !feed.Items[0].PublishedParsed.After(base) {
				t.Errorf("%s: newest item after advance is dated %v, not after the base", u, feed.Items[0].PublishedParsed)
			}
			changed++
		}
	}
	if changed < 15 || changed > 45 {
		t.Errorf("%d of 60 feeds changed, want about half", changed)
	}
}

// Failing feeds fail in the four ways, and the floor counts them.
func TestFailingFeedsAndFloor(t *testing.T) {
	f := startFarm(t, Config{Feeds: 80, Hosts: 4, Seed: 3, Base: base, Failing: 0.5, Slow: 0.05, SlowDelay: 10 * time.Millisecond})
	kinds := map[int]bool{}
	for i, u := range f.URLs() {
		fd := f.feeds[i]
		if fd.fail == failNone {
			continue
		}
		kinds[fd.fail] = true
		resp, body := get(t, u, nil)
		want := map[int]int{failServer: 500, failNotFound: 404, failRateLimited: 429, failMalformed: 200}[fd.fail]
		if resp.StatusCode != want {
			t.Errorf("%s, failure kind %d: %s, want %d", u, fd.fail, resp.Status, want)
		}
		if fd.fail == failMalformed {
			if _, err := gofeed.NewParser().Parse(bytes.NewReader(body)); err == nil {
				t.Errorf("%s: the malformed feed parses", u)
			}
		}
	}
	if len(kinds) != failKinds-1 {
		t.Errorf("failure kinds seen: %v, want all four", kinds)
	}
	st := f.Stats()
	got := Floor(context.Background(), f.URLs(), 8)
	if got.Feeds != 80 || got.Failed != st.Failing || got.Items != st.Items || got.Bytes != st.Bytes {
		t.Errorf("floor %+v, farm %+v", got, st)
	}
	if st.Slow == 0 || st.Failing < 25 || st.Failing > 55 {
		t.Errorf("stats %+v: want some slow feeds and about half failing", st)
	}
}
