package dashboard

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"newswatch/storage"
)

// TestBackup: /api/backup serves a copy of the database that opens and
// holds what was stored, with its length declared so that a client can
// tell a copy cut short; a copy that cannot be taken is a 500 that says
// why, not an empty 200.
func TestBackup(t *testing.T) {
	_, db := seeded(t)
	fail := false
	s := &Server{Store: db, Log: slog.New(slog.DiscardHandler), Backup: func() (Snapshot, error) {
		if fail {
			return nil, errors.New("back up database: no space left on device")
		}
		return db.Snapshot()
	}}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	resp, body := get(t, srv.URL+"/api/backup")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/backup: %d %s", resp.StatusCode, body)
	}
	if got := resp.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
		t.Errorf("Content-Length %q for a body of %d bytes", got, len(body))
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := storage.OpenReadOnly(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ms, err := c.Matches(storage.Query{}); err != nil || len(ms) != 7 {
		t.Errorf("the copy holds %d matches (%v), want 7", len(ms), err)
	}

	fail = true
	resp, body = get(t, srv.URL+"/api/backup")
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(body, "no space left") {
		t.Errorf("a failed backup: %d %q, want 500 with its reason", resp.StatusCode, body)
	}
}

// TestBackupOneAtATime: while one backup is being sent, to a client that
// does not read it, a second is refused with 503 and Retry-After, since
// each takes a copy of the database on the disk; once the first ends, a
// backup is served again.
func TestBackupOneAtATime(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "nw.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// More than the kernel buffers on loopback, so that the first
	// backup's handler is still writing while its client waits.
	text := strings.Repeat("Ceasefire talks resume. ", storage.MaxTextBytes/24)
	for f := range 8 {
		var items []storage.NewItem
		for i := range 100 {
			key := fmt.Sprintf("f%d-%d", f, i)
			items = append(items, storage.NewItem{Key: key, Hash: 1,
				Article: storage.Article{Title: key, URL: "https://news.example/" + key, Text: text, Published: t0},
				Hits:    []storage.TopicHit{{Topic: "ceasefire", Score: 1}}})
		}
		if _, err := db.SaveFeed(storage.FeedUpdate{URL: fmt.Sprintf("https://%d.example/feed", f), Polled: t0, Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	s := &Server{Store: db, Log: slog.New(slog.DiscardHandler), Backup: func() (Snapshot, error) { return db.Snapshot() }}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	first, err := http.Get(srv.URL + "/api/backup")
	if err != nil {
		t.Fatal(err)
	}
	if first.StatusCode != http.StatusOK {
		t.Fatalf("first backup: %s", first.Status)
	}
	second, body := get(t, srv.URL+"/api/backup")
	if second.StatusCode != http.StatusServiceUnavailable || second.Header.Get("Retry-After") == "" || !strings.Contains(body, "already being taken") {
		t.Errorf("a second backup beside the first: %s, Retry-After %q, %.200q", second.Status, second.Header.Get("Retry-After"), body)
	}
	first.Body.Close()
	for tries := 0; ; tries++ { // the first handler ends once it sees its client gone
		resp, body := get(t, srv.URL+"/api/backup")
		if resp.StatusCode == http.StatusOK {
			if strconv.Itoa(len(body)) != resp.Header.Get("Content-Length") || len(body) < 16<<20 {
				t.Errorf("the backup after: %d bytes, Content-Length %s", len(body), resp.Header.Get("Content-Length"))
			}
			break
		}
		if tries == 300 {
			t.Fatalf("backups still refused after the first ended: %s", resp.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
