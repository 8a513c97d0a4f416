package digest

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"newswatch/storage"
)

var (
	kyiv, _ = time.LoadLocation("Europe/Kyiv")
	day     = time.Date(2025, 3, 4, 6, 0, 0, 0, time.UTC)
	topics  = []Topic{{ID: "ceasefire", Name: "Ceasefire talks"}, {ID: "sanctions", Name: "Sanctions on Russia"}, {ID: "nuclear", Name: "Nuclear threats"}}
)

func openDB(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "nw.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

type hit struct {
	topic string
	score int
}

func save(t *testing.T, db *storage.DB, feed, key, title string, polled time.Time, hits ...hit) {
	t.Helper()
	it := storage.NewItem{Key: key, Hash: 1, Article: storage.Article{
		Title: title, URL: "https://news.example/" + key, Published: polled.Add(-time.Hour),
	}}
	for _, h := range hits {
		it.Hits = append(it.Hits, storage.TopicHit{Topic: h.topic, Score: h.score, Terms: []string{"truce"},
			Snippet: storage.Snippet{Text: "A truce <b>now</b> & later", Marks: [][2]int{{2, 7}}}})
	}
	if _, err := db.SaveFeed(storage.FeedUpdate{URL: feed, FeedName: "Wire & Co", Polled: polled, Items: []storage.NewItem{it}}); err != nil {
		t.Fatal(err)
	}
}

func TestBuild(t *testing.T) {
	db := openDB(t)
	// The week before: 7 ceasefire matches, one a day.
	for i := range 7 {
		save(t, db, "https://a.example/feed", "old"+string(rune('a'+i)), "old", day.Add(-time.Duration(i+1)*24*time.Hour+time.Hour), hit{"ceasefire", 1})
	}
	before, _ := db.Flagged(0, time.Time{}, 0)
	watermark := before[len(before)-1].ID

	save(t, db, "https://a.example/feed", "a1", "Truce talks in Riyadh", day.Add(2*time.Hour), hit{"ceasefire", 3})
	save(t, db, "https://a.example/feed", "a2", "x\r\nBcc: victim@example.org <script>alert(1)</script>", day.Add(3*time.Hour),
		hit{"ceasefire", 1}, hit{"sanctions", 4})
	save(t, db, "https://b.example/feed", "b1", "Oil price cap", day.Add(4*time.Hour), hit{"sanctions", 2})
	// A failing feed.
	db.SaveFeed(storage.FeedUpdate{URL: "https://c.example/feed", Polled: day.Add(5 * time.Hour), Err: "HTTP 503"})

	d, err := Build(db, Options{Topics: topics, After: watermark, Since: day, Now: day.Add(24 * time.Hour), Location: kyiv,
		Feeds: []string{"https://a.example/feed", "https://b.example/feed", "https://c.example/feed", "https://d.example/never"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := "newswatch: 4 new matches in 2 topics — 2025-03-05"; d.Subject != want {
		t.Errorf("subject = %q, want %q", d.Subject, want)
	}
	if d.Matches != 4 || d.Articles != 3 || d.Topics != 2 || d.Empty() {
		t.Errorf("counts: %+v", d)
	}
	all, _ := db.Flagged(0, time.Time{}, 0)
	if d.UpTo != all[len(all)-1].ID {
		t.Errorf("UpTo = %d, want the last match %d", d.UpTo, all[len(all)-1].ID)
	}

	text := d.Text
	for _, want := range []string{
		"4 new matches in 3 articles; 3 of 4 feeds polled; 1 failing.",
		"Ceasefire talks                              2   +100% (1.0/day)",
		"Sanctions on Russia                          2   new (0.0/day)",
		"Nuclear threats                              0   no change (0.0/day)",
		"== Ceasefire talks (1)\n\n* Truce talks in Riyadh\n  Wire & Co · 2025-03-04 09:00 EET\n  A *truce* <b>now</b> & later\n  https://news.example/a1",
		"== Sanctions on Russia (2)",
		"· also: Ceasefire talks", // the two-topic article, once, under its strongest topic
		"https://c.example/feed: HTTP 503",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
	if strings.Count(text, "Bcc: victim") != 1 {
		t.Errorf("the two-topic article is not listed exactly once:\n%s", text)
	}

	html := d.HTML
	for _, want := range []string{
		`<a href="https://news.example/a1" rel="noopener noreferrer"`,
		`A <strong>truce</strong> &lt;b&gt;now&lt;/b&gt; &amp; later`,
		`x Bcc: victim@example.org &lt;script&gt;alert(1)&lt;/script&gt;`,
		`Wire &amp; Co · 2025-03-04 09:00 EET`,
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<b>now", "src=", "http://"} {
		if strings.Contains(html, bad) {
			t.Errorf("HTML contains %q", bad)
		}
	}

	// Everything sent: the next digest is a heartbeat.
	next, err := Build(db, Options{Topics: topics, After: d.UpTo, Since: day.Add(24 * time.Hour), Now: day.Add(48 * time.Hour), Location: kyiv,
		Feeds: []string{"https://a.example/feed"}})
	if err != nil {
		t.Fatal(err)
	}
	if !next.Empty() || next.Subject != "newswatch: 0 new matches — 2025-03-06" || !strings.Contains(next.Text, "0 new matches; 0 of 1 feeds polled; 0 failing.") {
		t.Errorf("heartbeat: %q\n%s", next.Subject, next.Text)
	}
}

// A recipient who follows some topics gets only their matches.
func TestBuildTopicSubset(t *testing.T) {
	db := openDB(t)
	save(t, db, "https://a.example/feed", "a1", "Both", day.Add(time.Hour), hit{"ceasefire", 3}, hit{"sanctions", 4})
	d, err := Build(db, Options{Topics: topics[:1], Since: day, Now: day.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Matches != 1 || !strings.Contains(d.Text, "== Ceasefire talks (1)") || strings.Contains(d.Text, "Sanctions") {
		t.Errorf("subset digest:\n%s", d.Text)
	}
}

func TestHeaderValue(t *testing.T) {
	for in, want := range map[string]string{
		"x\r\nBcc: a@b":     "x  Bcc: a@b",
		"plain":             "plain",
		"tab\tand\u2028sep": "tab and sep",
	} {
		if got := HeaderValue(in); got != want {
			t.Errorf("HeaderValue(%q) = %q, want %q", in, got, want)
		}
	}
}
