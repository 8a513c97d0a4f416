// Package storage keeps newswatch's state in one bbolt file: the state of
// each feed, the keys of every item seen, the articles that matched a topic,
// and the matches, indexed by topic and time.
//
// Every method runs one short transaction. Values are copied out of the
// transaction before it ends, so nothing returned points into the mmap.
package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// Bucket layout. Keys that sort by time hold a big-endian, sign-flipped
// nanosecond timestamp, so a cursor walks them in time order.
var (
	bucketMeta        = []byte("meta")             // "schema" → version; "pending" → entries of matches_pending
	bucketFeeds       = []byte("feeds")            // feed URL → FeedState (JSON)
	bucketSeen        = []byte("seen")             // feed URL → { key hash → seenValue }
	bucketLinks       = []byte("links")            // canonical article URL → article ID
	bucketArticles    = []byte("articles")         // article ID → Article (JSON)
	bucketMatches     = []byte("matches")          // match ID → storedMatch (JSON)
	bucketByTopic     = []byte("matches_by_topic") // topic | 0x00 | published | ^match ID → nil
	bucketPending     = []byte("matches_pending")  // topic | 0x00 | match ID → published (see pending.go)
	bucketDigests     = []byte("digests")          // recipient | 0x00 | period → SentDigest (JSON)
	bucketDigestState = []byte("digest_state")     // recipient → DigestState (JSON)
	bucketCounts      = []byte("match_counts")     // topic | 0x00 | hour flagged → count
	keySchema         = []byte("schema")

	allBuckets = [][]byte{bucketMeta, bucketFeeds, bucketSeen, bucketLinks, bucketArticles, bucketMatches, bucketByTopic, bucketPending, bucketDigests, bucketDigestState, bucketCounts}
)

// SchemaVersion is the layout this build reads and writes.
const SchemaVersion = 4

// minReadable is the oldest layout OpenReadOnly reads as it is: schema 2
// differs from 3 only by an index this build does not read, and 3 from 4
// only by matches_pending, which readers take as empty when it is missing.
const minReadable = 2

// ErrInUse is returned by Open when another process holds the database.
var ErrInUse = errors.New("database is in use by another process")

// ErrReadOnly is returned by Open when the system refuses to let the
// database be written (a file or directory without write permission, a
// read-only file system); OpenReadOnly may still read it.
var ErrReadOnly = errors.New("database is read-only")

// DefaultLockTimeout is how long Open waits for another process's lock.
const DefaultLockTimeout = time.Second

// DB is an open newswatch database. It is safe for concurrent use.
type DB struct {
	bolt     *bolt.DB
	readOnly bool
	commits  *committer // nil when read-only
}

// appendFill is how full bbolt fills a page before it splits one, in the
// buckets whose keys only grow (articles and matches, keyed by sequence):
// bbolt's default of one half suits inserts in random order, and left
// these buckets half empty.
const appendFill = 1.0

// Open opens or creates the database at path and creates its buckets. It
// waits at most lockTimeout for a lock held by another process and then
// fails with an error wrapping ErrInUse. A file the system does not let it
// write fails with an error wrapping ErrReadOnly. A database written by a
// newer newswatch is refused; an older one is migrated (see migrate).
func Open(path string, lockTimeout time.Duration) (*DB, error) {
	if lockTimeout <= 0 {
		lockTimeout = DefaultLockTimeout
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return nil, openError(path, lockTimeout, err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		return migrate(tx)
	})
	if err != nil {
		b.Close()
		if isReadOnly(err) {
			err = fmt.Errorf("%w (%v)", ErrReadOnly, err)
		}
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{bolt: b, commits: newCommitter()}
	go db.commits.run(b) // stopped by Close
	return db, nil
}

// OpenReadOnly opens an existing database for reading only, sharing it with
// other readers: for a file newswatch may not write. Every method that
// writes fails. A database of another schema version is refused: it can be
// neither read as it is nor migrated.
func OpenReadOnly(path string, lockTimeout time.Duration) (*DB, error) {
	if lockTimeout <= 0 {
		lockTimeout = DefaultLockTimeout
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout, ReadOnly: true})
	if err != nil {
		return nil, openError(path, lockTimeout, err)
	}
	err = b.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if tx.Bucket(name) == nil && !bytes.Equal(name, bucketPending) {
				return fmt.Errorf("bucket %s is missing: open the database once with write access", name)
			}
		}
		v, err := schemaOf(tx)
		if err == nil && (v < minReadable || v > SchemaVersion) {
			err = fmt.Errorf("schema version %d, this newswatch reads %d to %d: open it once with write access to migrate it", v, minReadable, SchemaVersion)
		}
		return err
	})
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("open database %s read-only: %w", path, err)
	}
	return &DB{bolt: b, readOnly: true}, nil
}

// ReadOnly reports whether the database was opened by OpenReadOnly.
func (db *DB) ReadOnly() bool { return db.readOnly }

func openError(path string, lockTimeout time.Duration, err error) error {
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return fmt.Errorf("open database %s: %w (waited %s for its lock)", path, ErrInUse, lockTimeout)
	case isReadOnly(err):
		return fmt.Errorf("open database %s: %w (%v)", path, ErrReadOnly, err)
	}
	return fmt.Errorf("open database %s: %w", path, err)
}

// isReadOnly reports whether err is the system refusing a write.
func isReadOnly(err error) bool {
	return errors.Is(err, syscall.EACCES) || errors.Is(err, syscall.EROFS) || errors.Is(err, syscall.EPERM)
}

// Path returns the file the database lives in.
func (db *DB) Path() string { return db.bolt.Path() }

// Close commits what is waiting to be, then releases the database and its
// lock.
func (db *DB) Close() error {
	if db.commits != nil {
		db.commits.close()
	}
	if err := db.bolt.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	return nil
}

// Size returns the size of the database file in bytes.
func (db *DB) Size() (int64, error) {
	fi, err := os.Stat(db.bolt.Path())
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

func u64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

// Times outside what UnixNano can hold (1678–2262) are clamped to it.
var (
	minKeyTime = time.Unix(0, -1<<63+1)
	maxKeyTime = time.Unix(0, 1<<63-1)
)

// timeKey encodes t so that byte order is time order, before 1970 too.
func timeKey(t time.Time) []byte {
	switch {
	case t.Before(minKeyTime):
		t = minKeyTime
	case t.After(maxKeyTime):
		t = maxKeyTime
	}
	return u64(uint64(t.UnixNano()) ^ (1 << 63))
}
