package storage

import (
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Flag is a match as a digest first reads it: which article, for which
// topic, how strongly and when; without the article, the terms and the
// snippet, which MatchesByID gives for the few matches a digest shows.
type Flag struct {
	ID        uint64
	ArticleID uint64
	Topic     string
	Score     int
	// Published is the article's publication time.
	Published time.Time
	MatchedAt time.Time
}

// storedFlag decodes a Flag's fields of a stored match (storedMatch
// without the terms and snippet, which it would allocate).
type storedFlag struct {
	ArticleID uint64    `json:"article"`
	Topic     string    `json:"topic"`
	Score     int       `json:"score"`
	MatchedAt time.Time `json:"matched_at"`
	Published time.Time `json:"published"`
}

// Flags returns the matches flagged after the match with ID after and at or
// after since, in the order they were flagged, at most limit (0: all), as
// Flags. A digest reads the matches after its watermark with it, a page at
// a time. It starts near the first match flagged since, found by bisection
// (match IDs follow the order of flagging), so a digest without a
// watermark does not read a year of matches to return a day's.
func (db *DB) Flags(after uint64, since time.Time, limit int) ([]Flag, error) {
	var out []Flag
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketMatches).Cursor()
		start, err := firstFlagged(c, after+1, since.Add(-flagDisorder))
		if err != nil {
			return err
		}
		for k, v := c.Seek(u64(start)); k != nil; k, v = c.Next() {
			id := binary.BigEndian.Uint64(k)
			var sf storedFlag
			if err := decodeFlagInto(v, &sf); err != nil {
				return fmt.Errorf("match %d: %w", id, err)
			}
			if sf.MatchedAt.Before(since) {
				continue
			}
			out = append(out, Flag{ID: id, ArticleID: sf.ArticleID, Topic: sf.Topic, Score: sf.Score,
				Published: sf.Published, MatchedAt: sf.MatchedAt})
			if limit > 0 && len(out) >= limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list flagged matches: %w", err)
	}
	return out, nil
}

// MatchesByID returns the matches with these IDs, in the order given, each
// with its article (without its text). An ID no longer stored (pruned since
// it was listed) is left out; a match whose article is missing is an error.
func (db *DB) MatchesByID(ids []uint64) ([]Match, error) {
	out := make([]Match, 0, len(ids))
	err := db.bolt.View(func(tx *bolt.Tx) error {
		matches, articles := tx.Bucket(bucketMatches), tx.Bucket(bucketArticles)
		for _, id := range ids {
			v := matches.Get(u64(id))
			if v == nil {
				continue
			}
			m, err := matchOf(articles, id, v)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read matches: %w", err)
	}
	return out, nil
}

// flagDisorder bounds how far out of time order match IDs may be: the
// feeds of one poll cycle are committed in the order they finish, each
// flagged at its own poll's time, and a clock may be set back. Flags
// starts its scan this much before since.
const flagDisorder = 24 * time.Hour

// firstFlagged returns the first match ID at or after lo flagged at or
// after t, or one past the last ID when there is none: a bisection over
// the IDs, reading O(log n) matches. The IDs of matches flagged at least
// flagDisorder apart are in time order.
func firstFlagged(c *bolt.Cursor, lo uint64, t time.Time) (uint64, error) {
	last, _ := c.Last()
	if last == nil {
		return lo, nil
	}
	hi := binary.BigEndian.Uint64(last) + 1
	// Invariant: every match below lo was flagged before t; the first
	// match at or after hi, if any, was not.
	for lo < hi {
		mid := lo + (hi-lo)/2
		k, v := c.Seek(u64(mid))
		if k == nil {
			hi = mid
			continue
		}
		at, err := matchedAt(k, v)
		if err != nil {
			return 0, err
		}
		if at.Before(t) {
			lo = binary.BigEndian.Uint64(k) + 1
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// matchedAt decodes when the stored match k, v was flagged.
func matchedAt(k, v []byte) (time.Time, error) {
	var sf storedFlag
	if err := decodeFlagInto(v, &sf); err != nil {
		return time.Time{}, fmt.Errorf("match %d: %w", binary.BigEndian.Uint64(k), err)
	}
	return sf.MatchedAt, nil
}
