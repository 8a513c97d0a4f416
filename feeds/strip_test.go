package feeds

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcdole/gofeed"

	"newswatch/internal/corpus"
)

// stripTags gives the tokenizer's text for the markup of real feeds (every
// title, description and content of the torture corpora and news-2025),
// and it is what PlainText runs for most of it.
func TestStripTagsOnRealMarkup(t *testing.T) {
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	items, err := corpus.LoadNews(dir, "items-*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		fields = append(fields, it.Title, it.Description)
	}
	p := gofeed.NewParser()
	err = filepath.WalkDir(filepath.Join(dir, "torture"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil || len(body) > 1<<20 {
			return err
		}
		f, err := p.Parse(bytes.NewReader(body))
		if err != nil {
			return nil // refused feeds are TestTortureCorpus's business
		}
		for _, it := range f.Items {
			if it != nil {
				fields = append(fields, it.Title, it.Description, it.Content)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	marked, fast := 0, 0
	for _, s := range fields {
		if !strings.Contains(s, "<") {
			continue
		}
		marked++
		got, ok := stripTags(s)
		if !ok {
			continue
		}
		fast++
		if want := tokenized(s); got != want {
			t.Errorf("stripTags(%.200q)\n = %.200q\ntokenizer gives %.200q", s, got, want)
		}
	}
	t.Logf("%d fields with markup, %d of them stripped without the tokenizer", marked, fast)
	if marked < 500 || fast < marked*8/10 {
		t.Errorf("%d of %d fields with markup took the fast path; want most", fast, marked)
	}
}
