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
	"strings"
	"time"

	"newswatch/storage"
)

// Source is what a digest reads.
type Source interface {
	// Flags returns the matches flagged after the match with ID after and
	// at or after since, in flagging order, at most limit (0: all),
	// without their articles, terms and snippets.
	Flags(after uint64, since time.Time, limit int) ([]storage.Flag, error)
	// MatchesByID returns the matches with these IDs, in that order, with
	// their articles; IDs no longer stored are left out.
	MatchesByID(ids []uint64) ([]storage.Match, error)
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
//
// It reads in two passes, so that a period of a hundred thousand matches
// (after thousands of feeds were added, say) costs megabytes, not
// gigabytes: first every match's Flag, a page at a time, to count them and
// choose each article's strongest topic; then, with MatchesByID, only the
// matches of the articles that MaxBytes leaves room to list.
func Build(src Source, o Options) (*Digest, error) {
	return build(src, o, articleBytes())
}

// build is Build reading the matches of at most MaxBytes/perArticle
// articles: perArticle must be a lower bound of the bytes an article's
// listing takes (see articleBytes).
func build(src Source, o Options, perArticle int) (*Digest, error) {
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}
	order := map[string]int{}
	for i, t := range o.Topics {
		order[t.ID] = i
	}
	p, err := readPeriod(src, o.After, o.Since, order)
	if err != nil {
		return nil, err
	}
	d := &Digest{UpTo: p.upTo, Matches: p.matches, Articles: len(p.articles)}
	bySection := p.sections(len(o.Topics))
	var kept []Section
	var lists [][]int // the articles of each kept section
	for i, l := range bySection {
		if len(l) > 0 {
			kept = append(kept, Section{Topic: o.Topics[i], Total: len(l)})
			lists = append(lists, l)
		}
	}
	d.Topics = len(kept)

	week, err := src.FlaggedCounts(o.Since.Add(-7*24*time.Hour), o.Since)
	if err != nil {
		return nil, err
	}
	var summary []Line
	for _, t := range o.Topics {
		summary = append(summary, Line{Topic: t, Matches: p.perTopic[t.ID], WeekAvg: float64(week[t.ID]) / 7})
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
	l := lister{p: &p, lists: lists, topics: o.Topics, loc: loc}
	l.bound(src, maxBytes/perArticle)
	if d.Text, d.HTML, _, err = l.fit(c, maxBytes); err != nil {
		return nil, err
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
