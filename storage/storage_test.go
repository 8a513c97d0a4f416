package storage

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)

func openTemp(t *testing.T) (*DB, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nw.db")
	db, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, path
}

// item builds a new item published at t0 plus hours, matching topics.
func item(key string, hours int, topics ...string) NewItem {
	it := NewItem{Key: key, Hash: 11, Article: Article{Title: "title " + key, URL: "https://example.org/" + key, Text: "text of " + key, Published: t0.Add(time.Duration(hours) * time.Hour)}}
	for _, tp := range topics {
		it.Hits = append(it.Hits, TopicHit{Topic: tp, Score: 4, Terms: []string{"term-" + tp},
			Snippet: Snippet{Text: "about term-" + tp, Marks: [][2]int{{6, 11 + len(tp)}}}})
	}
	return it
}

func TestSaveFeedAndMatches(t *testing.T) {
	db, _ := openTemp(t)
	res, err := db.SaveFeed(FeedUpdate{
		URL: "https://a.example/feed", FeedName: "A", Polled: t0.Add(time.Hour), ETag: `"e1"`, LastModified: "lm1",
		Items: []NewItem{item("a1", 1, "ceasefire"), item("a2", 3, "ceasefire", "sanctions"), item("a3", 2), item("a4", -100, "sanctions")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.NewItems != 4 || res.NewMatches != 4 || res.Topics["ceasefire"] != 2 || res.Topics["sanctions"] != 2 {
		t.Errorf("SaveFeed = %+v, want 4 new items, 2 matches of each topic", res)
	}

	all, err := db.Matches(Query{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range all {
		got = append(got, m.Article.Key+"/"+m.Topic)
	}
	if want := []string{"a2/ceasefire", "a2/sanctions", "a1/ceasefire", "a4/sanctions"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Matches() = %v, want %v (newest published first)", got, want)
	}
	m := all[0]
	if m.Article.Title != "title a2" || m.Article.Feed != "https://a.example/feed" || m.Article.FeedName != "A" ||
		!m.MatchedAt.Equal(t0.Add(time.Hour)) || !reflect.DeepEqual(m.Terms, []string{"term-ceasefire"}) ||
		m.Score != 4 || !reflect.DeepEqual(m.Snippet, Snippet{Text: "about term-ceasefire", Marks: [][2]int{{6, 20}}}) {
		t.Errorf("first match = %+v", m)
	}

	tests := []struct {
		q    Query
		want []string
	}{
		{Query{Topic: "sanctions"}, []string{"a2", "a4"}},
		{Query{Topic: "ceasefire", Limit: 1}, []string{"a2"}},
		{Query{Since: t0}, []string{"a2", "a2", "a1"}},
		{Query{Topic: "sanctions", Since: t0}, []string{"a2"}},
		{Query{Topic: "sanction"}, nil}, // a prefix of a topic id is another topic
		{Query{Topic: "zzz"}, nil},
		{Query{Limit: 2}, []string{"a2", "a2"}},
	}
	for _, tt := range tests {
		ms, err := db.Matches(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, m := range ms {
			keys = append(keys, m.Article.Key)
		}
		if !reflect.DeepEqual(keys, tt.want) {
			t.Errorf("Matches(%+v) = %v, want %v", tt.q, keys, tt.want)
		}
	}

	st, err := db.FeedState("https://a.example/feed")
	if err != nil {
		t.Fatal(err)
	}
	if st.ETag != `"e1"` || st.LastModified != "lm1" || st.ItemsSeen != 4 || !st.LastSuccess.Equal(t0.Add(time.Hour)) {
		t.Errorf("feed state = %+v", st)
	}
}

func TestSaveFeedIsIdempotent(t *testing.T) {
	db, _ := openTemp(t)
	u := FeedUpdate{URL: "https://a.example/feed", Polled: t0, Items: []NewItem{item("a1", 0, "x"), item("a2", 0)}}
	if _, err := db.SaveFeed(u); err != nil {
		t.Fatal(err)
	}
	res, err := db.SaveFeed(u)
	if err != nil {
		t.Fatal(err)
	}
	if res.NewItems != 0 || res.NewMatches != 0 || res.Updated != 0 {
		t.Errorf("second save added %+v, want nothing", res)
	}
	if ms, _ := db.Matches(Query{}); len(ms) != 1 {
		t.Errorf("%d matches after saving twice, want 1", len(ms))
	}
	seen, err := db.Seen("https://a.example/feed", []string{"a1", "a2", "a3"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []Seen{{true, 11}, {true, 11}, {false, 0}}; !reflect.DeepEqual(seen, want) {
		t.Errorf("Seen = %v, want %v", seen, want)
	}
	// Seen keys belong to a feed: another feed's item with the same key is new.
	if seen, _ := db.Seen("https://b.example/feed", []string{"a1"}); seen[0].Seen {
		t.Error("a key seen in feed a is reported seen in feed b")
	}
}

func TestFailureKeepsValidators(t *testing.T) {
	db, _ := openTemp(t)
	url := "https://a.example/feed"
	if _, err := db.SaveFeed(FeedUpdate{URL: url, Polled: t0, ETag: "e1", LastModified: "lm1"}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		if _, err := db.SaveFeed(FeedUpdate{URL: url, Polled: t0.Add(time.Duration(i) * time.Hour), Err: "HTTP 503"}); err != nil {
			t.Fatal(err)
		}
	}
	st, _ := db.FeedState(url)
	if st.ETag != "e1" || st.LastModified != "lm1" || st.Failures != 2 || st.LastError != "HTTP 503" ||
		!st.LastSuccess.Equal(t0) || !st.LastPoll.Equal(t0.Add(2*time.Hour)) {
		t.Errorf("after two failures: %+v", st)
	}
	if _, err := db.SaveFeed(FeedUpdate{URL: url, Polled: t0.Add(3 * time.Hour), NotModified: true}); err != nil {
		t.Fatal(err)
	}
	st, _ = db.FeedState(url)
	if st.ETag != "e1" || st.Failures != 0 || st.LastError != "" || !st.LastSuccess.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("after a 304: %+v", st)
	}
	feeds, err := db.Feeds()
	if err != nil || len(feeds) != 1 || feeds[0].URL != url {
		t.Errorf("Feeds() = %+v, %v", feeds, err)
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	db, path := openTemp(t)
	if _, err := db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0, ETag: "e1", Items: []NewItem{item("a1", 0, "x")}}); err != nil {
		t.Fatal(err)
	}
	before, _ := db.Matches(Query{})
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	after, err := db2.Matches(Query{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("after reopen:\n got %+v\nwant %+v", after, before)
	}
	if st, _ := db2.FeedState("https://a.example/feed"); st.ETag != "e1" {
		t.Errorf("ETag lost on reopen: %+v", st)
	}
	// The next sequence continues: no ID is reused.
	if _, err := db2.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0, Items: []NewItem{item("a2", 1, "x")}}); err != nil {
		t.Fatal(err)
	}
	all, _ := db2.Matches(Query{})
	if len(all) != 2 || all[0].ID == all[1].ID || all[0].Article.ID == all[1].Article.ID {
		t.Errorf("IDs reused after reopen: %+v", all)
	}
}

func TestOpenLockedFailsFast(t *testing.T) {
	_, path := openTemp(t)
	_, err := Open(path, 200*time.Millisecond)
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open: error = %v, want ErrInUse", err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "database is in use by another process") {
		t.Errorf("error %q does not name the file and the cause", err)
	}
}

func TestOpenErrors(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "missing", "dir", "nw.db"), 0)
	if err == nil || !strings.Contains(err.Error(), "open database") || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("Open in a missing directory: error = %v", err)
	}
}

func TestTimeKeyOrder(t *testing.T) {
	times := []time.Time{
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC), time.Unix(0, 0),
		t0, t0.Add(time.Nanosecond), time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(times); i++ {
		a, b := timeKey(times[i-1]), timeKey(times[i])
		if string(a) >= string(b) {
			t.Errorf("timeKey(%v) >= timeKey(%v)", times[i-1], times[i])
		}
	}
}

// The same story in two feeds is stored and flagged once, with both
// sources; a rewritten headline updates the article and flags the topics
// it newly matches; saving the same update again changes nothing.
func TestSaveFeedLinksAndUpdates(t *testing.T) {
	db, _ := openTemp(t)
	a1 := item("story", 1, "ceasefire")
	if res, err := db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", FeedName: "A", Polled: t0, Items: []NewItem{a1}}); err != nil || res.NewItems != 1 || res.NewMatches != 1 {
		t.Fatalf("feed a: %+v, %v", res, err)
	}
	// Feed b carries the same link (under another key), matching one more
	// topic; a third feed carries it without matching anything.
	b1 := item("other-key", 1, "ceasefire", "sanctions")
	b1.Article.URL = a1.Article.URL
	if res, err := db.SaveFeed(FeedUpdate{URL: "https://b.example/feed", FeedName: "B", Polled: t0, Items: []NewItem{b1}}); err != nil || res.NewItems != 1 || res.NewMatches != 1 || res.Topics["sanctions"] != 1 {
		t.Fatalf("feed b: %+v, %v; want 1 new item and only the new topic flagged", res, err)
	}
	c1 := item("third", 1)
	c1.Article.URL = a1.Article.URL
	if _, err := db.SaveFeed(FeedUpdate{URL: "https://c.example/feed", FeedName: "C", Polled: t0, Items: []NewItem{c1}}); err != nil {
		t.Fatal(err)
	}
	ms, _ := db.Matches(Query{})
	if len(ms) != 2 {
		t.Fatalf("%d matches, want 2 (one per topic, one article)", len(ms))
	}
	a := ms[0].Article
	want := []Source{{"https://a.example/feed", "A"}, {"https://b.example/feed", "B"}, {"https://c.example/feed", "C"}}
	if !reflect.DeepEqual(a.Sources, want) || ms[0].Article.ID != ms[1].Article.ID {
		t.Errorf("article sources = %+v, want %+v, both matches on one article", a.Sources, want)
	}

	// A rewritten headline in feed a: the article takes it, and the topic
	// it newly matches is flagged.
	changed := item("story", 1, "ceasefire", "nuclear")
	changed.Hash, changed.Changed = 12, true
	changed.Article.Title = "rewritten"
	res, err := db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0.Add(time.Hour), Items: []NewItem{changed}})
	if err != nil || res.Updated != 1 || res.NewMatches != 1 || res.NewItems != 0 {
		t.Fatalf("update: %+v, %v", res, err)
	}
	res, err = db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0.Add(time.Hour), Items: []NewItem{changed}})
	if err != nil || res.NewItems+res.NewMatches+res.Updated != 0 {
		t.Errorf("the same update again: %+v, %v; want nothing", res, err)
	}
	ms, _ = db.Matches(Query{Topic: "nuclear"})
	if len(ms) != 1 || ms[0].Article.Title != "rewritten" || !ms[0].Article.Updated.Equal(t0.Add(time.Hour)) {
		t.Errorf("after the update: %+v", ms)
	}
	if seen, _ := db.Seen("https://a.example/feed", []string{"story"}); seen[0].Hash != 12 {
		t.Errorf("seen hash = %d, want 12", seen[0].Hash)
	}
}

func TestFlags(t *testing.T) {
	db, _ := openTemp(t)
	for i, polled := range []time.Time{t0, t0.Add(24 * time.Hour), t0.Add(48 * time.Hour)} {
		it := item(fmt.Sprintf("i%d", i), i, "ceasefire")
		if i == 2 {
			it = item("i2", i, "ceasefire", "sanctions")
		}
		if _, err := db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: polled, Items: []NewItem{it}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := db.Flags(0, time.Time{}, 0)
	if err != nil || len(all) != 4 {
		t.Fatalf("Flags(0) = %d matches, %v; want 4", len(all), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Errorf("not in flagging order: %d after %d", all[i].ID, all[i-1].ID)
		}
	}
	after, _ := db.Flags(all[1].ID, time.Time{}, 0)
	since, _ := db.Flags(0, t0.Add(24*time.Hour), 1)
	if len(after) != 2 || after[0].ID != all[2].ID || len(since) != 1 || since[0].ID != all[1].ID {
		t.Errorf("Flags(after) = %v, Flags(since, limit 1) = %v", after, since)
	}
	// A flag says which article, topic, score and times; MatchesByID gives
	// the whole match, in the order asked, leaving out what is not stored.
	last := all[3]
	if last.Topic != "sanctions" || last.Score != 4 || last.ArticleID != all[2].ArticleID || last.ArticleID == all[1].ArticleID ||
		!last.Published.Equal(t0.Add(2*time.Hour)) || !last.MatchedAt.Equal(t0.Add(48*time.Hour)) {
		t.Errorf("last flag = %+v", last)
	}
	ms, err := db.MatchesByID([]uint64{last.ID, 9999, all[0].ID})
	if err != nil || len(ms) != 2 {
		t.Fatalf("MatchesByID = %d matches, %v; want 2", len(ms), err)
	}
	if m := ms[0]; m.ID != last.ID || m.Topic != "sanctions" || m.Article.ID != last.ArticleID || m.Article.Title != "title i2" ||
		m.Article.Text != "" || !reflect.DeepEqual(m.Terms, []string{"term-sanctions"}) || m.Snippet.Text != "about term-sanctions" {
		t.Errorf("MatchesByID()[0] = %+v", m)
	}
	if ms[1].ID != all[0].ID || ms[1].Article.Title != "title i0" {
		t.Errorf("MatchesByID()[1] = %+v", ms[1])
	}
	counts, err := db.FlaggedCounts(t0.Add(time.Hour), t0.Add(72*time.Hour))
	if err != nil || counts["ceasefire"] != 2 || counts["sanctions"] != 1 {
		t.Errorf("FlaggedCounts = %v, %v", counts, err)
	}
}

// TestFlagsSince: Flags from no watermark returns exactly the matches
// flagged since, however many were flagged before, also when the feeds of
// a cycle were committed out of the order of their poll times and when
// some matches were pruned; with a watermark, only those after it.
func TestFlagsSince(t *testing.T) {
	db, _ := openTemp(t)
	var polled []time.Time // of every match, in ID order
	r := rand.New(rand.NewPCG(3, 4))
	for cycle := range 40 {
		start := t0.Add(time.Duration(cycle) * 6 * time.Hour)
		for f := range 4 {
			// Later feeds of a cycle were polled up to 20 minutes earlier.
			at := start.Add(-time.Duration(r.IntN(20)) * time.Minute)
			n := 1 + r.IntN(3)
			items := make([]NewItem, n)
			for i := range items {
				items[i] = item(fmt.Sprintf("c%d-f%d-%d", cycle, f, i), cycle, "ceasefire")
				polled = append(polled, at)
			}
			if _, err := db.SaveFeed(FeedUpdate{URL: fmt.Sprintf("https://%d.example/feed", f), Polled: at, Items: items}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := db.Prune(t0.Add(24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	all, err := db.Flags(0, time.Time{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, since := range []time.Time{{}, t0.Add(30 * time.Hour), t0.Add(150*time.Hour - 10*time.Minute), t0.Add(1000 * time.Hour), t0.Add(-time.Hour)} {
		for _, after := range []uint64{0, all[len(all)/2].ID} {
			var want []uint64
			for _, m := range all {
				if m.ID > after && !m.MatchedAt.Before(since) {
					want = append(want, m.ID)
				}
			}
			ms, err := db.Flags(after, since, 0)
			if err != nil {
				t.Fatal(err)
			}
			var got []uint64
			for _, m := range ms {
				got = append(got, m.ID)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("Flags(%d, %s) = %d matches %v, want %d %v", after, since, len(got), got, len(want), want)
			}
		}
	}
	if len(all) >= len(polled) || len(all) == 0 {
		t.Errorf("%d matches of %d after pruning the first day's", len(all), len(polled))
	}

	// Hours out of order, across since: a feed polled at since+1h
	// committed before 200 polled at since-5h, then the rest later.
	db2, _ := openTemp(t)
	since := t0.Add(100 * time.Hour)
	for i, b := range []struct {
		at time.Time
		n  int
	}{{t0, 50}, {since.Add(time.Hour), 20}, {since.Add(-5 * time.Hour), 200}, {since.Add(2 * time.Hour), 30}} {
		items := make([]NewItem, b.n)
		for j := range items {
			items[j] = item(fmt.Sprintf("b%d-%d", i, j), 0, "ceasefire")
		}
		if _, err := db2.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: b.at, Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	if ms, err := db2.Flags(0, since, 0); err != nil || len(ms) != 50 {
		t.Errorf("Flags with hours out of order across since: %d matches, %v; want 50", len(ms), err)
	}
}

func TestMatchesPageAndFilters(t *testing.T) {
	db, _ := openTemp(t)
	var items []NewItem
	for i := range 7 {
		it := item(fmt.Sprintf("p%d", i), i, "ceasefire")
		if i%2 == 0 {
			it.Article.Title = "Truce talks " + it.Key
		}
		items = append(items, it)
	}
	db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0, Items: items[:4]})
	db.SaveFeed(FeedUpdate{URL: "https://b.example/feed", Polled: t0, Items: items[4:]})
	keys := func(ms []Match) string {
		var k []string
		for _, m := range ms {
			k = append(k, m.Article.Key)
		}
		return strings.Join(k, " ")
	}
	var pages []string
	q := Query{Topic: "ceasefire", Limit: 3}
	for {
		ms, next, err := db.MatchesPage(q)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, keys(ms))
		if next == "" {
			break
		}
		q.Cursor = next
	}
	if got := strings.Join(pages, " | "); got != "p6 p5 p4 | p3 p2 p1 | p0" {
		t.Errorf("pages = %q", got)
	}
	for _, tt := range []struct {
		q    Query
		want string
	}{
		{Query{Feed: "https://b.example/feed"}, "p6 p5 p4"},
		{Query{Text: "TRUCE"}, "p6 p4 p2 p0"},
		{Query{Since: t0.Add(2 * time.Hour), Until: t0.Add(5 * time.Hour)}, "p4 p3 p2"},
		{Query{Topic: "ceasefire", Until: t0.Add(2 * time.Hour), Text: "truce"}, "p0"},
	} {
		ms, err := db.Matches(tt.q)
		if err != nil {
			t.Fatal(err)
		}
		if got := keys(ms); got != tt.want {
			t.Errorf("Matches(%+v) = %q, want %q", tt.q, got, tt.want)
		}
	}
	if _, _, err := db.MatchesPage(Query{Cursor: "zz"}); err == nil {
		t.Error("a malformed cursor was accepted")
	}
}

// TestMatchesPageMaxScan: a filter few matches pass, with a cap on the
// matches examined, comes back in pages cut at the cap that together hold
// exactly what the filter passes, in order, each once; every cut page has a
// cursor whose time says how far back it searched.
func TestMatchesPageMaxScan(t *testing.T) {
	db, _ := openTemp(t)
	var a, b []NewItem
	for i := range 30 {
		it := item(fmt.Sprintf("m%02d", i), i, "ceasefire", "sanctions")
		if i%7 == 3 {
			b = append(b, it)
		} else {
			a = append(a, it)
		}
	}
	db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0, Items: a})
	db.SaveFeed(FeedUpdate{URL: "https://b.example/feed", Polled: t0, Items: b})
	keys := func(ms []Match) []string {
		var k []string
		for _, m := range ms {
			k = append(k, m.Article.Key+"/"+m.Topic)
		}
		return k
	}
	for _, base := range []Query{
		{Feed: "https://b.example/feed", Limit: 2},
		{Topic: "sanctions", Feed: "https://b.example/feed", Limit: 2},
		{Text: "m1", Limit: 3},
		{Feed: "https://none.example/feed", Limit: 2},
	} {
		all, err := db.Matches(Query{Topic: base.Topic, Feed: base.Feed, Text: base.Text})
		if err != nil {
			t.Fatal(err)
		}
		for _, maxScan := range []int{1, 5, 7} {
			q := base
			q.MaxScan = maxScan
			var got []string
			pages := 0
			for ; ; pages++ {
				if pages > 100 {
					t.Fatalf("%+v: no end after 100 pages", q)
				}
				ms, next, err := db.MatchesPage(q)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, keys(ms)...)
				if next == "" {
					break
				}
				if len(ms) < q.Limit {
					// Cut by the cap: it searched back to the cursor's time,
					// which is no later than what this page returned.
					at, err := CursorTime(next)
					if err != nil {
						t.Fatal(err)
					}
					for _, m := range ms {
						if m.Article.Published.Before(at) {
							t.Errorf("%+v: page returned %s, published before its cursor's %s", q, m.Article.Key, at)
						}
					}
				}
				q.Cursor = next
			}
			if want := keys(all); !reflect.DeepEqual(got, want) {
				t.Errorf("%+v: pages hold %v, want %v", q, got, want)
			}
			// Nothing passes this filter: each request examines maxScan of
			// the 60 matches.
			if base.Feed == "https://none.example/feed" && pages+1 != (60+maxScan-1)/maxScan {
				t.Errorf("%+v: %d requests, want %d", q, pages+1, (60+maxScan-1)/maxScan)
			}
		}
	}
	if _, err := CursorTime("zz"); err == nil {
		t.Error("CursorTime accepted a malformed cursor")
	}
}

func TestArticleMatchesAndDailyCounts(t *testing.T) {
	db, _ := openTemp(t)
	it := item("a", 1, "ceasefire", "sanctions")
	db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0, Items: []NewItem{it, item("b", 1, "ceasefire")}})
	db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0.Add(48 * time.Hour), Items: []NewItem{item("c", 2, "ceasefire")}})
	all, _ := db.Matches(Query{Topic: "sanctions"})
	a, ms, ok, err := db.ArticleMatches(all[0].Article.ID)
	if err != nil || !ok || a.Key != "a" || len(ms) != 2 || ms[0].Topic != "ceasefire" || ms[1].Topic != "sanctions" {
		t.Errorf("ArticleMatches = %+v %+v %v %v", a, ms, ok, err)
	}
	if _, _, ok, _ := db.ArticleMatches(999); ok {
		t.Error("found an article that does not exist")
	}
	counts, err := db.DailyCounts(t0.Add(72*time.Hour), 4)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(counts["ceasefire"]) != "[0 2 0 1]" || fmt.Sprint(counts["sanctions"]) != "[0 1 0 0]" {
		t.Errorf("DailyCounts = %v", counts)
	}
}

// Prune removes what was flagged and seen before the cutoff, indexes
// included, and keeps the rest; a pruned item that comes back is new again.
func TestPrune(t *testing.T) {
	db, _ := openTemp(t)
	for day := range 10 {
		polled := t0.Add(time.Duration(day) * 24 * time.Hour)
		var items []NewItem
		for i := range 3 {
			it := item(fmt.Sprintf("d%d-%d", day, i), day*24, "ceasefire")
			if i == 2 {
				it.Hits = nil // seen, not stored
			}
			items = append(items, it)
		}
		if _, err := db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: polled, Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	// A feed seen only before the cutoff, and one only after.
	for _, f := range []struct {
		url string
		day int
	}{{"https://b.example/feed", 1}, {"https://c.example/feed", 8}} {
		polled := t0.Add(time.Duration(f.day) * 24 * time.Hour)
		items := []NewItem{item(f.url+"/1", f.day*24), item(f.url+"/2", f.day*24)}
		if _, err := db.SaveFeed(FeedUpdate{URL: f.url, Polled: polled, Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := db.Prune(t0.Add(4 * 24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if p != (Pruned{Matches: 8, Articles: 8, Seen: 14}) {
		t.Errorf("Prune = %+v, want 8 matches, 8 articles, 14 seen keys", p)
	}
	for _, f := range []struct {
		url  string
		want bool
	}{{"https://b.example/feed", false}, {"https://c.example/feed", true}} {
		seen, err := db.Seen(f.url, []string{f.url + "/1", f.url + "/2"})
		if err != nil {
			t.Fatal(err)
		}
		if seen[0].Seen != f.want || seen[1].Seen != f.want {
			t.Errorf("%s after pruning: %+v, want seen %v", f.url, seen, f.want)
		}
	}
	for _, q := range []Query{{}, {Topic: "ceasefire"}} {
		ms, err := db.Matches(q)
		if err != nil || len(ms) != 12 {
			t.Errorf("Matches(%+v) after pruning: %d, %v; want the 12 newer ones", q, len(ms), err)
		}
	}
	seen, _ := db.Seen("https://a.example/feed", []string{"d0-0", "d9-0"})
	if seen[0].Seen || !seen[1].Seen {
		t.Errorf("seen after pruning: %+v", seen)
	}
	if again, _ := db.Prune(t0.Add(4 * 24 * time.Hour)); again != (Pruned{}) {
		t.Errorf("pruning again removed %+v", again)
	}
}
