package storage

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// setSchema rewrites the recorded version of a closed database (nil to
// remove it, as in a database from before versioning).
func setSchema(t *testing.T, path string, v []byte) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Update(func(tx *bolt.Tx) error {
		if v == nil {
			return tx.Bucket(bucketMeta).Delete(keySchema)
		}
		return tx.Bucket(bucketMeta).Put(keySchema, v)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func schemaIn(t *testing.T, path string) uint64 {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var v uint64
	b.View(func(tx *bolt.Tx) error { v, err = schemaOf(tx); return err })
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// seeded returns a closed database holding one feed's match.
func seeded(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "nw.db")
	db, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	_, err = db.SaveFeed(FeedUpdate{URL: "https://a.example/feed", Polled: now, Items: []NewItem{{
		Key: "1", Hash: 1, Article: Article{Title: "Truce talks", URL: "https://a.example/1", Published: now},
		Hits: []TopicHit{{Topic: "ceasefire-talks", Score: 3, Terms: []string{"truce"}}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return path
}

// A database from before versioning is migrated, its data kept.
func TestOpenMigratesOlderSchema(t *testing.T) {
	path := seeded(t)
	setSchema(t, path, nil)
	db, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.Matches(Query{})
	db.Close()
	if err != nil || len(ms) != 1 || ms[0].Article.Title != "Truce talks" {
		t.Fatalf("after migration: %v, %+v", err, ms)
	}
	if got := schemaIn(t, path); got != SchemaVersion {
		t.Errorf("schema %d after open, want %d", got, SchemaVersion)
	}
}

// A database of a newer newswatch is refused with the reason, and left as
// it was.
func TestOpenRefusesNewerSchema(t *testing.T) {
	path := seeded(t)
	setSchema(t, path, u64(SchemaVersion+1))
	_, err := Open(path, 0)
	if err == nil || !strings.Contains(err.Error(), "newer than this newswatch understands") || !strings.Contains(err.Error(), path) {
		t.Fatalf("open of a newer schema: %v", err)
	}
	if got := schemaIn(t, path); got != SchemaVersion+1 {
		t.Errorf("schema %d after the refused open, want it untouched", got)
	}
	if _, err := OpenReadOnly(path, 0); err == nil {
		t.Error("read-only open of a newer schema succeeded")
	}
}

// Migrations run in order, each once, and a failing one leaves the
// database at its old version with nothing of the earlier steps kept.
func TestMigrationsAreOrderedAndAtomic(t *testing.T) {
	path := seeded(t)
	setSchema(t, path, u64(1))
	var ran []uint64
	mark := func(to uint64) func(*bolt.Tx) error {
		return func(tx *bolt.Tx) error {
			ran = append(ran, to)
			return tx.Bucket(bucketMeta).Put([]byte("step"), u64(to))
		}
	}
	list := []migration{{1, "one", mark(1)}, {2, "two", mark(2)}, {3, "three", mark(3)}}
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(func(tx *bolt.Tx) error { return migrateTo(tx, 3, list) }); err != nil {
		t.Fatal(err)
	}
	if len(ran) != 2 || ran[0] != 2 || ran[1] != 3 {
		t.Errorf("from version 1 ran %v, want [2 3]", ran)
	}
	broken := errors.New("disk on fire")
	list = append(list, migration{4, "four", mark(4)}, migration{5, "five", func(*bolt.Tx) error { return broken }})
	err = b.Update(func(tx *bolt.Tx) error { return migrateTo(tx, 5, list) })
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "migrate schema 4 to 5 (five)") {
		t.Fatalf("failing migration: %v", err)
	}
	b.View(func(tx *bolt.Tx) error {
		if v, _ := schemaOf(tx); v != 3 {
			t.Errorf("version %d after a failed migration, want 3", v)
		}
		if step := tx.Bucket(bucketMeta).Get([]byte("step")); string(step) != string(u64(3)) {
			t.Errorf("step 4 of a failed migration was kept")
		}
		return nil
	})
}

// A database opened read-only reads, and refuses every write.
func TestOpenReadOnly(t *testing.T) {
	path := seeded(t)
	db, err := OpenReadOnly(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.ReadOnly() {
		t.Error("ReadOnly() is false")
	}
	if ms, err := db.Matches(Query{}); err != nil || len(ms) != 1 {
		t.Errorf("matches: %v %d", err, len(ms))
	}
	if _, err := db.SaveFeed(FeedUpdate{URL: "https://b.example/feed", Polled: time.Now()}); err == nil {
		t.Error("a read-only database took a write")
	}
	// Readers share it.
	other, err := OpenReadOnly(path, 0)
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	other.Close()
	if _, err := OpenReadOnly(filepath.Join(t.TempDir(), "missing.db"), 0); err == nil {
		t.Error("read-only open of a missing file succeeded")
	}
}

// A database of schema 2 loses its index of all matches by time, which
// nothing reads any more, and keeps every match listed in order.
func TestMigrationDropsIndexByTime(t *testing.T) {
	path := seeded(t)
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		byTime, err := tx.CreateBucket([]byte("matches_by_time"))
		if err != nil {
			return err
		}
		if err := byTime.Put(make([]byte, 16), nil); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put(keySchema, u64(2))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := db.Matches(Query{})
	var dropped bool
	db.bolt.View(func(tx *bolt.Tx) error { dropped = tx.Bucket([]byte("matches_by_time")) == nil; return nil })
	db.Close()
	if err != nil || len(ms) != 1 || ms[0].Article.Title != "Truce talks" {
		t.Fatalf("after migration: %v, %+v", err, ms)
	}
	if !dropped {
		t.Error("matches_by_time is still there")
	}
	if got := schemaIn(t, path); got != SchemaVersion {
		t.Errorf("schema %d after open, want %d", got, SchemaVersion)
	}
}

// Read-only, a schema 3 file (no matches_pending: every match is in the
// index) and a schema 2 one (an index more) are read as they are; an older
// one, which lacks the hourly counts, is refused with the reason.
func TestOpenReadOnlyOlderSchema(t *testing.T) {
	for _, tt := range []struct {
		version uint64
		ok      bool
	}{{3, true}, {2, true}, {1, false}} {
		path := seeded(t)
		b, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		err = b.Update(func(tx *bolt.Tx) error {
			if err := mergePending(tx); err != nil {
				return err
			}
			if err := tx.Bucket(bucketMeta).Delete(keyPending); err != nil {
				return err
			}
			return tx.DeleteBucket(bucketPending)
		})
		b.Close()
		if err != nil {
			t.Fatal(err)
		}
		setSchema(t, path, u64(tt.version))
		db, err := OpenReadOnly(path, 0)
		if !tt.ok {
			if err == nil || !strings.Contains(err.Error(), "write access to migrate") {
				t.Errorf("schema %d read-only: %v, want a refusal that says how to migrate", tt.version, err)
			}
			if err == nil {
				db.Close()
			}
			continue
		}
		if err != nil {
			t.Fatalf("schema %d read-only: %v", tt.version, err)
		}
		ms, err := db.Matches(Query{})
		db.Close()
		if err != nil || len(ms) != 1 {
			t.Errorf("schema %d read-only: %v, %d matches", tt.version, err, len(ms))
		}
	}
}
