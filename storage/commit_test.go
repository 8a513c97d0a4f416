package storage

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// txID returns the ID of the last committed write transaction.
func txID(t *testing.T, db *DB) int {
	var id int
	db.bolt.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
	return id
}

// Calls that wait together commit together; one that fails gets its own
// error and costs the others nothing.
func TestUpdatesShareCommits(t *testing.T) {
	db, _ := openTemp(t)
	before := txID(t, db)
	const n = 60
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = db.update(func(tx *bolt.Tx) error {
				if err := tx.Bucket(bucketMeta).Put(fmt.Appendf(nil, "test-%02d", i), []byte("x")); err != nil {
					return err
				}
				if i%20 == 7 {
					return fmt.Errorf("call %d fails", i)
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		want := ""
		if i%20 == 7 {
			want = fmt.Sprintf("call %d fails", i)
		}
		if got := fmt.Sprint(err); (err == nil) != (want == "") || err != nil && got != want {
			t.Errorf("call %d: error %v, want %q", i, err, want)
		}
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		for i := range n {
			stored := tx.Bucket(bucketMeta).Get(fmt.Appendf(nil, "test-%02d", i)) != nil
			if stored != (i%20 != 7) {
				t.Errorf("call %d: stored %v", i, stored)
			}
		}
		return nil
	})
	// 60 calls released at once: the first commit takes the first to
	// arrive, the rest queue behind its fsync. Three of them fail, and each
	// failure reruns its group and runs alone.
	if commits := txID(t, db) - before; commits > n/3 {
		t.Errorf("%d commits for %d calls released together: they were not grouped", commits, n)
	}
}

// Close commits what is queued; later updates fail.
func TestCloseCommitsQueued(t *testing.T) {
	db, path := openTemp(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if _, err := db.SaveFeed(FeedUpdate{URL: fmt.Sprintf("https://%d.example/feed", i), Polled: t0, Items: []NewItem{item(fmt.Sprint(i), 1, "aid")}}); err != nil {
				t.Errorf("save %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveFeed(FeedUpdate{URL: "https://late.example/feed", Polled: t0}); !errors.Is(err, errClosed) {
		t.Errorf("save after Close: %v, want %v", err, errClosed)
	}
	db, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if ms, err := db.Matches(Query{}); err != nil || len(ms) != 20 {
		t.Errorf("reopened: %d matches, %v; want 20", len(ms), err)
	}
}

// A call that panics inside a group costs the others nothing: they are
// committed, and the panic reaches its own caller when it runs alone.
func TestUpdatePanicStaysWithItsCaller(t *testing.T) {
	db, _ := openTemp(t)
	start := make(chan struct{})
	var wg sync.WaitGroup
	var recovered any
	for i := range 10 {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					recovered = p
				}
			}()
			<-start
			db.update(func(tx *bolt.Tx) error {
				if i == 4 {
					panic("call 4 panics")
				}
				return tx.Bucket(bucketMeta).Put(fmt.Appendf(nil, "test-%d", i), []byte("x"))
			})
		})
	}
	close(start)
	wg.Wait()
	if recovered != "call 4 panics" {
		t.Errorf("the panicking caller recovered %v", recovered)
	}
	db.bolt.View(func(tx *bolt.Tx) error {
		for i := range 10 {
			if stored := tx.Bucket(bucketMeta).Get(fmt.Appendf(nil, "test-%d", i)) != nil; stored != (i != 4) {
				t.Errorf("call %d: stored %v", i, stored)
			}
		}
		return nil
	})
}
