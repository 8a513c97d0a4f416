package main

import (
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"newswatch/internal/config"
	"newswatch/internal/corpus"
	"newswatch/internal/feedfarm"
	"newswatch/storage"
)

var dashboardAddr = regexp.MustCompile(`msg="dashboard listening" addr=(http://127\.0\.0\.1:\d+/)`)

// get fetches a dashboard page and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// storedMatches counts the matches in a database newswatch does not hold.
func storedMatches(t *testing.T, path string) int {
	t.Helper()
	db, err := storage.OpenReadOnly(path, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ms, err := db.Matches(storage.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return len(ms)
}

// dataSize returns the bytes of a closed database's file that hold data:
// bbolt's high-water mark, below the file's size.
func dataSize(t *testing.T, path string) int64 {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var n int64
	b.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

// bboltCheck runs bbolt's consistency check over a closed database and
// reports whether it passed; when reports how the file came to be.
func bboltCheck(t *testing.T, when, path string) bool {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Errorf("%s: bbolt open: %v", when, err)
		return false
	}
	defer b.Close()
	ok := true
	b.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("%s: bbolt check: %v", when, err)
			ok = false
		}
		return nil
	})
	return ok
}

// A database the system will not let newswatch write: poll says so and
// fails; the daemon says so and serves the dashboard over what is stored.
func TestReadOnlyDatabase(t *testing.T) {
	_, feeds := newsServer(t)
	dir := t.TempDir()
	cfg := writeConfig(t, feeds[:3], map[string]any{"max_age": "1000d"})
	db := filepath.Join(dir, "nw.db")
	if r := newswatch(t, "poll", "-config", cfg, "-db", db); r.code != 0 {
		t.Fatalf("poll: %s", r.stderr)
	}
	before := storedMatches(t, db)

	// Root writes any file, so as root the commands run as nobody, who
	// may read the database but not write it; as anyone else the file
	// and its directory lose their write permission.
	asReader := func(cmd *exec.Cmd) *exec.Cmd { return cmd }
	if os.Getuid() == 0 {
		for _, p := range []string{filepath.Dir(binary), filepath.Dir(dir), dir, filepath.Dir(filepath.Dir(cfg)), filepath.Dir(cfg)} {
			if err := os.Chmod(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []string{db, cfg} {
			if err := os.Chmod(p, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		asReader = func(cmd *exec.Cmd) *exec.Cmd {
			cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
			return cmd
		}
	} else {
		os.Chmod(db, 0o444)
		os.Chmod(dir, 0o555)
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	}

	poll := asReader(exec.Command(binary, "poll", "-config", cfg, "-db", db))
	out, err := poll.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitError || !strings.Contains(string(out), "read-only") {
		t.Fatalf("poll of a read-only database: %v\n%s", err, out)
	}

	list := asReader(exec.Command(binary, "matches", "-json", "-limit", "0", "-config", cfg, "-db", db))
	out, err = list.Output()
	if err != nil || strings.Count(string(out), "\n") != before {
		t.Errorf("matches on a read-only database: %v, %d lines for %d matches", err, strings.Count(string(out), "\n"), before)
	}

	d := startCommand(t, asReader(exec.Command(binary, "run", "-config", cfg, "-db", db)))
	d.waitFor(t, "newswatch started read-only", 1)
	if !strings.Contains(d.log(), "the database cannot be written") || !strings.Contains(d.log(), "permission denied") {
		t.Errorf("the daemon did not say why it is read-only:\n%s", d.log())
	}
	m := dashboardAddr.FindStringSubmatch(d.log())
	if m == nil {
		t.Fatalf("no dashboard address in the log:\n%s", d.log())
	}
	code, page := get(t, m[1]+"api/matches")
	if code != http.StatusOK || strings.Count(page, `"topic"`) == 0 {
		t.Errorf("read-only dashboard, /api/matches: %d\n%.300s", code, page)
	}
	if code, _ := get(t, m[1]); code != http.StatusOK {
		t.Errorf("read-only dashboard, /: %d", code)
	}
	// A backup through it: the database's directory cannot take the
	// daemon's copy, the system's temporary directory does.
	code, page = get(t, m[1]+"api/backup")
	copyPath := filepath.Join(t.TempDir(), "copy.db")
	if err := os.WriteFile(copyPath, []byte(page), 0o600); err != nil {
		t.Fatal(err)
	}
	if code != http.StatusOK {
		t.Errorf("read-only dashboard, /api/backup: %d %.300s", code, page)
	} else if got := storedMatches(t, copyPath); got != before {
		t.Errorf("the backup of the read-only database holds %d matches, want %d", got, before)
	}
	if code := d.stop(t); code != 0 {
		t.Errorf("exit code %d:\n%s", code, d.log())
	}
	if after := storedMatches(t, db); after != before || before == 0 {
		t.Errorf("%d matches before, %d after", before, after)
	}
}

// A full disk (here a file-size limit on the daemon): polls fail with the
// system's reason, the daemon goes on serving what is stored, and nothing
// stored before is lost or damaged.
func TestFullDisk(t *testing.T) {
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Fatal("prlimit (util-linux) is needed to limit the daemon's file size; .ci/run installs it")
	}
	items, err := corpus.News()
	if err != nil {
		t.Fatal(err)
	}
	farm, err := feedfarm.New(feedfarm.Config{Feeds: 60, Hosts: 4, Seed: 3, Failing: -1, Slow: -1}, items)
	if err != nil {
		t.Fatal(err)
	}
	if err := farm.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(farm.Close)
	var first, rest []config.Feed
	for i, u := range farm.URLs() {
		if i < 5 {
			first = append(first, config.Feed{URL: u})
		} else {
			rest = append(rest, config.Feed{URL: u})
		}
	}
	db := filepath.Join(t.TempDir(), "nw.db")
	if r := newswatch(t, "poll", "-config", writeConfig(t, first, nil), "-db", db); r.code != 0 {
		t.Fatalf("poll: %s", r.stderr)
	}
	before := storedMatches(t, db)
	// Nothing may be written past the data stored so far: the 55 new
	// feeds' items do not fit. (bbolt grows the file ahead of its data, so
	// the file's own size would leave room.)
	limit := strconv.FormatInt(dataSize(t, db), 10)
	cfg := writeConfig(t, append(first, rest...), nil)
	d := startCommand(t, exec.Command(prlimit, "--fsize="+limit+":"+limit, "--", binary, "run", "-config", cfg, "-db", db))
	d.waitFor(t, "poll cycle could not store all results", 1)
	if !strings.Contains(d.log(), "file too large") {
		t.Errorf("the log does not give the system's reason:\n%s", d.log())
	}
	m := dashboardAddr.FindStringSubmatch(d.log())
	if m == nil {
		t.Fatalf("no dashboard address in the log:\n%s", d.log())
	}
	if code, page := get(t, m[1]+"api/matches"); code != http.StatusOK || !strings.Contains(page, `"topic"`) {
		t.Errorf("dashboard with a full disk, /api/matches: %d\n%.300s", code, page)
	}
	if code := d.stop(t); code != 0 {
		t.Errorf("exit code %d:\n%s", code, d.log())
	}
	bboltCheck(t, "after the disk filled", db)
	if after := storedMatches(t, db); after < before || before == 0 {
		t.Errorf("%d matches before the disk filled, %d after", before, after)
	}
	// Room again: the next poll stores what did not fit.
	if r := newswatch(t, "poll", "-config", cfg, "-db", db); r.code != 0 {
		t.Fatalf("poll with room again: %s", r.stderr)
	}
	if after := storedMatches(t, db); after <= before {
		t.Errorf("with room again, %d matches, as many as before (%d)", after, before)
	}
}
