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
// realFields returns the titles, descriptions and contents of the
// news-2025 items and of every torture feed gofeed parses.
func realFields(tb testing.TB) []string {
	tb.Helper()
	dir, err := corpus.Dir()
	if err != nil {
		tb.Fatal(err)
	}
	var fields []string
	items, err := corpus.LoadNews(dir, "items-*.jsonl")
	if err != nil {
		tb.Fatal(err)
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
		tb.Fatal(err)
	}
	return fields
}

// BenchmarkPlainText turns every field of realFields into plain text; MB/s
// counts their bytes.
func BenchmarkPlainText(b *testing.B) {
	fields := realFields(b)
	var size int64
	for _, s := range fields {
		size += int64(len(s))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		for _, s := range fields {
			PlainText(s)
		}
	}
}

func TestStripTagsOnRealMarkup(t *testing.T) {
	fields := realFields(t)
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
