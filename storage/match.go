package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Match is an article flagged for a topic.
type Match struct {
	ID    uint64
	Topic string
	Score int
	// Terms are the words that matched, as spelled in the article.
	Terms     []string
	Snippet   Snippet
	MatchedAt time.Time
	// Article is the article that matched, without its Text: listings do
	// not show it, and it is most of an article's bytes (ArticleMatches
	// returns the article whole).
	Article Article
}

// storedMatch is the value of the matches bucket.
type storedMatch struct {
	ArticleID uint64    `json:"article"`
	Topic     string    `json:"topic"`
	Score     int       `json:"score"`
	Terms     []string  `json:"terms"`
	Snippet   Snippet   `json:"snippet"`
	MatchedAt time.Time `json:"matched_at"`
	Published time.Time `json:"published"`
}

func putMatch(tx *bolt.Tx, a Article, h TopicHit, at time.Time) error {
	matches := tx.Bucket(bucketMatches)
	matches.FillPercent = appendFill
	id, err := matches.NextSequence()
	if err != nil {
		return err
	}
	v, err := encodeMatch(&storedMatch{ArticleID: a.ID, Topic: h.Topic, Score: h.Score, Terms: h.Terms, Snippet: h.Snippet, MatchedAt: at, Published: a.Published})
	if err != nil {
		return err
	}
	if err := matches.Put(u64(id), v); err != nil {
		return err
	}
	if err := indexMatch(tx, h.Topic, a.Published, id); err != nil {
		return err
	}
	return addCount(tx, h.Topic, at, 1)
}

func topicPrefix(topic string) []byte {
	return append([]byte(topic), 0)
}

// Query selects stored matches.
type Query struct {
	// Topic, when set, keeps only matches of that topic id.
	Topic string
	// Since and Until, when set, keep only articles published in
	// [Since, Until).
	Since, Until time.Time
	// Feed, when set, keeps only articles that feed carried.
	Feed string
	// Text, when set, keeps only matches whose title or snippet contains
	// it, ignoring case.
	Text string
	// Cursor, when set, continues a listing after the page that returned
	// it (MatchesPage).
	Cursor string
	// Limit caps the number of matches returned; 0 means no cap.
	Limit int
	// MaxScan, when set, caps the matches MatchesPage examines: a Feed or
	// Text filter that few matches pass would otherwise read every match
	// in range (19 s for a million, holding a read transaction). When the
	// cap is reached first, the page holds what passed so far, possibly
	// nothing, and its next cursor continues the search.
	MaxScan int
}

// Matches returns the matches q selects, the most recently published
// first; the matches of one article come in the order they were flagged
// (the order of the topics in the config).
func (db *DB) Matches(q Query) ([]Match, error) {
	ms, _, err := db.MatchesPage(q)
	return ms, err
}

// MatchesPage is Matches for paging: next is the Cursor of the following
// page, "" when there is none. A cursor is only valid with the same Topic.
// A page cut short by q.MaxScan has fewer than q.Limit matches and a next
// cursor; CursorTime tells how far back it searched.
func (db *DB) MatchesPage(q Query) (out []Match, next string, err error) {
	var start []byte // list keys strictly before this one
	if !q.Until.IsZero() {
		start = timeKey(q.Until)
	}
	if q.Cursor != "" {
		cur, err := hex.DecodeString(q.Cursor)
		if err != nil || len(cur) != 16 {
			return nil, "", fmt.Errorf("list matches: malformed cursor %q", q.Cursor)
		}
		if start == nil || bytes.Compare(cur, start) < 0 {
			start = cur
		}
	}
	text := strings.ToLower(strings.TrimSpace(q.Text))
	err = db.bolt.View(func(tx *bolt.Tx) error {
		var floor []byte
		if !q.Since.IsZero() {
			floor = timeKey(q.Since)
		}
		matches, articles := tx.Bucket(bucketMatches), tx.Bucket(bucketArticles)
		w, err := newNewest(tx, q.Topic, start)
		if err != nil {
			return err
		}
		var prev []byte // the last entry examined
		for scanned := 0; ; scanned++ {
			rest, err := w.next()
			if err != nil {
				return err
			}
			if rest == nil {
				break
			}
			if floor != nil && bytes.Compare(rest[:8], floor) < 0 {
				break
			}
			if q.MaxScan > 0 && scanned == q.MaxScan {
				// The next page starts with this entry, not examined: its
				// cursor is the entry before, as pages list keys strictly
				// before their cursor.
				next = hex.EncodeToString(prev)
				break
			}
			prev = append(prev[:0], rest...)
			m, err := loadMatch(matches, articles, ^binary.BigEndian.Uint64(rest[8:]))
			if err != nil {
				return err
			}
			if q.Feed != "" && !carriedBy(m.Article, q.Feed) {
				continue
			}
			if text != "" && !strings.Contains(strings.ToLower(m.Article.Title), text) && !strings.Contains(strings.ToLower(m.Snippet.Text), text) {
				continue
			}
			out = append(out, m)
			if q.Limit > 0 && len(out) >= q.Limit {
				next = hex.EncodeToString(rest)
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("list matches: %w", err)
	}
	return out, next, nil
}

// CursorTime returns the publication time a cursor from MatchesPage
// continues before: the listing has searched every match published after
// it.
func CursorTime(cursor string) (time.Time, error) {
	cur, err := hex.DecodeString(cursor)
	if err != nil || len(cur) != 16 {
		return time.Time{}, fmt.Errorf("malformed cursor %q", cursor)
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(cur)^(1<<63))).UTC(), nil
}

func carriedBy(a Article, feed string) bool {
	if a.Feed == feed {
		return true
	}
	for _, s := range a.Sources {
		if s.Feed == feed {
			return true
		}
	}
	return false
}

// seekBefore positions c on the last key before key and returns it.
func seekBefore(c *bolt.Cursor, key []byte) []byte {
	k, _ := c.Seek(key)
	if k == nil {
		k, _ = c.Last()
		return k
	}
	k, _ = c.Prev()
	return k
}

// seekLast positions c on the last key that starts with prefix (or the last
// key of the bucket when prefix is empty) and returns it.
func seekLast(c *bolt.Cursor, prefix []byte) []byte {
	if len(prefix) == 0 {
		k, _ := c.Last()
		return k
	}
	// The byte after the prefix's 0x00 terminator: 0x01 sorts after every
	// key of this topic and before the next topic's.
	end := append(bytes.Clone(prefix[:len(prefix)-1]), 1)
	k, _ := c.Seek(end)
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	return k
}

func loadMatch(matches, articles *bolt.Bucket, id uint64) (Match, error) {
	v := matches.Get(u64(id))
	if v == nil {
		return Match{}, fmt.Errorf("index names match %d, which is missing", id)
	}
	return matchOf(articles, id, v)
}

// matchOf returns the match id, whose stored value is v, with its article.
func matchOf(articles *bolt.Bucket, id uint64, v []byte) (Match, error) {
	sm, err := decodeMatch(id, v)
	if err != nil {
		return Match{}, err
	}
	return withArticle(articles, id, sm)
}

// decodeMatch decodes the stored match id, whose value is v.
func decodeMatch(id uint64, v []byte) (storedMatch, error) {
	var sm storedMatch
	if err := decodeMatchInto(v, &sm); err != nil {
		return sm, fmt.Errorf("match %d: %w", id, err)
	}
	return sm, nil
}

// withArticle returns the match id, stored as sm, with its article.
func withArticle(articles *bolt.Bucket, id uint64, sm storedMatch) (Match, error) {
	m := Match{ID: id, Topic: sm.Topic, Score: sm.Score, Terms: sm.Terms, Snippet: sm.Snippet, MatchedAt: sm.MatchedAt}
	av := articles.Get(u64(sm.ArticleID))
	if av == nil {
		return Match{}, fmt.Errorf("match %d names article %d, which is missing", id, sm.ArticleID)
	}
	if err := decodeArticleInto(av, &m.Article, false); err != nil {
		return Match{}, fmt.Errorf("article %d: %w", sm.ArticleID, err)
	}
	return m, nil
}

// ArticleMatches returns the article with ID id and its matches, in the
// order they were flagged; ok is false when there is no such article.
func (db *DB) ArticleMatches(id uint64) (a Article, ms []Match, ok bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketArticles).Get(u64(id))
		if v == nil {
			return nil
		}
		if err := decodeArticleInto(v, &a, true); err != nil {
			return fmt.Errorf("article %d: %w", id, err)
		}
		ok = true
		// Its matches are indexed under its topics and published time.
		c := tx.Bucket(bucketByTopic).Cursor()
		matches, articles := tx.Bucket(bucketMatches), tx.Bucket(bucketArticles)
		tk := timeKey(a.Published)
		for _, topic := range a.Topics {
			// Match IDs, inverted, of this topic and published time: in
			// the index, and among the entries not merged into it yet.
			var ids [][]byte
			pk := append(topicPrefix(topic), tk...)
			for k, _ := c.Seek(pk); k != nil && bytes.HasPrefix(k, pk); k, _ = c.Next() {
				if len(k) != len(pk)+8 {
					return fmt.Errorf("malformed index key %x", k)
				}
				ids = append(ids, k[len(pk):])
			}
			pending, err := pendingAt(tx, topicPrefix(topic), tk)
			if err != nil {
				return err
			}
			ids = append(ids, pending...)
			for _, inv := range ids {
				m, err := loadMatch(matches, articles, ^binary.BigEndian.Uint64(inv))
				if err != nil {
					return err
				}
				if m.Article.ID == id {
					ms = append(ms, m)
				}
			}
		}
		slices.SortFunc(ms, func(x, y Match) int { return int(x.ID) - int(y.ID) })
		return nil
	})
	if err != nil {
		return Article{}, nil, false, fmt.Errorf("read article %d: %w", id, err)
	}
	return a, ms, ok, nil
}
