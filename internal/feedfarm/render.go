package feedfarm

import (
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"strings"
	"time"

	"newswatch/internal/corpus"
)

// Format is a feed's syntax.
type Format int

// The formats, given to feeds in turn.
const (
	RSS Format = iota
	Atom
	JSONFeed
)

func (f Format) ext() string {
	return [...]string{"xml", "atom", "json"}[f]
}

func (f Format) contentType() string {
	return [...]string{"application/rss+xml; charset=utf-8", "application/atom+xml; charset=utf-8", "application/feed+json; charset=utf-8"}[f]
}

// feed is one feed of the farm. Its items are the sequence numbers
// [first, first+count), newest (highest) first.
type feed struct {
	id, host int
	format   Format
	fail     int
	count    int
	initial  int // count at generation 0: items below it predate Base
	first    int
	interval time.Duration // between the items that predate Base

	full, validators, changing, slow bool

	body     []byte
	etag     string
	modified time.Time
}

// item is one rendered entry.
type item struct {
	guid, link, title, summary, content string
	published                           time.Time
}

// item builds entry seq of the feed from the corpus, deterministically.
func (f *Farm) item(fd *feed, seq int) item {
	r := rand.New(rand.NewPCG(f.cfg.Seed^uint64(fd.id)<<20, uint64(seq)))
	src := f.corpus[r.IntN(len(f.corpus))]
	it := item{
		guid:    fmt.Sprintf("farm-%d-%d-%d", f.cfg.Seed, fd.id, seq),
		link:    fmt.Sprintf("https://news%d.farm.example/%d/%d", fd.host, fd.id, seq),
		title:   src.Title,
		summary: src.Description,
	}
	if seq < fd.initial {
		it.published = f.cfg.Base.Add(-time.Duration(fd.initial-seq) * fd.interval)
	} else {
		it.published = f.cfg.Base.Add(time.Duration(seq-fd.initial+1) * time.Minute)
	}
	if fd.full {
		// Full text: the summary, then three to six other stories'
		// paragraphs, as a long article would run on.
		var b strings.Builder
		b.WriteString("<p>" + html.EscapeString(src.Description) + "</p>")
		for range 3 + r.IntN(4) {
			b.WriteString("<p>" + html.EscapeString(f.corpus[r.IntN(len(f.corpus))].Description) + "</p>")
		}
		it.content = b.String()
	}
	return it
}

// render builds the feed's body and validators for its current items.
func (f *Farm) render(fd *feed) {
	items := make([]item, 0, fd.count)
	for seq := fd.first + fd.count - 1; seq >= fd.first; seq-- {
		items = append(items, f.item(fd, seq))
	}
	fd.modified = f.cfg.Base.Add(time.Duration(f.gen) * 15 * time.Minute)
	fd.etag = fmt.Sprintf(`"%d-%d-%d"`, f.cfg.Seed, fd.id, fd.first)
	title := fmt.Sprintf("Farm feed %d", fd.id)
	home := fmt.Sprintf("https://news%d.farm.example/", fd.host)
	switch fd.format {
	case RSS:
		fd.body = renderRSS(title, home, items)
	case Atom:
		fd.body = renderAtom(title, home, fd.modified, items)
	default:
		fd.body = renderJSON(title, home, items)
	}
}

func renderRSS(title, home string, items []item) []byte {
	entries := make([]corpus.RSSEntry, len(items))
	for i, it := range items {
		entries[i] = corpus.RSSEntry{Title: it.title, Link: it.link, Description: it.summary, Content: it.content, GUID: it.guid, Published: it.published}
	}
	return corpus.WriteRSS(title, home, entries)
}

func renderAtom(title, home string, updated time.Time, items []item) []byte {
	entries := make([]corpus.AtomEntry, len(items))
	for i, it := range items {
		entries[i] = corpus.AtomEntry{Title: it.title, ID: "urn:" + it.guid, Link: it.link, Summary: it.summary, Content: it.content, Published: it.published}
	}
	return corpus.WriteAtom(title, home, updated, entries)
}

func renderJSON(title, home string, items []item) []byte {
	type entry struct {
		ID        string `json:"id"`
		URL       string `json:"url"`
		Title     string `json:"title"`
		Summary   string `json:"summary"`
		Content   string `json:"content_html,omitempty"`
		Text      string `json:"content_text,omitempty"`
		Published string `json:"date_published"`
	}
	doc := struct {
		Version string  `json:"version"`
		Title   string  `json:"title"`
		Home    string  `json:"home_page_url"`
		Items   []entry `json:"items"`
	}{"https://jsonfeed.org/version/1.1", title, home, nil}
	for _, it := range items {
		e := entry{ID: it.guid, URL: it.link, Title: it.title, Summary: it.summary, Content: it.content, Published: it.published.Format(time.RFC3339)}
		if it.content == "" {
			e.Text = it.summary // an item needs content_html or content_text
		}
		doc.Items = append(doc.Items, e)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		panic(err) // strings and slices of them always marshal
	}
	return b
}
