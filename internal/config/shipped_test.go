package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"newswatch/internal/corpus"
	"newswatch/match"
)

// The shipped config.yaml is part of the product: it must load, carry the
// nine topics of TOPICS.md and 15–25 feeds.
func TestShippedConfig(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(c.Feeds); n < 15 || n > 25 {
		t.Errorf("config.yaml has %d feeds, want 15 to 25", n)
	}
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	topicsMD, err := os.ReadFile(filepath.Join(dir, "TOPICS.md"))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range regexp.MustCompile(`(?m)^\| ([a-z-]+) \|`).FindAllStringSubmatch(string(topicsMD), -1) {
		if m[1] != "id" {
			want = append(want, m[1])
		}
	}
	var got []string
	for _, tp := range c.Topics {
		got = append(got, tp.ID)
	}
	sort.Strings(want)
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("config.yaml topics = %v, want the ids of TOPICS.md %v", got, want)
	}
}

// TestShippedTopicsQuality measures how well the shipped queries flag what
// a reader flagged in news-2025: precision and recall per topic over all
// 2,202 items. Every topic with at least 10 labelled items must reach
// precision 0.90 and recall 0.85.
func TestShippedTopicsQuality(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.Compile(c.MatchTopics())
	if err != nil {
		t.Fatal(err)
	}
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	items, err := corpus.LoadNews(dir, "items-*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	s := score(m, c, items)
	t.Logf("news-2025, %d items:\n%s", len(items), s.table())
	for _, tp := range c.Topics {
		cs := s.by[tp.ID]
		if cs.tp+cs.fn < 10 {
			continue
		}
		if p, r := s.precision(tp.ID), s.recall(tp.ID); p < 0.90 || r < 0.85 {
			t.Errorf("%s: precision %.3f recall %.3f, want at least 0.90 and 0.85", tp.ID, p, r)
		}
	}
}

// The shipped topics' examples are decided as written.
func TestShippedExamples(t *testing.T) {
	c, err := Load(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.Compile(c.MatchTopics())
	if err != nil {
		t.Fatal(err)
	}
	failures, total := c.CheckExamples(m)
	for _, f := range failures {
		t.Error(f)
	}
	for _, tp := range c.Topics {
		if len(tp.Examples.Match) == 0 || len(tp.Examples.NoMatch) == 0 {
			t.Errorf("topic %s lacks examples of both kinds", tp.ID)
		}
	}
	if total < 2*len(c.Topics) {
		t.Errorf("only %d examples", total)
	}
}

type counts struct{ tp, fp, fn int }

type scores struct {
	order []string
	by    map[string]*counts
}

func score(m *match.Matcher, c *Config, items []corpus.NewsItem) *scores {
	s := &scores{by: map[string]*counts{"all": {}}}
	for _, tp := range c.Topics {
		s.order = append(s.order, tp.ID)
		s.by[tp.ID] = &counts{}
	}
	s.order = append(s.order, "all")
	for _, it := range items {
		got := map[string]bool{}
		for _, h := range m.Match(match.Document{Title: it.Title, Text: it.Description}) {
			got[h.Topic] = true
		}
		want := map[string]bool{}
		for _, tp := range it.Topics {
			want[tp] = true
		}
		for _, tp := range c.Topics {
			cs, all := s.by[tp.ID], s.by["all"]
			switch {
			case got[tp.ID] && want[tp.ID]:
				cs.tp++
				all.tp++
			case got[tp.ID]:
				cs.fp++
				all.fp++
			case want[tp.ID]:
				cs.fn++
				all.fn++
			}
		}
	}
	return s
}

func (s *scores) precision(topic string) float64 {
	c := s.by[topic]
	if c.tp+c.fp == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fp)
}

func (s *scores) recall(topic string) float64 {
	c := s.by[topic]
	if c.tp+c.fn == 0 {
		return 1
	}
	return float64(c.tp) / float64(c.tp+c.fn)
}

func (s *scores) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "  %-20s %5s %5s %5s %9s %6s\n", "topic", "tp", "fp", "fn", "precision", "recall")
	for _, tp := range s.order {
		c := s.by[tp]
		fmt.Fprintf(&b, "  %-20s %5d %5d %5d %9.2f %6.2f\n", tp, c.tp, c.fp, c.fn, s.precision(tp), s.recall(tp))
	}
	return b.String()
}
