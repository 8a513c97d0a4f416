package storage

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
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

// loadMatch returns match id, with its article; the index that named it
// is the caller's.
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
