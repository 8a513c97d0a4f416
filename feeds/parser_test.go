package feeds

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"net/url"

	"newswatch/internal/corpus"
)

var parseTime = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestParseCorpus(t *testing.T) {
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file      string
		typ       string
		items     int
		title     string // of the first item
		url       string // of the first item
		published time.Time
		text      string // prefix of the first item's text
	}{
		{"torture/miniflux/rdf_UTF8.xml", "rss", 60, "OLED-TVs: Vorsichtsmaßnahmen gegen Einbrennen",
			"https://www.heise.de/newsticker/meldung/OLED-TVs-Vorsichtsmassnahmen-gegen-Einbrennen-4205274.html",
			parseTime, "Wer gerade einen neuen OLED-Fernseher"},
		{"torture/miniflux/small_atom.xml", "atom", 20, "Parse podcast categories",
			"https://github.com/miniflux/v2/commit/6d97f8b4582414b6ce69467656824690057d4793",
			time.Date(2024, 3, 12, 5, 30, 27, 0, time.UTC), "Parse podcast categories"},
		{"torture/miniflux/large_rss.xml", "rss", 25, "Using vale with vim", "https://dustri.org/b/using-vale-with-vim.html",
			time.Date(2024, 3, 10, 16, 15, 0, 0, time.UTC), "LWN recently published an excellent"},
		{"torture/gofeed/parser/universal/json11_feed.json", "json", 1, "title", "https://sample-json-feed.com/id",
			time.Date(2019, 10, 12, 7, 20, 50, 520000000, time.UTC), "content_html"},
		{"torture/miniflux/koi8r.xml", "rss", 2, "Первая новость", "http://example.com/post1", parseTime, "Это тестовое описание"},
		{"torture/miniflux/encoding_WINDOWS-1251.xml", "rss", 50, "Цитата #17703", "http://ibash.org.ru/quote.php?id=17703",
			time.Date(2018, 3, 21, 7, 27, 32, 0, time.UTC), "xxx: есть у кого жаба программер"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(body, "https://example.org/feed", parseTime)
			if err != nil {
				t.Fatal(err)
			}
			if f.Type != tt.typ || len(f.Items) != tt.items {
				t.Fatalf("got %s with %d items, want %s with %d", f.Type, len(f.Items), tt.typ, tt.items)
			}
			it := f.Items[0]
			if it.Title != tt.title || it.URL != tt.url || !it.Published.Equal(tt.published) || !strings.HasPrefix(it.Text, tt.text) {
				t.Errorf("first item = %q %q %v %.40q\nwant        %q %q %v %q", it.Title, it.URL, it.Published, it.Text, tt.title, tt.url, tt.published, tt.text)
			}
			keys := map[string]bool{}
			for _, it := range f.Items {
				if it.Key == "" || keys[it.Key] {
					t.Errorf("item %q has an empty or repeated key %q", it.Title, it.Key)
				}
				keys[it.Key] = true
			}
		})
	}
}

func TestParseNormalises(t *testing.T) {
	const feed = `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Desk &amp; Wire</title><link>https://news.example/world/</link>
<item>
  <title>EU agrees to use &lt;b&gt;frozen&lt;/b&gt; Russian assets</title>
  <link>/world/2025/frozen-assets#comments</link>
  <guid isPermaLink="false">  item-1  </guid>
  <description><![CDATA[<p>Brussels   said&nbsp;so.</p><script>alert(1)</script><p>Kyiv&#039;s  view</p>]]></description>
  <pubDate>Tue, 04 Mar 2025 10:00:00 +0100</pubDate>
</item>
<item>
  <title>Zelensky&amp;#039;s plan</title>
  <link>HTTPS://News.Example:443/a?b=1</link>
  <description>Trump&amp;#039;s envoy</description>
  <pubDate>Tue, 04 Mar 2099 10:00:00 GMT</pubDate>
</item>
<item><title>No link, no guid</title><pubDate>Wed, 05 Mar 2025 08:00:00 GMT</pubDate></item>
<item><title>Same title</title></item>
<item><description>nothing to tell this one apart</description></item>
</channel></rss>`
	f, err := Parse([]byte(feed), "https://feeds.news.example/rss.xml", parseTime)
	if err != nil {
		t.Fatal(err)
	}
	if f.Title != "Desk & Wire" {
		t.Errorf("feed title = %q", f.Title)
	}
	if len(f.Items) != 4 {
		t.Fatalf("got %d items, want 4 (the one without guid, link or title is dropped)", len(f.Items))
	}
	want := []Item{
		{Key: "guid:item-1", Title: "EU agrees to use frozen Russian assets", Text: "Brussels said so. Kyiv's view",
			URL: "https://news.example/world/2025/frozen-assets", Published: time.Date(2025, 3, 4, 9, 0, 0, 0, time.UTC)},
		{Key: "link:https://news.example/a?b=1", Title: "Zelensky's plan", Text: "Trump's envoy",
			URL: "https://news.example/a?b=1", Published: parseTime},
		{Title: "No link, no guid", Published: time.Date(2025, 3, 5, 8, 0, 0, 0, time.UTC)},
		{Title: "Same title", Published: parseTime},
	}
	for i, w := range want {
		got := f.Items[i]
		if w.Key == "" {
			if !strings.HasPrefix(got.Key, "hash:") {
				t.Errorf("item %d key = %q, want a hash", i, got.Key)
			}
			w.Key = got.Key
		}
		if got != w {
			t.Errorf("item %d:\n got %+v\nwant %+v", i, got, w)
		}
	}
	if f.Items[2].Key == f.Items[3].Key {
		t.Error("two different undated items share a hash key")
	}
}

func TestParseRejects(t *testing.T) {
	for name, body := range map[string]string{
		"empty":     "",
		"html page": "<!doctype html><html><head><title>Home</title></head><body>hi</body></html>",
		"json":      `{"hello": "world"}`,
		"truncated": `<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a`,
	} {
		f, err := Parse([]byte(body), "https://example.org/feed", parseTime)
		if err == nil && len(f.Items) > 0 {
			t.Errorf("%s: parsed %d items from a non-feed", name, len(f.Items))
		}
		if err != nil && !strings.HasPrefix(err.Error(), "parse feed: ") {
			t.Errorf("%s: error %q does not say it is a parse error", name, err)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain  text\n\twith space ", "plain text with space"},
		{"<p>one</p><p>two</p>", "one two"},
		{"a<br>b<br/>c", "a b c"},
		{"<b>bold</b>face", "boldface"},
		{"Tom &amp; Jerry &lt;3", "Tom & Jerry <3"},
		{"Trump&#039;s", "Trump's"},
		{"Trump&amp;#039;s", "Trump's"},
		{"<script>alert('x')</script>safe<style>p{}</style>", "safe"},
		{"a < b and c > d", "a < b and c > d"},
		{"", ""},
		{"\u00a0non\u00a0breaking\u200b", "non breaking"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
	}
	for _, tt := range tests {
		if got := PlainText(tt.in); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCanonicalURL(t *testing.T) {
	base, _ := url.Parse("https://news.example/world/feed.xml")
	tests := []struct{ in, want string }{
		{"https://News.Example/a#frag", "https://news.example/a"},
		{"HTTP://news.example:80/a", "http://news.example/a"},
		{"https://news.example:8443/a", "https://news.example:8443/a"},
		{"/b?x=1", "https://news.example/b?x=1"},
		{"c.html", "https://news.example/world/c.html"},
		{"https://news.example", "https://news.example/"},
		{"mailto:desk@news.example", ""},
		{"javascript:alert(1)", ""},
		{"  ", ""},
		{"http://[::1]:80/x", "http://[::1]/x"},
		{"https://news.example/a?utm_source=rss&id=7&UTM_Medium=x&fbclid=abc#top", "https://news.example/a?id=7"},
		{"https://www.aljazeera.com/news/2025/2/12/story?traffic_source=rss", "https://www.aljazeera.com/news/2025/2/12/story"},
		{"https://www.heise.de/meldung/x.html?wt_mc=rss.ho.beitrag.rdf", "https://www.heise.de/meldung/x.html"},
		{"https://news.example/search?q=utm_source&page=2", "https://news.example/search?q=utm_source&page=2"},
		{"https://news.example/a?at_medium=RSS&at_campaign=KARANGA", "https://news.example/a"},
	}
	for _, tt := range tests {
		if got := CanonicalURL(base, tt.in); got != tt.want {
			t.Errorf("CanonicalURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(tinyRSS))
	f.Add([]byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title>a</title><entry><id>1</id><title type="html">&lt;b&gt;x</title><updated>2025-01-01T00:00:00Z</updated></entry></feed>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"j","items":[{"id":"1","content_text":"x","date_published":"9999-01-01T00:00:00Z"}]}`))
	f.Add([]byte(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><item><title>t</title><link>x</link></item></rdf:RDF>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		feed, err := Parse(body, "https://example.org/feed", parseTime)
		if err != nil {
			return
		}
		for _, it := range feed.Items {
			if it.Key == "" {
				t.Errorf("item without a key: %+v", it)
			}
			if it.Published.IsZero() || it.Published.After(parseTime.Add(maxFuture)) {
				t.Errorf("published %v outside the allowed range", it.Published)
			}
			if !utf8.ValidString(it.Title) || !utf8.ValidString(it.Text) {
				t.Errorf("invalid UTF-8 in %+v", it)
			}
			if it.URL != "" && !strings.HasPrefix(it.URL, "http") {
				t.Errorf("non-http URL %q", it.URL)
			}
		}
	})
}

func FuzzCanonicalURL(f *testing.F) {
	for _, s := range []string{"https://News.Example:443/a?utm_source=x&id=1#f", "/relative?fbclid=1", "mailto:x@y", "http://[::1]:80/", "https://a/?&&=&x",
		"http://a.example/%2e%2e/x", "https://a.example/b/../c", "https://a.example/a%20b/c?q=%41", "https://a.example/"} {
		f.Add(s)
	}
	base, _ := url.Parse("https://news.example/world/feed.xml")
	f.Fuzz(func(t *testing.T, ref string) {
		c := CanonicalURL(base, ref)
		if c == "" {
			return
		}
		if !strings.HasPrefix(c, "http://") && !strings.HasPrefix(c, "https://") {
			t.Fatalf("CanonicalURL(%q) = %q: not http", ref, c)
		}
		if again := CanonicalURL(base, c); again != c {
			t.Fatalf("CanonicalURL is not idempotent: %q → %q → %q", ref, c, again)
		}
		// The round trip CanonicalURL skips for a link already canonical.
		if again := canonical(nil, c); again != c {
			t.Fatalf("CanonicalURL(%q) = %q, which does not survive a round trip: %q", ref, c, again)
		}
	})
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{"<p>a</p>", "a&amp;b", "<script>x</script>y", "\xff", "  a  b ", "a\u00a0b", "Київ\u200b ", "a\tb", "x\x00", "a \u2003b", "&amp;amp; x&#13;y &nbsp;", "Zelensky&#039;s &amp;#039;deal&#039;", "&ampx &lt",
		`<p class="x">Kyiv <b>talks</b></p><br/>truce`, `<a href='a>b' title=x>link</a>`, `<img src=x onerror=alert(1)>text`,
		"<!-- wp:paragraph --><p>a</p><!-- /wp:paragraph -->", "<!-->a<!--->b", "a<3 b</ c", "<a =b c= d/>e</a\n>",
		"<div\tclass=\"a\"\n>x</DIV>", "<script>alert(1)</script>y", "<!DOCTYPE html>z", "<p>a --!> b <!-- c --!> d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := PlainText(s)
		if !utf8.ValidString(out) {
			t.Errorf("PlainText(%q) = %q: invalid UTF-8", s, out)
		}
		if strings.TrimSpace(out) != out || strings.Contains(out, "  ") {
			t.Errorf("PlainText(%q) = %q: white space not folded", s, out)
		}
		if !strings.Contains(s, "<") {
			if got, want := out, tokenized(s); got != want {
				t.Errorf("PlainText(%q) = %q, but the tokenizer gives %q", s, got, want)
			}
		}
		if got, ok := stripTags(s); ok {
			if want := tokenized(s); got != want {
				t.Errorf("stripTags(%q) = %q, but the tokenizer gives %q", s, got, want)
			}
		}
		if got, want := foldSpace(s), foldSpaceReference(s); got != want {
			t.Errorf("foldSpace(%q) = %q, want %q", s, got, want)
		}
	})
}

// foldSpaceReference is foldSpace without its shortcut for text that needs
// no change.
func foldSpaceReference(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) || r == '\u200b' || r == 0 {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

func TestPageText(t *testing.T) {
	page := `<!doctype html><html><head><title>EU &amp; the frozen assets</title><script>var x = "<p>no</p>";</script></head>
<body><nav>Home | World</nav><article><h1>EU agrees</h1><p>Leaders met&nbsp;in Brussels.</p><p>Kyiv welcomed it.</p></article><footer>© Paper</footer></body></html>`
	title, text := PageText(page)
	if title != "EU & the frozen assets" {
		t.Errorf("title = %q", title)
	}
	if want := "EU agrees Leaders met in Brussels. Kyiv welcomed it."; text != want {
		t.Errorf("text = %q, want %q", text, want)
	}
}

func TestParseInvalidUTF8(t *testing.T) {
	tests := []struct{ name, body, want string }{
		// A stray byte in UTF-8 text becomes U+FFFD.
		{"no prolog", "<rss version=\"2.0\"><channel><item><title>Frozen \xff assets — Київ</title><guid>1</guid></item></channel></rss>", "Frozen \uFFFD assets — Київ"},
		{"utf-8", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><item><title>Frozen \xff assets — Київ</title><guid>1</guid></item></channel></rss>", "Frozen \uFFFD assets — Київ"},
		{"json", "{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"j\",\"items\":[{\"id\":\"1\",\"title\":\"Frozen \xff assets — Київ\"}]}", "Frozen \uFFFD assets — Київ"},
		// Single-byte text with no UTF-8 in it is windows-1252.
		{"latin-1 undeclared", "<rss version=\"2.0\"><channel><item><title>Caf\xe9 \xe0 Kyiv</title><guid>1</guid></item></channel></rss>", "Café à Kyiv"},
		// A declared encoding is decoded as declared.
		{"windows-1251", "<?xml version=\"1.0\" encoding=\"windows-1251\"?><rss version=\"2.0\"><channel><item><title>Frozen \xcf assets</title><guid>1</guid></item></channel></rss>", "Frozen П assets"},
	}
	for _, tt := range tests {
		f, err := Parse([]byte(tt.body), "https://example.org/feed", parseTime)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(f.Items) != 1 || f.Items[0].Title != tt.want {
			t.Errorf("%s: items %+v, want one titled %q", tt.name, f.Items, tt.want)
		}
	}
}

// The charset cases of Miniflux's test data: declared, undeclared, wrong
// and unknown encodings all give the right text.
func TestParseCharsets(t *testing.T) {
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		file, contentType string
		title             string // of the feed, or of its first item when item is set
		item              bool
		text              string // a prefix of the first item's text, when set
	}{
		{"iso-8859-1.xml", "", "Café", false, ""},
		{"windows-1252.xml", "", "Euro €", false, ""},
		{"windows-1252-incorrect-prolog.xml", "", "Euro €", false, ""}, // UTF-8 under a windows-1252 prolog
		{"utf8-incorrect-prolog.xml", "", "Café", true, ""},            // UTF-8 under an ISO-8859-1 prolog
		{"invalid-prolog.xml", "", "Café", true, ""},                   // unknown encoding: UTF-8
		{"koi8r.xml", "", "Первая новость", true, ""},
		{"encoding_WINDOWS-1251.xml", "", "Цитата #17703", true, ""},
		{"no_encoding_ISO-8859-1.xml", "text/xml; charset=ISO-8859-1", "Perturbateurs endocriniens : quels effets sur le cerveau ?", true, "Si leur impact semble discret au premier abord, nombre d'études"},
		{"no_encoding_ISO-8859-1.xml", "text/xml", "Perturbateurs endocriniens : quels effets sur le cerveau ?", true, "Si leur impact semble discret au premier abord, nombre d'études"},
	}
	for _, tt := range tests {
		body, err := os.ReadFile(filepath.Join(dir, "torture", "miniflux", tt.file))
		if err != nil {
			t.Fatal(err)
		}
		f, err := ParseHTTP(body, tt.contentType, "https://example.org/feed", parseTime)
		if err != nil {
			t.Errorf("%s: %v", tt.file, err)
			continue
		}
		got := f.Title
		if tt.item {
			if len(f.Items) == 0 {
				t.Errorf("%s: no items", tt.file)
				continue
			}
			got = f.Items[0].Title
		}
		if got != tt.title {
			t.Errorf("%s (%q): title %q, want %q", tt.file, tt.contentType, got, tt.title)
		}
		if tt.text != "" && !strings.HasPrefix(f.Items[0].Text, tt.text) {
			t.Errorf("%s (%q): text %.80q, want it to begin %q", tt.file, tt.contentType, f.Items[0].Text, tt.text)
		}
	}
}
