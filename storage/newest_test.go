package storage

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Without a topic, matches come newest first across all topics — the
// order the index of all matches by time gave: by published time, and
// matches published at the same moment in the order they were flagged —
// also across pages and within a time range.
//
// Matches reach the index through matches_pending, merged into it every
// mergeAt matches: the same holds with every match merged at once (1),
// with some merged and the rest pending (50), and with none merged yet.
func TestMatchesAcrossTopicsNewestFirst(t *testing.T) {
	for _, at := range []uint64{1, 50, 1 << 40} {
		t.Run(fmt.Sprintf("merge-at-%d", at), func(t *testing.T) {
			setMergeAt(t, at)
			testNewestFirst(t)
		})
	}
}

// setMergeAt sets mergeAt for the test.
func setMergeAt(t *testing.T, n uint64) {
	old := mergeAt
	mergeAt = n
	t.Cleanup(func() { mergeAt = old })
}

func testNewestFirst(t *testing.T) {
	db, _ := openTemp(t)
	r := rand.New(rand.NewPCG(1, 2))
	topics := []string{"b-topic", "a-topic", "c-topic", "a"}
	type want struct {
		published time.Time
		id        uint64
	}
	for f := range 5 {
		var items []NewItem
		for i := range 40 {
			it := item(fmt.Sprintf("f%d-%d", f, i), r.IntN(48)) // many share an hour
			for _, tp := range topics {
				if r.IntN(3) == 0 {
					it.Hits = append(it.Hits, TopicHit{Topic: tp, Score: 1})
				}
			}
			items = append(items, it)
		}
		if _, err := db.SaveFeed(FeedUpdate{URL: fmt.Sprintf("https://%d.example/feed", f), Polled: t0, Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	var all []want
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMatches).ForEach(func(k, v []byte) error {
			m, err := loadMatch(tx.Bucket(bucketMatches), tx.Bucket(bucketArticles), binary.BigEndian.Uint64(k))
			all = append(all, want{m.Article.Published, m.ID})
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(all, func(x, y want) int {
		if c := y.published.Compare(x.published); c != 0 {
			return c
		}
		return int(x.id) - int(y.id)
	})
	if len(all) < 100 {
		t.Fatalf("only %d matches: too few to test", len(all))
	}
	for _, tt := range []struct {
		name         string
		since, until time.Time
	}{
		{"all", time.Time{}, time.Time{}},
		{"a range", t0.Add(10 * time.Hour), t0.Add(30 * time.Hour)},
	} {
		var got []want
		q := Query{Limit: 7, Since: tt.since, Until: tt.until}
		for {
			ms, next, err := db.MatchesPage(q)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				got = append(got, want{m.Article.Published, m.ID})
			}
			if next == "" {
				break
			}
			q.Cursor = next
		}
		var exp []want
		for _, w := range all {
			if (tt.since.IsZero() || !w.published.Before(tt.since)) && (tt.until.IsZero() || w.published.Before(tt.until)) {
				exp = append(exp, w)
			}
		}
		if !slices.Equal(got, exp) {
			t.Errorf("%s: %d matches in pages of 7, want %d in order\n got %v\nwant %v", tt.name, len(got), len(exp), got, exp)
		}
	}
	// One topic's matches, and each article's.
	byArticle := map[uint64][]uint64{}
	for _, tp := range topics {
		var got, exp []uint64
		for _, m := range matches(t, db, Query{Topic: tp}) {
			got = append(got, m.ID)
			byArticle[m.Article.ID] = append(byArticle[m.Article.ID], m.ID)
		}
		for _, w := range all {
			if topicOf(t, db, w.id) == tp {
				exp = append(exp, w.id)
			}
		}
		if !slices.Equal(got, exp) {
			t.Errorf("topic %s: matches %v, want %v", tp, got, exp)
		}
	}
	for id, want := range byArticle {
		_, ms, ok, err := db.ArticleMatches(id)
		if err != nil || !ok {
			t.Fatalf("article %d: %v, %v", id, ok, err)
		}
		var got []uint64
		for _, m := range ms {
			got = append(got, m.ID)
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("article %d: matches %v, want %v", id, got, want)
		}
	}
	// Pruning every match empties the index and the log alike.
	if _, err := db.Prune(t0.Add(1000 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if ms := matches(t, db, Query{}); len(ms) != 0 {
		t.Errorf("%d matches left after pruning them all", len(ms))
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketByTopic, bucketPending} {
			if k, _ := tx.Bucket(b).Cursor().First(); k != nil {
				t.Errorf("%s still holds %x", b, k)
			}
		}
		if n := pendingCount(tx); n != 0 {
			t.Errorf("pending count %d after pruning every match", n)
		}
		return nil
	})
}

// matches lists what q selects, failing the test on an error.
func matches(t *testing.T, db *DB, q Query) []Match {
	t.Helper()
	ms, err := db.Matches(q)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

// topicOf returns the topic of a stored match.
func topicOf(t *testing.T, db *DB, id uint64) string {
	var topic string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		m, err := loadMatch(tx.Bucket(bucketMatches), tx.Bucket(bucketArticles), id)
		topic = m.Topic
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return topic
}

// BenchmarkMatchesPageAllTopics reads the newest 50 matches of all topics,
// which merges one walk per topic: its cost grows with the number of
// topics that have matches (100,000 matches spread over them).
func BenchmarkMatchesPageAllTopics(b *testing.B) {
	for _, topics := range []int{9, 100, 1000} {
		b.Run(fmt.Sprintf("topics-%d", topics), func(b *testing.B) {
			db, err := Open(filepath.Join(b.TempDir(), "nw.db"), 0)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			r := rand.New(rand.NewPCG(1, 2))
			for f := range 100 {
				items := make([]NewItem, 1000)
				for i := range items {
					items[i] = item(fmt.Sprintf("f%d-%d", f, i), r.IntN(24*365))
					items[i].Hits = []TopicHit{{Topic: fmt.Sprintf("topic-%d", r.IntN(topics)), Score: 1}}
				}
				if _, err := db.SaveFeed(FeedUpdate{URL: fmt.Sprintf("https://%d.example/feed", f), Polled: t0, Items: items}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				ms, _, err := db.MatchesPage(Query{Limit: 50})
				if err != nil || len(ms) != 50 {
					b.Fatalf("%d matches, %v", len(ms), err)
				}
			}
		})
	}
}

// BenchmarkMatchesPagePending reads the newest 50 matches, of all nine
// topics and of one, while matches_pending is one short of a merge: the
// most a reader sorts in memory (100,000 matches in the index besides).
func BenchmarkMatchesPagePending(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "nw.db"), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(1, 2))
	save := func(f, n int) {
		items := make([]NewItem, n)
		for i := range items {
			items[i] = item(fmt.Sprintf("f%d-%d", f, i), r.IntN(24*365))
			items[i].Hits = []TopicHit{{Topic: fmt.Sprintf("topic-%d", r.IntN(9)), Score: 1}}
		}
		if _, err := db.SaveFeed(FeedUpdate{URL: fmt.Sprintf("https://%d.example/feed", f), Polled: t0, Items: items}); err != nil {
			b.Fatal(err)
		}
	}
	for f := range 100 {
		save(f, 1000)
	}
	if err := db.bolt.Update(mergePending); err != nil {
		b.Fatal(err)
	}
	save(100, int(mergeAt)-1)
	for _, topic := range []string{"", "topic-3"} {
		b.Run("topic="+topic, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ms, _, err := db.MatchesPage(Query{Topic: topic, Limit: 50})
				if err != nil || len(ms) != 50 {
					b.Fatalf("%d matches, %v", len(ms), err)
				}
			}
		})
	}
}

// BenchmarkFlagsFirstDigest reads what a recipient's first digest holds,
// with no watermark, from 100 days of 1,000 matches flagged a day (each
// article with 3 KB of text): the last day's.
func BenchmarkFlagsFirstDigest(b *testing.B) {
	db, err := Open(filepath.Join(b.TempDir(), "nw.db"), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	const days = 100
	text := strings.Repeat("Negotiators met in Riyadh on a truce for Ukraine. ", 60)
	for d := range days {
		items := make([]NewItem, 1000)
		for i := range items {
			items[i] = item(fmt.Sprintf("d%d-%d", d, i), d*24, "ceasefire")
			items[i].Article.Text = text
		}
		if _, err := db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: t0.Add(time.Duration(d) * 24 * time.Hour), Items: items}); err != nil {
			b.Fatal(err)
		}
	}
	since := t0.Add((days - 1) * 24 * time.Hour)
	b.ReportAllocs()
	for b.Loop() {
		ms, err := db.Flags(0, since, 0)
		if err != nil || len(ms) != 1000 {
			b.Fatalf("%d matches, %v", len(ms), err)
		}
	}
}
