package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"newswatch/storage"
)

// TestListMatchesPages: "newswatch matches" reads a page at a time, and
// the pages together list what one read lists, in the same order, each
// match once, up to the limit.
func TestListMatchesPages(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "nw.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	t0 := time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)
	var items []storage.NewItem
	for i := range 25 {
		it := storage.NewItem{Key: fmt.Sprint(i), Hash: 1, Article: storage.Article{
			Title: fmt.Sprint("story ", i), URL: fmt.Sprint("https://news.example/", i),
			// Some share a publication time.
			Published: t0.Add(time.Duration(i/2) * time.Hour),
		}}
		for _, topic := range []string{"ceasefire-talks", "sanctions"}[:1+i%2] {
			it.Hits = append(it.Hits, storage.TopicHit{Topic: topic, Score: 1})
		}
		items = append(items, it)
	}
	if _, err := db.SaveFeed(storage.FeedUpdate{URL: "https://a.example/feed", Polled: t0, Items: items}); err != nil {
		t.Fatal(err)
	}
	ids := func(ms []storage.Match) []uint64 {
		var out []uint64
		for _, m := range ms {
			out = append(out, m.ID)
		}
		return out
	}
	for _, q := range []storage.Query{{}, {Topic: "sanctions"}, {Since: t0.Add(5 * time.Hour)}} {
		all, err := db.Matches(q)
		if err != nil {
			t.Fatal(err)
		}
		for _, limit := range []int{0, 10, 1000} {
			var got []storage.Match
			pages := 0
			err := listMatches(db, q, limit, 4, func(m storage.Match) error {
				got = append(got, m)
				return nil
			}, func() error { pages++; return nil })
			if err != nil {
				t.Fatal(err)
			}
			want := all[:min(len(all), limit)]
			if limit == 0 {
				want = all
			}
			if !slices.Equal(ids(got), ids(want)) {
				t.Errorf("%+v, limit %d: listed %v, want %v", q, limit, ids(got), ids(want))
			}
			if pages < len(want)/4 {
				t.Errorf("%+v, limit %d: %d matches in %d pages of 4", q, limit, len(want), pages)
			}
		}
	}
}
