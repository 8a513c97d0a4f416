package feeds

import (
	"strings"
	"time"

	"github.com/mmcdole/gofeed/rss"
)

// quickLayouts are the first layouts gofeed's date parser tries, in its
// order: RSS's and Atom's usual ones among them.
var quickLayouts = []string{time.RFC822Z, time.RFC3339, time.RubyDate, time.RFC1123Z}

// quickDate parses a date, in UTC, as gofeed's date parser does when one
// of quickLayouts reads it, the usual case; known is false otherwise (and
// for an empty date, which gofeed leaves unparsed too, d is nil).
func quickDate(s string) (d *time.Time, known bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	// Each layout opens with a number (RFC 822, RFC 3339) or a day's name
	// (Ruby's, RFC 1123): only those that open as s does can read it, and
	// a layout that fails costs an error's allocations.
	layouts := quickLayouts[:2]
	if c := s[0]; 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' {
		layouts = quickLayouts[2:]
	}
	for _, layout := range layouts {
		if t, err := time.Parse(layout, s); err == nil {
			t = t.UTC()
			return &t, true
		}
	}
	return nil, false
}

// datesFromGofeed has gofeed's RSS parser read the dates quickDate could
// not, all in one small feed of its own, since gofeed tries about a
// hundred layouts and keeps them to itself.
func (r *rssReader) datesFromGofeed() bool {
	if len(r.dates) == 0 {
		return true
	}
	var b strings.Builder
	b.WriteString("<rss><channel>")
	for _, d := range r.dates {
		b.WriteString("<item><pubDate>")
		b.WriteString(escapeXMLText(d))
		b.WriteString("</pubDate></item>")
	}
	b.WriteString("</channel></rss>")
	f, err := new(rss.Parser).Parse(strings.NewReader(b.String()))
	if err != nil || len(f.Items) != len(r.undated) {
		return false
	}
	for i, it := range r.undated {
		it.PublishedParsed = f.Items[i].PubDateParsed
	}
	return true
}

// escapeXMLText escapes the three characters text may not hold as they are.
var escapeXMLText = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
