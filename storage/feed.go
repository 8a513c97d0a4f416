package storage

import (
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// FeedState is what newswatch remembers about a feed between polls.
type FeedState struct {
	URL string `json:"url"`
	// ETag and LastModified are the validators of the last 200 response,
	// sent back as If-None-Match and If-Modified-Since.
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	// BodyHash is a hash of the last body parsed, so that a server that
	// ignores validators but sends the same bytes costs no parse.
	BodyHash string `json:"body_hash,omitempty"`
	// LastPoll is when the feed was last tried; LastSuccess when it last
	// answered 200 or 304.
	LastPoll    time.Time `json:"last_poll"`
	LastSuccess time.Time `json:"last_success"`
	// LastError is the error of the last poll, "" when it succeeded.
	LastError string `json:"last_error,omitempty"`
	// Failures counts consecutive failed polls; FailingSince is when the
	// first of them happened.
	Failures     int       `json:"failures"`
	FailingSince time.Time `json:"failing_since,omitempty"`
	// NextPoll is when the feed is due again, and Interval the polling
	// interval it was computed from (before any back-off).
	NextPoll time.Time     `json:"next_poll,omitempty"`
	Interval time.Duration `json:"interval,omitempty"`
	// MovedTo is where the feed moved permanently (301 or 308): it is
	// fetched there from then on, while its items stay under URL.
	MovedTo string `json:"moved_to,omitempty"`
	// Gone is set when the feed answered 410 Gone: it is not fetched
	// again.
	Gone bool `json:"gone,omitempty"`
	// ItemsSeen counts the distinct items ever read from the feed.
	ItemsSeen int `json:"items_seen"`
	// LastElapsed is how long the last poll took to fetch and read the
	// feed, so that a feed slow then can be started early next time.
	LastElapsed time.Duration `json:"last_elapsed,omitempty"`
}

// FeedState returns the stored state of the feed at url, or a zero state
// with only URL set when the feed was never polled.
func (db *DB) FeedState(url string) (FeedState, error) {
	st := FeedState{URL: url}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketFeeds).Get([]byte(url))
		if v == nil {
			return nil
		}
		return decodeFeedStateInto(v, &st)
	})
	if err != nil {
		return FeedState{URL: url}, fmt.Errorf("read state of feed %s: %w", url, err)
	}
	return st, nil
}

// Feeds returns the state of every feed ever polled, ordered by URL.
func (db *DB) Feeds() ([]FeedState, error) {
	var out []FeedState
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketFeeds).ForEach(func(k, v []byte) error {
			var st FeedState
			if err := decodeFeedStateInto(v, &st); err != nil {
				return fmt.Errorf("feed %s: %w", k, err)
			}
			out = append(out, st)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list feeds: %w", err)
	}
	return out, nil
}

func putFeedState(tx *bolt.Tx, st FeedState) error {
	v, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketFeeds).Put([]byte(st.URL), v)
}

func getFeedState(tx *bolt.Tx, url string) (FeedState, error) {
	st := FeedState{URL: url}
	if v := tx.Bucket(bucketFeeds).Get([]byte(url)); v != nil {
		if err := decodeFeedStateInto(v, &st); err != nil {
			return st, fmt.Errorf("feed %s: %w", url, err)
		}
	}
	return st, nil
}

// HealthStatuses are the statuses Health gives, worst first: a status's
// rank is its index.
var HealthStatuses = []string{"gone", "failing", "failed", "new", "ok"}

// Health names a feed's state for people, and ranks it, worst first:
// "gone" (410), "failing" (failing for failingAfter or longer), "failed"
// (its last poll failed), "new" (never polled), "ok".
func (st FeedState) Health(failingAfter time.Duration, now time.Time) (status string, rank int) {
	switch {
	case st.Gone:
		rank = 0
	case st.Failures > 0 && now.Sub(st.FailingSince) >= failingAfter:
		rank = 1
	case st.Failures > 0:
		rank = 2
	case st.LastPoll.IsZero():
		rank = 3
	default:
		rank = 4
	}
	return HealthStatuses[rank], rank
}
