package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"go.yaml.in/yaml/v3"

	"newswatch/internal/config"
	"newswatch/internal/corpus"
)

// binary is the newswatch command built once for these tests: they run it
// as a user would, as a separate process.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "newswatch-bin")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "newswatch")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build newswatch: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func newswatch(t *testing.T, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errb.String()}
}

// newsServer serves the news-2025 items as one RSS feed per outlet and
// returns the feeds' URLs.
func newsServer(t *testing.T) (*httptest.Server, []config.Feed) {
	t.Helper()
	items, err := corpus.News()
	if err != nil {
		t.Fatal(err)
	}
	urls, groups := corpus.ByFeed(items)
	mux := http.NewServeMux()
	var feeds []config.Feed
	for i, u := range urls {
		body := corpus.RSS(u, u, groups[u])
		path := fmt.Sprintf("/feeds/%d.xml", i)
		mux.HandleFunc("GET "+path, func(w http.ResponseWriter, r *http.Request) { w.Write(body) })
		feeds = append(feeds, config.Feed{URL: path, Name: u})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	for i := range feeds {
		feeds[i].URL = srv.URL + feeds[i].URL
	}
	return srv, feeds
}

// writeConfig writes a config with the given feeds, the shipped topics and
// poll settings, and returns its path.
func writeConfig(t *testing.T, feeds []config.Feed, poll map[string]any) string {
	t.Helper()
	shipped, err := config.Load(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	// Tests run in parallel packages: the dashboard takes any free port.
	doc := map[string]any{"feeds": feeds, "topics": shipped.Topics, "poll": poll, "dashboard": map[string]string{"listen": "127.0.0.1:0"}}
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

var totalLine = regexp.MustCompile(`(?m)^total: (\d+) feeds \((\d+) ok, (\d+) not modified, (\d+) failed\); (\d+) new items, (?:\d+ updated, )?(\d+) new match(?:es)? in `)

// The "done when": poll a loopback server of the news-2025 items,
// then list the matches as JSON with every field.
func TestPollThenMatchesJSON(t *testing.T) {
	srv, feeds := newsServer(t)
	feeds = append(feeds, config.Feed{URL: srv.URL + "/missing.xml", Name: "missing"})
	cfg := writeConfig(t, feeds, map[string]any{"max_age": "1000d"})
	db := filepath.Join(t.TempDir(), "nw.db")

	r := newswatch(t, "poll", "-config", cfg, "-db", db)
	if r.code != 0 {
		t.Fatalf("poll exited %d:\n%s%s", r.code, r.stdout, r.stderr)
	}
	m := totalLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no total line in:\n%s", r.stdout)
	}
	if m[1] != strconv.Itoa(len(feeds)) || m[3] != "0" || m[4] != "1" || m[5] != "2202" {
		t.Errorf("total line %q: want %d feeds, 1 failed, 2202 new items", m[0], len(feeds))
	}
	if !strings.Contains(r.stdout, "failed") || !strings.Contains(r.stdout, "HTTP 404") {
		t.Errorf("the missing feed's line does not say why it failed:\n%s", r.stdout)
	}
	if lines := strings.Count(r.stdout, "\n"); lines != len(feeds)+1 {
		t.Errorf("poll printed %d lines, want one per feed and a total", lines)
	}
	matches, _ := strconv.Atoi(m[6])
	if matches < 100 {
		t.Fatalf("only %d matches from 2202 items of 2025 news with the shipped topics", matches)
	}

	r = newswatch(t, "matches", "-config", cfg, "-db", db, "-json", "-limit", "0")
	if r.code != 0 {
		t.Fatalf("matches exited %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != matches {
		t.Errorf("matches -json printed %d lines, poll reported %d matches", len(lines), matches)
	}
	var prev time.Time
	topics := map[string]int{}
	for i, line := range lines {
		var obj map[string]any
		if err := json.Unmarshal([]byte(line), &obj); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i+1, err, line)
		}
		for _, k := range []string{"topic", "title", "url", "feed", "published", "matched_at"} {
			if s, _ := obj[k].(string); s == "" {
				t.Fatalf("line %d lacks %q: %s", i+1, k, line)
			}
		}
		if terms, _ := obj["terms"].([]any); len(terms) == 0 {
			t.Fatalf("line %d has no terms: %s", i+1, line)
		}
		if score, _ := obj["score"].(float64); score < 1 {
			t.Fatalf("line %d has no score: %s", i+1, line)
		}
		snippet, _ := obj["snippet"].(string)
		marks, _ := obj["snippet_marks"].([]any)
		if snippet == "" || len(marks) == 0 {
			t.Fatalf("line %d has no marked snippet: %s", i+1, line)
		}
		for _, mk := range marks {
			r := mk.([]any)
			if a, b := int(r[0].(float64)), int(r[1].(float64)); a < 0 || b > len(snippet) || a >= b {
				t.Fatalf("line %d: mark %v outside its snippet: %s", i+1, r, line)
			}
		}
		pub, err := time.Parse(time.RFC3339, obj["published"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && pub.After(prev) {
			t.Fatalf("line %d published %v after line %d (%v): not newest first", i+1, pub, i, prev)
		}
		prev = pub
		topics[obj["topic"].(string)]++
	}
	if len(topics) < 8 {
		t.Errorf("matches cover %d topics, want at least 8 of the 9: %v", len(topics), topics)
	}

	// Filters.
	r = newswatch(t, "matches", "-config", cfg, "-db", db, "-json", "-topic", "frozen-assets", "-since", "2025-12-01", "-limit", "5")
	lines = strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) == 0 || len(lines) > 5 {
		t.Fatalf("filtered matches: exit %d, %d lines", r.code, len(lines))
	}
	for _, line := range lines {
		var obj struct {
			Topic     string    `json:"topic"`
			Published time.Time `json:"published"`
		}
		json.Unmarshal([]byte(line), &obj)
		if obj.Topic != "frozen-assets" || obj.Published.Before(time.Date(2025, 12, 1, 0, 0, 0, 0, time.Local)) {
			t.Errorf("filter let through %s", line)
		}
	}

	// A second poll adds nothing.
	r = newswatch(t, "poll", "-config", cfg, "-db", db)
	if m := totalLine.FindStringSubmatch(r.stdout); m == nil || m[5] != "0" || m[6] != "0" {
		t.Errorf("second poll was not empty:\n%s", r.stdout)
	}

	// Text output names the article and why it matched.
	r = newswatch(t, "matches", "-config", cfg, "-db", db, "-limit", "1")
	if r.code != 0 || !strings.Contains(r.stdout, "matched: ") || !strings.Contains(r.stdout, "https://") || !strings.Contains(r.stdout, "«") {
		t.Errorf("matches text output:\n%s", r.stdout)
	}
}

func TestBadConfigIsRefused(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "bad.yaml")
	os.WriteFile(cfg, []byte("feeds:\n  - url: https://example.org/feed\ntopics:\n  - id: x\n    query: x\npoll:\n  shedule: \"*/5 * * * *\"\n"), 0o644)
	db := filepath.Join(dir, "nw.db")
	for _, cmd := range []string{"check", "poll", "run", "matches"} {
		r := newswatch(t, cmd, "-config", cfg, "-db", db)
		if r.code != 2 {
			t.Errorf("%s exited %d, want 2", cmd, r.code)
		}
		if want := cfg + `:7: unknown key "shedule" in poll (did you mean "schedule"?)`; !strings.Contains(r.stderr, want) {
			t.Errorf("%s stderr = %q, want it to contain %q", cmd, r.stderr, want)
		}
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("a bad config still created the database: %v", err)
	}
}

func TestMatchesWithoutDatabase(t *testing.T) {
	cfg := writeConfig(t, []config.Feed{{URL: "http://127.0.0.1:1/feed"}}, map[string]any{})
	db := filepath.Join(t.TempDir(), "none.db")
	r := newswatch(t, "matches", "-config", cfg, "-db", db)
	if r.code != 1 || !strings.Contains(r.stderr, "no database at "+db) {
		t.Errorf("matches without a database: exit %d, %q", r.code, r.stderr)
	}
	if _, err := os.Stat(db); !os.IsNotExist(err) {
		t.Errorf("matches created a database: %v", err)
	}
}

func TestCheckShippedConfig(t *testing.T) {
	path := filepath.Join("..", "..", "config.yaml")
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	examples := 0
	for _, tp := range c.Topics {
		examples += len(tp.Examples.Match) + len(tp.Examples.NoMatch)
	}
	r := newswatch(t, "check", "-config", path)
	if r.code != 0 {
		t.Fatalf("check exited %d: %s", r.code, r.stderr)
	}
	allRight := fmt.Sprintf("examples: %d of %d decided as written", examples, examples)
	for _, want := range []string{"is valid", "topics (9):", "security-guarantees", "deported-children", `poll: schedule "*/15 * * * *"`, "kyivindependent.com", allRight} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, r.stdout)
		}
	}
}

// check prints a query's warning and still exits 0: the query is valid.
func TestCheckWarns(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	cfg := `feeds:
  - url: http://127.0.0.1:1/feed
topics:
  - id: nukes
    query: '"nuclear threat" OR "nuclear weapons" AND NOT Iran'
storage:
  path: nw.db
`
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newswatch(t, "check", "-config", path)
	want := `warnings (1):
  ` + path + `:5: topic "nukes": query: column 21: AND binds tighter than OR, so “"nuclear weapons" AND NOT Iran” is one alternative of the OR`
	if r.code != 0 || !strings.Contains(r.stdout, want) {
		t.Errorf("check exited %d, want 0 with\n%s\nin:\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	// Commands that run the poller log it, at level warn (the daemon's
	// default is info; poll's is error).
	r = newswatch(t, "poll", "-log-level", "warn", "-config", path, "-db", filepath.Join(t.TempDir(), "nw.db"))
	if !strings.Contains(r.stderr, `msg="config: topic \"nukes\": query: column 21: AND binds tighter than OR`) {
		t.Errorf("poll did not log the warning:\n%s", r.stderr)
	}
}

func TestUsage(t *testing.T) {
	if r := newswatch(t, "help"); r.code != 0 || !strings.Contains(r.stdout, "matches") {
		t.Errorf("help: %d %q", r.code, r.stdout)
	}
	if r := newswatch(t); r.code != 2 {
		t.Errorf("no command exited %d, want 2", r.code)
	}
	if r := newswatch(t, "frobnicate"); r.code != 2 || !strings.Contains(r.stderr, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", r.code, r.stderr)
	}
	r := newswatch(t, "matches", "-h")
	if r.code != 0 {
		t.Errorf("matches -h exited %d", r.code)
	}
	for _, flag := range []string{"-config", "-db", "-topic", "-since", "-limit", "-json"} {
		if !strings.Contains(r.stderr, flag) {
			t.Errorf("matches -h does not document %s", flag)
		}
	}
	if r := newswatch(t, "matches", "-since", "yesterday"); r.code != 2 || !strings.Contains(r.stderr, `-since "yesterday"`) {
		t.Errorf("bad -since: %d %q", r.code, r.stderr)
	}
}

// daemon is a running "newswatch run" whose stderr is watched line by line.
type daemon struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	lines []string
	added chan struct{}
	done  chan struct{}
}

func startDaemon(t *testing.T, args ...string) *daemon {
	t.Helper()
	return startCommand(t, exec.Command(binary, append([]string{"run"}, args...)...))
}

// startCommand starts a daemon from a prepared command (to run it as
// another user, or under limits).
func startCommand(t *testing.T, cmd *exec.Cmd) *daemon {
	t.Helper()
	d := &daemon{cmd: cmd, added: make(chan struct{}, 1), done: make(chan struct{})}
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(d.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			d.mu.Lock()
			d.lines = append(d.lines, sc.Text())
			d.mu.Unlock()
			select {
			case d.added <- struct{}{}:
			default:
			}
		}
	}()
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		<-d.done
		d.cmd.Wait()
	})
	return d
}

// waitFor waits until the daemon has logged n lines containing s. The
// bound only keeps a broken daemon from hanging the test.
func (d *daemon) waitFor(t *testing.T, s string, n int) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		if d.count(s) >= n {
			return
		}
		select {
		case <-d.added:
		case <-d.done:
			if d.count(s) >= n {
				return
			}
			t.Fatalf("daemon exited before logging %q %d times:\n%s", s, n, d.log())
		case <-deadline:
			t.Fatalf("daemon did not log %q %d times:\n%s", s, n, d.log())
		}
	}
}

func (d *daemon) count(s string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, l := range d.lines {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}

func (d *daemon) log() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return strings.Join(d.lines, "\n")
}

// stop sends SIGTERM and returns the exit code.
func (d *daemon) stop(t *testing.T) int {
	t.Helper()
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	<-d.done
	err := d.cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// The daemon polls at start-up and on its schedule, holds the database so
// that a second process fails fast, and stops cleanly on SIGTERM.
func TestRunDaemon(t *testing.T) {
	_, feeds := newsServer(t)
	feeds = feeds[:2]
	for i := range feeds {
		feeds[i].Schedule = "@every 1s" // due again at every wake
	}
	cfg := writeConfig(t, feeds, map[string]any{"max_age": "1000d", "schedule": "@every 1s"})
	db := filepath.Join(t.TempDir(), "nw.db")
	d := startDaemon(t, "-config", cfg, "-db", db)
	d.waitFor(t, "poll cycle done", 2) // the start-up poll and a scheduled one

	// The dashboard answers while the daemon runs.
	addr := regexp.MustCompile(`dashboard listening" addr=(http://\S+)`).FindStringSubmatch(d.log())
	if addr == nil {
		t.Fatalf("no dashboard address in the log:\n%s", d.log())
	}
	resp, err := http.Get(addr[1] + "healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Errorf("dashboard /healthz: %v %v", resp, err)
	}
	resp, err = http.Get(addr[1] + "api/matches?limit=1")
	if err == nil {
		var page struct{ Matches []map[string]any }
		json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if len(page.Matches) != 1 {
			t.Errorf("dashboard /api/matches gave %d matches, want 1", len(page.Matches))
		}
	}

	// Its metrics count the polls, and "poll now" polls.
	resp, err = http.Get(addr[1] + "metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`newswatch_feed_polls_total{status="ok"}`, "newswatch_items_new_total 465", `newswatch_matches_total{topic="ceasefire-talks"}`, "newswatch_http_request_duration_seconds_bucket"} {
		if !strings.Contains(string(metrics), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	// A backup while the daemon runs, through its dashboard.
	backup := filepath.Join(t.TempDir(), "backup.db")
	if r := newswatch(t, "backup", "-config", cfg, "-db", db, "-from", addr[1], backup); r.code != 0 || !strings.Contains(r.stdout, "backed up") {
		t.Errorf("backup beside the daemon: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if r := newswatch(t, "matches", "-config", cfg, "-db", backup, "-limit", "0", "-json"); r.code != 0 || strings.Count(r.stdout, "\n") < 10 {
		t.Errorf("the backup holds %d matches: %s", strings.Count(r.stdout, "\n"), r.stderr)
	}
	if r := newswatch(t, "restore", "-config", cfg, "-db", db, backup); r.code != 1 || !strings.Contains(r.stderr, "stop the daemon first") {
		t.Errorf("restore beside the daemon: %d %q", r.code, r.stderr)
	}
	if r := newswatch(t, "compact", "-config", cfg, "-db", db); r.code != 1 || !strings.Contains(r.stderr, "stop the daemon first") {
		t.Errorf("compact beside the daemon: %d %q", r.code, r.stderr)
	}

	before := d.count("poll cycle done")
	if resp, err := http.Post(addr[1]+"actions/poll", "", nil); err != nil || resp.StatusCode != 200 { // 303 followed to /feeds
		t.Errorf("poll now: %v %v", resp, err)
	}
	d.waitFor(t, "poll cycle done", before+1)

	r := newswatch(t, "poll", "-config", cfg, "-db", db)
	if r.code != 1 || !strings.Contains(r.stderr, "database is in use by another process") || !strings.Contains(r.stderr, db) {
		t.Errorf("poll beside the daemon: exit %d, stderr %q; want 1 and a clear message", r.code, r.stderr)
	}

	if code := d.stop(t); code != 0 {
		t.Errorf("daemon exited %d after SIGTERM:\n%s", code, d.log())
	}
	if d.count("newswatch stopped") != 1 {
		t.Errorf("daemon did not log its stop:\n%s", d.log())
	}
	if !strings.Contains(d.log(), "new_matches=") {
		t.Errorf("cycle lines carry no totals:\n%s", d.log())
	}
	// With the daemon stopped: a direct backup, and a restore.
	direct := filepath.Join(t.TempDir(), "direct.db")
	if r := newswatch(t, "backup", "-config", cfg, "-db", db, direct); r.code != 0 {
		t.Errorf("direct backup: %d %s", r.code, r.stderr)
	}
	if r := newswatch(t, "restore", "-config", cfg, "-db", db, direct); r.code != 0 || !strings.Contains(r.stdout, "restored") {
		t.Errorf("restore: %d %s%s", r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(db + ".before-restore"); err != nil {
		t.Errorf("the replaced database was not kept: %v", err)
	}
	notDB := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(notDB, []byte("not a database"), 0o644)
	if r := newswatch(t, "restore", "-config", cfg, "-db", db, notDB); r.code != 1 || !strings.Contains(r.stderr, "does not open") {
		t.Errorf("restore of junk: %d %q", r.code, r.stderr)
	}

	// The lock is released and the matches are there.
	r = newswatch(t, "matches", "-config", cfg, "-db", db, "-json", "-limit", "0")
	if r.code != 0 || strings.Count(r.stdout, "\n") == 0 {
		t.Errorf("matches after the daemon stopped: exit %d, %d lines, %s", r.code, strings.Count(r.stdout, "\n"), r.stderr)
	}
}

// SIGTERM during a poll that cannot finish: the daemon waits for -grace,
// abandons the poll, records nothing for the hung feed, and exits.
func TestRunAbandonsHungPoll(t *testing.T) {
	started := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case started <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	cfg := writeConfig(t, []config.Feed{{URL: srv.URL + "/hang", Name: "hang"}}, map[string]any{"timeout": "10m"})
	db := filepath.Join(t.TempDir(), "nw.db")
	d := startDaemon(t, "-config", cfg, "-db", db, "-grace", "200ms")
	select {
	case <-started:
	case <-time.After(60 * time.Second):
		t.Fatalf("the daemon never fetched the feed:\n%s", d.log())
	}
	if code := d.stop(t); code != 0 {
		t.Errorf("daemon exited %d:\n%s", code, d.log())
	}
	for _, want := range []string{"abandoning the poll in flight", "canceled=1", "newswatch stopped"} {
		if !strings.Contains(d.log(), want) {
			t.Errorf("daemon log lacks %q:\n%s", want, d.log())
		}
	}
	r := newswatch(t, "matches", "-config", cfg, "-db", db)
	if r.code != 0 {
		t.Errorf("database unusable after an abandoned poll: %d %s", r.code, r.stderr)
	}
}

func TestCheckFailsOnExamples(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "ex.yaml")
	os.WriteFile(cfg, []byte(`feeds:
  - url: https://example.org/feed
topics:
  - id: truce
    query: ceasefire NOT Gaza
    examples:
      match: ["Ukraine ceasefire holds", "Truce in Ukraine"]
      nomatch: ["Gaza ceasefire holds"]
`), 0o644)
	r := newswatch(t, "check", "-config", cfg)
	if r.code != 1 {
		t.Errorf("check exited %d, want 1", r.code)
	}
	for _, want := range []string{
		"examples: 2 of 3 decided as written",
		cfg + `:7: topic "truce" does not match its example "Truce in Ukraine"`,
		"- ceasefire", // the explanation of the failure
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("check output lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "1 example decided wrongly") {
		t.Errorf("stderr = %q", r.stderr)
	}
}

func TestExplain(t *testing.T) {
	cfg := filepath.Join("..", "..", "config.yaml")
	r := newswatch(t, "explain", "-config", cfg, "-topic", "frozen-assets", "-text", "EU agrees to use frozen Russian assets\nBelgium, home of Euroclear, resisted.")
	if r.code != 0 {
		t.Fatalf("explain exited %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"frozen-assets: MATCH, score ", `+ euroclear    [text 17–26 "Euroclear"]`, `- reserves`, "snippet: Belgium, home of «Euroclear», resisted."} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("explain output lacks %q:\n%s", want, r.stdout)
		}
	}

	// A page over HTTP, and a feed with two items.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/feed" {
			w.Write([]byte(`<rss version="2.0"><channel><title>f</title>
<item><title>Israel and Hamas agree Gaza ceasefire</title><link>http://x/1</link></item>
<item><title>Witkoff meets Putin in Moscow on peace plan</title><link>http://x/2</link></item></channel></rss>`))
			return
		}
		w.Write([]byte(`<html><head><title>Putin signs nuclear doctrine change</title></head><body><p>Moscow lowered the threshold.</p></body></html>`))
	}))
	defer srv.Close()
	r = newswatch(t, "explain", "-config", cfg, "-topic", "nuclear-threats", "-url", srv.URL+"/article")
	if r.code != 0 || !strings.Contains(r.stdout, "nuclear-threats: MATCH") {
		t.Errorf("explain -url page: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = newswatch(t, "explain", "-config", cfg, "-topic", "ceasefire-talks", "-url", srv.URL+"/feed")
	if r.code != 0 || !strings.Contains(r.stdout, "=== Israel and Hamas agree Gaza ceasefire\nceasefire-talks: no match") ||
		!strings.Contains(r.stdout, "=== Witkoff meets Putin in Moscow on peace plan\nceasefire-talks: MATCH") {
		t.Errorf("explain -url feed: %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	if r := newswatch(t, "explain", "-config", cfg, "-topic", "nope", "-text", "x"); r.code != 2 || !strings.Contains(r.stderr, `no topic "nope"`) {
		t.Errorf("unknown topic: %d %q", r.code, r.stderr)
	}
	if r := newswatch(t, "explain", "-config", cfg, "-text", "x", "-file", "y"); r.code != 2 {
		t.Errorf("two inputs: exit %d", r.code)
	}
}

func TestFeedsList(t *testing.T) {
	srv, feeds := newsServer(t)
	feeds = append(feeds[:2], config.Feed{URL: srv.URL + "/missing.xml", Name: "missing"})
	cfg := writeConfig(t, feeds, map[string]any{"max_age": "1000d"})
	db := filepath.Join(t.TempDir(), "nw.db")
	if r := newswatch(t, "poll", "-config", cfg, "-db", db); r.code != 0 {
		t.Fatalf("poll: %d %s", r.code, r.stderr)
	}
	r := newswatch(t, "feeds", "list", "-config", cfg, "-db", db, "-json")
	if r.code != 0 {
		t.Fatalf("feeds list: %d %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3:\n%s", len(lines), r.stdout)
	}
	var rows []map[string]any
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, m)
	}
	if rows[0]["name"] != "missing" || rows[0]["status"] != "failed" || !strings.Contains(rows[0]["last_error"].(string), "HTTP 404") {
		t.Errorf("first row = %v, want the failed feed with its error", rows[0])
	}
	for _, row := range rows[1:] {
		if row["status"] != "ok" || row["items_seen"].(float64) == 0 || row["next_poll"] == nil {
			t.Errorf("row = %v, want ok with items and a next poll", row)
		}
	}
	if r := newswatch(t, "compact", "-config", cfg, "-db", db); r.code != 0 || !strings.Contains(r.stdout, "compacted") {
		t.Errorf("compact: %d %s%s", r.code, r.stdout, r.stderr)
	}
	r = newswatch(t, "feeds", "list", "-config", cfg, "-db", db)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "STATUS") || !strings.Contains(r.stdout, "never") {
		t.Errorf("feeds list table:\n%s", r.stdout)
	}
	if r := newswatch(t, "feeds", "frob"); r.code != 2 {
		t.Errorf("feeds frob exited %d, want 2", r.code)
	}
}

// feeds add finds a page's feed and appends it to the config; feeds
// export and feeds import round-trip names and tags through OPML.
func TestFeedsAddImportExport(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<rss version="2.0"><channel><title>Kyiv Daily</title><item><title>x</title><guid>1</guid></item></channel></rss>`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	cfg := writeConfig(t, []config.Feed{{URL: "https://first.example/rss", Name: "First", Tags: []string{"a"}}}, map[string]any{})

	r := newswatch(t, "feeds", "add", "-config", cfg, srv.URL+"/news/today", "-tags", "ukraine, daily")
	if r.code != 0 || !strings.Contains(r.stdout, "found "+srv.URL+`/feed.xml (rss, "Kyiv Daily", 1 items) via <link rel="alternate"> in the page`) {
		t.Fatalf("feeds add: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := newswatch(t, "feeds", "add", "-config", cfg, srv.URL+"/feed.xml"); r.code != 0 || !strings.Contains(r.stdout, "already listed") {
		t.Errorf("adding it again: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	c, err := config.Load(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Feeds) != 2 || c.Feeds[1].URL != srv.URL+"/feed.xml" || c.Feeds[1].Name != "Kyiv Daily" || strings.Join(c.Feeds[1].Tags, ",") != "ukraine,daily" {
		t.Fatalf("feeds after add: %+v", c.Feeds)
	}

	r = newswatch(t, "feeds", "export", "-config", cfg)
	if r.code != 0 || !strings.Contains(r.stdout, `<opml version="2.0">`) {
		t.Fatalf("export: %d %s", r.code, r.stderr)
	}
	opmlFile := filepath.Join(t.TempDir(), "feeds.opml")
	os.WriteFile(opmlFile, []byte(r.stdout), 0o644)
	other := writeConfig(t, []config.Feed{{URL: "https://first.example/rss", Name: "First"}}, map[string]any{})
	r = newswatch(t, "feeds", "import", "-config", other, opmlFile)
	if r.code != 0 || !strings.Contains(r.stdout, "1 added to "+other+", 1 already there") {
		t.Fatalf("import: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	c2, err := config.Load(other)
	if err != nil {
		t.Fatal(err)
	}
	if len(c2.Feeds) != 2 || c2.Feeds[1].Name != "Kyiv Daily" || strings.Join(c2.Feeds[1].Tags, ",") != "ukraine,daily" {
		t.Errorf("feeds after import: %+v", c2.Feeds)
	}
	if r := newswatch(t, "feeds", "add", "-config", cfg, "http://127.0.0.1:1/"); r.code != 1 {
		t.Errorf("add of an unreachable site exited %d, want 1", r.code)
	}

	// import -check adds only the feeds that work.
	checked := filepath.Join(t.TempDir(), "check.opml")
	os.WriteFile(checked, []byte(`<opml version="2.0"><body>
<outline text="works" xmlUrl="`+srv.URL+`/feed.xml"/>
<outline text="dead" xmlUrl="`+srv.URL+`/dead.xml"/></body></opml>`), 0o644)
	third := writeConfig(t, []config.Feed{{URL: "https://first.example/rss"}}, map[string]any{})
	r = newswatch(t, "feeds", "import", "-check", "-config", third, checked)
	if r.code != 0 || !strings.Contains(r.stdout, "not added, it does not work: "+srv.URL+"/dead.xml") || !strings.Contains(r.stdout, "1 added") {
		t.Errorf("import -check: %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// On a terminal, poll shows a progress bar instead of a line per feed,
// then the failed feeds and the total.
func TestPollOnTerminal(t *testing.T) {
	srv, feeds := newsServer(t)
	feeds = append(feeds[:2], config.Feed{URL: srv.URL + "/missing.xml", Name: "missing"})
	cfg := writeConfig(t, feeds, map[string]any{"max_age": "1000d"})
	cmd := exec.Command(binary, "poll", "-config", cfg, "-db", filepath.Join(t.TempDir(), "nw.db"))
	tty, err := pty.Start(cmd)
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	out, _ := io.ReadAll(tty) // ends with EIO when the command exits
	if err := cmd.Wait(); err != nil {
		t.Fatalf("poll: %v\n%s", err, out)
	}
	s := string(out)
	if !strings.Contains(s, "polling") || !strings.Contains(s, "/3)") {
		t.Errorf("no progress bar on the terminal:\n%q", s)
	}
	if !strings.Contains(s, "failed") || !strings.Contains(s, "missing") || !totalLine.MatchString(strings.ReplaceAll(s, "\r", "\n")) {
		t.Errorf("no failed feed or total after the bar:\n%q", s)
	}
	if strings.Contains(s, "ok           ") {
		t.Errorf("per-feed ok lines on a terminal:\n%q", s)
	}
}

func TestDigest(t *testing.T) {
	_, feeds := newsServer(t)
	cfg := writeConfig(t, feeds[:2], map[string]any{"max_age": "1000d"})
	// Digests go to the outbox beside the config (no SMTP configured).
	os.WriteFile(cfg, append(mustRead(t, cfg), []byte("digest:\n  timezone: Europe/Kyiv\n  to: [analyst@example.org]\n")...), 0o644)
	db := filepath.Join(t.TempDir(), "nw.db")
	if r := newswatch(t, "poll", "-config", cfg, "-db", db); r.code != 0 {
		t.Fatalf("poll: %s", r.stderr)
	}
	htmlFile := filepath.Join(t.TempDir(), "digest.html")
	r := newswatch(t, "digest", "-dry-run", "-html", htmlFile, "-config", cfg, "-db", db)
	if r.code != 0 {
		t.Fatalf("digest: %d %s", r.code, r.stderr)
	}
	if !regexp.MustCompile(`^To: analyst@example.org\nSubject: newswatch: \d+ new matches in \d topics — \d{4}-\d\d-\d\d\n`).MatchString(r.stdout) || !strings.Contains(r.stdout, "== Ceasefire and peace talks") {
		t.Errorf("digest text:\n%.600s", r.stdout)
	}
	if b, err := os.ReadFile(htmlFile); err != nil || !strings.Contains(string(b), "<strong>") {
		t.Errorf("HTML part: %v", err)
	}
	outbox := filepath.Join(filepath.Dir(cfg), "outbox")
	if files, _ := filepath.Glob(filepath.Join(outbox, "*.eml")); len(files) != 0 {
		t.Errorf("-dry-run wrote %v", files)
	}
	if r := newswatch(t, "digest", "-send", "-config", cfg, "-db", db); r.code != 0 || !strings.Contains(r.stdout, "digest sent to 1 recipient") {
		t.Fatalf("digest -send: %d %s%s", r.code, r.stdout, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if len(files) != 1 || !strings.Contains(string(mustRead(t, files[0])), "multipart/alternative") {
		t.Fatalf("outbox after -send: %v", files)
	}
	// Everything was sent: the next digest is a heartbeat.
	r = newswatch(t, "digest", "-dry-run", "-config", cfg, "-db", db)
	if !strings.Contains(r.stdout, "Subject: newswatch: 0 new matches") {
		t.Errorf("after -send, the next digest:\n%.300s", r.stdout)
	}
	if r := newswatch(t, "digest", "-config", cfg, "-db", db); r.code != 2 {
		t.Errorf("digest without -dry-run or -send: %d %q", r.code, r.stderr)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// SIGHUP reloads the config: a valid one takes over (a new feed is
// polled), a broken one is refused and the running one goes on.
func TestRunReload(t *testing.T) {
	_, feeds := newsServer(t)
	cfg := writeConfig(t, feeds[:1], map[string]any{"max_age": "1000d"})
	db := filepath.Join(t.TempDir(), "nw.db")
	d := startDaemon(t, "-config", cfg, "-db", db)
	d.waitFor(t, "poll cycle done", 1)

	cfg2 := writeConfig(t, feeds[:2], map[string]any{"max_age": "1000d"})
	os.WriteFile(cfg, mustRead(t, cfg2), 0o644)
	d.cmd.Process.Signal(syscall.SIGHUP)
	d.waitFor(t, "config reloaded", 1)
	d.waitFor(t, "feed="+feeds[1].URL, 1) // the new feed, polled at the restart

	os.WriteFile(cfg, []byte("feeds: [\n"), 0o644)
	d.cmd.Process.Signal(syscall.SIGHUP)
	d.waitFor(t, "config reload refused", 1)
	if code := d.stop(t); code != 0 {
		t.Errorf("daemon exited %d after a refused reload:\n%s", code, d.log())
	}
	if d.count("config reloaded") != 1 {
		t.Errorf("the broken config was taken:\n%s", d.log())
	}
	if d.count("newswatch stopped") != 1 {
		t.Errorf("a reload logged a stop:\n%s", d.log())
	}
}
