package feeds

import (
	"bytes"
	"net/url"
	"strings"

	"github.com/mmcdole/gofeed"
)

// The namespaces gofeed's Atom parser takes as Atom's own, besides none.
const (
	atom10NS = "http://www.w3.org/2005/Atom"
	atom03NS = "http://purl.org/atom/ns#"
)

// fastAtom is fastRSS for Atom: it reads an Atom body, in UTF-8, into the
// parts of gofeed's feed that newswatch uses (the feed's title and
// alternate link; each entry's title, summary, content, links, id and
// dates), as gofeed's Atom parser and translator give them, or gives up
// (ok false) on what it does not know to read alike: text constructs of
// type xhtml, of type html holding markup rather than escaped, or of a
// binary or unknown type; a mode attribute; a date only gofeed's list of
// layouts reads; elements in an Atom namespace under a prefix; a default
// namespace declared below the root, or any namespace declared on an
// entry; and what openRoot and xmlScanner do not read.
// TestFastAtomAgreesWithGofeed and FuzzFastAtom hold it to gofeed.
func fastAtom(body []byte) (gf *gofeed.Feed, ok bool) {
	s, root, ok := openRoot(body, "feed")
	if !ok {
		return nil, false
	}
	a := atomReader{s: s, ns: map[string]string{}}
	if !a.rootNamespaces(root.attrs) {
		return nil, false
	}
	gf = &gofeed.Feed{FeedType: "atom", Items: []*gofeed.Item{}}
	var alternate bool // the feed's first alternate link is read
	ok = a.children(root, func(c tag, name string) (ok bool) {
		switch name {
		case "title":
			gf.Title, ok = a.text(c)
		case "link":
			var l atomLink
			if l, ok = a.link(c); ok && l.rel == "alternate" && !alternate {
				gf.Link, alternate = l.href, true
			}
		case "entry":
			var it *gofeed.Item
			if it, ok = a.entry(c); ok {
				gf.Items = append(gf.Items, it)
			}
		default:
			ok = a.s.skip(c)
		}
		return ok
	})
	if !ok {
		return nil, false
	}
	return gf, true
}

// atomReader holds fastAtom's state.
type atomReader struct {
	s  *xmlScanner
	ns map[string]string // prefix → namespace, as declared on <feed>
}

// rootNamespaces records the namespaces declared on <feed>: the default
// one must be Atom's, or none.
func (a *atomReader) rootNamespaces(attrs []byte) bool {
	def, hasDef, ok := declarations(attrs, a.ns)
	return ok && (!hasDef || def == atom10NS || def == atom03NS)
}

// native reports whether c, a child of <feed> or <entry>, is one of
// Atom's elements rather than an extension; ok is false for one fastAtom
// cannot place: a default namespace declared on it, or an Atom namespace
// under a prefix.
func (a *atomReader) native(c tag) (native, ok bool) {
	if len(c.prefix) == 0 {
		return true, keepsNamespace(c)
	}
	// An undeclared prefix is the namespace's name to encoding/xml, and
	// its element an extension all the same.
	uri, _, ok := prefixNS(c, a.ns)
	return false, ok && uri != atom10NS && uri != atom03NS
}

// children calls fn with each Atom element among t's children and its
// name in lower case, reading past extensions; it gives up on a child
// native cannot place.
func (a *atomReader) children(t tag, fn func(c tag, name string) bool) bool {
	return a.s.children(t, func(c tag) bool {
		native, ok := a.native(c)
		switch {
		case !ok:
			return false
		case !native:
			return a.s.skip(c)
		}
		return fn(c, strings.ToLower(string(c.local)))
	})
}

// text reads a text construct as gofeed's parseAtomText does, for the
// types whose reading needs no HTML parser.
func (a *atomReader) text(t tag) (string, bool) {
	typ, ok := atomTextType(t.attrs)
	if !ok {
		return "", false
	}
	start, end, ok := a.s.content(t)
	if !ok {
		return "", false
	}
	inner := a.s.b[start:end]
	// What gofeed reads as ParseText does: CDATA (in html it resolves
	// nothing without an xml:base), text, and html without a tag, where
	// it looks for a wrapping <div> in the HTML as written, before
	// entities are decoded, and finds none.
	if !bytes.Contains(inner, []byte("<![CDATA[")) && typ != "text" && !strings.HasPrefix(typ, "text/") && typ != "" &&
		!(typ == "html" && bytes.IndexByte(inner, '<') < 0) {
		return "", false
	}
	s := gofeedText(inner)
	if strings.EqualFold(string(t.local), "id") {
		// gofeed writes an id back as a URL when it parses as one.
		if u, err := url.Parse(strings.TrimLeft(s, " ")); err == nil {
			s = u.String()
		}
	}
	return s, true
}

// atomTextType returns a text construct's type attribute in lower case;
// ok is false for a mode attribute, a type under a prefix, or one written
// with a reference.
func atomTextType(attrs []byte) (typ string, ok bool) {
	ok = true
	eachAttr(attrs, func(name, value []byte) {
		_, local, _ := bytes.Cut(name, []byte(":"))
		if local == nil {
			local = name
		}
		switch {
		case bytes.EqualFold(local, []byte("mode")):
			ok = false
		case bytes.EqualFold(local, []byte("type")):
			if !bytes.Equal(name, []byte("type")) || typ != "" || bytes.IndexByte(value, '&') >= 0 || bytes.IndexByte(value, '\r') >= 0 {
				ok = false
			}
			typ = strings.ToLower(string(value))
		}
	})
	return typ, ok
}

// atomLink is what fastAtom reads of a <link>.
type atomLink struct{ href, rel string }

// link reads a <link> as gofeed's parseLink does: rel "alternate" when
// it has none.
func (a *atomReader) link(t tag) (atomLink, bool) {
	l, ok := atomLink{}, true
	var hrefs, rels int
	eachAttr(t.attrs, func(name, value []byte) {
		if bytes.IndexByte(name, ':') >= 0 {
			_, local, _ := bytes.Cut(name, []byte(":"))
			ok = ok && !bytes.Equal(local, []byte("href")) && !bytes.Equal(local, []byte("rel"))
			return
		}
		v, vok := xmlAttrValue(value)
		ok = ok && vok
		switch string(name) {
		case "href":
			l.href = v
			hrefs++
		case "rel":
			l.rel = v
			rels++
		}
	})
	if !ok || hrefs > 1 || rels > 1 || !a.s.skip(t) {
		return atomLink{}, false
	}
	if l.rel == "" {
		l.rel = "alternate"
	}
	// gofeed writes an href back as a URL, as it resolves it against an
	// xml:base.
	if u, err := url.Parse(strings.TrimLeft(l.href, " ")); err == nil {
		l.href = u.String()
	}
	return l, true
}

// entry reads an <entry> into gofeed's item, as the Atom translator fills
// it.
func (a *atomReader) entry(t tag) (*gofeed.Item, bool) {
	if bytes.Contains(t.attrs, []byte("xmlns")) {
		return nil, false
	}
	it := &gofeed.Item{}
	var published, updated int
	var alternate bool // the first alternate link is read
	ok := a.children(t, func(c tag, name string) (ok bool) {
		switch name {
		case "title":
			it.Title, ok = a.text(c)
		case "id":
			it.GUID, ok = a.text(c)
		case "summary":
			it.Description, ok = a.text(c)
		case "content":
			it.Content, ok = a.text(c)
		case "published", "issued":
			published++
			it.Published, ok = a.text(c)
		case "updated", "modified":
			updated++
			it.Updated, ok = a.text(c)
		case "link":
			var l atomLink
			if l, ok = a.link(c); ok {
				if l.rel == "alternate" && !alternate {
					it.Link, alternate = l.href, true
				}
				if l.rel == "alternate" || l.rel == "self" {
					it.Links = append(it.Links, l.href)
				}
			}
		default:
			ok = a.s.skip(c)
		}
		return ok
	})
	if !ok || published > 1 || updated > 1 {
		return nil, false
	}
	var known bool
	if it.UpdatedParsed, known = quickDate(it.Updated); !known && it.Updated != "" {
		return nil, false
	}
	if it.PublishedParsed, known = quickDate(it.Published); !known && it.Published != "" {
		return nil, false
	}
	if it.Published == "" {
		it.Published = it.Updated
	}
	if it.PublishedParsed == nil {
		it.PublishedParsed = it.UpdatedParsed
	}
	return it, true
}
