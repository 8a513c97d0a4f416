package digest

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newswatch/storage"
)

// counting is the database, counting what a digest reads of it.
type counting struct {
	*storage.DB
	pages, loaded int
}

func (c *counting) Flags(after uint64, since time.Time, limit int) ([]storage.Flag, error) {
	c.pages++
	return c.DB.Flags(after, since, limit)
}

func (c *counting) MatchesByID(ids []uint64) ([]storage.Match, error) {
	c.loaded += len(ids)
	return c.DB.MatchesByID(ids)
}

// TestBuildReadsWhatFits: a digest of more matches than one page of flags
// counts them all, and reads the matches of no more articles than
// MaxBytes leaves room to list; what it renders is what reading every
// article gives.
func TestBuildReadsWhatFits(t *testing.T) {
	db := openDB(t)
	r := rand.New(rand.NewPCG(5, 6))
	const articles = flagPage + 200
	matches := 0
	for f := 0; f*1000 < articles; f++ {
		var items []storage.NewItem
		for i := f * 1000; i < min(articles, (f+1)*1000); i++ {
			it := storage.NewItem{Key: fmt.Sprint(i), Hash: 1, Article: storage.Article{
				Title: fmt.Sprintf("Story %d", i), URL: fmt.Sprintf("https://news.example/%d", i),
				// Whole minutes, so that many share a publication time.
				Published: day.Add(time.Duration(r.IntN(600)) * time.Minute),
			}}
			for _, tp := range topics[:1+r.IntN(3)] {
				it.Hits = append(it.Hits, storage.TopicHit{Topic: tp.ID, Score: 1 + r.IntN(9), Terms: []string{"truce"},
					Snippet: storage.Snippet{Text: "A truce, at last.", Marks: [][2]int{{2, 7}}}})
				matches++
			}
			items = append(items, it)
		}
		if _, err := db.SaveFeed(storage.FeedUpdate{URL: fmt.Sprintf("https://%d.example/feed", f), FeedName: "Wire",
			Polled: day.Add(time.Hour), Items: items}); err != nil {
			t.Fatal(err)
		}
	}
	if matches <= flagPage {
		t.Fatalf("%d matches: not more than a page of flags", matches)
	}
	for _, maxBytes := range []int{0, 300_000, 1 << 30} {
		o := Options{Topics: topics, Since: day, Now: day.Add(24 * time.Hour), MaxBytes: maxBytes}
		src := &counting{DB: db}
		d, err := Build(src, o)
		if err != nil {
			t.Fatal(err)
		}
		if d.Matches != matches || d.Articles != articles {
			t.Errorf("MaxBytes %d: %d matches in %d articles, want %d in %d", maxBytes, d.Matches, d.Articles, matches, articles)
		}
		if src.pages < 2 {
			t.Errorf("MaxBytes %d: flags read in %d pages", maxBytes, src.pages)
		}
		limit := maxBytes
		if limit == 0 {
			limit = DefaultMaxBytes
		}
		if size := len(d.Text) + len(d.HTML); size > limit {
			t.Errorf("MaxBytes %d: %d bytes", maxBytes, size)
		}
		switch {
		case src.loaded > limit/articleBytes():
			t.Errorf("MaxBytes %d: read %d articles' matches; at most %d can be listed", maxBytes, src.loaded, limit/articleBytes())
		case maxBytes == 300_000 && src.loaded >= articles/5:
			t.Errorf("MaxBytes %d: read %d of %d articles' matches", maxBytes, src.loaded, articles)
		case maxBytes == 1<<30 && (src.loaded != articles || strings.Contains(d.Text, "more, weaker")):
			t.Errorf("room for all: read %d of %d articles' matches", src.loaded, articles)
		}
		all, err := build(db, o, 1) // reads every article's match
		if err != nil {
			t.Fatal(err)
		}
		if all.Text != d.Text || all.HTML != d.HTML {
			t.Errorf("MaxBytes %d: the digest differs from the one that read every article", maxBytes)
		}
	}
}

// TestArticleBytes: every article a digest lists adds at least
// articleBytes to it, whatever its fields and time zone.
func TestArticleBytes(t *testing.T) {
	if articleBytes() < 200 {
		t.Fatalf("articleBytes() = %d: the templates did not render", articleBytes())
	}
	r := rand.New(rand.NewPCG(7, 8))
	word := func() string { return strings.Repeat("ab", r.IntN(3)) }
	zones := []*time.Location{time.UTC, kyiv, time.FixedZone("", 0), time.FixedZone("X", -3600)}
	var arts []Article
	size := func(n int) int {
		s := Section{Topic: topics[0], Articles: arts[:n], Total: n}
		text, html, err := render(content{Sections: []Section{s}})
		if err != nil {
			t.Fatal(err)
		}
		return len(text) + len(html)
	}
	for range 200 {
		a := Article{Title: word(), URL: word(), Outlet: word(), Score: r.IntN(3),
			Published: time.Date(2025, 1+time.Month(r.IntN(12)), 1, 0, 0, 0, 0, zones[r.IntN(len(zones))])}
		if r.IntN(2) == 0 {
			a.Snippet = storage.Snippet{Text: word() + "x", Marks: [][2]int{{0, 1}}}
		}
		if r.IntN(2) == 0 {
			a.Also = []string{word()}
		}
		arts = append(arts, a)
		if added := size(len(arts)) - size(len(arts)-1); added < articleBytes() {
			t.Fatalf("%+v adds %d bytes, under articleBytes() = %d", a, added, articleBytes())
		}
	}
}

// BenchmarkBuildLarge builds the digest of a day of 100,000 articles (about
// 133,000 matches, each article with 2 KB of text), as a first digest after
// thousands of feeds were added would be: most must be left out to fit
// DefaultMaxBytes.
func BenchmarkBuildLarge(b *testing.B) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "nw.db"), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	r := rand.New(rand.NewPCG(9, 10))
	text := strings.Repeat("Negotiators met again on a truce. ", 60)
	for f := range 100 {
		items := make([]storage.NewItem, 1000)
		for i := range items {
			n := f*1000 + i
			items[i] = storage.NewItem{Key: fmt.Sprint(n), Hash: 1, Article: storage.Article{
				Title: fmt.Sprintf("Story %d on the talks, the truce and what the envoys said", n),
				URL:   fmt.Sprintf("https://news%d.example/2025/03/04/story-%d", f, n), Text: text,
				Published: day.Add(time.Duration(r.IntN(86400)) * time.Second),
			}}
			for _, tp := range topics[:1+r.IntN(3)/2] {
				items[i].Hits = append(items[i].Hits, storage.TopicHit{Topic: tp.ID, Score: 1 + r.IntN(9), Terms: []string{"truce"},
					Snippet: storage.Snippet{Text: strings.Repeat("A sentence that holds the truce. ", 5), Marks: [][2]int{{27, 32}}}})
			}
		}
		if _, err := db.SaveFeed(storage.FeedUpdate{URL: fmt.Sprintf("https://%d.example/feed", f), FeedName: "Wire",
			Polled: day.Add(time.Hour), Items: items}); err != nil {
			b.Fatal(err)
		}
	}
	o := Options{Topics: topics, Since: day, Now: day.Add(24 * time.Hour)}
	b.ReportAllocs()
	for b.Loop() {
		d, err := Build(db, o)
		if err != nil || d.Articles != 100_000 {
			b.Fatalf("%v articles, %v", d, err)
		}
	}
}

// TestFitFindsLargest: fit lists, of each section, the most strongest
// articles that fit, for any bound: one more each would not fit.
func TestFitFindsLargest(t *testing.T) {
	db := openDB(t)
	r := rand.New(rand.NewPCG(11, 12))
	var items []storage.NewItem
	for i := range 300 {
		// Titles of very different lengths, so that sizes do not grow
		// evenly with the number listed.
		it := storage.NewItem{Key: fmt.Sprint(i), Hash: 1, Article: storage.Article{
			Title: strings.Repeat("Talks &<> ", 1+r.IntN(60)), URL: fmt.Sprintf("https://news.example/%d", i),
			Published: day.Add(time.Duration(1+r.IntN(600)) * time.Minute),
		}}
		for _, tp := range topics[:1+r.IntN(3)] {
			it.Hits = append(it.Hits, storage.TopicHit{Topic: tp.ID, Score: 1 + r.IntN(5), Terms: []string{"talks"},
				Snippet: storage.Snippet{Text: "Talks, again.", Marks: [][2]int{{0, 5}}}})
		}
		items = append(items, it)
	}
	if _, err := db.SaveFeed(storage.FeedUpdate{URL: "https://a.example/feed", FeedName: "Wire", Polled: day.Add(time.Hour), Items: items}); err != nil {
		t.Fatal(err)
	}
	order := map[string]int{}
	for i, tp := range topics {
		order[tp.ID] = i
	}
	p, err := readPeriod(db, 0, day, order)
	if err != nil {
		t.Fatal(err)
	}
	c := content{Location: time.UTC}
	l := lister{p: &p, topics: topics, loc: time.UTC}
	for i, list := range p.sections(len(topics)) {
		if len(list) > 0 {
			c.Sections = append(c.Sections, Section{Topic: topics[i], Total: len(list)})
			l.lists = append(l.lists, list)
		}
	}
	l.bound(db, 1<<30)
	if err := l.need(l.most); err != nil {
		t.Fatal(err)
	}
	size := func(k int) int {
		text, html, err := render(l.cut(c, k))
		if err != nil {
			t.Fatal(err)
		}
		return len(text) + len(html)
	}
	// What fit counts on: a digest takes the bytes of its frame and of
	// each article it lists, rendered alone.
	articles := 0
	for k := 0; k <= l.most; k++ {
		if k%10 == 0 || k == l.most {
			frame, err := l.frameSize(c, k)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := frame+articles, size(k); got != want {
				t.Fatalf("k = %d: frame %d + articles %d = %d bytes, rendered %d", k, frame, articles, got, want)
			}
		}
		rank, err := l.rankSize(k)
		if err != nil {
			t.Fatal(err)
		}
		articles += rank
	}
	full, empty := size(l.most), size(0)
	// Random bounds, and the size of each digest that lists a section's
	// last article: it also drops the section's "… and N more" line, so
	// that the frame shrinks, and the bound at its size just fits it.
	var bounds []int
	for range 15 {
		bounds = append(bounds, empty+r.IntN(full-empty))
	}
	for _, list := range l.lists {
		if n := len(list); n <= l.most {
			bounds = append(bounds, size(n))
		}
	}
	for _, maxBytes := range bounds {
		text, html, k, err := l.fit(c, maxBytes)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(text) + len(html); got != size(k) || got > maxBytes || k < l.most && size(k+1) <= maxBytes {
			t.Fatalf("MaxBytes %d: k = %d, %d bytes; k+1 takes %d", maxBytes, k, got, size(k+1))
		}
	}
	if _, _, k, _ := l.fit(c, empty-1); k != 0 {
		t.Errorf("with room for none, k = %d", k)
	}
}

// pruning is the database, pruned by the daemon between a digest's two
// passes.
type pruning struct {
	*storage.DB
	cutoff time.Time
}

func (p *pruning) MatchesByID(ids []uint64) ([]storage.Match, error) {
	if _, err := p.Prune(p.cutoff); err != nil {
		return nil, err
	}
	return p.DB.MatchesByID(ids)
}

// TestBuildWhilePruning: matches pruned after the digest counted them are
// left out of its listing, and the digest is still built.
func TestBuildWhilePruning(t *testing.T) {
	db := openDB(t)
	for i, at := range []time.Duration{1, 1, 1, 3, 3} {
		save(t, db, "https://a.example/feed", fmt.Sprint(i), fmt.Sprintf("Talks %d", i), day.Add(at*time.Hour), hit{"ceasefire", 1})
	}
	d, err := Build(&pruning{DB: db, cutoff: day.Add(2 * time.Hour)}, Options{Topics: topics, Since: day, Now: day.Add(24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if d.Matches != 5 || strings.Contains(d.Text, "* Talks 0") || !strings.Contains(d.Text, "* Talks 3") || !strings.Contains(d.Text, "* Talks 4") {
		t.Errorf("%d matches:\n%s", d.Matches, d.Text)
	}
}
