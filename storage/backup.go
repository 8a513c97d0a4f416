package storage

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Snapshot is a consistent copy of the database, held in a temporary file
// that has no name: it takes disk space until it is closed, and none after,
// whatever becomes of the process.
type Snapshot struct {
	f    *os.File
	size int64
}

// Snapshot copies the database, in one read transaction, into a temporary
// file beside it (or in the system's temporary directory when that
// directory cannot be written). The transaction lasts only as long as the
// copy to the local disk, however slowly the snapshot is then read: bbolt
// must map the file again when it outgrows its map, which it can do only
// once no read transaction holds the old one, so a backup streamed straight
// to a slow client would stop every write until the client was done. It
// needs free space for one copy; the error names the directory otherwise.
func (db *DB) Snapshot() (*Snapshot, error) {
	f, err := spoolFile(filepath.Dir(db.Path()))
	if err != nil {
		return nil, fmt.Errorf("back up database: %w", err)
	}
	var size int64
	err = db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		size, err = tx.WriteTo(f)
		return err
	})
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("back up database: copy into %s: %w", filepath.Dir(f.Name()), err)
	}
	return &Snapshot{f: f, size: size}, nil
}

// spoolFile creates a file in dir, or else in the system's temporary
// directory, and removes its name.
func spoolFile(dir string) (*os.File, error) {
	f, err := os.CreateTemp(dir, ".newswatch-backup-*")
	if err != nil {
		var err2 error
		if f, err2 = os.CreateTemp("", "newswatch-backup-*"); err2 != nil {
			return nil, fmt.Errorf("%w; %w", err, err2)
		}
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return f, nil
}

// Size returns the size of the copy in bytes.
func (s *Snapshot) Size() int64 { return s.size }

// Read reads the copy from where the last Read left off.
func (s *Snapshot) Read(p []byte) (int, error) { return s.f.Read(p) }

// Close releases the copy and the disk space it takes.
func (s *Snapshot) Close() error { return s.f.Close() }

// WriteTo writes a consistent copy of the database to w, in one read
// transaction (bbolt's hot backup), for as long as w takes: when another
// goroutine writes to the database meanwhile and the file outgrows bbolt's
// map of it, that write waits for the copy to end. Give a slow w a
// Snapshot instead.
func (db *DB) WriteTo(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("back up database: %w", err)
	}
	return n, nil
}
