package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"newswatch/feeds"
	"newswatch/internal/config"
	"newswatch/internal/corpus"
	"newswatch/internal/feedfarm"
	"newswatch/match"
	"newswatch/storage"
)

// crashFarm is a loopback feed farm whose every served body is remembered
// by ETag, so that a feed's stored ETag tells exactly which items a
// finished poll of it acknowledged.
type crashFarm struct {
	*feedfarm.Farm
	urls   []string          // every address a feed is polled under
	feed   []int             // the farm's feed behind each of urls
	bodies map[string][]byte // url + " " + etag → body
}

// remember records what every address serves now, under its ETag.
func (c *crashFarm) remember() {
	for i, u := range c.urls {
		body, _ := c.Body(c.feed[i])
		c.bodies[u+" "+c.ETag(c.feed[i])] = body
	}
}

// TestKill9 runs newswatch against a loopback feed farm and kills it with
// SIGKILL at random moments, over and over: "newswatch poll" mostly, and
// every fourth time the daemon ("newswatch run", which polls the due feeds
// at start-up and sends a missed digest). The farm moves on every third
// time. After every kill the database must pass bbolt's consistency check,
// every item of every body a stored ETag acknowledges must be stored, each
// article once, each of its matches once, and no digest period may be in
// the outbox twice. At the end a clean poll stores everything the farm
// serves, the daemon stops on SIGTERM within its grace time, and every
// match the digest watermark counts as sent is in an outbox digest.
//
// NEWSWATCH_KILL_ITERATIONS sets the number of kills (default 50) and
// NEWSWATCH_KILL_SEED the seed of their timing (default: the clock; the
// test logs it, so that a failure can be replayed).
func TestKill9(t *testing.T) {
	iterations := 50
	if v, err := strconv.Atoi(os.Getenv("NEWSWATCH_KILL_ITERATIONS")); err == nil && v > 0 {
		iterations = v
	}
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("NEWSWATCH_KILL_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("%d kills, NEWSWATCH_KILL_SEED=%d", iterations, seed)
	r := rand.New(rand.NewPCG(seed, 1))

	items, err := corpus.News()
	if err != nil {
		t.Fatal(err)
	}
	ff, err := feedfarm.New(feedfarm.Config{Feeds: 40, Hosts: 5, Seed: 11, MinItems: 20, MaxItems: 60,
		Failing: -1, NoValidators: -1, Changing: 0.5, Slow: 0.25, SlowDelay: 60 * time.Millisecond}, items)
	if err != nil {
		t.Fatal(err)
	}
	if err := ff.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ff.Close)
	farm := &crashFarm{Farm: ff, urls: ff.URLs(), bodies: map[string][]byte{}}
	for i := range farm.urls {
		farm.feed = append(farm.feed, i)
	}
	farm.remember()

	work := t.TempDir()
	cfgPath, outbox := crashConfig(t, work, farm.urls)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.Compile(cfg.MatchTopics())
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(work, "nw.db")

	killed := 0 // runs the kill interrupted, rather than found finished
	// Kills land within the time a poll takes here: the last poll that
	// finished before its kill sets the range, so that a faster machine
	// still kills most runs in flight.
	span := 500 * time.Millisecond
	for i := range iterations {
		if i%3 == 2 {
			farm.Advance()
			farm.remember()
		}
		args := []string{"poll", "-config", cfgPath, "-db", db}
		if i%4 == 3 {
			args = []string{"run", "-config", cfgPath, "-db", db}
		}
		cmd := exec.Command(binary, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan time.Duration, 1)
		go func() { // ends with the process, which is killed below at the latest
			cmd.Wait()
			exited <- time.Since(start)
		}()
		wait := 10*time.Millisecond + time.Duration(r.Int64N(int64(span)))
		select {
		case <-time.After(wait):
			cmd.Process.Signal(syscall.SIGKILL)
			<-exited
			if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				killed++
			}
		case took := <-exited:
			span = max(20*time.Millisecond, took*9/10) // it finished first: aim earlier
		}
		if strings.Contains(stderr.String(), "panic") {
			t.Fatalf("kill %d (%s after %s): the process panicked:\n%s", i, args[0], wait, stderr.String())
		}
		if !checkAfterCrash(t, fmt.Sprintf("kill %d (%s after %s)", i, args[0], wait), db, outbox, farm, m) {
			return
		}
	}

	t.Logf("%d of %d runs killed in flight, the others finished first", killed, iterations)
	if killed < iterations/2 {
		t.Errorf("only %d of %d runs were killed in flight: the kills test little", killed, iterations)
	}

	// A clean poll takes in all the farm serves now.
	if res := newswatch(t, "poll", "-config", cfgPath, "-db", db); res.code != 0 {
		t.Fatalf("clean poll: %d %s", res.code, res.stderr)
	}
	checkAfterCrash(t, "after a clean poll", db, outbox, farm, m)
	sdb := openStore(t, db)
	for i, u := range farm.urls {
		if st, err := sdb.FeedState(u); err != nil || st.ETag != farm.ETag(i) {
			t.Errorf("%s: stored ETag %q after a clean poll, the farm serves %q (%v)", u, st.ETag, farm.ETag(i), err)
		}
	}
	sdb.Close()

	// The daemon stops on SIGTERM within its grace time, mid-poll. The
	// feeds it polls are the farm's under new addresses, never polled so
	// due at once; their articles are the ones stored already, which
	// must not be stored again.
	n := len(farm.urls)
	for i := range n {
		farm.urls = append(farm.urls, farm.urls[i]+"?copy=1")
		farm.feed = append(farm.feed, i)
	}
	farm.Advance()
	farm.remember()
	cfgPath, _ = crashConfig(t, work, farm.urls[n:])
	d := startDaemon(t, "-config", cfgPath, "-db", db, "-grace", "2s")
	d.waitFor(t, "poll feed", 1)
	start := time.Now()
	if code := d.stop(t); code != 0 {
		t.Errorf("daemon exit code %d after SIGTERM:\n%s", code, d.log())
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("daemon took %s to stop on SIGTERM, with a grace of 2s", took)
	}
	checkAfterCrash(t, "after SIGTERM", db, outbox, farm, m)
	checkDigestsSent(t, db, outbox)
}

// crashConfig writes the farm's config: the shipped topics, a digest every
// minute into an outbox, and a small worker pool so that polls take long
// enough to be killed in the middle.
func crashConfig(t *testing.T, dir string, urls []string) (path, outbox string) {
	shipped, err := config.Load(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var fs []config.Feed
	for i, u := range urls {
		fs = append(fs, config.Feed{URL: u, Name: fmt.Sprintf("farm %d", i)})
	}
	outbox = filepath.Join(dir, "outbox")
	doc := map[string]any{
		"feeds": fs, "topics": shipped.Topics,
		"poll":      map[string]any{"workers": 3, "per_host": 1},
		"digest":    map[string]any{"schedule": "* * * * *", "to": []string{"analyst@example.org"}, "outbox": outbox},
		"dashboard": map[string]string{"listen": "127.0.0.1:0"},
	}
	b, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path = filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path, outbox
}

func openStore(t *testing.T, path string) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, 5*time.Second)
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	return db
}

// checkAfterCrash checks the database and the outbox as a kill left them,
// and reports whether all held.
func checkAfterCrash(t *testing.T, when, path, outbox string, farm *crashFarm, m *match.Matcher) bool {
	t.Helper()
	if _, err := os.Stat(path); os.IsNotExist(err) {
		return true // killed before it created the database
	}
	ok := true
	fail := func(format string, args ...any) {
		t.Errorf(when+": "+format, args...)
		ok = false
	}
	if !bboltCheck(t, when, path) {
		return false
	}

	db := openStore(t, path)
	defer db.Close()
	ms, err := db.Matches(storage.Query{})
	if err != nil {
		fail("matches: %v", err)
		return false
	}
	type pair struct{ url, topic string }
	matched := map[pair]int{}
	articleOf := map[string]uint64{}
	for _, x := range ms {
		matched[pair{x.Article.URL, x.Topic}]++
		if id, seen := articleOf[x.Article.URL]; seen && id != x.Article.ID {
			fail("article %s stored twice (ids %d and %d)", x.Article.URL, id, x.Article.ID)
		}
		articleOf[x.Article.URL] = x.Article.ID
	}
	for p, n := range matched {
		if n > 1 {
			fail("%s flagged %d times for %s", p.url, n, p.topic)
		}
	}
	now := time.Now()
	for _, u := range farm.urls {
		st, err := db.FeedState(u)
		if err != nil {
			fail("feed state %s: %v", u, err)
			continue
		}
		if st.ETag == "" {
			continue // no poll of it finished yet
		}
		body, known := farm.bodies[u+" "+st.ETag]
		if !known {
			fail("%s: stored ETag %q was never served", u, st.ETag)
			continue
		}
		f, err := feeds.Parse(body, u, now)
		if err != nil {
			fail("%s: %v", u, err)
			continue
		}
		keys := make([]string, len(f.Items))
		for i, it := range f.Items {
			keys[i] = it.Key
		}
		seen, err := db.Seen(u, keys)
		if err != nil {
			fail("seen %s: %v", u, err)
			continue
		}
		for i, it := range f.Items {
			if !seen[i].Seen {
				fail("%s: ETag %s acknowledged, yet item %s is not stored", u, st.ETag, it.Key)
			}
			for _, h := range m.Match(match.Document{Title: it.Title, Text: it.Text}) {
				if matched[pair{it.URL, h.Topic}] != 1 {
					fail("%s: ETag %s acknowledged, yet %s is not flagged for %s", u, st.ETag, it.URL, h.Topic)
				}
			}
		}
	}
	for period, files := range outboxPeriods(t, outbox) {
		if len(files) > 1 {
			fail("the digest of %s is in the outbox %d times: %v", period, len(files), files)
		}
	}
	return ok
}

var periodInName = regexp.MustCompile(`digest\.(\d+)\.`)

// outboxPeriods groups the outbox's digests by period.
func outboxPeriods(t *testing.T, outbox string) map[time.Time][]string {
	files, err := filepath.Glob(filepath.Join(outbox, "*.eml"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[time.Time][]string{}
	for _, f := range files {
		m := periodInName.FindStringSubmatch(filepath.Base(f))
		if m == nil {
			t.Fatalf("outbox file %s names no period", f)
		}
		sec, _ := strconv.ParseInt(m[1], 10, 64)
		out[time.Unix(sec, 0)] = append(out[time.Unix(sec, 0)], f)
	}
	return out
}

// checkDigestsSent checks that every match up to the digest watermark is
// in a digest of the outbox: nothing counted as sent was lost.
func checkDigestsSent(t *testing.T, path, outbox string) {
	db := openStore(t, path)
	defer db.Close()
	st, err := db.DigestState("analyst@example.org")
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	for _, files := range outboxPeriods(t, outbox) {
		for _, f := range files {
			text.WriteString(emlText(t, f))
		}
	}
	ms, err := db.Matches(storage.Query{})
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, x := range ms {
		if x.ID > st.UpTo {
			continue
		}
		sent++
		if !strings.Contains(text.String(), x.Article.URL) {
			t.Errorf("match %d (%s, %s) is under the watermark %d but in no digest", x.ID, x.Article.URL, x.Topic, st.UpTo)
		}
	}
	if sent == 0 {
		t.Errorf("no digest was sent in the whole run (watermark %d, %d matches)", st.UpTo, len(ms))
	}
	t.Logf("%d matches, %d of them under the digest watermark; %d digests in the outbox", len(ms), sent, len(outboxPeriods(t, outbox)))
}

// emlText returns the decoded text of every part of a message.
func emlText(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msg, err := mail.ReadMessage(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("%s: content type %q: %v", path, mt, err)
	}
	var out strings.Builder
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var r io.Reader = p
		switch strings.ToLower(p.Header.Get("Content-Transfer-Encoding")) {
		case "quoted-printable":
			r = quotedprintable.NewReader(p)
		case "base64":
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out.Write(b)
	}
	return out.String()
}
