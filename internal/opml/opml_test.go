package opml

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"newswatch/internal/corpus"
)

func TestRoundTrip(t *testing.T) {
	feeds := []Feed{
		{URL: "https://kyiv.example/feed.xml", Name: "Kyiv & Co <daily>", Tags: []string{"ukraine", "daily news"}},
		{URL: "https://plain.example/atom", Name: "Plain"},
	}
	var buf bytes.Buffer
	if err := Write(&buf, "newswatch feeds", feeds, time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `<opml version="2.0">`) || !strings.Contains(buf.String(), `text="Kyiv &amp; Co &lt;daily&gt;"`) {
		t.Errorf("written:\n%s", buf.String())
	}
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, feeds) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, feeds)
	}
}

func TestReadFolders(t *testing.T) {
	doc := `<?xml version="1.0"?><opml version="1.0"><head><title>x</title></head><body>
<outline text="World">
  <outline text="BBC" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml" category="/news,/uk"/>
  <outline text="Europe"><outline title="Politico" text="p" xmlUrl="https://www.politico.eu/feed/"/></outline>
</outline>
<outline text="no feed here"/>
</body></opml>`
	got, err := Read(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []Feed{
		{URL: "https://feeds.bbci.co.uk/news/world/rss.xml", Name: "BBC", Tags: []string{"World", "news", "uk"}},
		{URL: "https://www.politico.eu/feed/", Name: "Politico", Tags: []string{"World", "Europe"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
	if _, err := Read(strings.NewReader("<html>")); err == nil {
		t.Error("Read accepted a non-OPML document")
	}
}

// The OPML test files of the W3C feed validator: every one reads without
// a panic, and those with subscriptions yield them.
func TestReadCorpus(t *testing.T) {
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	filepath.WalkDir(filepath.Join(dir, "torture", "feedvalidator", "opml"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(p, ".xml") || strings.HasSuffix(p, ".opml")) {
			files = append(files, p)
		}
		return nil
	})
	if len(files) < 10 {
		t.Fatalf("%d OPML test files, want the corpus", len(files))
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		feeds, err := Read(bytes.NewReader(b))
		if err == nil {
			n += len(feeds)
		}
	}
	t.Logf("%d files, %d subscriptions", len(files), n)
	if n == 0 {
		t.Error("no subscription read from any OPML test file")
	}
}
