package poller

import (
	"compress/gzip"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"newswatch/feeds"
	"newswatch/match"
	"newswatch/storage"
)

// hostile serves feeds that misbehave in every way a publisher's server
// can, next to one good feed.
func hostile(t *testing.T) *httptest.Server {
	t.Helper()
	good := `<rss version="2.0"><channel><title>good</title>
<item><title>Euroclear holds frozen Russian assets</title><guid>g1</guid></item></channel></rss>`
	var big strings.Builder
	big.WriteString(`<rss version="2.0"><channel><title>big</title>`)
	for i := range 100000 {
		fmt.Fprintf(&big, "<item><title>Item %d</title><guid>b%d</guid></item>", i, i)
	}
	big.WriteString(`</channel></rss>`)
	bigFeed := big.String()
	mux := http.NewServeMux()
	mux.HandleFunc("/good", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(good)) })
	mux.HandleFunc("/endless", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<rss version="2.0"><channel><title>`))
		chunk := []byte(strings.Repeat("a", 32<<10))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/drip", func(w http.ResponseWriter, r *http.Request) {
		for r.Context().Err() == nil {
			if _, err := w.Write([]byte("<")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
	mux.HandleFunc("/bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		zero := make([]byte, 1<<20)
		for range 64 { // 64 MiB of zeros in about 64 KiB
			zw.Write(zero)
		}
		zw.Close()
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop2", http.StatusFound) })
	mux.HandleFunc("/loop2", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "oops", http.StatusInternalServerError) })
	mux.HandleFunc("/429", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		http.Error(w, "slow down", http.StatusTooManyRequests)
	})
	mux.HandleFunc("/html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<!doctype html><html><head><title>Front page</title></head><body>news</body></html>"))
	})
	mux.HandleFunc("/empty", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/badutf8", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<rss version=\"2.0\"><channel><title>t</title><item><title>Frozen \xff\xfe assets</title><guid>u1</guid></item></channel></rss>"))
	})
	mux.HandleFunc("/nulls", func(w http.ResponseWriter, r *http.Request) {
		// gofeed.Parser panics on each of these nulls (gofeed issue 355).
		w.Header().Set("Content-Type", "application/feed+json")
		w.Write([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"n","authors":[null],
"items":[null,{"id":"n1","title":"Frozen assets again","authors":[null]},null]}`))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(bigFeed)) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestPollHostileServers(t *testing.T) {
	srv := hostile(t)
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	m, err := match.Compile([]match.Topic{{ID: "fa", Query: `frozen assets`}})
	if err != nil {
		t.Fatal(err)
	}
	// A 1 MiB cap for all but the feed of 100,000 items, which has its own
	// poller below: the caps must trip long before the 2 s timeout, also
	// under the race detector.
	p := &Poller{Store: db, Matcher: m, Workers: 4, PerHost: 4, MaxAge: time.Hour, Now: time.Now,
		Fetcher: feeds.NewFetcher(feeds.Options{Timeout: 2 * time.Second, MaxBytes: 1 << 20})}
	cases := []struct {
		path    string
		status  Status
		err     string // substring of the error
		new     int
		matches int
	}{
		{"/good", StatusOK, "", 1, 1},
		{"/endless", StatusFailed, "response body too large", 0, 0},
		{"/drip", StatusFailed, "Client.Timeout", 0, 0},
		{"/bomb", StatusFailed, "response body too large", 0, 0},
		{"/loop", StatusFailed, "redirect loop", 0, 0},
		{"/500", StatusFailed, "HTTP 500", 0, 0},
		{"/429", StatusFailed, "HTTP 429", 0, 0},
		{"/html", StatusFailed, "parse feed", 0, 0},
		{"/empty", StatusFailed, "parse feed", 0, 0},
		{"/badutf8", StatusOK, "", 1, 1},
		{"/nulls", StatusOK, "", 1, 1},
	}
	var list []Feed
	for _, c := range cases {
		list = append(list, Feed{URL: srv.URL + c.path, Name: c.path})
	}
	rep := p.Poll(context.Background(), list, nil)
	for i, c := range cases {
		r := rep.Results[i]
		if r.Status != c.status || r.New != c.new || r.Matches != c.matches {
			t.Errorf("%s: %s, %d new, %d matches (%v); want %s, %d new, %d matches", c.path, r.Status, r.New, r.Matches, r.Err, c.status, c.new, c.matches)
		}
		if c.err != "" && (r.Err == nil || !strings.Contains(r.Err.Error(), c.err) || !strings.Contains(r.Err.Error(), srv.URL+c.path)) {
			t.Errorf("%s: error %v, want one naming the feed and containing %q", c.path, r.Err, c.err)
		}
	}
	if rep.StorageErr != nil {
		t.Errorf("storage error: %v", rep.StorageErr)
	}
	big := *p
	big.Fetcher = feeds.NewFetcher(feeds.Options{Timeout: time.Minute, MaxBytes: 32 << 20})
	if r := big.Poll(context.Background(), []Feed{{URL: srv.URL + "/big"}}, nil).Results[0]; r.Status != StatusOK || r.New != 100000 {
		t.Errorf("/big: %s, %d new (%v); want ok, 100000 new", r.Status, r.New, r.Err)
	}
	ms, err := db.Matches(storage.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 {
		t.Fatalf("%d matches stored, want 3 (the good feed, the one with invalid UTF-8 and the JSON Feed with nulls)", len(ms))
	}
	for _, m := range ms {
		if !utf8.ValidString(m.Article.Title) {
			t.Errorf("stored title %q is not valid UTF-8", m.Article.Title)
		}
	}
	st, _ := db.FeedState(srv.URL + "/500")
	if st.Failures != 1 || !strings.Contains(st.LastError, "HTTP 500") {
		t.Errorf("state of /500 = %+v", st)
	}
}

// panicOn is the shipped matcher with a bug that one article meets: it
// panics on a title containing trigger.
type panicOn struct {
	Matcher
	trigger string
}

func (m panicOn) Match(d match.Document) []match.Hit {
	if strings.Contains(d.Title, m.trigger) {
		panic("index out of range [7] with length 7")
	}
	return m.Matcher.Match(d)
}

// A panic while one feed is read fails that feed, with the panic in its
// recorded error, and the poll goes on with the others.
func TestPollSurvivesPanic(t *testing.T) {
	srv := newFarm(t, map[string][]byte{
		"/bad":  []byte(`<rss version="2.0"><channel><item><title>Frozen assets trigger a bug</title><guid>1</guid></item></channel></rss>`),
		"/good": []byte(`<rss version="2.0"><channel><item><title>Frozen assets for Kyiv</title><guid>1</guid></item></channel></rss>`),
	})
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	p := newPoller(t, db, time.Now(), time.Hour, match.Topic{ID: "fa", Query: `"frozen assets"`})
	p.Matcher = panicOn{p.Matcher, "bug"}
	rep := p.Poll(context.Background(), []Feed{{URL: srv.URL + "/bad"}, {URL: srv.URL + "/good"}}, nil)
	bad, good := rep.Results[0], rep.Results[1]
	if bad.Status != StatusFailed || bad.Err == nil || !strings.Contains(bad.Err.Error(), "internal error while reading "+srv.URL+"/bad: index out of range") {
		t.Errorf("/bad: %s, %v; want failed with the panic", bad.Status, bad.Err)
	}
	if good.Status != StatusOK || good.New != 1 || good.Matches != 1 {
		t.Errorf("/good: %s, %d new, %d matches (%v); want ok, 1, 1", good.Status, good.New, good.Matches, good.Err)
	}
	st, err := db.FeedState(srv.URL + "/bad")
	if err != nil || st.Failures != 1 || !strings.Contains(st.LastError, "index out of range") {
		t.Errorf("state of /bad = %+v, %v; want one failure with the panic", st, err)
	}
}

// panicFetcher is the real fetcher with a bug that one feed's answer
// meets: it panics on the feed at url.
type panicFetcher struct {
	Fetcher
	url string
}

func (f panicFetcher) Fetch(ctx context.Context, r feeds.Request) (*feeds.Response, error) {
	if r.URL == f.url {
		panic("slice bounds out of range")
	}
	return f.Fetcher.Fetch(ctx, r)
}

// Check, too, fails only the feed whose reading panics.
func TestCheckSurvivesPanic(t *testing.T) {
	srv := newFarm(t, map[string][]byte{
		"/bad":  []byte(`<rss version="2.0"><channel><item><title>a</title><guid>1</guid></item></channel></rss>`),
		"/good": []byte(`<rss version="2.0"><channel><item><title>b</title><guid>1</guid></item></channel></rss>`),
	})
	p := &Poller{Workers: 2, Now: time.Now,
		Fetcher: panicFetcher{feeds.NewFetcher(feeds.Options{Timeout: 5 * time.Second}), srv.URL + "/bad"}}
	rep := p.Check(context.Background(), []Feed{{URL: srv.URL + "/bad"}, {URL: srv.URL + "/good"}}, nil)
	bad, good := rep.Results[0], rep.Results[1]
	if bad.Status != StatusFailed || bad.Err == nil || !strings.Contains(bad.Err.Error(), "internal error while reading "+srv.URL+"/bad: slice bounds out of range") {
		t.Errorf("/bad: %s, %v; want failed with the panic", bad.Status, bad.Err)
	}
	if good.Status != StatusOK || good.Items != 1 {
		t.Errorf("/good: %s, %d items (%v); want ok, 1 item", good.Status, good.Items, good.Err)
	}
}
