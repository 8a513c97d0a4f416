package storage

import (
	"time"

	"newswatch/internal/highlight"
)

// Article is an item that matched at least one topic. Items that matched
// nothing are remembered only by their key.
type Article struct {
	ID       uint64 `json:"id"`
	Feed     string `json:"feed"`
	FeedName string `json:"feed_name,omitempty"`
	Key      string `json:"key"`
	Title    string `json:"title"`
	URL      string `json:"url"`
	// Text is the plain text of the item, cut at MaxTextBytes.
	Text      string    `json:"text,omitempty"`
	Published time.Time `json:"published"`
	FirstSeen time.Time `json:"first_seen"`
	// Updated is when a changed title or text was last taken in.
	Updated time.Time `json:"updated,omitempty"`
	// Topics are the topics the article has been flagged for.
	Topics []string `json:"topics,omitempty"`
	// Sources are the feeds that carried the article (by its canonical
	// link), the first one first.
	Sources []Source `json:"sources,omitempty"`
}

// Source is a feed that carried an article.
type Source struct {
	Feed     string `json:"feed"`
	FeedName string `json:"feed_name,omitempty"`
}

// MaxTextBytes bounds the text kept per article.
const MaxTextBytes = 32 << 10

// TopicHit is one topic an item matched, and why.
type TopicHit struct {
	Topic string
	// Score weighs the matched terms (title hits weigh more).
	Score int
	// Terms are the words that matched, as spelled in the article.
	Terms []string
	// Snippet is the passage that holds the strongest hit.
	Snippet Snippet
}

// Snippet is a passage of an article with the matched terms marked.
type Snippet struct {
	Text string `json:"text"`
	// Marks are byte ranges [start, end) of Text, in order.
	Marks [][2]int `json:"marks,omitempty"`
}

// Marked renders the snippet with each mark between open and close, and
// every piece of its text through escape (when not nil). Marks that do not
// fit the text are skipped rather than trusted (see highlight.Render).
func (s Snippet) Marked(open, close string, escape func(string) string) string {
	return highlight.Render(s.Text, func(yield func(int, int) bool) {
		for _, m := range s.Marks {
			if !yield(m[0], m[1]) {
				return
			}
		}
	}, open, close, escape)
}
