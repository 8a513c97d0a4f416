package feeds

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	"github.com/mmcdole/gofeed/rss"
)

// The translators from each format's feed to gofeed's universal one. They
// keep no state between calls.
var (
	// leanRSS translates as gofeed's default does, without looking for
	// images in the items' HTML: newswatch shows no images, and the hunt
	// parses each description and content as a whole HTML document, a
	// fifth of a poll cycle's CPU over many RSS feeds (BENCHMARKS.md).
	leanRSS gofeed.Translator = &gofeed.DefaultRSSTranslator{DisableContentImageScan: true}
	// atomTrans and jsonTrans are gofeed's defaults.
	atomTrans gofeed.Translator = &gofeed.DefaultAtomTranslator{}
	jsonTrans gofeed.Translator = &gofeed.DefaultJSONTranslator{}
)

// detectWindow is how much of the body gofeed.Parser looks at to detect
// the format; detect looks at as much, so that both tell the same.
const detectWindow = 4096

// decode parses body, in UTF-8, with gofeed's parser for its format and
// translates it as gofeed.Parser.Parse does; ttl is an RSS feed's <ttl>.
//
// It calls the format's parser itself rather than through gofeed.Parser
// for JSON Feed's sake: gofeed's JSON parser hands the whole body to
// json.Unmarshal, which scans it twice (to check it, then to find its
// end) only to hand it whole to json.Feed's own UnmarshalJSON, which
// checks and decodes it again, and each item's UnmarshalJSON checks the
// item once more. decode checks a JSON feed once and decodes it in one
// more pass (decodeJSONFeed): half the time of gofeed.Parser for a JSON
// feed (BenchmarkDecode, BenchmarkParseFarm, BENCHMARKS.md).
// TestDecodeAgreesWithGofeed holds it to gofeed.Parser's feeds and errors.
//
// A panic in gofeed's parsers or translators (as a JSON Feed's null item
// once caused) is returned as an error, so that one feed cannot stop a
// poll cycle.
func decode(body []byte) (gf *gofeed.Feed, ttl time.Duration, err error) {
	defer func() {
		if p := recover(); p != nil {
			gf, ttl, err = nil, 0, fmt.Errorf("the feed parser failed on this body: %v", p)
		}
	}()
	switch gofeed.DetectFeedType(bytes.NewReader(body[:min(len(body), detectWindow)])) {
	case gofeed.FeedTypeRSS:
		if gf, ttl, ok := fastRSS(body); ok {
			return gf, ttl, nil
		}
		rf, err := new(rss.Parser).Parse(bytes.NewReader(body))
		if err != nil {
			return nil, 0, err
		}
		if n, err := strconv.Atoi(strings.TrimSpace(rf.TTL)); err == nil && n > 0 {
			ttl = time.Duration(n) * time.Minute
		}
		gf, err = leanRSS.Translate(rf)
		return gf, ttl, err
	case gofeed.FeedTypeAtom:
		if gf, ok := fastAtom(body); ok {
			return gf, 0, nil
		}
		af, err := new(atom.Parser).Parse(bytes.NewReader(body))
		if err != nil {
			return nil, 0, err
		}
		gf, err = atomTrans.Translate(af)
		return gf, 0, err
	case gofeed.FeedTypeJSON:
		jf, err := decodeJSONFeed(body)
		if err != nil {
			return nil, 0, err
		}
		gf, err = jsonTrans.Translate(jf)
		return gf, 0, err
	}
	return nil, 0, gofeed.ErrFeedTypeNotDetected
}
