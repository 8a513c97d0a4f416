package dashboard

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"newswatch/match"
)

// Explainer explains how a topic's query decided on a document (a
// *match.Matcher).
type Explainer interface {
	Explain(topic string, d match.Document) (*match.Explanation, bool)
}

// articlePage shows an article with, for each topic it matched, the
// explanation of the match.
func (s *Server) articlePage(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseUint(r.PathValue("id"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	a, ms, ok, err := s.Store.ArticleMatches(id)
	if err != nil {
		s.fail(w, err)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	type explained struct {
		Row         row
		Explanation string
	}
	var out []explained
	for i, rw := range s.rows(ms) {
		e := explained{Row: rw}
		if s.Explainer != nil {
			if ex, ok := s.Explainer.Explain(ms[i].Topic, match.Document{Title: a.Title, Text: a.Text}); ok {
				e.Explanation = ex.String()
			}
		}
		out = append(out, e)
	}
	s.render(w, "article.html", map[string]any{"Title": a.Title, "Article": a, "Matches": out})
}

// chartDays is how many days the topics page charts.
const chartDays = 30

// topicStat is a topic's recent activity: matches per day, the oldest
// first and the last 24 hours last, and what the page and the API show of
// them.
type topicStat struct {
	Topic   Topic
	Days    []int
	Today   int
	WeekAvg float64 // the daily average of the 7 days before Today
	Spike   bool    // at least 3 today and more than twice WeekAvg
}

// topicStats reads each topic's matches per day over days days (at least
// 8), in one scan.
func (s *Server) topicStats(days int) ([]topicStat, error) {
	counts, err := s.Store.DailyCounts(s.now(), days)
	if err != nil {
		return nil, err
	}
	out := make([]topicStat, len(s.Topics))
	for i, t := range s.Topics {
		c := counts[t.ID]
		if c == nil {
			c = make([]int, days)
		}
		st := topicStat{Topic: t, Days: c, Today: c[days-1]}
		for _, n := range c[days-8 : days-1] {
			st.WeekAvg += float64(n) / 7
		}
		st.Spike = st.Today >= 3 && float64(st.Today) > 2*st.WeekAvg
		out[i] = st
	}
	return out, nil
}

// topicsPage shows each topic's matches per day over the last 30 days as
// an SVG chart, today's count against the 7-day average, and a spike mark.
func (s *Server) topicsPage(w http.ResponseWriter, r *http.Request) {
	stats, err := s.topicStats(chartDays)
	if err != nil {
		s.fail(w, err)
		return
	}
	type line struct {
		topicStat
		Chart template.HTML
	}
	out := make([]line, len(stats))
	for i, st := range stats {
		out[i] = line{st, barChart(st.Days, st.Topic.Name)}
	}
	s.render(w, "topics.html", map[string]any{"Title": "Topics", "Topics": out})
}

// barChart draws daily counts as an SVG bar chart; the last bar is today.
// It is built from numbers only; the label is escaped.
func barChart(counts []int, label string) template.HTML {
	const w, h, bw = 300, 60, 10
	peak := 1
	for _, n := range counts {
		peak = max(peak, n)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s: matches per day, last %d days">`,
		w, h+12, w, h+12, template.HTMLEscapeString(label), len(counts))
	for i, n := range counts {
		bh := n * h / peak
		class := "bar"
		if i == len(counts)-1 {
			class = "bar today"
		}
		fmt.Fprintf(&b, `<rect class="%s" x="%d" y="%d" width="%d" height="%d"><title>%d</title></rect>`, class, i*bw, h-bh, bw-2, bh, n)
	}
	fmt.Fprintf(&b, `<text x="0" y="%d" class="axis">%d days ago</text><text x="%d" y="%d" class="axis" text-anchor="end">today</text></svg>`, h+11, len(counts)-1, w, h+11)
	return template.HTML(b.String())
}

// digestsPage shows the next digest as it would be sent, and the history.
func (s *Server) digestsPage(w http.ResponseWriter, r *http.Request) {
	hist, err := s.Store.Digests(50)
	if err != nil {
		s.fail(w, err)
		return
	}
	data := map[string]any{"Title": "Digests", "History": hist}
	if s.Preview != nil {
		subject, text, err := s.Preview()
		if err != nil {
			s.fail(w, err)
			return
		}
		data["Subject"], data["Preview"] = subject, text
	}
	s.render(w, "digests.html", data)
}
