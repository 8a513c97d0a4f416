package storage

import (
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// A migration brings a database from the version before to version to.
type migration struct {
	to   uint64
	name string
	run  func(tx *bolt.Tx) error
}

// migrations are applied in order by Open, in the transaction that opens
// the database, so that a database is migrated wholly or not at all: a
// crash or an error mid-way leaves it at its old version, and the next
// Open starts again. Each entry must bring the layout to its version; the
// last must be SchemaVersion.
var migrations = []migration{
	{to: 1, name: "record the schema version", run: func(*bolt.Tx) error {
		// Databases from before versioning have every bucket (Open has
		// just made sure) and only lack the version itself.
		return nil
	}},
	{to: 2, name: "count matches by topic and hour", run: countAll},
	{to: 3, name: "drop the index of all matches by time", run: dropByTime},
	{to: 4, name: "log new matches before indexing them", run: func(*bolt.Tx) error {
		// Open has created matches_pending; it starts empty, and an
		// absent count in meta reads as 0.
		return nil
	}},
}

// dropByTime removes matches_by_time (published time | ^match ID → nil),
// the index of all matches by time that schema 2 kept beside the one by
// topic: the walk over every topic's range gives the same order (see
// newest), and writing it was a quarter of a cold poll's disk writes.
func dropByTime(tx *bolt.Tx) error {
	name := []byte("matches_by_time")
	if tx.Bucket(name) == nil {
		return nil
	}
	return tx.DeleteBucket(name)
}

// schemaOf returns the version the database records, 0 for one from
// before versioning.
func schemaOf(tx *bolt.Tx) (uint64, error) {
	v := tx.Bucket(bucketMeta).Get(keySchema)
	switch {
	case v == nil:
		return 0, nil
	case len(v) != 8:
		return 0, fmt.Errorf("schema version is %d bytes long, want 8: not a newswatch database?", len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// migrate brings the database to SchemaVersion, or refuses one written by
// a newer newswatch. A new database (no feeds yet, no version) is simply
// marked current.
func migrate(tx *bolt.Tx) error { return migrateTo(tx, SchemaVersion, migrations) }

func migrateTo(tx *bolt.Tx, target uint64, list []migration) error {
	from, err := schemaOf(tx)
	if err != nil {
		return err
	}
	if from > target {
		return fmt.Errorf("schema version %d is newer than this newswatch understands (%d): upgrade newswatch", from, target)
	}
	v := from
	if v == 0 && isEmpty(tx) {
		v = target
	}
	for _, m := range list {
		if m.to <= v {
			continue
		}
		if err := m.run(tx); err != nil {
			return fmt.Errorf("migrate schema %d to %d (%s): %w", v, m.to, m.name, err)
		}
		v = m.to
	}
	if v != target {
		return fmt.Errorf("no migration reaches schema version %d from %d", target, v)
	}
	if v == from {
		return nil
	}
	return tx.Bucket(bucketMeta).Put(keySchema, u64(v))
}

// isEmpty reports whether the database holds no feed and no match yet.
func isEmpty(tx *bolt.Tx) bool {
	k, _ := tx.Bucket(bucketFeeds).Cursor().First()
	m, _ := tx.Bucket(bucketMatches).Cursor().First()
	return k == nil && m == nil
}
