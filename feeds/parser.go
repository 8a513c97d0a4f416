package feeds

import (
	"fmt"
	"net/url"
	"time"

	"github.com/mmcdole/gofeed"
)

// Parse parses an RSS, Atom or JSON feed and normalises its items.
// feedURL resolves relative links; now stands for missing dates.
// Items without a GUID, a link or a title cannot be told apart across polls
// and are dropped.
func Parse(body []byte, feedURL string, now time.Time) (*Feed, error) {
	return ParseHTTP(body, "", feedURL, now)
}

// ParseHTTP is Parse for a body served with a Content-Type header, whose
// charset is used when the body's own declaration is missing or wrong
// (see toUTF8).
func ParseHTTP(body []byte, contentType, feedURL string, now time.Time) (*Feed, error) {
	gf, ttl, err := decode(toUTF8(body, contentType))
	if err != nil {
		return nil, fmt.Errorf("parse feed: %w", err)
	}
	base, err := url.Parse(feedURL)
	if err != nil {
		base = nil
	}
	if l, err := url.Parse(gf.Link); err == nil && gf.Link != "" {
		// Item links are relative to the site when the feed names one.
		if base != nil {
			l = base.ResolveReference(l)
		}
		if l.IsAbs() {
			base = l
		}
	}
	f := &Feed{Title: PlainText(gf.Title), Type: gf.FeedType, TTL: ttl, Items: make([]Item, 0, len(gf.Items))}
	for _, gi := range gf.Items {
		if gi == nil {
			continue
		}
		it := normalise(gi, base, now)
		if it.Key == "" {
			continue
		}
		f.Items = append(f.Items, it)
	}
	return f, nil
}

func normalise(gi *gofeed.Item, base *url.URL, now time.Time) Item {
	link := CanonicalURL(base, gi.Link)
	if link == "" {
		for _, l := range gi.Links {
			if link = CanonicalURL(base, l); link != "" {
				break
			}
		}
	}
	title := PlainText(gi.Title)
	text := PlainText(gi.Content)
	// The longer of content and description; PlainText never makes a
	// text more than three times longer (an invalid byte becomes U+FFFD),
	// so a short description need not be read at all.
	if 3*len(gi.Description) > len(text) {
		if desc := PlainText(gi.Description); len(desc) > len(text) {
			text = desc
		}
	}
	var published time.Time
	switch {
	case gi.PublishedParsed != nil:
		published = *gi.PublishedParsed
	case gi.UpdatedParsed != nil:
		published = *gi.UpdatedParsed
	}
	key := itemKey(gi.GUID, link, title, published)
	if published.IsZero() || published.After(now.Add(maxFuture)) {
		published = now
	}
	return Item{Key: key, Title: title, Text: text, URL: link, Published: published.UTC()}
}
