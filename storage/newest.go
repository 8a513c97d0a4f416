package storage

import (
	"bytes"
	"container/heap"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// newest walks the matches_by_topic index backwards, newest first, with
// the entries of matches_pending not yet merged into it (pending.go), and
// yields each entry's time key (published time + inverted match ID, 16
// bytes). With a topic it walks that topic's range; without one it merges
// every topic's range, which gives the order of all matches by time: each
// match is indexed under its one topic.
//
// There is no separate index of all matches by time: its random inserts
// (matches arrive in any order of published time) rewrote a 4 KiB page
// per match and were a quarter of the bytes a cold poll cycle wrote
// (BENCHMARKS.md). Merging costs a seek per topic per page read instead.
type newest struct {
	heads []*head // by key, largest first (a heap); pointers, as rest may point into buf
	out   [16]byte
}

// head is one source of time keys, walked backwards: a topic's range of
// the index (c, prefix) or its pending entries (list, ascending), and the
// time key it is on.
type head struct {
	c      *bolt.Cursor
	prefix []byte
	list   []timeRec
	rest   []byte
	buf    [16]byte // rest, for a list
}

// newNewest positions a walk on the entries strictly before start (all
// entries when start is nil), for topic or, when topic is "", for every
// topic.
func newNewest(tx *bolt.Tx, topic string, start []byte) (*newest, error) {
	b := tx.Bucket(bucketByTopic)
	var prefixes [][]byte
	var runs []pendingRun
	var err error
	if topic != "" {
		prefixes = [][]byte{topicPrefix(topic)}
		runs, err = pendingRuns(tx, prefixes[0])
	} else {
		prefixes, err = topicPrefixes(b)
		if err == nil {
			runs, err = pendingRuns(tx, nil)
		}
	}
	if err != nil {
		return nil, err
	}
	w := &newest{}
	for _, p := range prefixes {
		c := b.Cursor()
		k := seekLast(c, p)
		if start != nil {
			k = seekBefore(c, append(bytes.Clone(p), start...))
		}
		h := &head{c: c, prefix: p}
		if err := h.set(k); err != nil {
			return nil, err
		}
		if h.rest != nil {
			w.heads = append(w.heads, h)
		}
	}
	for _, run := range runs {
		list := run.recs
		if start != nil {
			// Keep the entries strictly before start.
			n, _ := slices.BinarySearchFunc(list, recOf(start), cmpTimeRec)
			list = list[:n]
		}
		if len(list) > 0 {
			h := &head{list: list}
			h.prev() // onto the list's last entry
			w.heads = append(w.heads, h)
		}
	}
	heap.Init(w)
	return w, nil
}

// topicPrefixes returns the topic prefixes (topic and its 0x00) that
// begin keys of b, jumping from one topic to the next.
func topicPrefixes(b *bolt.Bucket) ([][]byte, error) {
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

// set moves h to key k, or marks it done when k is past its topic.
func (h *head) set(k []byte) error {
	if k == nil || !bytes.HasPrefix(k, h.prefix) {
		h.rest = nil
		return nil
	}
	if len(k)-len(h.prefix) != 16 {
		return fmt.Errorf("malformed index key %x", k)
	}
	h.rest = k[len(h.prefix):]
	return nil
}

// prev moves h to its next time key, backwards; rest is nil at the end.
func (h *head) prev() error {
	if h.c == nil {
		if len(h.list) == 0 {
			h.rest = nil
			return nil
		}
		h.list[len(h.list)-1].put(&h.buf)
		h.rest, h.list = h.buf[:], h.list[:len(h.list)-1]
		return nil
	}
	k, _ := h.c.Prev()
	return h.set(k)
}

// next returns the next time key, nil at the end. The key is valid until
// the next call.
func (w *newest) next() ([]byte, error) {
	if len(w.heads) == 0 {
		return nil, nil
	}
	top := w.heads[0]
	copy(w.out[:], top.rest) // moving top may change what rest holds
	if err := top.prev(); err != nil {
		return nil, err
	}
	if top.rest == nil {
		heap.Pop(w)
	} else {
		heap.Fix(w, 0)
	}
	return w.out[:], nil
}

// heap.Interface over heads, the largest time key on top.

func (w *newest) Len() int           { return len(w.heads) }
func (w *newest) Less(i, j int) bool { return bytes.Compare(w.heads[i].rest, w.heads[j].rest) > 0 }
func (w *newest) Swap(i, j int)      { w.heads[i], w.heads[j] = w.heads[j], w.heads[i] }
func (w *newest) Push(x any)         { w.heads = append(w.heads, x.(*head)) }
func (w *newest) Pop() any {
	h := w.heads[len(w.heads)-1]
	w.heads = w.heads[:len(w.heads)-1]
	return h
}
