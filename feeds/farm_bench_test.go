package feeds_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"newswatch/feeds"
	"newswatch/internal/feedfarm"
)

// BenchmarkParseFarm parses the bodies of the first 300 feeds that
// feedfarm bench serves (seed 1), format by format, with gofeed.Parser
// and with Parse (which also normalises each item): feeds of the sizes a
// poll cycle meets, where BenchmarkDecode's corpora are mostly small.
func BenchmarkParseFarm(b *testing.B) {
	bodies, types, err := feedfarm.BenchFeeds(300)
	if err != nil {
		b.Fatal(err)
	}
	byFormat := map[string][][]byte{}
	for i, body := range bodies {
		format, _, _ := strings.Cut(strings.TrimPrefix(types[i], "application/"), "+")
		byFormat[format] = append(byFormat[format], body)
	}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for _, format := range []string{"rss", "atom", "feed"} {
		bodies := byFormat[format]
		if len(bodies) == 0 {
			b.Fatalf("the farm served no %s feeds", format)
		}
		var size int64
		for _, body := range bodies {
			size += int64(len(body))
		}
		name := strings.Replace(format, "feed", "json", 1)
		b.Run(name+"/gofeed", func(b *testing.B) {
			b.SetBytes(size)
			p := gofeed.NewParser()
			for b.Loop() {
				for _, body := range bodies {
					if _, err := p.Parse(bytes.NewReader(body)); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(name+"/Parse", func(b *testing.B) {
			b.SetBytes(size)
			for b.Loop() {
				for _, body := range bodies {
					if _, err := feeds.Parse(body, "http://farm.example/feed", now); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
