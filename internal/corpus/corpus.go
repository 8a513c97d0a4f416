// Package corpus reads the shared test corpora (../shared/corpus, beside
// the repository) and serves the labelled news items as RSS, for tests,
// benchmarks and load tools. Nothing in the daemon imports it.
package corpus

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Dir finds the shared corpus: $NEWSWATCH_CORPUS if set, else the first
// "shared/corpus" found beside the module root or one of its parents.
func Dir() (string, error) {
	if d := os.Getenv("NEWSWATCH_CORPUS"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		for _, c := range []string{filepath.Join(d, "shared", "corpus"), filepath.Join(d, "..", "shared", "corpus")} {
			if fi, err := os.Stat(filepath.Join(c, "TOPICS.md")); err == nil && !fi.IsDir() {
				return filepath.Clean(c), nil
			}
		}
		if filepath.Dir(d) == d {
			return "", errors.New("shared/corpus not found beside the repository (set NEWSWATCH_CORPUS)")
		}
	}
}

// NewsItem is one labelled item of news-2025.
type NewsItem struct {
	ID          string    `json:"id"`
	Feed        string    `json:"feed"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Link        string    `json:"link"`
	Published   time.Time `json:"published"`
	Language    string    `json:"language"`
	Topics      []string  `json:"topics"`
}

// News returns every hand-labelled item of news-2025, from the corpus Dir
// finds.
func News() ([]NewsItem, error) {
	dir, err := Dir()
	if err != nil {
		return nil, err
	}
	return LoadNews(dir, "items-*.jsonl")
}

// LoadNews reads the items of news-2025 files matching pattern (such as
// "items-*.jsonl") in the corpus directory dir.
func LoadNews(dir, pattern string) ([]NewsItem, error) {
	files, err := filepath.Glob(filepath.Join(dir, "news-2025", pattern))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no news-2025 files match %s in %s", pattern, dir)
	}
	sort.Strings(files)
	var out []NewsItem
	for _, f := range files {
		items, err := readJSONL(f)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

func readJSONL(path string) ([]NewsItem, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []NewsItem
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for line := 1; sc.Scan(); line++ {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var it NewsItem
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, it)
	}
	return out, sc.Err()
}

// ByFeed groups items by their feed URL, in order of first appearance.
func ByFeed(items []NewsItem) (feeds []string, groups map[string][]NewsItem) {
	groups = map[string][]NewsItem{}
	for _, it := range items {
		if _, ok := groups[it.Feed]; !ok {
			feeds = append(feeds, it.Feed)
		}
		groups[it.Feed] = append(groups[it.Feed], it)
	}
	return feeds, groups
}

// RSS writes items as an RSS 2.0 document, each with its ID as GUID.
func RSS(title, link string, items []NewsItem) []byte {
	entries := make([]RSSEntry, len(items))
	for i, it := range items {
		entries[i] = RSSEntry{Title: it.Title, Link: it.Link, Description: it.Description, GUID: it.ID, Published: it.Published}
	}
	return WriteRSS(title, link, entries)
}

// RSSEntry is an item of an RSS document that WriteRSS writes.
type RSSEntry struct {
	Title, Link, Description string
	// Content, when set, is the full text, in content:encoded.
	Content   string
	GUID      string // not a permalink
	Published time.Time
}

// WriteRSS writes an RSS 2.0 document (compact XML) of the entries, for
// the loopback feeds of tests and load tools.
func WriteRSS(title, link string, entries []RSSEntry) []byte {
	type guid struct {
		IsPermaLink string `xml:"isPermaLink,attr"`
		Value       string `xml:",chardata"`
	}
	type item struct {
		Title       string `xml:"title"`
		Link        string `xml:"link"`
		Description string `xml:"description"`
		Content     string `xml:"content:encoded,omitempty"`
		GUID        guid   `xml:"guid"`
		PubDate     string `xml:"pubDate"`
	}
	type channel struct {
		Title string `xml:"title"`
		Link  string `xml:"link"`
		Desc  string `xml:"description"`
		Items []item `xml:"item"`
	}
	type rss struct {
		XMLName   xml.Name `xml:"rss"`
		Version   string   `xml:"version,attr"`
		ContentNS string   `xml:"xmlns:content,attr"`
		Channel   channel  `xml:"channel"`
	}
	doc := rss{Version: "2.0", ContentNS: "http://purl.org/rss/1.0/modules/content/", Channel: channel{Title: title, Link: link, Desc: title}}
	for _, e := range entries {
		doc.Channel.Items = append(doc.Channel.Items, item{
			Title: e.Title, Link: e.Link, Description: e.Description, Content: e.Content,
			GUID: guid{IsPermaLink: "false", Value: e.GUID}, PubDate: e.Published.Format(time.RFC1123Z),
		})
	}
	out, err := xml.Marshal(doc)
	if err != nil {
		panic(err) // only strings: cannot fail
	}
	return append([]byte(xml.Header), out...)
}

// AtomEntry is an entry of an Atom document that WriteAtom writes.
type AtomEntry struct {
	Title, ID, Link string
	// Summary is plain text; Content, when set, is HTML.
	Summary, Content string
	// Published is also the entry's updated date.
	Published time.Time
}

// WriteAtom writes an Atom 1.0 document (compact XML) of the entries, for
// the loopback feeds of tests and load tools.
func WriteAtom(title, link string, updated time.Time, entries []AtomEntry) []byte {
	type href struct {
		Href string `xml:"href,attr"`
	}
	type text struct {
		Type  string `xml:"type,attr"`
		Value string `xml:",chardata"`
	}
	type entry struct {
		Title     string `xml:"title"`
		ID        string `xml:"id"`
		Link      href   `xml:"link"`
		Published string `xml:"published"`
		Updated   string `xml:"updated"`
		Summary   text   `xml:"summary"`
		Content   *text  `xml:"content,omitempty"`
	}
	type feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		Title   string   `xml:"title"`
		ID      string   `xml:"id"`
		Link    href     `xml:"link"`
		Updated string   `xml:"updated"`
		Entries []entry  `xml:"entry"`
	}
	doc := feed{Title: title, ID: link, Link: href{link}, Updated: updated.Format(time.RFC3339)}
	for _, e := range entries {
		de := entry{
			Title: e.Title, ID: e.ID, Link: href{e.Link},
			Published: e.Published.Format(time.RFC3339), Updated: e.Published.Format(time.RFC3339),
			Summary: text{"text", e.Summary},
		}
		if e.Content != "" {
			de.Content = &text{"html", e.Content}
		}
		doc.Entries = append(doc.Entries, de)
	}
	out, err := xml.Marshal(doc)
	if err != nil {
		panic(err) // only strings: cannot fail
	}
	return append([]byte(xml.Header), out...)
}
