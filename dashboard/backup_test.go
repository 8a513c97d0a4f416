package dashboard

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

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
