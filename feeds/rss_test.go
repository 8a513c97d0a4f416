package feeds

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/mmcdole/gofeed"
)

// Over every RSS feed of the torture corpora and news-2025, the translator
// without the image scan gives the items gofeed's default translator gives,
// but for their images.
func TestLeanRSSAgreesWithDefault(t *testing.T) {
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
	eachCorpusFeed(t, compare)
	if compared < 500 || items < 2500 {
		t.Errorf("compared %d RSS feeds, %d items: too few to mean anything", compared, items)
	}
	t.Logf("%d RSS feeds, %d items agree", compared, items)
}
