package feeds

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
)

// fastRSS reads an RSS 2.0 body, in UTF-8, into the parts of gofeed's
// feed that newswatch uses (the feed's title and link; each item's title,
// description, content, links, GUID and publication date) and its <ttl>,
// giving what gofeed's RSS parser and leanRSS give, at several times the
// speed (BenchmarkParseFarm, BENCHMARKS.md). ok is false when the body
// holds anything outside what it knows to give the same (see xmlScanner,
// extension and item); decode then hands it to gofeed.
// TestFastRSSAgreesWithGofeed and FuzzFastRSS hold it to gofeed.
//
// gofeed reads XML a token at a time through encoding/xml, which copies
// every byte through a buffer: over the farm's RSS and Atom feeds, 37% of
// a cold poll cycle's CPU.
func fastRSS(body []byte) (gf *gofeed.Feed, ttl time.Duration, ok bool) {
	s, root, ok := openRoot(body, "rss")
	if !ok {
		return nil, 0, false
	}
	r := rssReader{s: s, ns: map[string]string{}}
	if !r.rootNamespaces(root.attrs) {
		return nil, 0, false
	}
	var channels int
	ok = s.children(root, func(c tag) bool {
		if len(c.prefix) > 0 {
			_, ok := r.extension(c) // a channel in RSS's namespace under a prefix gives up
			return ok && r.s.skip(c)
		}
		if !keepsNamespace(c) {
			return false
		}
		switch strings.ToLower(string(c.local)) {
		case "channel":
			channels++
			return channels == 1 && r.channel(c)
		case "item":
			return false // an RSS 0.9 layout
		}
		return r.s.skip(c)
	})
	if !ok || channels != 1 || !r.datesFromGofeed() {
		return nil, 0, false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(r.ttl)); err == nil && n > 0 {
		ttl = time.Duration(n) * time.Minute
	}
	return r.feed, ttl, true
}

// rssReader holds fastRSS's state.
type rssReader struct {
	s    *xmlScanner
	ns   map[string]string // prefix → namespace, as declared on <rss>
	feed *gofeed.Feed
	ttl  string
	// undated are the items whose <pubDate> only gofeed's list of
	// layouts may read, and the dates.
	undated []*gofeed.Item
	dates   []string
}

// The namespaces whose elements gofeed's RSS translator reads for the
// fields newswatch uses, by gofeed's prefix for them.
var rssKnownNS = map[string]string{
	"http://www.w3.org/2005/Atom":                "atom",
	"http://purl.org/atom/ns#":                   "atom03",
	"http://purl.org/rss/1.0/modules/content/":   "content",
	"http://purl.org/dc/elements/1.1/":           "dc",
	"http://www.itunes.com/DTDs/PodCast-1.0.dtd": "itunes",
	"http://example.com/DTDs/PodCast-1.0.dtd":    "itunes",
}

// rssNativeNS are the namespaces gofeed's RSS parser takes as RSS's own:
// an element under a prefix bound to one is read as RSS's.
var rssNativeNS = map[string]bool{
	"http://www.w3.org/1999/02/22-rdf-syntax-ns#": true,
	"http://purl.org/rss/1.0/":                    true,
	"http://channel.netscape.com/rdf/simple/0.9/": true,
	"http://my.netscape.com/rdf/simple/0.9/":      true,
}

// rssReservedPrefixes are prefixes that, bound to a namespace fastRSS does
// not know, could still name elements gofeed takes as RSS's own or reads
// through the translator; and xml and xmlns.
var rssReservedPrefixes = map[string]bool{
	"atom": true, "atom10": true, "atom03": true, "content": true, "dc": true,
	"itunes": true, "rss": true, "rdf": true, "xml": true, "xmlns": true,
}

// rootNamespaces records the xmlns:prefix declarations of <rss>; a
// default namespace gives up.
func (r *rssReader) rootNamespaces(attrs []byte) bool {
	_, hasDef, ok := declarations(attrs, r.ns)
	return ok && !hasDef
}

// extension returns gofeed's key for the namespace of c, a prefixed child:
// "atom", "atom03", "content", "dc" or "itunes" for those whose elements
// the translator may read, "" for any other, whose elements gofeed keeps
// as extensions newswatch never reads. ok is false for a namespace fastRSS
// cannot place: one gofeed reads as RSS's own, or an unknown one under a
// prefix the translator looks up.
func (r *rssReader) extension(c tag) (key string, ok bool) {
	uri, declared, ok := prefixNS(c, r.ns)
	prefix := string(c.prefix)
	switch {
	case !ok || declared && rssNativeNS[uri]:
		return "", false
	case declared && rssKnownNS[uri] != "":
		return rssKnownNS[uri], true
	case declared:
		return "", !rssReservedPrefixes[prefix]
	}
	// encoding/xml leaves an undeclared prefix as the namespace, and
	// gofeed then files the element under the prefix itself.
	switch prefix {
	case "rss", "rdf", "xml", "xmlns":
		return "", false
	case "atom", "atom10", "atom03":
		return "atom", true
	case "content", "dc", "itunes":
		return prefix, true
	}
	return "", true
}

// text reads an element's text as gofeed's ParseText does.
func (r *rssReader) text(t tag) (string, bool) {
	start, end, ok := r.s.content(t)
	if !ok {
		return "", false
	}
	return gofeedText(r.s.b[start:end]), true
}

// link reads a <link> as gofeed's RSS parser does, giving up on one with
// attributes (its href may stand in for the text).
func (r *rssReader) link(t tag) (string, bool) {
	if len(bytes.TrimSpace(t.attrs)) > 0 {
		return "", false
	}
	return r.text(t)
}

func (r *rssReader) channel(ch tag) bool {
	if bytes.Contains(ch.attrs, []byte("xmlns")) {
		return false
	}
	r.feed = &gofeed.Feed{FeedType: "rss", Items: []*gofeed.Item{}}
	var atomExt, dcTitle bool
	ok := r.s.children(ch, func(c tag) bool {
		if len(c.prefix) == 0 && !keepsNamespace(c) {
			return false
		}
		if len(c.prefix) > 0 {
			key, ok := r.extension(c)
			switch key {
			case "atom", "atom03":
				atomExt = true // may stand in for <link>
			case "dc":
				dcTitle = dcTitle || strings.EqualFold(string(c.local), "title")
			}
			return ok && r.s.skip(c)
		}
		var ok bool
		switch strings.ToLower(string(c.local)) {
		case "title":
			r.feed.Title, ok = r.text(c)
		case "link":
			r.feed.Link, ok = r.link(c)
		case "ttl":
			r.ttl, ok = r.text(c)
		case "item":
			var it *gofeed.Item
			if it, ok = r.item(c); ok {
				r.feed.Items = append(r.feed.Items, it)
			}
		default:
			ok = r.s.skip(c)
		}
		return ok
	})
	return ok && !(r.feed.Link == "" && atomExt) && !(r.feed.Title == "" && dcTitle)
}

// item reads an <item>. Of the extensions, content:encoded is its content;
// those the translator may read for title, description, content or dates
// (Dublin Core's title, description and date, Atom's elements but link,
// iTunes' summary) give up.
func (r *rssReader) item(t tag) (*gofeed.Item, bool) {
	if bytes.Contains(t.attrs, []byte("xmlns")) {
		return nil, false
	}
	it := &gofeed.Item{}
	var pubDate string
	pubDates := 0
	ok := r.s.children(t, func(c tag) bool {
		if len(c.prefix) == 0 && !keepsNamespace(c) {
			return false
		}
		local := strings.ToLower(string(c.local))
		var ok bool
		if len(c.prefix) > 0 {
			var key string
			if key, ok = r.extension(c); !ok {
				return false
			}
			switch {
			case key == "content" && local == "encoded":
				it.Content, ok = r.text(c)
				return ok
			case key == "atom" || key == "atom03":
				ok = local == "link"
			case key == "dc":
				ok = local != "title" && local != "description" && local != "date"
			case key == "itunes":
				ok = local != "summary"
			}
			return ok && r.s.skip(c)
		}
		switch local {
		case "title":
			it.Title, ok = r.text(c)
		case "description":
			it.Description, ok = r.text(c)
		case "link":
			if it.Link, ok = r.link(c); ok {
				it.Links = append(it.Links, it.Link)
			}
		case "guid":
			it.GUID, ok = r.text(c)
		case "pubdate":
			pubDates++
			pubDate, ok = r.text(c)
		default:
			ok = r.s.skip(c)
		}
		return ok
	})
	if !ok || pubDates > 1 {
		return nil, false
	}
	if pubDate != "" {
		it.Published = pubDate
		if d, known := quickDate(pubDate); known {
			it.PublishedParsed = d
		} else {
			r.undated = append(r.undated, it)
			r.dates = append(r.dates, pubDate)
		}
	}
	return it, true
}
