package storage

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bruteDaily counts per day from the matches themselves, as DailyCounts
// must for an hour-aligned now.
func bruteDaily(t *testing.T, db *DB, now time.Time, days int) map[string][]int {
	t.Helper()
	ms, err := db.Matches(Query{})
	if err != nil {
		t.Fatal(err)
	}
	from := now.Add(-time.Duration(days) * 24 * time.Hour)
	out := map[string][]int{}
	for _, m := range ms {
		if m.MatchedAt.Before(from) || !m.MatchedAt.Before(now) {
			continue
		}
		if out[m.Topic] == nil {
			out[m.Topic] = make([]int, days)
		}
		out[m.Topic][int(m.MatchedAt.Sub(from)/(24*time.Hour))]++
	}
	return out
}

// The hourly counters agree with the matches they count, after polls over
// many days and after pruning.
func TestDailyCountsAgreeWithMatches(t *testing.T) {
	db, _ := openTemp(t)
	r := rand.New(rand.NewPCG(1, 2))
	topics := []string{"ceasefire", "sanctions", "aid"}
	for poll := range 120 {
		at := t0.Add(time.Duration(poll*7+r.IntN(5)) * time.Hour).Add(time.Duration(r.IntN(3600)) * time.Second)
		var items []NewItem
		for j := range 1 + r.IntN(4) {
			items = append(items, item(fmt.Sprintf("%d-%d", poll, j), 0, topics[:1+r.IntN(3)]...))
		}
		if _, err := db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: at, Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	for _, now := range []time.Time{t0.Add(30 * 24 * time.Hour), t0.Add(20 * 24 * time.Hour), t0.Add(9 * 24 * time.Hour)} {
		got, err := db.DailyCounts(now, 30)
		if err != nil {
			t.Fatal(err)
		}
		if want := bruteDaily(t, db, now, 30); !reflect.DeepEqual(got, want) {
			t.Errorf("now %v:\n got %v\nwant %v", now, got, want)
		}
	}
	// Flagged counts: exact on whole hours; on any boundary, two
	// consecutive windows count every match once.
	ms, _ := db.Matches(Query{})
	brute := func(from, to time.Time) map[string]int {
		out := map[string]int{}
		for _, m := range ms {
			if !m.MatchedAt.Before(from) && m.MatchedAt.Before(to) {
				out[m.Topic]++
			}
		}
		return out
	}
	from, to := t0.Add(3*24*time.Hour), t0.Add(10*24*time.Hour)
	if got, _ := db.FlaggedCounts(from, to); !reflect.DeepEqual(got, brute(from, to)) {
		t.Errorf("FlaggedCounts(%v, %v) = %v, want %v", from, to, got, brute(from, to))
	}
	mid := from.Add(77*time.Hour + 17*time.Minute)
	a, _ := db.FlaggedCounts(from, mid)
	b, _ := db.FlaggedCounts(mid, to)
	for _, tp := range topics {
		if a[tp]+b[tp] != brute(from, to)[tp] {
			t.Errorf("%s: %d + %d across an unaligned boundary, want %d", tp, a[tp], b[tp], brute(from, to)[tp])
		}
	}

	if _, err := db.Prune(t0.Add(15 * 24 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	now := t0.Add(30 * 24 * time.Hour)
	got, _ := db.DailyCounts(now, 30)
	if want := bruteDaily(t, db, now, 30); !reflect.DeepEqual(got, want) {
		t.Errorf("after pruning:\n got %v\nwant %v", got, want)
	}
}

// A database of schema 1, which had no counters, gets them on open.
func TestMigrationCountsExistingMatches(t *testing.T) {
	path := seeded(t)
	db, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	want, _ := db.DailyCounts(now, 3)
	db.Close()
	if fmt.Sprint(want["ceasefire-talks"]) != "[0 0 1]" {
		t.Fatalf("counts before: %v", want)
	}
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	b.Update(func(tx *bolt.Tx) error {
		tx.DeleteBucket(bucketCounts)
		return tx.Bucket(bucketMeta).Put(keySchema, u64(1))
	})
	b.Close()
	db, err = Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := db.DailyCounts(now, 3)
	db.Close()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after migrating from schema 1: %v, want %v", got, want)
	}
	if v := schemaIn(t, path); v != SchemaVersion {
		t.Errorf("schema %d", v)
	}
}
