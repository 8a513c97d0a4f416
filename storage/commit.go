package storage

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// committer groups the write transactions of concurrent callers into
// shared commits: one goroutine, started by Open and stopped by Close,
// commits a group once its first call has waited groupDelay, with every
// call queued by then.
//
// bbolt's own Batch closes a group groupDelay after its first call too,
// but then waits for the commit before it to end, while later calls start
// another group: under a steady stream of updates, commits that took
// longer than the delay still carried only the delay's worth of calls
// (about 1,400 commits, each with two fsyncs, for a cold poll of 10,000
// feeds). Here a group takes in every call that arrives until it is
// committed. Committing each call as soon as the writer was free was
// tried and is worse: three times as many commits.
type committer struct {
	mu      sync.Mutex
	queue   []call
	closed  bool
	wake    chan struct{} // a call is queued; capacity 1
	stopped chan struct{} // closed when run returns
}

// call is a queued transaction function and where its outcome goes.
type call struct {
	fn     func(*bolt.Tx) error
	err    chan error
	queued time.Time
}

// groupDelay is how long a call waits for others to share its commit
// (bbolt's default for Batch); maxGroup bounds the calls of one commit.
const (
	groupDelay = 10 * time.Millisecond
	maxGroup   = 256
)

// errAlone tells a caller whose function failed inside a group to run it
// again in a transaction of its own, so that its error is its own and the
// others' work is kept.
var errAlone = errors.New("run alone")

// errClosed is returned by update after Close.
var errClosed = errors.New("database is closed")

func newCommitter() *committer {
	return &committer{wake: make(chan struct{}, 1), stopped: make(chan struct{})}
}

// update runs fn in a write transaction, usually shared with other calls;
// fn may run more than once (when another call of its group fails), so it
// must not keep effects outside the transaction. It returns fn's error or
// the commit's.
func (db *DB) update(fn func(*bolt.Tx) error) error {
	g := db.commits
	if g == nil { // read-only: bbolt refuses the write itself
		return db.bolt.Update(fn)
	}
	errc := make(chan error, 1)
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return errClosed
	}
	g.queue = append(g.queue, call{fn, errc, time.Now()})
	select { // under mu: close closes wake under it too
	case g.wake <- struct{}{}:
	default: // already awake
	}
	g.mu.Unlock()
	err := <-errc
	if err == errAlone {
		return db.bolt.Update(fn)
	}
	return err
}

// run commits queued calls until close is called and the queue is empty.
func (g *committer) run(db *bolt.DB) {
	defer close(g.stopped)
	for range g.wake {
		g.drain(db)
	}
	g.drain(db) // calls queued before close whose wake-up was dropped
}

// drain commits groups until the queue is empty.
func (g *committer) drain(db *bolt.DB) {
	for {
		g.mu.Lock()
		if len(g.queue) > 0 && len(g.queue) < maxGroup && !g.closed {
			if wait := groupDelay - time.Since(g.queue[0].queued); wait > 0 {
				g.mu.Unlock()
				time.Sleep(wait)
				g.mu.Lock()
			}
		}
		n := min(len(g.queue), maxGroup)
		calls := slices.Clone(g.queue[:n])
		g.queue = slices.Delete(g.queue, 0, n)
		g.mu.Unlock()
		if n == 0 {
			return
		}
		commitGroup(db, calls)
	}
}

// commitGroup runs calls in one transaction. A call whose function fails
// is taken out and told to run alone, and the rest run again without it.
func commitGroup(db *bolt.DB, calls []call) {
	for len(calls) > 0 {
		failed := -1
		err := db.Update(func(tx *bolt.Tx) error {
			for i, c := range calls {
				if err := safely(c.fn, tx); err != nil {
					failed = i
					return err
				}
			}
			return nil
		})
		if failed >= 0 {
			calls[failed].err <- errAlone
			calls = slices.Delete(calls, failed, failed+1)
			continue
		}
		for _, c := range calls {
			c.err <- err
		}
		return
	}
}

// safely runs fn, turning a panic into an error (for the caller to meet
// again when it runs fn alone) rather than ending the process.
func safely(fn func(*bolt.Tx) error, tx *bolt.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return fn(tx)
}

// close stops the committer once every queued call has been committed;
// later calls fail with errClosed.
func (g *committer) close() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.wake)
	}
	g.mu.Unlock()
	<-g.stopped // a second Close waits too
}
