package match_test

import (
	"path/filepath"
	"testing"

	"newswatch/internal/config"
	"newswatch/match"
)

// BenchmarkMatch matches every news-2025 item once per iteration: with the
// shipped topics, and with 1,000 and 10,000 generated ones. MB/s counts the
// bytes of titles and texts.
func BenchmarkMatch(b *testing.B) {
	docs, vocab := match.CorpusDocs(b)
	var size int64
	for _, d := range docs {
		size += int64(len(d.Title) + len(d.Text))
	}
	cfg, err := config.Load(filepath.Join("..", "config.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	sets := []struct {
		name   string
		topics []match.Topic
	}{
		{"shipped", cfg.MatchTopics()},
		{"generated-1000", match.GenerateTopics(1000, vocab, 7)},
		{"generated-10000", match.GenerateTopics(10000, vocab, 7)},
	}
	for _, set := range sets {
		b.Run(set.name, func(b *testing.B) {
			m, err := match.Compile(set.topics)
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(size)
			b.ReportAllocs()
			hits := 0
			for b.Loop() {
				for _, d := range docs {
					hits += len(m.Match(d))
				}
			}
			b.ReportMetric(float64(hits)/float64(b.N)/float64(len(docs)), "hits/doc")
		})
	}
}

// BenchmarkCompile measures compiling 10,000 generated topics.
func BenchmarkCompile(b *testing.B) {
	_, vocab := match.CorpusDocs(b)
	topics := match.GenerateTopics(10000, vocab, 7)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := match.Compile(topics); err != nil {
			b.Fatal(err)
		}
	}
}
