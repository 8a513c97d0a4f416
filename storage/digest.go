package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DigestState is what was last sent to a recipient.
type DigestState struct {
	// UpTo is the watermark: the ID of the last match sent.
	UpTo uint64 `json:"up_to"`
	// Period is the scheduled time of the last digest sent, and Sent when
	// the server accepted it.
	Period time.Time `json:"period"`
	Sent   time.Time `json:"sent"`
	// FirstSince is where the recipient's first digest begins, kept from
	// the first attempt, so that a first digest lost to a crash is covered
	// by the next one.
	FirstSince time.Time `json:"first_since,omitempty"`
}

// SentDigest is one digest in the history.
type SentDigest struct {
	Recipient string    `json:"recipient"`
	Period    time.Time `json:"period"`
	Sent      time.Time `json:"sent"`
	Subject   string    `json:"subject"`
	UpTo      uint64    `json:"up_to"`
	Matches   int       `json:"matches"`
	// Skipped is set for an empty digest not sent (digest.skip_empty).
	Skipped bool `json:"skipped,omitempty"`
	// Pending is set while the digest is being sent. A pending record left
	// by a crash keeps the period from being sent twice; the watermark did
	// not move, so the next period's digest still holds its matches.
	Pending bool `json:"pending,omitempty"`
}

// ErrDigestSent is returned by RecordDigest for a period recorded before.
var ErrDigestSent = errors.New("a digest for this period was sent already")

func digestKey(recipient string, period time.Time) []byte {
	return append(append([]byte(recipient), 0), timeKey(period)...)
}

// DigestState returns the last digest sent to recipient; a zero state
// when none was.
func (db *DB) DigestState(recipient string) (DigestState, error) {
	var st DigestState
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketDigestState).Get([]byte(recipient)); v != nil {
			return json.Unmarshal(v, &st)
		}
		return nil
	})
	if err != nil {
		return DigestState{}, fmt.Errorf("read digest state of %s: %w", recipient, err)
	}
	return st, nil
}

// DigestSent reports whether the digest of period went to recipient, or
// was being sent when newswatch stopped.
func (db *DB) DigestSent(recipient string, period time.Time) (bool, error) {
	sent := false
	err := db.bolt.View(func(tx *bolt.Tx) error {
		sent = tx.Bucket(bucketDigests).Get(digestKey(recipient, period)) != nil
		return nil
	})
	return sent, err
}

// BeginDigest records that the digest of a period, covering matches from
// since, is about to be sent. It returns ErrDigestSent when the period has
// a record already, sent or pending: a period is never sent twice, even
// after a crash mid-send.
func (db *DB) BeginDigest(recipient string, period, since time.Time) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		hist := tx.Bucket(bucketDigests)
		key := digestKey(recipient, period)
		if hist.Get(key) != nil {
			return ErrDigestSent
		}
		v, err := json.Marshal(SentDigest{Recipient: recipient, Period: period, Pending: true})
		if err != nil {
			return err
		}
		if err := hist.Put(key, v); err != nil {
			return err
		}
		states := tx.Bucket(bucketDigestState)
		var st DigestState
		if sv := states.Get([]byte(recipient)); sv != nil {
			if err := json.Unmarshal(sv, &st); err != nil {
				return err
			}
		}
		if !st.Period.IsZero() || !st.FirstSince.IsZero() {
			return nil
		}
		st.FirstSince = since
		sv, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return states.Put([]byte(recipient), sv)
	})
	if err != nil {
		return fmt.Errorf("begin digest for %s: %w", recipient, err)
	}
	return nil
}

// AbortDigest removes the pending record of a digest that failed to send,
// so that it can be tried again. A sent digest's record stays.
func (db *DB) AbortDigest(recipient string, period time.Time) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		hist := tx.Bucket(bucketDigests)
		key := digestKey(recipient, period)
		var d SentDigest
		if v := hist.Get(key); v == nil || json.Unmarshal(v, &d) != nil || !d.Pending {
			return nil
		}
		return hist.Delete(key)
	})
}

// RecordDigest records, in one transaction, that the server accepted the
// digest d (or that an empty one was skipped), replacing its pending
// record, and moves the recipient's watermark to d.UpTo. A period already
// recorded as sent gives ErrDigestSent and changes nothing.
func (db *DB) RecordDigest(d SentDigest) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		hist := tx.Bucket(bucketDigests)
		key := digestKey(d.Recipient, d.Period)
		if v := hist.Get(key); v != nil {
			var old SentDigest
			if err := json.Unmarshal(v, &old); err != nil || !old.Pending {
				return ErrDigestSent
			}
		}
		d.Pending = false
		v, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if err := hist.Put(key, v); err != nil {
			return err
		}
		st := DigestState{UpTo: d.UpTo, Period: d.Period, Sent: d.Sent}
		sv, err := json.Marshal(st)
		if err != nil {
			return err
		}
		return tx.Bucket(bucketDigestState).Put([]byte(d.Recipient), sv)
	})
	if err != nil {
		return fmt.Errorf("record digest for %s: %w", d.Recipient, err)
	}
	return nil
}

// Digests returns the history of digests, newest first, at most limit.
func (db *DB) Digests(limit int) ([]SentDigest, error) {
	var out []SentDigest
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketDigests).ForEach(func(k, v []byte) error {
			var d SentDigest
			if err := json.Unmarshal(v, &d); err != nil {
				return err
			}
			out = append(out, d)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list digests: %w", err)
	}
	slices.SortStableFunc(out, func(a, b SentDigest) int { return b.Period.Compare(a.Period) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
