package feeds

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"newswatch/internal/corpus"
)

// Every file of the torture corpora goes through Parse: no panic, no hang,
// allocations in proportion to the input, and either items that are whole
// or an error that says why.
func TestTortureCorpus(t *testing.T) {
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(dir, "torture")
	var files []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3000 {
		t.Fatalf("found %d files under %s, want the whole corpus", len(files), root)
	}
	parsed, refused, items := 0, 0, 0
	for _, path := range files {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		type result struct {
			feed *Feed
			err  error
		}
		done := make(chan result, 1)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		go func() {
			f, err := Parse(body, "https://example.org/feed.xml", parseTime)
			done <- result{f, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(30 * time.Second): // a hang, not a slow parse
			t.Fatalf("%s: Parse did not return", path)
		}
		runtime.ReadMemStats(&after)
		rel, _ := filepath.Rel(root, path)
		// Bounded memory: what a parse allocates grows with its input.
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(64*len(body)+4<<20) {
			t.Errorf("%s: parsing %d bytes allocated %d bytes", rel, len(body), alloc)
		}
		if r.err != nil {
			refused++
			if !strings.HasPrefix(r.err.Error(), "parse feed: ") || len(r.err.Error()) <= len("parse feed: ") {
				t.Errorf("%s: error %q does not say why", rel, r.err)
			}
			continue
		}
		parsed++
		for _, it := range r.feed.Items {
			items++
			if it.Key == "" || it.Published.IsZero() {
				t.Errorf("%s: item %+v lacks a key or a date", rel, it)
			}
		}
	}
	t.Logf("%d files: %d parsed (%d items), %d refused with an error", len(files), parsed, items, refused)
}
