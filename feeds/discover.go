package feeds

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Found is a feed that Discover found.
type Found struct {
	URL   string
	Title string
	Type  string // "rss", "atom" or "json"
	Items int
	// Via says how it was found.
	Via string
}

// commonPaths are where sites put their feed when they do not link it.
var commonPaths = []string{"/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed/", "/rss/", "/feeds/posts/default"}

// Discover finds the feed behind an address: the address itself when it
// is a feed, else a feed the page links with <link rel="alternate">, else
// one at a common path of the site (/feed, /rss.xml, ...). Its error says
// what was tried.
func Discover(ctx context.Context, f *Fetcher, addr string, now time.Time) (Found, error) {
	resp, err := f.Fetch(ctx, Request{URL: addr})
	if err != nil {
		return Found{}, err
	}
	if found, ok := asFeed(resp, addr, now); ok {
		found.Via = "the address is a feed"
		return found, nil
	}
	base, err := url.Parse(addr)
	if err != nil {
		return Found{}, fmt.Errorf("discover %s: %w", addr, err)
	}
	links := alternateLinks(string(resp.Body), base)
	for _, l := range links {
		if r, err := f.Fetch(ctx, Request{URL: l}); err == nil {
			if found, ok := asFeed(r, l, now); ok {
				found.Via = `<link rel="alternate"> in the page`
				return found, nil
			}
		}
	}
	for _, p := range commonPaths {
		u := base.ResolveReference(&url.URL{Path: p}).String()
		if r, err := f.Fetch(ctx, Request{URL: u}); err == nil {
			if found, ok := asFeed(r, u, now); ok {
				found.Via = "the common path " + p
				return found, nil
			}
		}
	}
	tried := "the page links no feed"
	if len(links) > 0 {
		tried = fmt.Sprintf("none of the %d feeds the page links parsed", len(links))
	}
	return Found{}, fmt.Errorf("no feed found at %s: %s, and none of %s answered with one", addr, tried, strings.Join(commonPaths, ", "))
}

func asFeed(r *Response, addr string, now time.Time) (Found, bool) {
	feed, err := ParseHTTP(r.Body, r.ContentType, addr, now)
	if err != nil || feed.Title == "" && len(feed.Items) == 0 {
		return Found{}, false
	}
	return Found{URL: addr, Title: feed.Title, Type: feed.Type, Items: len(feed.Items)}, true
}

// alternateLinks returns the feed addresses a page's <link rel="alternate">
// elements give, resolved against base, in page order.
func alternateLinks(page string, base *url.URL) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return out
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		if tok.DataAtom != atom.Link {
			continue
		}
		var rel, typ, href string
		for _, a := range tok.Attr {
			switch strings.ToLower(a.Key) {
			case "rel":
				rel = strings.ToLower(a.Val)
			case "type":
				typ = strings.ToLower(a.Val)
			case "href":
				href = strings.TrimSpace(a.Val)
			}
		}
		if !strings.Contains(" "+rel+" ", " alternate ") || href == "" {
			continue
		}
		if !strings.Contains(typ, "rss") && !strings.Contains(typ, "atom") && !strings.Contains(typ, "feed+json") && typ != "application/json" {
			continue
		}
		if u := CanonicalURL(base, href); u != "" {
			out = append(out, u)
		}
	}
}
