package feeds

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mmcdole/gofeed"

	"newswatch/internal/corpus"
)

// Over every RSS feed of the torture corpora and news-2025, the translator
// without the image scan gives the items gofeed's default translator gives,
// but for their images.
func TestLeanRSSAgreesWithDefault(t *testing.T) {
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	compared, items := 0, 0
	compare := func(path string, body []byte) {
		def := gofeed.NewParser()
		want, err := def.Parse(bytes.NewReader(body))
		if err != nil || want.FeedType != "rss" {
			return
		}
		lean := gofeed.NewParser()
		lean.RSSTranslator = leanRSS
		got, err := lean.Parse(bytes.NewReader(body))
		if err != nil {
			t.Fatalf("%s: default parses, lean fails: %v", path, err)
		}
		if len(got.Items) != len(want.Items) {
			t.Fatalf("%s: %d items, default %d", path, len(got.Items), len(want.Items))
		}
		for i := range want.Items {
			w, g := *want.Items[i], *got.Items[i]
			w.Image, g.Image = nil, nil
			if !reflect.DeepEqual(w, g) {
				t.Fatalf("%s item %d:\n got %+v\nwant %+v", path, i, g, w)
			}
		}
		compared++
		items += len(want.Items)
	}
	filepath.WalkDir(filepath.Join(dir, "torture"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		compare(path, body)
		return nil
	})
	news, err := corpus.LoadNews(dir, "items-*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	names, groups := corpus.ByFeed(news)
	for _, name := range names {
		compare(name, corpus.RSS(name, name, groups[name]))
	}
	if compared < 500 || items < 2500 {
		t.Errorf("compared %d RSS feeds, %d items: too few to mean anything", compared, items)
	}
	t.Logf("%d RSS feeds, %d items agree", compared, items)
}
