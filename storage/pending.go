package storage

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// New matches reach matches_by_topic through a log, matches_pending, and
// are merged into it in sorted runs, as an LSM tree merges its memtable.
//
// matches_by_topic is keyed by topic and published time, and a first poll
// of many feeds brings weeks of items at once, in any order of time: each
// match inserted directly landed on a page of its own and made bbolt copy
// that 4 KiB page at the next commit, about a third of what a cold poll
// cycle wrote (BENCHMARKS.md). The log is keyed by topic and match ID, so
// a commit appends to the end of each topic's range and dirties a page or
// two per topic. Once it holds mergeAt entries, they are sorted and
// inserted into matches_by_topic in one pass, which copies each page they
// land on once per merge rather than once per match.
//
// Readers see both: newest merges a topic's log entries (sorted in memory,
// at most mergeAt of them) with its range of the index, and
// ArticleMatches and pruning look in both.

// mergeAt is the number of logged matches that triggers a merge. A reader
// of a topic sorts that topic's share of them, about a millisecond per
// 10,000.
var mergeAt uint64 = 16384

// keyPending counts the entries of the log (meta bucket, 8 bytes).
var keyPending = []byte("pending")

// indexMatch records match id of topic, published at published, in the
// log, and merges the log into matches_by_topic when it is full.
func indexMatch(tx *bolt.Tx, topic string, published time.Time, id uint64) error {
	log := tx.Bucket(bucketPending)
	log.FillPercent = appendFill // keys only grow within each topic
	if err := log.Put(append(topicPrefix(topic), u64(id)...), timeKey(published)); err != nil {
		return err
	}
	n := pendingCount(tx) + 1
	if n >= mergeAt {
		return mergePending(tx)
	}
	return tx.Bucket(bucketMeta).Put(keyPending, u64(n))
}

// pendingCount returns the number of entries in the log.
func pendingCount(tx *bolt.Tx) uint64 {
	if v := tx.Bucket(bucketMeta).Get(keyPending); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

// mergePending moves every entry of the log into matches_by_topic, in key
// order, and empties the log.
func mergePending(tx *bolt.Tx) error {
	log := tx.Bucket(bucketPending)
	var keys [][]byte
	err := log.ForEach(func(k, v []byte) error {
		topic, id, err := splitPending(k, v)
		if err != nil {
			return err
		}
		// The ID is inverted: a backward scan, newest first, then meets
		// the matches of one article in the order they were flagged.
		keys = append(keys, append(append(bytes.Clone(topic), v...), u64(^id)...))
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(keys, bytes.Compare)
	index := tx.Bucket(bucketByTopic)
	for _, k := range keys {
		if err := index.Put(k, nil); err != nil {
			return err
		}
	}
	// Dropping the bucket frees its pages at once; deleting key by key
	// would rewrite them first.
	if err := tx.DeleteBucket(bucketPending); err != nil {
		return err
	}
	if _, err := tx.CreateBucket(bucketPending); err != nil {
		return err
	}
	return tx.Bucket(bucketMeta).Put(keyPending, u64(0))
}

// splitPending returns the topic prefix (topic and its 0x00; part of k)
// and match ID of a log entry, checking its shape.
func splitPending(k, v []byte) (prefix []byte, id uint64, err error) {
	if len(k) < 9 || k[len(k)-9] != 0 || len(v) != 8 {
		return nil, 0, fmt.Errorf("malformed pending index entry %x → %x", k, v)
	}
	return k[:len(k)-8], binary.BigEndian.Uint64(k[len(k)-8:]), nil
}

// timeRec is an index key without its topic prefix: the time key of the
// published time and the inverted match ID (16 bytes, big-endian).
type timeRec struct{ published, inv uint64 }

func (r timeRec) put(b *[16]byte) {
	binary.BigEndian.PutUint64(b[:8], r.published)
	binary.BigEndian.PutUint64(b[8:], r.inv)
}

func cmpTimeRec(a, b timeRec) int {
	if c := cmp.Compare(a.published, b.published); c != 0 {
		return c
	}
	return cmp.Compare(a.inv, b.inv)
}

// recOf reads an index key suffix of 16 bytes, or of 8 (a time alone,
// which sorts before every key of that time, as bytes.Compare has it).
func recOf(b []byte) timeRec {
	var full [16]byte
	copy(full[:], b)
	return timeRec{binary.BigEndian.Uint64(full[:8]), binary.BigEndian.Uint64(full[8:])}
}

// pendingAt returns the inverted match IDs (8 bytes each) of the log's
// entries of the topic with this prefix published at time key tk.
func pendingAt(tx *bolt.Tx, prefix, tk []byte) ([][]byte, error) {
	log := tx.Bucket(bucketPending)
	if log == nil {
		return nil, nil
	}
	var out [][]byte
	c := log.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		_, id, err := splitPending(k, v)
		if err != nil {
			return nil, err
		}
		if bytes.Equal(v, tk) {
			out = append(out, u64(^id))
		}
	}
	return out, nil
}

// pendingRun is the log's entries of one topic, in ascending order.
type pendingRun struct {
	prefix []byte
	recs   []timeRec
}

// pendingRuns reads the log's entries whose keys begin with prefix (all
// of them when prefix is empty) in one pass, a run per topic.
func pendingRuns(tx *bolt.Tx, prefix []byte) ([]pendingRun, error) {
	log := tx.Bucket(bucketPending)
	if log == nil {
		return nil, nil
	}
	var runs []pendingRun
	c := log.Cursor()
	k, v := c.Seek(prefix)
	for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		p, id, err := splitPending(k, v)
		if err != nil {
			return nil, err
		}
		if len(runs) == 0 || !bytes.Equal(runs[len(runs)-1].prefix, p) {
			runs = append(runs, pendingRun{prefix: bytes.Clone(p)})
		}
		run := &runs[len(runs)-1]
		run.recs = append(run.recs, timeRec{binary.BigEndian.Uint64(v), ^id})
	}
	for _, run := range runs {
		slices.SortFunc(run.recs, cmpTimeRec)
	}
	return runs, nil
}

// unindexMatch removes a match from matches_by_topic or from the log,
// wherever it is.
func unindexMatch(tx *bolt.Tx, topic string, published time.Time, id uint64) error {
	prefix := topicPrefix(topic)
	log := tx.Bucket(bucketPending)
	lk := append(bytes.Clone(prefix), u64(id)...)
	if log.Get(lk) != nil {
		if err := log.Delete(lk); err != nil {
			return err
		}
		if n := pendingCount(tx); n > 0 {
			return tx.Bucket(bucketMeta).Put(keyPending, u64(n-1))
		}
		return nil
	}
	return tx.Bucket(bucketByTopic).Delete(append(append(prefix, timeKey(published)...), u64(^id)...))
}

// topicPrefixes returns the topic prefixes (topic and its 0x00) that
// begin keys of b, jumping from one topic to the next.
func topicPrefixes(b *bolt.Bucket) ([][]byte, error) {
	if b == nil {
		return nil, nil
	}
	var out [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil; {
		i := bytes.IndexByte(k, 0)
		if i < 0 {
			return nil, fmt.Errorf("malformed index key %x", k)
		}
		p := bytes.Clone(k[:i+1])
		out = append(out, p)
		k, _ = c.Seek(append(bytes.Clone(p[:i]), 1))
	}
	return out, nil
}
