package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"

	"newswatch/internal/corpus"
)

// decode gives what gofeed.Parser gives (with the same RSS translator):
// the same feed, field for field (for a feed fastRSS or fastAtom reads, every field
// newswatch reads), or the same error (in decode's own words
// for a JSON value of the wrong type), over every file of the torture
// corpora and news-2025's feeds, in every format.
func TestDecodeAgreesWithGofeed(t *testing.T) {
	parsed := map[string]int{}
	refused, withTTL := 0, 0
	compare := func(name string, body []byte) {
		p := gofeed.NewParser()
		p.RSSTranslator = leanRSS
		want, wantErr := p.Parse(bytes.NewReader(body))
		got, ttl, err := decode(body)
		if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() && !sameTypeError(err, wantErr) {
			t.Fatalf("%s: error %v, gofeed.Parser's %v", name, err, wantErr)
		}
		if err != nil {
			refused++
			return
		}
		_, _, fast := fastRSS(body)
		if _, ok := fastAtom(body); ok {
			fast = true
		}
		if fast {
			// fastRSS and fastAtom fill only what newswatch reads.
			if !reflect.DeepEqual(used(got, 0), used(want, 0)) {
				t.Fatalf("%s:\n got %+v\nwant %+v", name, used(got, 0), used(want, 0))
			}
		} else if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s:\n got %+v\nwant %+v", name, got, want)
		}
		var wantTTL time.Duration
		if want.FeedType == "rss" {
			p.KeepOriginalFeed = true
			orig, err := p.Parse(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if n, err := strconv.Atoi(strings.TrimSpace(orig.OriginalFeed().(*rss.Feed).TTL)); err == nil && n > 0 {
				wantTTL = time.Duration(n) * time.Minute
			}
		}
		if ttl != wantTTL {
			t.Fatalf("%s: ttl %v, want %v", name, ttl, wantTTL)
		}
		if ttl != 0 {
			withTTL++
		}
		parsed[want.FeedType]++
	}
	eachCorpusFeed(t, compare)
	for _, format := range []string{"rss", "atom", "json"} {
		if parsed[format] < 50 {
			t.Errorf("%d %s feeds compared: too few to mean anything", parsed[format], format)
		}
	}
	if withTTL < 5 {
		t.Errorf("%d feeds with a <ttl> compared: too few to mean anything", withTTL)
	}
	if refused < 50 {
		t.Errorf("%d refused feeds compared: too few to mean anything", refused)
	}
	t.Logf("agree on %v feeds (%d with a <ttl>) and %d errors", parsed, withTTL, refused)
}

// BenchmarkDecode parses the feeds of the torture corpora and news-2025,
// format by format, with gofeed.Parser and with decode.
func BenchmarkDecode(b *testing.B) {
	byFormat := map[string][][]byte{}
	eachCorpusFeed(b, func(_ string, body []byte) {
		if f, _, err := decode(body); err == nil {
			byFormat[f.FeedType] = append(byFormat[f.FeedType], body)
		}
	})
	for _, format := range []string{"rss", "atom", "json"} {
		bodies := byFormat[format]
		var size int64
		for _, body := range bodies {
			size += int64(len(body))
		}
		b.Run(format+"/gofeed", func(b *testing.B) {
			b.SetBytes(size)
			p := gofeed.NewParser()
			p.RSSTranslator = leanRSS
			for b.Loop() {
				for _, body := range bodies {
					p.Parse(bytes.NewReader(body))
				}
			}
		})
		b.Run(format+"/decode", func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				for _, body := range bodies {
					decode(body)
				}
			}
		})
	}
}

// eachCorpusFeed calls fn with every file of the torture corpora and every
// feed of news-2025, as RSS, with its name.
func eachCorpusFeed(tb testing.TB, fn func(name string, body []byte)) {
	tb.Helper()
	dir, err := corpus.Dir()
	if err != nil {
		tb.Fatal(err)
	}
	err = filepath.WalkDir(filepath.Join(dir, "torture"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fn(path, body)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	news, err := corpus.LoadNews(dir, "items-*.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	names, groups := corpus.ByFeed(news)
	for _, name := range names {
		fn(name, corpus.RSS(name, name, groups[name]))
	}
}

// sameTypeError reports whether err, decode's, names the same mismatch of a
// JSON value and a field as gofeed's wantErr does, in its own words:
// json feed: "items.image" is an object, not a string.
func sameTypeError(err, wantErr error) bool {
	var te *json.UnmarshalTypeError
	if !errors.As(wantErr, &te) {
		return false
	}
	msg, ok := strings.CutPrefix(err.Error(), "json feed: ")
	if !ok {
		return false
	}
	path, rest, ok := strings.Cut(msg, " is "+article(te.Value)+", not ")
	if !ok {
		return false
	}
	path, perr := strconv.Unquote(path)
	field := te.Field[strings.LastIndexByte(te.Field, '.')+1:]
	return perr == nil && rest != "" && (path == field || strings.HasSuffix(path, "."+field))
}

// panicker is a translator that panics, as gofeed's JSON translator did on
// a null item.
type panicker struct{}

func (panicker) Translate(any) (*gofeed.Feed, error) { panic("nil item") }

// A panic inside gofeed's parsers or translators is an error naming the
// failure, for that feed alone; the next body parses as usual.
func TestDecodeRecoversFromParserPanic(t *testing.T) {
	// A title of type xhtml, which only gofeed reads.
	atom := []byte(`<feed xmlns="http://www.w3.org/2005/Atom"><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">a</div></title><entry><id>1</id><title>x</title></entry></feed>`)
	if _, ok := fastAtom(atom); ok {
		t.Fatal("fastAtom reads the body meant for gofeed")
	}
	saved := atomTrans
	atomTrans = panicker{}
	f, _, err := decode(atom)
	atomTrans = saved
	if err == nil || !strings.Contains(err.Error(), "the feed parser failed on this body: nil item") || f != nil {
		t.Fatalf("decode with a panicking translator = %v, %v; want the panic as an error", f, err)
	}
	if f, _, err := decode(atom); err != nil || len(f.Items) != 1 {
		t.Fatalf("decode after the panic = %v, %v", f, err)
	}
}
