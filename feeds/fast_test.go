package feeds

import (
	"bytes"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"

	"newswatch/internal/corpus"
)

// usedFeed is what newswatch reads of a gofeed feed (see ParseHTTP and
// normalise).
type usedFeed struct {
	Type, Title, Link string
	TTL               time.Duration
	Items             []usedItem
}

type usedItem struct {
	Title, Description, Content, Link, GUID string
	Links                                   []string
	Published, Updated                      string // RFC 3339, UTC, or ""
}

func used(f *gofeed.Feed, ttl time.Duration) usedFeed {
	u := usedFeed{Type: f.FeedType, Title: f.Title, Link: f.Link, TTL: ttl}
	date := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339Nano)
	}
	for _, it := range f.Items {
		u.Items = append(u.Items, usedItem{
			Title: it.Title, Description: it.Description, Content: it.Content,
			Link: it.Link, GUID: it.GUID, Links: it.Links,
			Published: date(it.PublishedParsed), Updated: date(it.UpdatedParsed),
		})
	}
	return u
}

// gofeedRSS parses body with gofeed's RSS parser and decode's translator,
// and reads its <ttl> as decode does.
func gofeedRSS(body []byte) (usedFeed, error) {
	rf, err := new(rss.Parser).Parse(bytes.NewReader(body))
	if err != nil {
		return usedFeed{}, err
	}
	var ttl time.Duration
	if n, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && n > 0 {
		ttl = time.Duration(n) * time.Minute
	}
	gf, err := leanRSS.Translate(rf)
	if err != nil {
		return usedFeed{}, err
	}
	return used(gf, ttl), nil
}

// checkFastRSS fails t when fastRSS takes body and gives other than gofeed
// gives, or takes a body gofeed refuses. It reports whether fastRSS took it.
func checkFastRSS(t *testing.T, name string, body []byte) bool {
	t.Helper()
	gf, ttl, ok := fastRSS(body)
	if !ok {
		return false
	}
	want, err := gofeedRSS(body)
	if err != nil {
		t.Fatalf("%s: fastRSS reads a feed gofeed refuses: %v", name, err)
	}
	if got := used(gf, ttl); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", name, got, want)
	}
	return true
}

// Over every RSS feed of the torture corpora and news-2025,
// fastRSS gives what gofeed gives of everything newswatch reads, or gives
// up.
func TestFastRSSAgreesWithGofeed(t *testing.T) {
	rssFeeds, taken, items := 0, 0, 0
	check := func(name string, body []byte) {
		if gofeed.DetectFeedType(bytes.NewReader(body[:min(len(body), detectWindow)])) != gofeed.FeedTypeRSS {
			return
		}
		rssFeeds++
		if checkFastRSS(t, name, body) {
			taken++
			gf, _, _ := fastRSS(body)
			items += len(gf.Items)
		}
	}
	// news-2025's feeds are written as the farm writes its RSS feeds.
	eachCorpusFeed(t, check)
	// Most feeds are plain RSS 2.0; the torture corpora are not, on
	// purpose.
	if taken < rssFeeds/3 || items < 2000 {
		t.Errorf("fastRSS took %d of %d RSS feeds (%d items): too few to mean anything", taken, rssFeeds, items)
	}
	t.Logf("fastRSS took %d of %d RSS feeds, %d items", taken, rssFeeds, items)
}

// fastRSS gives up on what it does not know to read as gofeed does, and
// decode then gives gofeed's answer.
func TestFastRSSGivesUp(t *testing.T) {
	item := func(inner string) string {
		return `<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom" xmlns:itunes="http://www.itunes.com/DTDs/PodCast-1.0.dtd">` +
			`<channel><title>T</title><link>https://example.org/</link><item><title>A</title>` + inner + `</item></channel></rss>`
	}
	for _, tc := range []struct{ name, body string }{
		{"xml:base", `<rss><channel xml:base="https://a.example/"><item><link>/x</link></item></channel></rss>`},
		{"default namespace", `<rss xmlns="https://example.org/ns"><channel><item><title>A</title></item></channel></rss>`},
		{"namespace on an item", `<rss><channel><item xmlns:x="https://example.org/ns"><x:title>A</x:title></item></channel></rss>`},
		{"undeclared dc:date", `<rss><channel><item><title>A</title><dc:date>2025-03-01T10:00:00Z</dc:date></item></channel></rss>`},
		{"undeclared rss prefix", `<rss><channel><item><rss:title>A</rss:title></item></channel></rss>`},
		{"RSS 1.0 declared on the element", `<rss><channel><item><r:title xmlns:r="http://purl.org/rss/1.0/">A</r:title></item></channel></rss>`},
		{"default namespace on a child", `<rss><channel><item><title xmlns="https://example.org/ns">A</title></item></channel></rss>`},
		{"reserved prefix, other namespace", `<rss xmlns:dc="https://example.org/dc"><channel><item><dc:date>2025-01-01</dc:date></item></channel></rss>`},
		{"dc:date", item(`<dc:date>2025-03-01T10:00:00Z</dc:date>`)},
		{"dc:title", item(`<dc:title>B</dc:title>`)},
		{"dc:description", item(`<dc:description>B</dc:description>`)},
		{"atom:summary", item(`<atom:summary>B</atom:summary>`)},
		{"atom:updated", item(`<atom:updated>2025-03-01T10:00:00Z</atom:updated>`)},
		{"itunes:summary", item(`<itunes:summary>B</itunes:summary>`)},
		{"two pubDates", item(`<pubDate>Sat, 01 Mar 2025 10:00:00 +0000</pubDate><pubDate>x</pubDate>`)},
		{"link with href", item(`<link href="https://example.org/a"/>`)},
		{"feed link only in atom:link", `<rss xmlns:atom="http://www.w3.org/2005/Atom"><channel><atom:link href="https://example.org/" rel="alternate"/><item><title>A</title></item></channel></rss>`},
		{"two channels", `<rss><channel><item><title>A</title></item></channel><channel><item><title>B</title></item></channel></rss>`},
		{"item outside the channel", `<rss><channel></channel><item><title>A</title></item></rss>`},
		{"latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item><title>A</title></item></channel></rss>`},
		{"latin-1, declared late", `<?xml version="1.0"?><?xml encoding='latin1'?><rss><channel><item><title>A</title></item></channel></rss>`},
		{"XML 1.1", `<?xml version="1.1"?><rss><channel><item><title>A</title></item></channel></rss>`},
		{"a second channel under a prefix", `<rss xmlns:r="http://purl.org/rss/1.0/"><channel><item><title>A</title></item></channel><r:channel><item><title>B</title></item></r:channel></rss>`},
		{"RSS 1.0 under a prefix", `<rss xmlns:r="http://purl.org/rss/1.0/"><channel><item><r:title>A</r:title></item></channel></rss>`},
		{"a prefix declared twice", `<rss xmlns:x="https://example.org/a" xmlns:x="https://example.org/b"><channel><item><title>A</title></item></channel></rss>`},
		{"doctype", `<!DOCTYPE rss [<!ENTITY e "x">]><rss><channel><item><title>A&e;</title></item></channel></rss>`},
		{"control byte", "<rss><channel><item><title>A\x01B</title></item></channel></rss>"},
		{"reference to a forbidden character", `<rss><channel><item><title>A&#1;B</title></item></channel></rss>`},
		{"]]> in text", `<rss><channel><item><title>A]]>B</title></item></channel></rss>`},
		{"mismatched end tag", `<rss><channel><item><title>A</b></title></item></channel></rss>`},
		{"unquoted attribute", `<rss><channel><item><guid isPermaLink=false>1</guid></item></channel></rss>`},
		{"unclosed", `<rss><channel><item><title>A</title>`},
		{"processing instruction", `<rss><channel><?php echo 1 ?><item><title>A</title></item></channel></rss>`},
		{"non-ASCII name", `<rss><channel><item><títle>A</títle></item></channel></rss>`},
		{"-- in a comment", `<rss><channel><!-- a -- b --><item><title>A</title></item></channel></rss>`},
	} {
		body := []byte(tc.body)
		if _, _, ok := fastRSS(body); ok {
			t.Errorf("%s: fastRSS read %s", tc.name, tc.body)
		}
	}
}

// fastRSS reads what it should: the fields, entities and CDATA as gofeed
// reads them, the layouts of dates only gofeed knows, and extensions it
// may pass over.
func TestFastRSSReads(t *testing.T) {
	body := []byte(`<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet type="text/xsl" href="/feed.xsl"?>
<!-- a comment -->
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
  <title>News &amp; views</title>
  <link>https://example.org/</link>
  <atom:link href="https://example.org/feed" rel="self" type="application/rss+xml"/>
  <ttl> 30 </ttl>
  <image><url>https://example.org/logo.png</url></image>
  <item>
    <title><![CDATA[Kyiv <b>talks</b>]]> &amp; more</title>
    <link>https://example.org/a?x=1&amp;utm_source=rss</link>
    <guid isPermaLink="false">a-1</guid>
    <description>&lt;p&gt;Peace &#8217;talks&#8217; &copy=2; resume&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>Full text</p>]]></content:encoded>
    <dc:creator>Olena</dc:creator>
    <dc:rights xmlns:dc="http://purl.org/dc/elements/1.1/">CC</dc:rights>
    <wfw:commentRss>https://example.org/a/comments</wfw:commentRss>
    <media:content url="https://example.org/a.jpg" medium="image"><media:title>x</media:title></media:content>
    <category domain="d">War</category>
    <pubDate>Sat, 01 Mar 2025 10:00:00 GMT</pubDate>
  </item>
  <item>
    <title>Second</title>
    <link>https://example.org/b</link>
    <link>https://example.org/b2</link>
    <pubDate>Sat, 01 Mar 2025 12:30:00 +0200</pubDate>
    <description/>
  </item>
</channel>
</rss>`)
	if !checkFastRSS(t, "sample", body) {
		t.Fatal("fastRSS gave up on a plain RSS 2.0 feed")
	}
	gf, ttl, _ := fastRSS(body)
	if ttl != 30*time.Minute || gf.Title != "News & views" || len(gf.Items) != 2 {
		t.Fatalf("ttl %v, title %q, %d items", ttl, gf.Title, len(gf.Items))
	}
	first := gf.Items[0]
	if first.Title != "Kyiv <b>talks</b> & more" || first.Content != "<p>Full text</p>" ||
		first.Description != "<p>Peace ’talks’ &copy=2; resume</p>" {
		t.Errorf("first item: %q, %q, %q", first.Title, first.Content, first.Description)
	}
	if want := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC); first.PublishedParsed == nil || !first.PublishedParsed.Equal(want) {
		t.Errorf("GMT date read as %v, want %v", first.PublishedParsed, want)
	}
	if second := gf.Items[1]; second.Link != "https://example.org/b2" || len(second.Links) != 2 ||
		!second.PublishedParsed.Equal(time.Date(2025, 3, 1, 10, 30, 0, 0, time.UTC)) {
		t.Errorf("second item: %q, %q, %v", second.Link, second.Links, second.PublishedParsed)
	}
}

// FuzzFastRSS holds fastRSS to gofeed on any body: what it reads, gofeed
// reads alike.
func FuzzFastRSS(f *testing.F) {
	f.Add([]byte(`<rss><channel><title>T</title><item><title>A &amp; B</title><link>https://a.example/1</link><pubDate>Sat, 01 Mar 2025 10:00:00 GMT</pubDate></item></channel></rss>`))
	f.Add([]byte(`<?xml version="1.0"?><rss xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><item><description><![CDATA[<p>x</p>]]> &#38; y</description><content:encoded>z</content:encoded><guid>g</guid></item></channel></rss>`))
	f.Add([]byte(`<rss><channel><ttl>5</ttl><item><title>&#x1F600; &bogus; &amp</title><pubDate>2025-03-01T10:00:00+02:00</pubDate><!-- c --></item></channel></rss>`))
	f.Add([]byte("<RSS>\n<Channel><Item><Title a='1' b=\"2\">x</Title><LINK/></Item></Channel></RSS>"))
	f.Add(corpus.WriteRSS("Feed & co", "https://example.org/", []corpus.RSSEntry{{
		Title: "Talks <resume>", Link: "https://example.org/a", GUID: "a", Description: "<p>x</p>",
		Content: "<p>full</p>", Published: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
	}}))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastRSS(t, "input", body)
	})
}

// gofeedAtom parses body with gofeed's Atom parser and translator.
func gofeedAtom(body []byte) (usedFeed, error) {
	af, err := new(atom.Parser).Parse(bytes.NewReader(body))
	if err != nil {
		return usedFeed{}, err
	}
	gf, err := atomTrans.Translate(af)
	if err != nil {
		return usedFeed{}, err
	}
	return used(gf, 0), nil
}

// checkFastAtom is checkFastRSS for fastAtom.
func checkFastAtom(t *testing.T, name string, body []byte) bool {
	t.Helper()
	gf, ok := fastAtom(body)
	if !ok {
		return false
	}
	want, err := gofeedAtom(body)
	if err != nil {
		t.Fatalf("%s: fastAtom reads a feed gofeed refuses: %v", name, err)
	}
	if got := used(gf, 0); !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %+v\nwant %+v", name, got, want)
	}
	return true
}

// Over every Atom feed of the torture corpora and news-2025 (written as
// Atom as the farm writes its Atom feeds), fastAtom gives what gofeed
// gives of everything newswatch reads, or gives up.
func TestFastAtomAgreesWithGofeed(t *testing.T) {
	atomFeeds, taken, items := 0, 0, 0
	check := func(name string, body []byte) {
		if gofeed.DetectFeedType(bytes.NewReader(body[:min(len(body), detectWindow)])) != gofeed.FeedTypeAtom {
			return
		}
		atomFeeds++
		if checkFastAtom(t, name, body) {
			taken++
			gf, _ := fastAtom(body)
			items += len(gf.Items)
		}
	}
	eachCorpusFeed(t, check)
	news, err := corpus.News()
	if err != nil {
		t.Fatal(err)
	}
	names, groups := corpus.ByFeed(news)
	for _, name := range names {
		var entries []corpus.AtomEntry
		for _, it := range groups[name] {
			entries = append(entries, corpus.AtomEntry{ID: "urn:" + it.ID, Title: it.Title, Link: it.Link, Summary: it.Description, Content: it.Description, Published: it.Published})
		}
		check(name+" (Atom)", corpus.WriteAtom(name, "https://example.org/", time.Now(), entries))
	}
	if taken < atomFeeds/3 || items < 2000 {
		t.Errorf("fastAtom took %d of %d Atom feeds (%d items): too few to mean anything", taken, atomFeeds, items)
	}
	t.Logf("fastAtom took %d of %d Atom feeds, %d items", taken, atomFeeds, items)
}

// fastAtom gives up on what it does not know to read as gofeed does.
func TestFastAtomGivesUp(t *testing.T) {
	entry := func(inner string) string {
		return `<feed xmlns="http://www.w3.org/2005/Atom" xmlns:a="http://www.w3.org/2005/Atom"><title>T</title><entry><id>urn:1</id>` + inner + `</entry></feed>`
	}
	for _, tc := range []struct{ name, body string }{
		{"xhtml", entry(`<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>x</p></div></content>`)},
		{"html written as markup", entry(`<content type="html"><p>x</p></content>`)},
		{"base64", entry(`<content type="image/png">aGVsbG8=</content>`)},
		{"mode", entry(`<summary mode="escaped">x</summary>`)},
		{"unknown type", entry(`<summary type="foo">x &amp; y</summary>`)},
		{"Atom under a prefix", entry(`<a:title>x</a:title>`)},
		{"namespace below the root", entry(`<title xmlns="https://example.org/ns">x</title>`)},
		{"default namespace not Atom's", `<feed xmlns="https://example.org/ns"><entry><title>x</title></entry></feed>`},
		{"date only gofeed reads", entry(`<updated>Sat, 01 Mar 2025 10:00:00 GMT</updated>`)},
		{"two published dates", entry(`<published>2025-03-01T10:00:00Z</published><published>2025-03-02T10:00:00Z</published>`)},
		{"character reference in an href", entry(`<link href="https://example.org/a?b=1&#38;c=2"/>`)},
		{"xml:base", `<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://example.org/"><entry><link href="a"/></entry></feed>`},
	} {
		if _, ok := fastAtom([]byte(tc.body)); ok {
			t.Errorf("%s: fastAtom read %s", tc.name, tc.body)
		}
	}
}

// FuzzFastAtom holds fastAtom to gofeed on any body.
func FuzzFastAtom(f *testing.F) {
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title type="html">A &amp;lt;b&amp;gt;</title><link href=" https://example.org/ "/><entry><id>urn:x</id><title>t</title><link rel="self" href="https://example.org/s"/><link href="https://example.org/a?x=1&amp;y=2"/><updated>2025-03-01T10:00:00Z</updated><content type="html">&lt;p&gt;x&lt;/p&gt;</content></entry></feed>`))
	f.Add([]byte(`<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xmlns:media="http://search.yahoo.com/mrss/"><entry><id>https://example.org/a b</id><summary><![CDATA[<b>x</b>]]></summary><media:thumbnail url="u"/><published>2025-03-01T10:00:00+02:00</published></entry></feed>`))
	f.Add([]byte(`<feed><entry><title type="text/plain">x &#x26; y</title><link rel="alternate" href=""/><link href="https://example.org/2"/></entry></feed>`))
	f.Add(corpus.WriteAtom("Feed", "https://example.org/", time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), []corpus.AtomEntry{{
		Title: "Talks <resume>", ID: "urn:a", Link: "https://example.org/a", Summary: "s & t",
		Content: "<p>full</p>", Published: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC),
	}}))
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFastAtom(t, "input", body)
	})
}

// quickDate reads a date as gofeed's parser does, or says it does not know.
func TestQuickDateAgreesWithGofeed(t *testing.T) {
	dates := []string{
		"Sat, 01 Mar 2025 10:00:00 +0000", "Sat, 01 Mar 2025 10:00:00 GMT", "Sat, 1 Mar 2025 10:00:00 +0200",
		"2025-03-01T10:00:00Z", "2025-03-01T10:00:00.123+02:00", "2025-03-01 10:00:00", "01 Mar 25 10:00 +0100",
		"Sat Mar 01 10:00:00 +0000 2025", "Sat Mar  1 10:00:00 2025", "  Sat, 01 Mar 2025 10:00:00 -0500  ",
		"-2025-03-01T10:00:00Z", "tomorrow", "1740823200", "",
	}
	known := 0
	for _, d := range dates {
		got, ok := quickDate(d)
		if !ok {
			continue
		}
		known++
		body := "<rss><channel><item><pubDate>" + escapeXMLText(d) + "</pubDate></item></channel></rss>"
		f, err := new(rss.Parser).Parse(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		want := f.Items[0].PubDateParsed
		if (got == nil) != (want == nil) || got != nil && !got.Equal(*want) {
			t.Errorf("quickDate(%q) = %v, gofeed %v", d, got, want)
		}
	}
	if known < 6 {
		t.Errorf("quickDate knew only %d of %d dates", known, len(dates))
	}
}
