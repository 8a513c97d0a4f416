package storage

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The match_counts bucket counts each topic's matches by the hour they were
// flagged, so that the dashboard's charts read a few hundred counters
// rather than every match of the last month: with 90 days of 10,000 feeds
// (three million matches) a scan took seconds per page.

// countKey is topic + 0x00 + the hour (sortable).
func countKey(topic string, hour int64) []byte {
	return append(topicPrefix(topic), u64(uint64(hour)^(1<<63))...)
}

func hourOf(t time.Time) int64 {
	h := t.Unix() / 3600
	if t.Unix() < 0 && t.Unix()%3600 != 0 {
		h-- // floor, before 1970 too
	}
	return h
}

// addCount adds delta to the topic's count for the hour of at.
func addCount(tx *bolt.Tx, topic string, at time.Time, delta int64) error {
	b := tx.Bucket(bucketCounts)
	k := countKey(topic, hourOf(at))
	var n int64
	if v := b.Get(k); len(v) == 8 {
		n = int64(binary.BigEndian.Uint64(v))
	}
	n += delta
	if n <= 0 {
		return b.Delete(k)
	}
	return b.Put(k, u64(uint64(n)))
}

// DailyCounts counts each topic's matches per day over days days: the
// last element of each slice is the 24 hours before now, the one before it
// the 24 hours before those, and so on. Matches are counted by the hour
// they were flagged in, so one flagged within the hour of a day's boundary
// may count on either side of it.
func (db *DB) DailyCounts(now time.Time, days int) (map[string][]int, error) {
	out := map[string][]int{}
	start := hourOf(now.Add(-time.Duration(days) * 24 * time.Hour))
	end := hourOf(now) // exclusive, but for the hour now is in the middle of
	if !now.Truncate(time.Hour).Equal(now) {
		end++
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return eachCount(tx, start, end, func(topic string, hour int64, n int) {
			if out[topic] == nil {
				out[topic] = make([]int, days)
			}
			out[topic][min((hour-start)/24, int64(days)-1)] += n
		})
	})
	if err != nil {
		return nil, fmt.Errorf("count matches per day: %w", err)
	}
	return out, nil
}

// FlaggedCounts counts each topic's matches flagged in [from, to), by the
// hour: a match counts in the window that holds the start of the hour it
// was flagged in, so consecutive windows count each match once, and
// windows on whole hours (a digest's schedule, usually) count exactly.
func (db *DB) FlaggedCounts(from, to time.Time) (map[string]int, error) {
	counts := map[string]int{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return eachCount(tx, firstHourFrom(from), firstHourFrom(to), func(topic string, _ int64, n int) {
			counts[topic] += n
		})
	})
	if err != nil {
		return nil, fmt.Errorf("count flagged matches: %w", err)
	}
	return counts, nil
}

// firstHourFrom returns the first hour that starts at or after t.
func firstHourFrom(t time.Time) int64 {
	h := hourOf(t)
	if !t.Truncate(time.Hour).Equal(t) {
		h++
	}
	return h
}

// eachCount calls fn for every topic's count of each hour in [start, end).
func eachCount(tx *bolt.Tx, start, end int64, fn func(topic string, hour int64, n int)) error {
	c := tx.Bucket(bucketCounts).Cursor()
	for k, v := c.First(); k != nil; {
		sep := bytes.IndexByte(k, 0)
		if sep < 0 || len(k) != sep+9 {
			return fmt.Errorf("count key %x is malformed", k)
		}
		topic := string(k[:sep])
		hour := int64(binary.BigEndian.Uint64(k[sep+1:]) ^ (1 << 63))
		switch {
		case hour < start:
			k, v = c.Seek(countKey(topic, start))
			continue
		case hour >= end:
			k, v = c.Seek(append([]byte(topic), 1)) // the next topic
			continue
		}
		fn(topic, hour, int(binary.BigEndian.Uint64(v)))
		k, v = c.Next()
	}
	return nil
}

// countAll builds the counts from every stored match: the migration to
// schema 2, for databases from before the counts.
func countAll(tx *bolt.Tx) error {
	c := tx.Bucket(bucketMatches).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var sm struct {
			Topic     string    `json:"topic"`
			MatchedAt time.Time `json:"matched_at"`
		}
		if err := json.Unmarshal(v, &sm); err != nil {
			return fmt.Errorf("match %x: %w", k, err)
		}
		if err := addCount(tx, sm.Topic, sm.MatchedAt, 1); err != nil {
			return err
		}
	}
	return nil
}
