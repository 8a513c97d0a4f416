package storage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bigFeed returns an update of n matching items whose text is
// MaxTextBytes each, so that saving it grows the file by about n × 32 KiB.
func bigFeed(url string, n int) FeedUpdate {
	u := FeedUpdate{URL: url, FeedName: url, Polled: t0}
	text := strings.Repeat("ceasefire talks resume in Istanbul. ", MaxTextBytes/36)
	for i := range n {
		it := item(fmt.Sprintf("%s-%d", url, i), i, "ceasefire")
		it.Article.URL = fmt.Sprintf("%s/article/%d", url, i)
		it.Article.Text = text
		u.Items = append(u.Items, it)
	}
	return u
}

// dataSize returns the bytes of the file that bbolt has used, which is
// what it maps, unlike the file's size, which it grows ahead in steps.
func dataSize(t *testing.T, db *DB) int64 {
	t.Helper()
	var n int64
	if err := db.bolt.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSnapshotDoesNotStallWriters holds a snapshot unread while feeds that
// grow the file well past its first size are saved: the saves must finish
// without waiting for it (bbolt maps a growing file again only once no read
// transaction holds the old map, so a backup streamed from a transaction to
// a slow client of /api/backup would stop every poll; streaming with
// WriteTo, this test waited out its 2 minutes), and the snapshot must hold
// the database as it was when taken.
func TestSnapshotDoesNotStallWriters(t *testing.T) {
	db, _ := openTemp(t)
	if _, err := db.SaveFeed(bigFeed("https://before.example/feed", 4)); err != nil {
		t.Fatal(err)
	}
	before := dataSize(t, db)
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	defer snap.Close()

	saved := make(chan error, 1)
	go func() {
		for i := range 8 {
			if _, err := db.SaveFeed(bigFeed(fmt.Sprintf("https://during%d.example/feed", i), 40)); err != nil {
				saved <- err
				return
			}
		}
		saved <- nil
	}()
	select {
	case err := <-saved:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(2 * time.Minute): // a deadlock, not a slow machine
		snap.Close()
		t.Fatalf("SaveFeed still waiting after 2 minutes while a snapshot was held unread (saved: %v)", <-saved)
	}
	if after := dataSize(t, db); after < before+8<<20 {
		t.Fatalf("the saves grew the data from %d to %d bytes; the test needs at least 8 MiB of growth", before, after)
	}

	checkCopy(t, snap, map[string]int{"https://before.example/feed": 4, "https://during0.example/feed": 0})
}

// checkCopy writes the copy of a database that r reads into a file, and
// checks that it opens and that each feed of want has as many items seen;
// it returns the bytes read.
func checkCopy(t *testing.T, r io.Reader, want map[string]int) int64 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "copy.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(f, r)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	c, err := OpenReadOnly(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for url, items := range want {
		st, err := c.FeedState(url)
		if err != nil {
			t.Fatal(err)
		}
		if st.ItemsSeen != items {
			t.Errorf("the copy: %s has %d items seen, want %d", url, st.ItemsSeen, items)
		}
	}
	return n
}

// TestSnapshot: a snapshot holds the database as it was when taken, reads
// back to the size it reports, and leaves no file behind, before or after
// it is closed.
func TestSnapshot(t *testing.T) {
	db, path := openTemp(t)
	if _, err := db.SaveFeed(bigFeed("https://before.example/feed", 3)); err != nil {
		t.Fatal(err)
	}
	s, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SaveFeed(bigFeed("https://after.example/feed", 3)); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		t.Errorf("beside the database while a snapshot is open: %v, want only %s", entries, filepath.Base(path))
	}
	n := checkCopy(t, s, map[string]int{"https://before.example/feed": 3, "https://after.example/feed": 0})
	if n != s.Size() || n == 0 {
		t.Errorf("read %d bytes from a snapshot of size %d", n, s.Size())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}
