// Package digest builds the digest of the matches flagged since the last
// one: grouped by topic, each article once under its strongest topic, with
// a summary of counts against the week before and of feed health, as a
// subject, a plain-text part and an HTML part.
//
// It reads storage through Source and sends nothing: delivery belongs to
// its caller.
package digest

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"newswatch/storage"
)

// Source is what a digest reads.
type Source interface {
	// Flagged returns the matches flagged after the match with ID after
	// and at or after since, in flagging order.
	Flagged(after uint64, since time.Time, limit int) ([]storage.Match, error)
	// FlaggedCounts counts each topic's matches flagged in [from, to),
	// to the hour.
	FlaggedCounts(from, to time.Time) (map[string]int, error)
	// Feeds returns the state of every feed ever polled.
	Feeds() ([]storage.FeedState, error)
}

// Topic is a topic as the digest shows it, in config order.
type Topic struct {
	ID, Name string
}

// Options says what a digest covers and for whom.
type Options struct {
	// Topics in config order. Matches of topics not listed are left out,
	// so a recipient can be sent only the topics they follow.
	Topics []Topic
	// After is the watermark: the ID of the last match already sent.
	After uint64
	// Since is when the period began (the last digest, or a day ago).
	Since time.Time
	// Now is when the period ends.
	Now time.Time
	// Location is the recipient's time zone (UTC when nil).
	Location *time.Location
	// Feeds is the number of configured feeds, for the summary.
	Feeds []string
	// MaxBytes bounds the text and HTML parts together (DefaultMaxBytes
	// when 0). A digest that would be larger lists in each topic only its
	// strongest articles, as many as fit, and says how many more there are.
	MaxBytes int
}

// DefaultMaxBytes is the default bound on a digest's two parts: about
// 6 MB once encoded for mail. Mail servers refuse messages of 10 to 25 MB,
// and a digest refused would be retried, and then grow with every period
// it failed to cover; one this large lists some 4,000 articles (about 1 KB
// each with a sentence of snippet).
const DefaultMaxBytes = 4 << 20

// Digest is one digest, ready to send.
type Digest struct {
	Subject string
	Text    string
	HTML    string
	// Matches and Articles count what it holds; Topics how many topics
	// have articles.
	Matches, Articles, Topics int
	// UpTo is the ID of the last match it covers: the watermark once sent.
	UpTo uint64
}

// Empty reports whether the digest holds no match (a heartbeat).
func (d *Digest) Empty() bool { return d.Matches == 0 }

// Article is one article of a digest, under its strongest topic.
type Article struct {
	Title, URL, Outlet string
	Published          time.Time
	// Snippet is the passage of the strongest match, with the matched
	// words marked.
	Snippet storage.Snippet
	// Also are the names of the other topics it matched.
	Also  []string
	Score int
}

// Section is a topic's part of a digest.
type Section struct {
	Topic    Topic
	Articles []Article
	// Total counts the articles of the topic; Omitted those not listed
	// for the digest to fit MaxBytes.
	Total, Omitted int
}

// Line is a topic's line of the summary.
type Line struct {
	Topic Topic
	// Matches in this digest, and the daily average of the 7 days before.
	Matches int
	WeekAvg float64
}

// Change describes Matches against the weekly average, such as "+40%".
func (l Line) Change() string {
	switch {
	case l.WeekAvg == 0 && l.Matches == 0:
		return "no change"
	case l.WeekAvg == 0:
		return "new"
	}
	pct := (float64(l.Matches) - l.WeekAvg) / l.WeekAvg * 100
	return fmt.Sprintf("%+.0f%%", pct)
}

// content is what the templates render.
type content struct {
	Subject   string
	Date      string
	Period    string
	Summary   []Line
	Sections  []Section
	Matches   int
	Articles  int
	Polled    int
	Failing   []storage.FeedState
	FeedCount int
	Location  *time.Location
}

// Build reads the matches after the watermark and renders the digest.
func Build(src Source, o Options) (*Digest, error) {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	order := map[string]int{}
	for i, t := range o.Topics {
		order[t.ID] = i
	}
	ms, err := src.Flagged(o.After, o.Since, 0)
	if err != nil {
		return nil, err
	}
	d := &Digest{UpTo: o.After}
	for _, m := range ms {
		d.UpTo = max(d.UpTo, m.ID)
	}

	// Each article once, under its strongest topic (ties: config order).
	type entry struct {
		best    storage.Match
		matched []string
	}
	byArticle := map[uint64]*entry{}
	var articleOrder []uint64
	perTopic := map[string]int{}
	for _, m := range ms {
		if _, ok := order[m.Topic]; !ok {
			continue
		}
		perTopic[m.Topic]++
		d.Matches++
		e := byArticle[m.Article.ID]
		if e == nil {
			e = &entry{best: m}
			byArticle[m.Article.ID] = e
			articleOrder = append(articleOrder, m.Article.ID)
		} else if m.Score > e.best.Score || m.Score == e.best.Score && order[m.Topic] < order[e.best.Topic] {
			e.best = m
		}
		e.matched = append(e.matched, m.Topic)
	}
	sections := make([]Section, len(o.Topics))
	for i, t := range o.Topics {
		sections[i].Topic = t
	}
	for _, id := range articleOrder {
		e := byArticle[id]
		a := Article{
			// One line each: a title cannot break the text part's layout.
			Title: oneLine(e.best.Article.Title), URL: e.best.Article.URL, Outlet: oneLine(e.best.Article.FeedName),
			Published: e.best.Article.Published.In(loc), Snippet: e.best.Snippet, Score: e.best.Score,
		}
		for _, tid := range e.matched {
			if tid != e.best.Topic {
				a.Also = append(a.Also, o.Topics[order[tid]].Name)
			}
		}
		s := &sections[order[e.best.Topic]]
		s.Articles = append(s.Articles, a)
	}
	var kept []Section
	for _, s := range sections {
		if len(s.Articles) == 0 {
			continue
		}
		sort.SliceStable(s.Articles, func(i, j int) bool { return s.Articles[i].Published.After(s.Articles[j].Published) })
		s.Total = len(s.Articles)
		kept = append(kept, s)
		d.Articles += len(s.Articles)
	}
	d.Topics = len(kept)

	week, err := src.FlaggedCounts(o.Since.Add(-7*24*time.Hour), o.Since)
	if err != nil {
		return nil, err
	}
	var summary []Line
	for _, t := range o.Topics {
		summary = append(summary, Line{Topic: t, Matches: perTopic[t.ID], WeekAvg: float64(week[t.ID]) / 7})
	}

	states, err := src.Feeds()
	if err != nil {
		return nil, err
	}
	configured := map[string]bool{}
	for _, u := range o.Feeds {
		configured[u] = true
	}
	c := content{
		Date:    o.Now.In(loc).Format("2006-01-02"),
		Period:  o.Since.In(loc).Format("2006-01-02 15:04") + " – " + o.Now.In(loc).Format("2006-01-02 15:04 MST"),
		Summary: summary, Sections: kept, Matches: d.Matches, Articles: d.Articles,
		FeedCount: len(o.Feeds), Location: loc,
	}
	for _, st := range states {
		if !configured[st.URL] {
			continue
		}
		if !st.LastPoll.Before(o.Since) {
			c.Polled++
		}
		if st.Failures > 0 || st.Gone {
			c.Failing = append(c.Failing, st)
		}
	}
	d.Subject = subject(d, c.Date)
	c.Subject = d.Subject
	maxBytes := o.MaxBytes
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	if d.Text, d.HTML, err = render(c); err != nil {
		return nil, err
	}
	if len(d.Text)+len(d.HTML) > maxBytes {
		if d.Text, d.HTML, err = fit(c, maxBytes); err != nil {
			return nil, err
		}
	}
	return d, nil
}

func render(c content) (text, html string, err error) {
	if text, err = renderText(c); err != nil {
		return "", "", err
	}
	html, err = renderHTML(c)
	return text, html, err
}

// fit renders c with each section cut to its k strongest articles (by
// score, then the newest), the largest k for which the two parts take at
// most maxBytes, found by bisection; with k = 0 still too large, it
// renders that.
func fit(c content, maxBytes int) (text, html string, err error) {
	full := c.Sections
	strongest := make([][]Article, len(full))
	most := 0
	for i, s := range full {
		a := slices.Clone(s.Articles)
		sort.SliceStable(a, func(x, y int) bool {
			return a[x].Score > a[y].Score || a[x].Score == a[y].Score && a[x].Published.After(a[y].Published)
		})
		strongest[i] = a
		most = max(most, len(a))
	}
	cut := func(k int) content {
		sections := make([]Section, len(full))
		for i, s := range full {
			n := min(k, len(strongest[i]))
			s.Articles = slices.Clone(strongest[i][:n])
			sort.SliceStable(s.Articles, func(x, y int) bool { return s.Articles[x].Published.After(s.Articles[y].Published) })
			s.Omitted = s.Total - n
			sections[i] = s
		}
		c.Sections = sections
		return c
	}
	lo, hi := 0, most // the answer is in [lo, hi): most itself is too large
	for lo+1 < hi {
		mid := (lo + hi) / 2
		t, h, err := render(cut(mid))
		if err != nil {
			return "", "", err
		}
		if len(t)+len(h) <= maxBytes {
			lo = mid
		} else {
			hi = mid
		}
	}
	return render(cut(lo))
}

// subject is "newswatch: 14 new matches in 5 topics — 2025-03-04", or the
// heartbeat "newswatch: 0 new matches — 2025-03-04". It holds nothing
// from a feed.
func subject(d *Digest, date string) string {
	if d.Matches == 0 {
		return "newswatch: 0 new matches — " + date
	}
	return fmt.Sprintf("newswatch: %d new %s in %d %s — %s", d.Matches, plural(d.Matches, "match", "matches"),
		d.Topics, plural(d.Topics, "topic", "topics"), date)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// HeaderValue makes s safe for a mail header: line breaks and other
// control characters become spaces, so no text can start a header of its
// own ("x\r\nBcc: a@b" stays one line).
func HeaderValue(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' || r == '\u0085' {
			return ' '
		}
		return r
	}, s)
}
