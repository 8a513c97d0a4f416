package poller

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"newswatch/feeds"
	"newswatch/internal/corpus"
	"newswatch/match"
	"newswatch/storage"
)

// farm serves files as feeds on loopback and counts conditional requests.
type farm struct {
	*httptest.Server
	mu          sync.Mutex
	conditional map[string]int // path → requests that carried If-None-Match
}

func newFarm(t *testing.T, files map[string][]byte) *farm {
	t.Helper()
	f := &farm{conditional: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/broken":
			http.Error(w, "upstream exploded", http.StatusInternalServerError)
			return
		case "/notfeed":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<!doctype html><title>Home</title><p>no feed here"))
			return
		}
		body, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		etag := `"` + r.URL.Path + `-v1"`
		if r.Header.Get("If-None-Match") != "" {
			f.mu.Lock()
			f.conditional[r.URL.Path]++
			f.mu.Unlock()
		}
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Write(body)
	}))
	t.Cleanup(f.Close)
	return f
}

func readCorpus(t *testing.T, rel string) []byte {
	t.Helper()
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func openDB(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

func newPoller(t *testing.T, db *storage.DB, now time.Time, maxAge time.Duration, topics ...match.Topic) *Poller {
	t.Helper()
	m, err := match.Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	return &Poller{Store: db, Fetcher: feeds.NewFetcher(feeds.Options{Timeout: 5 * time.Second}), Matcher: m,
		Workers: 3, MaxAge: maxAge, Now: func() time.Time { return now }}
}

// stored lists the stored matches as "feed path | title | topic", sorted.
func stored(t *testing.T, db *storage.DB, base string) []string {
	t.Helper()
	ms, err := db.Matches(storage.Query{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.Article.Feed[len(base):]+" | "+m.Article.Title+" | "+m.Topic)
	}
	sort.Strings(out)
	return out
}

func TestPollCorpusFeeds(t *testing.T) {
	srv := newFarm(t, map[string][]byte{
		"/rss":  readCorpus(t, "torture/miniflux/large_rss.xml"),
		"/atom": readCorpus(t, "torture/miniflux/small_atom.xml"),
		"/json": readCorpus(t, "torture/gofeed/parser/universal/json11_feed.json"),
		"/rdf":  readCorpus(t, "torture/miniflux/rdf_UTF8.xml"),
	})
	var list []Feed
	for _, p := range []string{"/rss", "/broken", "/atom", "/json", "/notfeed", "/rdf"} {
		list = append(list, Feed{URL: srv.URL + p, Name: p[1:]})
	}
	path := filepath.Join(t.TempDir(), "nw.db")
	db := openDB(t, path)
	now := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	p := newPoller(t, db, now, 20*365*24*time.Hour,
		match.Topic{ID: "ibm-redhat", Query: `IBM "Red Hat"`},
		match.Topic{ID: "accents", Query: `ubernimmt`},
		match.Topic{ID: "vim", Query: `vim`},
		match.Topic{ID: "podcast", Query: `podcast*`},
		match.Topic{ID: "json", Query: `content_html`},
		match.Topic{ID: "none", Query: `Euroclear`},
	)

	rep := p.Poll(context.Background(), list, nil)
	type outcome struct {
		Status   Status
		New, Mat int
	}
	got := map[string]outcome{}
	for _, r := range rep.Results {
		got[r.Feed.Name] = outcome{r.Status, r.New, r.Matches}
		if r.Status == StatusFailed && r.Err == nil {
			t.Errorf("%s failed without an error", r.Feed.Name)
		}
	}
	want := map[string]outcome{
		"rss": {StatusOK, 25, 1}, "broken": {StatusFailed, 0, 0}, "atom": {StatusOK, 20, 1},
		"json": {StatusOK, 1, 1}, "notfeed": {StatusFailed, 0, 0}, "rdf": {StatusOK, 60, 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("first poll:\n got %v\nwant %v", got, want)
	}
	if rep.StorageErr != nil {
		t.Errorf("StorageErr = %v", rep.StorageErr)
	}
	wantStored := []string{
		"/atom | Parse podcast categories | podcast",
		"/json | title | json",
		"/rdf | Mega-Deal: IBM übernimmt Red Hat | accents",
		"/rdf | Mega-Deal: IBM übernimmt Red Hat | ibm-redhat",
		"/rss | Using vale with vim | vim",
	}
	if got := stored(t, db, srv.URL); !reflect.DeepEqual(got, wantStored) {
		t.Errorf("stored after first poll:\n got %q\nwant %q", got, wantStored)
	}

	// Second poll: every feed that answered sends its ETag and gets a 304.
	rep = p.Poll(context.Background(), list, nil)
	if tot := rep.Totals(); tot.New != 0 || tot.Matches != 0 || tot.NotModified != 4 || tot.Failed != 2 {
		t.Errorf("second poll totals = %+v, want 4 not modified, 2 failed, nothing new", tot)
	}
	for _, p := range []string{"/rss", "/atom", "/json", "/rdf"} {
		if srv.conditional[p] != 1 {
			t.Errorf("%s got %d conditional requests, want 1", p, srv.conditional[p])
		}
	}
	st, err := db.FeedState(srv.URL + "/broken")
	if err != nil || st.Failures != 2 || st.LastError == "" {
		t.Errorf("state of the broken feed = %+v, %v; want 2 failures with the error", st, err)
	}

	// Reopening keeps everything.
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db = openDB(t, path)
	defer db.Close()
	if got := stored(t, db, srv.URL); !reflect.DeepEqual(got, wantStored) {
		t.Errorf("stored after reopening:\n got %q\nwant %q", got, wantStored)
	}
}

// Serving the same content without validators (a server that ignores
// conditional GET) must add nothing either.
func TestPollSameContentTwice(t *testing.T) {
	body := readCorpus(t, "torture/miniflux/rdf_UTF8.xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(body) }))
	defer srv.Close()
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	p := newPoller(t, db, time.Now(), 24*time.Hour, match.Topic{ID: "ibm", Query: "IBM"})
	list := []Feed{{URL: srv.URL + "/feed"}}
	first := p.Poll(context.Background(), list, nil).Totals()
	second := p.Poll(context.Background(), list, nil).Totals()
	if first.New != 60 || first.Matches == 0 {
		t.Errorf("first poll = %+v, want 60 new items and some matches", first)
	}
	if second.New != 0 || second.Matches != 0 || second.NotModified != 1 {
		t.Errorf("second poll = %+v, want the same body recognised as not modified, nothing new", second)
	}
	// A changed body is parsed again.
	body = append([]byte(nil), body...)
	body = bytes.Replace(body, []byte("<title>Mega-Deal: IBM übernimmt Red Hat</title>"), []byte("<title>Mega-Deal: IBM übernimmt Red Hat ganz</title>"), 1)
	third := p.Poll(context.Background(), list, nil)
	if tot := third.Totals(); tot.OK != 1 || third.Results[0].Items != 60 {
		t.Errorf("poll of a changed body = %+v, want it parsed", tot)
	}
}

func TestPollNews2025(t *testing.T) {
	items, err := corpus.News()
	if err != nil {
		t.Fatal(err)
	}
	urls, groups := corpus.ByFeed(items)
	files := map[string][]byte{}
	var list []Feed
	for i, u := range urls {
		path := "/feed" + string(rune('a'+i))
		files[path] = corpus.RSS(u, u, groups[u])
		list = append(list, Feed{URL: path, Name: u}) // completed below, once the server has an address
	}
	srv := newFarm(t, files)
	for i := range list {
		list[i].URL = srv.URL + list[i].URL
	}
	topics := []match.Topic{
		{ID: "frozen-assets", Query: `(frozen OR immobilised) AND (Russia OR Russian) AND assets`},
		{ID: "ceasefire-talks", Query: `(ceasefire OR "cease fire" OR truce) AND (Ukraine OR Russia OR Putin) AND NOT (Gaza OR Hamas)`},
	}
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	// All of news-2025 lies within 400 days before this instant; items
	// older than 30 days before it are recorded but not flagged.
	now := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	p := newPoller(t, db, now, 400*24*time.Hour, topics...)
	rep := p.Poll(context.Background(), list, nil)
	if tot := rep.Totals(); tot.OK != len(urls) || tot.New != len(items) {
		t.Fatalf("totals = %+v, want %d feeds ok and %d new items", tot, len(urls), len(items))
	}

	// What should be stored: every item the two queries match, computed
	// here from the raw items with the matcher alone.
	m, _ := match.Compile(topics)
	var want []string
	for i, u := range urls {
		for _, it := range groups[u] {
			for _, h := range m.Match(match.Document{Title: feeds.PlainText(it.Title), Text: feeds.PlainText(it.Description)}) {
				want = append(want, "/feed"+string(rune('a'+i))+" | "+feeds.PlainText(it.Title)+" | "+h.Topic)
			}
		}
	}
	sort.Strings(want)
	got := stored(t, db, srv.URL)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored %d matches, want %d:\n got %q\nwant %q", len(got), len(want), got, want)
	}
	// And by hand, items a reader would check.
	for _, c := range []struct {
		title, topic string
		flagged      bool
	}{
		{"Ukraine accepts ceasefire proposal, agrees to start talks with Russia", "ceasefire-talks", true},
		{"Trump and Putin discuss Ukraine ceasefire", "ceasefire-talks", true},
		{"Hamas delegation in Egypt as mediators push to maintain Gaza ceasefire", "ceasefire-talks", false},
		{"Israel breaks Gaza ceasefire, killing more than 400 in wave of strikes", "ceasefire-talks", false},
	} {
		found := false
		for _, g := range got {
			found = found || strings.HasSuffix(g, " | "+c.title+" | "+c.topic)
		}
		if found != c.flagged {
			t.Errorf("%q flagged as %s: %v, want %v", c.title, c.topic, found, c.flagged)
		}
	}
}

// Items older than MaxAge are recorded as seen but not flagged, and stay
// unflagged when a later poll allows older items.
func TestPollMaxAge(t *testing.T) {
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	items, err := corpus.LoadNews(dir, "items-b.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	_, groups := corpus.ByFeed(items)
	const feed = "https://www.politico.eu/feed"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(corpus.RSS("Politico", feed, groups[feed]))
	}))
	defer srv.Close()
	now := time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC)
	maxAge := 7 * 24 * time.Hour
	topic := match.Topic{ID: "ukraine", Query: "Ukraine OR Ukrainian OR Kyiv"}
	var recent, old int
	m, _ := match.Compile([]match.Topic{topic})
	for _, it := range groups[feed] {
		if len(m.Match(match.Document{Title: feeds.PlainText(it.Title), Text: feeds.PlainText(it.Description)})) == 0 {
			continue
		}
		if it.Published.Before(now.Add(-maxAge)) {
			old++
		} else {
			recent++
		}
	}
	if recent == 0 || old == 0 {
		t.Fatalf("test data has %d recent and %d old Ukraine items; need both", recent, old)
	}

	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	list := []Feed{{URL: srv.URL + "/politico"}}
	tot := newPoller(t, db, now, maxAge, topic).Poll(context.Background(), list, nil).Totals()
	if tot.New != len(groups[feed]) || tot.Matches != recent {
		t.Errorf("poll = %+v, want %d new items and %d matches (the %d older ones not flagged)", tot, len(groups[feed]), recent, old)
	}
	tot = newPoller(t, db, now, 365*24*time.Hour, topic).Poll(context.Background(), list, nil).Totals()
	if tot.New != 0 || tot.Matches != 0 {
		t.Errorf("re-poll with a longer max_age = %+v, want nothing new: old items were already seen", tot)
	}
}

func TestPollCanceled(t *testing.T) {
	srv := newFarm(t, map[string][]byte{"/a": []byte(`<rss version="2.0"><channel><item><title>x</title></item></channel></rss>`)})
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep := newPoller(t, db, time.Now(), time.Hour, match.Topic{ID: "x", Query: "x"}).Poll(ctx, []Feed{{URL: srv.URL + "/a"}, {URL: srv.URL + "/b"}}, nil)
	if tot := rep.Totals(); tot.Canceled != 2 {
		t.Errorf("totals = %+v, want both feeds canceled", tot)
	}
	states, err := db.Feeds()
	if err != nil || len(states) != 0 {
		t.Errorf("a canceled poll recorded %+v, %v; want nothing", states, err)
	}
}

// A database that fails is reported as such, apart from feed failures.
func TestPollStorageError(t *testing.T) {
	srv := newFarm(t, map[string][]byte{"/a": []byte(`<rss version="2.0"><channel><item><title>x</title></item></channel></rss>`)})
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	p := newPoller(t, db, time.Now(), time.Hour, match.Topic{ID: "x", Query: "x"})
	db.Close()
	rep := p.Poll(context.Background(), []Feed{{URL: srv.URL + "/a"}}, nil)
	if rep.StorageErr == nil || rep.Results[0].Status != StatusFailed {
		t.Errorf("poll on a closed database: %+v, want a failed feed and a StorageErr", rep)
	}
}

// No more than PerHost requests are ever in flight on one host, while
// other hosts proceed. Each request on the busy host is held until a third
// one is in flight (which a working limit never allows) or a short while
// has passed, so that a broken limit shows every time.
func TestPollPerHostLimit(t *testing.T) {
	const feed = `<rss version="2.0"><channel><item><title>x</title><guid>1</guid></item></channel></rss>`
	var mu sync.Mutex
	inflight, maxInflight := 0, 0
	third := make(chan struct{})
	var once sync.Once
	busy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		inflight++
		maxInflight = max(maxInflight, inflight)
		if inflight >= 3 {
			once.Do(func() { close(third) })
		}
		mu.Unlock()
		select {
		case <-third:
		case <-time.After(200 * time.Millisecond):
		}
		mu.Lock()
		inflight--
		mu.Unlock()
		w.Write([]byte(feed))
	}))
	defer busy.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(feed)) }))
	defer other.Close()

	var list []Feed
	for i := range 6 {
		list = append(list, Feed{URL: fmt.Sprintf("%s/busy/%d", busy.URL, i)})
	}
	for i := range 4 {
		list = append(list, Feed{URL: fmt.Sprintf("%s/other/%d", other.URL, i)})
	}
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	p := newPoller(t, db, time.Now(), time.Hour, match.Topic{ID: "x", Query: "x"})
	p.Workers, p.PerHost = 8, 2
	tot := p.Poll(context.Background(), list, nil).Totals()
	if tot.OK != len(list) {
		t.Errorf("totals = %+v, want all %d ok", tot, len(list))
	}
	if maxInflight != 2 {
		t.Errorf("at most %d requests were in flight on one host, want exactly 2", maxInflight)
	}
}

// The same story in two feeds of one outlet (other GUIDs, links that differ
// only in tracking parameters) is stored and flagged once with both
// sources; a rewritten headline is taken in and flags the topic it newly
// matches; an unchanged re-publication adds nothing.
func TestPollSameStoryAndRewrites(t *testing.T) {
	var mu sync.Mutex
	feedA := `<rss version="2.0"><channel><title>A</title>
<item><title>EU debates frozen assets</title><link>https://news.example/story?utm_source=rss</link><guid>a-1</guid></item></channel></rss>`
	feedB := `<rss version="2.0"><channel><title>B</title>
<item><title>EU debates frozen assets</title><link>https://news.example/story?fbclid=x#top</link><guid>b-77</guid></item></channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.URL.Path == "/a" {
			w.Write([]byte(feedA))
		} else {
			w.Write([]byte(feedB))
		}
	}))
	defer srv.Close()
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	p := newPoller(t, db, time.Now(), 24*time.Hour,
		match.Topic{ID: "frozen", Query: `"frozen assets"`},
		match.Topic{ID: "euroclear", Query: `Euroclear`})
	list := []Feed{{URL: srv.URL + "/a", Name: "A"}, {URL: srv.URL + "/b", Name: "B"}}

	tot := p.Poll(context.Background(), list, nil).Totals()
	if tot.New != 2 || tot.Matches != 1 {
		t.Errorf("first poll = %+v, want 2 new items and 1 match", tot)
	}
	ms, _ := db.Matches(storage.Query{})
	if len(ms) != 1 || len(ms[0].Article.Sources) != 2 || ms[0].Article.URL != "https://news.example/story" {
		t.Fatalf("stored %+v, want one match on https://news.example/story with two sources", ms)
	}

	// Feed A rewrites its headline; feed B re-publishes unchanged.
	mu.Lock()
	feedA = strings.Replace(feedA, "EU debates frozen assets", "EU to use frozen assets held at Euroclear", 1)
	mu.Unlock()
	rep := p.Poll(context.Background(), list, nil)
	if tot := rep.Totals(); tot.New != 0 || tot.Updated != 1 || tot.Matches != 1 {
		t.Errorf("second poll = %+v, want 1 updated item and 1 new match (euroclear)", tot)
	}
	ms, _ = db.Matches(storage.Query{Topic: "euroclear"})
	if len(ms) != 1 || ms[0].Article.Title != "EU to use frozen assets held at Euroclear" {
		t.Errorf("euroclear matches = %+v", ms)
	}
	if all, _ := db.Matches(storage.Query{}); len(all) != 2 {
		t.Errorf("%d matches in all, want 2: the rewrite must not flag frozen again", len(all))
	}
	if tot := p.Poll(context.Background(), list, nil).Totals(); tot.New != 0 || tot.Updated != 0 || tot.Matches != 0 {
		t.Errorf("third poll = %+v, want nothing", tot)
	}
}

// A feed that moved permanently is fetched at its new address from then
// on, its items staying under the configured one; a 410 stops the feed.
func TestPollMovedAndGone(t *testing.T) {
	hits := map[string]int{}
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		switch r.URL.Path {
		case "/old":
			http.Redirect(w, r, "/new", http.StatusMovedPermanently)
		case "/new":
			w.Write([]byte(`<rss version="2.0"><channel><title>n</title><item><title>x</title><guid>1</guid></item></channel></rss>`))
		case "/gone":
			http.Error(w, "gone", http.StatusGone)
		}
	}))
	defer srv.Close()
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	p := newPoller(t, db, time.Now(), time.Hour, match.Topic{ID: "x", Query: "x"})
	list := []Feed{{URL: srv.URL + "/old"}, {URL: srv.URL + "/gone"}}
	rep := p.Poll(context.Background(), list, nil)
	if rep.Results[0].Status != StatusOK || rep.Results[0].Matches != 1 || rep.Results[1].Status != StatusGone {
		t.Fatalf("first poll: %+v", rep.Results)
	}
	st, _ := db.FeedState(srv.URL + "/old")
	if st.MovedTo != srv.URL+"/new" {
		t.Errorf("MovedTo = %q", st.MovedTo)
	}
	rep = p.Poll(context.Background(), list, nil)
	if rep.Results[0].Status != StatusUnchanged || rep.Results[1].Status != StatusGone {
		t.Errorf("second poll: %+v", rep.Results)
	}
	if hits["/old"] != 1 || hits["/new"] != 2 || hits["/gone"] != 1 {
		t.Errorf("requests %v: want /old once, /new twice, /gone once", hits)
	}
	if tot := rep.Totals(); tot.Gone != 1 {
		t.Errorf("totals %+v", tot)
	}
	due, _ := p.Due(list, time.Now().Add(48*time.Hour))
	if len(due) != 1 || due[0].URL != srv.URL+"/old" {
		t.Errorf("due: %+v, want only the moved feed", due)
	}
}

// fnvContentHash gives the hashes stored by builds before contentHash
// (FNV-1a of title, a 0 byte and text), or their items would look changed.
func TestFnvContentHashIsFNV1a(t *testing.T) {
	for _, it := range []feeds.Item{{}, {Title: "Truce talks"}, {Text: "in Riyadh"}, {Title: "Київ", Text: "текст \xff"}} {
		h := fnv.New64a()
		h.Write([]byte(it.Title + "\x00" + it.Text))
		want := h.Sum64()
		if want == 0 {
			want = 1
		}
		if got := fnvContentHash(it); got != want {
			t.Errorf("fnvContentHash(%q, %q) = %x, want %x", it.Title, it.Text, got, want)
		}
	}
}

// contentHash is the same for the same title and text, and tells apart
// versions of an item that differ in one byte of either, or only in where
// the title ends and the text begins.
func TestContentHash(t *testing.T) {
	body := readCorpus(t, "torture/miniflux/rdf_UTF8.xml")
	base := feeds.Item{Title: "EU to use frozen assets held at Euroclear", Text: string(body)}
	hash := contentHash(base)
	if again := contentHash(feeds.Item{Title: strings.Clone(base.Title), Text: strings.Clone(base.Text)}); again != hash {
		t.Fatalf("the same item hashed to %x and %x", hash, again)
	}
	if hash == fnvContentHash(base) {
		t.Errorf("contentHash gives the FNV-1a hash")
	}
	seen := map[uint64]string{hash: "the item", 0: "unknown"}
	add := func(what string, it feeds.Item) {
		h := contentHash(it)
		if prev, ok := seen[h]; ok {
			t.Errorf("%s hashes to %x, as %s does", what, h, prev)
		}
		seen[h] = what
	}
	for at := 0; at < len(base.Text); at += len(base.Text)/97 + 1 {
		text := []byte(base.Text)
		text[at] ^= 0x20
		add(fmt.Sprintf("the text with byte %d changed", at), feeds.Item{Title: base.Title, Text: string(text)})
	}
	for at := range len(base.Title) {
		title := []byte(base.Title)
		title[at] ^= 0x01
		add(fmt.Sprintf("the title with byte %d changed", at), feeds.Item{Title: string(title), Text: base.Text})
	}
	add("the title moved into the text", feeds.Item{Title: base.Title[:10], Text: base.Title[10:] + base.Text})
	add("the item without text", feeds.Item{Title: base.Title})
	add("the item without title", feeds.Item{Text: base.Text})
	add("the empty item", feeds.Item{})
}

// An item stored by a build whose content hash was FNV-1a is not taken as
// changed when the feed next brings it unchanged, but is when it changed.
func TestPollKeepsItemsHashedByOlderBuilds(t *testing.T) {
	body := `<rss version="2.0"><channel><title>A</title>
<item><title>EU debates frozen assets</title><guid>a-1</guid><description>Ministers met.</description></item>
<item><title>Ceasefire talks resume</title><guid>a-2</guid><description>In Riyadh.</description></item></channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(body))
	}))
	defer srv.Close()
	now := time.Now()
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()

	// What an older build stored: both items seen, the first with its
	// FNV-1a hash, the second with the hash of a text it has since changed.
	parsed, err := feeds.Parse([]byte(body), srv.URL, now)
	if err != nil {
		t.Fatal(err)
	}
	old := parsed.Items[1]
	old.Text = "In Geneva."
	u := storage.FeedUpdate{URL: srv.URL, FeedName: "A", Polled: now.Add(-time.Hour), Items: []storage.NewItem{
		{Key: parsed.Items[0].Key, Hash: fnvContentHash(parsed.Items[0])},
		{Key: old.Key, Hash: fnvContentHash(old)},
	}}
	if _, err := db.SaveFeed(u); err != nil {
		t.Fatal(err)
	}

	p := newPoller(t, db, now, 24*time.Hour, match.Topic{ID: "ceasefire", Query: `ceasefire`})
	tot := p.Poll(context.Background(), []Feed{{URL: srv.URL, Name: "A"}}, nil).Totals()
	if tot.New != 0 || tot.Updated != 1 || tot.Matches != 1 {
		t.Errorf("poll = %+v, want only the changed item updated (and flagged)", tot)
	}
}

// bodyHash tells apart bodies that differ in one byte anywhere, or only in
// length, and never gives the SHA-256 an older build stored.
func TestBodyHash(t *testing.T) {
	body := readCorpus(t, "torture/miniflux/rdf_UTF8.xml")
	hash := bodyHash(body)
	if again := bodyHash(bytes.Clone(body)); again != hash {
		t.Fatalf("the same body hashed to %s and %s", hash, again)
	}
	sum := sha256.Sum256(body)
	if hash == hex.EncodeToString(sum[:]) {
		t.Errorf("bodyHash gives the SHA-256 of the body")
	}
	seen := map[string]string{hash: "the body"}
	add := func(what string, b []byte) {
		h := bodyHash(b)
		if prev, ok := seen[h]; ok {
			t.Errorf("%s hashes as %s does: %s", what, prev, h)
		}
		seen[h] = what
	}
	for _, at := range []int{0, 1, len(body) / 3, len(body) / 2, len(body) - 2, len(body) - 1} {
		changed := bytes.Clone(body)
		changed[at] ^= 0x20
		add(fmt.Sprintf("the body with byte %d changed", at), changed)
	}
	add("the body with a zero byte more", append(bytes.Clone(body), 0))
	add("the body cut by one byte", body[:len(body)-1])
	add("an empty body", nil)
}

// savedItems records the items of every update a poll hands to storage
// and stores them in the real database.
type savedItems struct {
	*storage.DB
	mu    sync.Mutex
	items []storage.NewItem
}

func (s *savedItems) SaveFeed(u storage.FeedUpdate) (storage.SaveResult, error) {
	s.mu.Lock()
	s.items = append(s.items, u.Items...)
	s.mu.Unlock()
	return s.DB.SaveFeed(u)
}

// A new item that matches nothing reaches storage without its title and
// text, which storage would not keep, and still records its feed as a
// source of the article another feed brought under the same link; an item
// that changes after it matched still takes its new text.
func TestPollUnmatchedItems(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string]string{
		"/a": `<rss version="2.0"><channel><title>A</title>
<item><title>EU debates frozen assets</title><link>https://news.example/story</link><guid>a-1</guid><description>Ministers met in Brussels.</description></item></channel></rss>`,
		"/b": `<rss version="2.0"><channel><title>B</title>
<item><title>Markets wrap</title><link>https://news.example/story</link><guid>b-1</guid><description>Stocks rose on Tuesday.</description></item>
<item><title>Weather</title><link>https://news.example/weather</link><guid>b-2</guid><description>Rain later.</description></item></channel></rss>`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Write([]byte(bodies[r.URL.Path]))
	}))
	defer srv.Close()
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	rec := &savedItems{DB: db}
	p := newPoller(t, db, time.Now(), 24*time.Hour, match.Topic{ID: "frozen", Query: `"frozen assets"`})
	p.Store = rec
	a, b := Feed{URL: srv.URL + "/a", Name: "A"}, Feed{URL: srv.URL + "/b", Name: "B"}

	if tot := p.Poll(context.Background(), []Feed{a}, nil).Totals(); tot.New != 1 || tot.Matches != 1 {
		t.Fatalf("poll of A = %+v, want 1 new item and 1 match", tot)
	}
	if tot := p.Poll(context.Background(), []Feed{b}, nil).Totals(); tot.New != 2 || tot.Matches != 0 {
		t.Fatalf("poll of B = %+v, want 2 new items and no match", tot)
	}
	if len(rec.items) != 3 {
		t.Fatalf("%d items reached storage, want A's one and B's two", len(rec.items))
	}
	for _, it := range rec.items[1:] {
		if it.Article.Title != "" || it.Article.Text != "" {
			t.Errorf("unmatched new item %s reached storage with title %q and text %q, want neither", it.Key, it.Article.Title, it.Article.Text)
		}
		if it.Article.URL == "" {
			t.Errorf("unmatched new item %s reached storage without its link", it.Key)
		}
	}
	ms, err := db.Matches(storage.Query{})
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 {
		t.Fatalf("%d matches, want 1", len(ms))
	}
	// The article whole: listings leave its text out.
	got, _, ok, err := db.ArticleMatches(ms[0].Article.ID)
	if err != nil || !ok {
		t.Fatalf("article %d: ok %v, err %v", ms[0].Article.ID, ok, err)
	}
	if got.Title != "EU debates frozen assets" || got.Text != "Ministers met in Brussels." {
		t.Errorf("article = %q / %q, want A's title and text", got.Title, got.Text)
	}
	if len(got.Sources) != 2 || got.Sources[1].Feed != b.URL {
		t.Errorf("sources = %+v, want A then B", got.Sources)
	}

	// A rewrites its item so that it no longer matches: the stored
	// article takes the new title and text.
	mu.Lock()
	bodies["/a"] = strings.NewReplacer("EU debates frozen assets", "EU debates budget", "Ministers met in Brussels.", "Ministers met again.").Replace(bodies["/a"])
	mu.Unlock()
	if tot := p.Poll(context.Background(), []Feed{a}, nil).Totals(); tot.Updated != 1 {
		t.Fatalf("second poll of A = %+v, want 1 updated item", tot)
	}
	a2, _, ok, err := db.ArticleMatches(got.ID)
	if err != nil || !ok {
		t.Fatalf("article %d: ok %v, err %v", got.ID, ok, err)
	}
	if a2.Title != "EU debates budget" || a2.Text != "Ministers met again." {
		t.Errorf("rewritten article = %q / %q, want the new title and text", a2.Title, a2.Text)
	}
}

// TestPollSlowDone: a done callback that does not return (a reader of
// "newswatch poll" that stopped reading) holds back only Poll's own
// return: every feed is still polled and stored meanwhile, and done then
// hears of each, one call at a time.
func TestPollSlowDone(t *testing.T) {
	files := map[string][]byte{}
	var list []Feed
	for i := range 30 {
		path := fmt.Sprintf("/f%d", i)
		files[path] = fmt.Appendf(nil, `<rss version="2.0"><channel><item><guid>%d</guid><title>x %d</title></item></channel></rss>`, i, i)
		list = append(list, Feed{URL: "PLACEHOLDER" + path})
	}
	srv := newFarm(t, files)
	for i := range list {
		list[i].URL = strings.Replace(list[i].URL, "PLACEHOLDER", srv.URL, 1)
	}
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	p := newPoller(t, db, time.Now(), time.Hour, match.Topic{ID: "x", Query: "x"})
	p.Workers = 1 // so that at most 8 updates may wait for a commit

	release := make(chan struct{})
	var calls, inDone atomic.Int32
	reported := make(chan *Report, 1)
	go func() {
		reported <- p.Poll(context.Background(), list, func(Result) {
			if inDone.Add(1) != 1 {
				t.Error("done called from two goroutines at once")
			}
			if calls.Add(1) == 1 {
				<-release
			}
			inDone.Add(-1)
		})
	}()
	// Every feed stored while done is stuck in its first call.
	for tries := 0; ; tries++ {
		states, err := db.Feeds()
		if err != nil {
			t.Fatal(err)
		}
		if len(states) == len(list) {
			break
		}
		if tries == 600 { // a minute: the poll is stuck behind done
			close(release)
			t.Fatalf("%d of %d feeds stored while done was blocked", len(states), len(list))
		}
		time.Sleep(100 * time.Millisecond)
	}
	close(release)
	rep := <-reported
	if n := calls.Load(); n != int32(len(list)) || rep.Totals().OK != len(list) {
		t.Errorf("done called %d times, totals %+v; want %d feeds ok, each reported once", n, rep.Totals(), len(list))
	}
}
