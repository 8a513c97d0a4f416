package feeds

import (
	"crypto/sha256"
	"encoding/hex"
	"net/url"
	"strings"
	"time"
)

// Feed is a parsed and normalised feed.
type Feed struct {
	Title string
	// Type is the format gofeed detected: "rss", "atom" or "json".
	Type string
	// TTL is how long an RSS feed says it may be cached (<ttl>), 0 if it
	// does not say.
	TTL   time.Duration
	Items []Item
}

// Item is one normalised entry of a feed.
type Item struct {
	// Key identifies the item within its feed across polls: the GUID, else
	// the canonical link, else a hash of title and date.
	Key string
	// Title and Text are plain text: no tags, entities decoded, white space
	// folded. Text is the item's content, or its summary when that is longer
	// or there is no content.
	Title string
	Text  string
	// URL is the item's link, absolute, in canonical form.
	URL string
	// Published is when the item was published, else updated, else when
	// the feed was parsed. A date more than a day in the future is replaced
	// by the parse time, so a wrong clock cannot pin an item to the top.
	Published time.Time
}

// maxFuture is how far ahead of the parse time a published date may be.
const maxFuture = 24 * time.Hour

// CanonicalURL resolves ref against base and returns it in canonical form:
// scheme and host in lower case, the default port, the fragment and
// tracking parameters (utm_*, fbclid, gclid and the like; see
// isTrackingParam) removed, an empty path written as "/". The same story
// linked from two feeds of one outlet then has one URL. It returns "" when
// ref is not an http or https address, or is too malformed to have one
// canonical form.
func CanonicalURL(base *url.URL, ref string) string {
	c := canonical(base, ref)
	if c == "" {
		return ""
	}
	if c == strings.TrimSpace(ref) {
		// Already canonical, as most links are: canonical(nil, c) would
		// parse the same absolute address again and give c (the fuzz
		// target checks that every result survives the round trip).
		return c
	}
	if canonical(nil, c) != c {
		return "" // e.g. "//::", whose form does not survive a round trip
	}
	return c
}

func canonical(base *url.URL, ref string) string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return ""
	}
	u, err := url.Parse(ref)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	if host == "" {
		return "" // "http://:" has a host part but no host
	}
	port := u.Port()
	if port == "" || (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		u.Host = host
		if strings.Contains(host, ":") {
			u.Host = "[" + host + "]"
		}
	} else {
		u.Host = strings.ToLower(u.Host)
	}
	u.Fragment = ""
	u.RawFragment = ""
	if u.Path == "" {
		u.Path = "/"
	}
	u.RawQuery = stripTracking(u.RawQuery)
	u.ForceQuery = false // "a?" is "a"
	return u.String()
}

// stripTracking removes tracking parameters from a raw query, keeping the
// others as they were written, in their order.
func stripTracking(raw string) string {
	var kept []string
	for _, part := range strings.Split(raw, "&") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		name, _, _ := strings.Cut(part, "=")
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if !isTrackingParam(strings.ToLower(name)) {
			kept = append(kept, part)
		}
	}
	return strings.Join(kept, "&")
}

// trackingParams are query parameters that say how a reader came, not what
// they read: ad and newsletter click IDs and analytics campaign tags.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "gbraid": true, "wbraid": true, "msclkid": true,
	"yclid": true, "igshid": true, "mc_cid": true, "mc_eid": true, "_hsenc": true, "_hsmi": true,
	"mkt_tok": true, "traffic_source": true, "cmpid": true, "ocid": true, "ncid": true, "itid": true,
	"xtor": true, "wt_mc": true, "wt_zmc": true, "ref_src": true, "smid": true,
}

// isTrackingParam reports whether a (lower-case) query parameter only
// tracks the reader.
func isTrackingParam(name string) bool {
	for _, prefix := range []string{"utm_", "at_", "ns_", "pk_", "mtm_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return trackingParams[name]
}

// itemKey chooses the identity of an item.
func itemKey(guid, link, title string, date time.Time) string {
	if g := strings.TrimSpace(guid); g != "" {
		return "guid:" + g
	}
	if link != "" {
		return "link:" + link
	}
	if title == "" {
		return ""
	}
	h := sha256.New()
	h.Write([]byte(title))
	if !date.IsZero() {
		h.Write([]byte(date.UTC().Format(time.RFC3339)))
	}
	return "hash:" + hex.EncodeToString(h.Sum(nil)[:16])
}
