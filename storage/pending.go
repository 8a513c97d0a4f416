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
// of a topic sorts that topic's share of them: with the log one short of a
// merge, the newest 50 of one topic took 0.8 ms and of all topics 2.9 ms
// (BenchmarkMatchesPagePending).
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
	var keys [][]byte
	err := eachPending(tx, nil, func(topic []byte, id uint64, published []byte) {
		// The ID is inverted: a backward scan, newest first, then meets
		// the matches of one article in the order they were flagged.
		keys = append(keys, append(append(bytes.Clone(topic), published...), u64(^id)...))
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

// eachPending calls fn with the topic prefix (topic and its 0x00), match
// ID and published time key of each entry of the log whose key begins with
// prefix (every entry when prefix is empty), in key order: by topic, then
// by match ID. The slices are valid during the call only. A database from
// before the log (read-only) has none.
func eachPending(tx *bolt.Tx, prefix []byte, fn func(topic []byte, id uint64, published []byte)) error {
	log := tx.Bucket(bucketPending)
	if log == nil {
		return nil
	}
	c := log.Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(k) < 9 || k[len(k)-9] != 0 || len(v) != 8 {
			return fmt.Errorf("malformed pending index entry %x → %x", k, v)
		}
		fn(k[:len(k)-8], binary.BigEndian.Uint64(k[len(k)-8:]), v)
	}
	return nil
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
	var out [][]byte
	err := eachPending(tx, prefix, func(_ []byte, id uint64, published []byte) {
		if bytes.Equal(published, tk) {
			out = append(out, u64(^id))
		}
	})
	return out, err
}

// pendingRun is the log's entries of one topic, in ascending order.
type pendingRun struct {
	prefix []byte
	recs   []timeRec
}

// pendingRuns reads the log's entries whose keys begin with prefix (all
// of them when prefix is empty) in one pass, a run per topic.
func pendingRuns(tx *bolt.Tx, prefix []byte) ([]pendingRun, error) {
	var runs []pendingRun
	err := eachPending(tx, prefix, func(topic []byte, id uint64, published []byte) {
		if len(runs) == 0 || !bytes.Equal(runs[len(runs)-1].prefix, topic) {
			runs = append(runs, pendingRun{prefix: bytes.Clone(topic)})
		}
		run := &runs[len(runs)-1]
		run.recs = append(run.recs, timeRec{binary.BigEndian.Uint64(published), ^id})
	})
	if err != nil {
		return nil, err
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
