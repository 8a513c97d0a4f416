package digest

import (
	"fmt"
	"path/filepath"
	"sort"
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
	before, _ := db.Flags(0, time.Time{}, 0)
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
	all, _ := db.Flags(0, time.Time{}, 0)
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

// TestBuildFitsMaxBytes: a digest over MaxBytes lists in each topic its
// strongest articles, as many as fit, newest first, and says how many
// more there are; its counts stay whole. With room for none, it lists none.
func TestBuildFitsMaxBytes(t *testing.T) {
	db := openDB(t)
	for i := range 40 {
		// Scores 1 to 40, published in another order.
		save(t, db, "https://a.example/feed", fmt.Sprintf("c%02d", i), fmt.Sprintf("Talks %02d", i), day.Add(time.Duration((i*7)%40)*time.Minute+time.Hour), hit{"ceasefire", i + 1})
	}
	save(t, db, "https://b.example/feed", "s1", "Oil price cap", day.Add(2*time.Hour), hit{"sanctions", 2})
	o := Options{Topics: topics, Since: day, Now: day.Add(24 * time.Hour), Feeds: []string{"https://a.example/feed", "https://b.example/feed"}}
	whole, err := Build(db, o)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(whole.Text, "more, weaker") {
		t.Fatalf("a digest within MaxBytes says it left articles out:\n%s", whole.Text)
	}
	o.MaxBytes = (len(whole.Text) + len(whole.HTML)) / 2
	d, err := Build(db, o)
	if err != nil {
		t.Fatal(err)
	}
	if size := len(d.Text) + len(d.HTML); size > o.MaxBytes {
		t.Errorf("%d bytes, over MaxBytes %d", size, o.MaxBytes)
	}
	if d.Matches != 41 || d.Articles != 41 || d.Subject != whole.Subject {
		t.Errorf("counts of the cut digest: %+v, want those of the whole one", d)
	}
	// The listed ceasefire articles: the strongest, newest first.
	var listed []string
	for _, line := range strings.Split(d.Text, "\n") {
		if title, ok := strings.CutPrefix(line, "* Talks "); ok {
			listed = append(listed, title)
		}
	}
	n := len(listed)
	if n == 0 || n >= 40 {
		t.Fatalf("%d of 40 ceasefire articles listed:\n%s", n, d.Text)
	}
	for _, title := range listed {
		var i int
		fmt.Sscanf(title, "%d", &i)
		if i < 40-n {
			t.Errorf("article %02d (score %d) listed among the %d strongest", i, i+1, n)
		}
	}
	for _, want := range []string{"== Ceasefire talks (40)", fmt.Sprintf("… and %d more, weaker matches of this topic", 40-n), "* Oil price cap"} {
		if !strings.Contains(d.Text, want) {
			t.Errorf("text lacks %q:\n%s", want, d.Text)
		}
	}
	if !strings.Contains(d.HTML, fmt.Sprintf("… and %d more, weaker matches", 40-n)) || !strings.Contains(d.HTML, "(40)</span>") {
		t.Errorf("HTML lacks the count of articles left out")
	}
	if !sort.SliceIsSorted(listed, func(a, b int) bool { return minutes(listed[a]) > minutes(listed[b]) }) {
		t.Errorf("listed articles not newest first: %v", listed)
	}

	o.MaxBytes = 1
	d, err = Build(db, o)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(d.Text, "* ") || !strings.Contains(d.Text, "… and 40 more") || !strings.Contains(d.Text, "… and 1 more") {
		t.Errorf("with room for no article:\n%s", d.Text)
	}
}

// minutes is when the test's article with this title number was published,
// in minutes after the hour.
func minutes(title string) int {
	var i int
	fmt.Sscanf(title, "%d", &i)
	return (i * 7) % 40
}
