package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

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
