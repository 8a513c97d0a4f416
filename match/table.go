package match

import "math/bits"

// wordTable finds the dictionary id of a word (or of a wildcard prefix)
// from its bytes. It is built once, when a Matcher is compiled, and only
// read after.
//
// Scanning a document looks up every word it holds, and with 10,000
// topics most lookups either miss or land in a dictionary of thousands of
// words (tens of thousands with phrases' joined spellings), too big for
// the cache. A Go map costs a miss for its control
// word, another for the key's string header and a third for the string,
// each in a different part of the heap; the id then leads to arrays of
// anchors and prefixes, more misses. Here a Bloom filter small enough to
// stay in cache turns away most words that are absent, and the rest read
// one slot of 64 bytes, a cache line, that holds what the scan needs of
// the word (wordInfo) and, for all but long words, the bytes to compare.
type wordTable struct {
	slots []tableSlot
	mask  uint64   // len(slots)-1
	long  []byte   // the bytes of long words past their first slotBytes
	bloom []uint64 // two bits per word, both in one uint64
	bmask uint64   // len(bloom) - 1
	n     int
}

// slotBytes is how many bytes of a word its slot holds.
const slotBytes = 24

type tableSlot struct {
	tag  uint32 // the hash's high half
	n    uint32 // the word's length; 0 for an empty slot (no word is empty)
	rest uint32 // where long[rest:] continues a long word
	info wordInfo
	b    [slotBytes]byte
}

// wordInfo is what scanning a document needs to know of a dictionary id.
type wordInfo struct {
	id int32
	// anchors bound what the id's occurrence does, by field: see
	// Matcher.anchorBounds.
	anchors [4]int32
	// prefixes bound the prefixes a word begins with in dict.startsWith.
	prefixes [2]int32
}

// hashWord is the hash the dictionary's words are kept by: eight bytes
// at a time, because every word of every document is hashed.
func hashWord(w string) uint64 {
	h := uint64(len(w)) * 0x9E3779B97F4A7C15
	for len(w) >= 8 {
		_ = w[7]
		c := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		h = (h ^ c) * 0xC2B2AE3D27D4EB4F
		h ^= h >> 31
		w = w[8:]
	}
	var c uint64
	for i := len(w) - 1; i >= 0; i-- {
		c = c<<8 | uint64(w[i])
	}
	return hashSum((h ^ c) * 0xC2B2AE3D27D4EB4F)
}

// The prefixes are kept by another hash (FNV-1a), taken a byte at a
// time, so that one pass over a word gives the hashes of all its
// prefixes; hashSum mixes its state, whose low bits alone are poor.
const (
	fnvInit  uint64 = 14695981039346656037
	fnvPrime uint64 = 1099511628211
)

func fnvByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func hashPrefix(p string) uint64 {
	h := fnvInit
	for i := 0; i < len(p); i++ {
		h = fnvByte(h, p[i])
	}
	return hashSum(h)
}

func hashSum(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// newWordTable builds a table of ids by word, kept by hash; no word may
// be empty.
func newWordTable(ids map[string]int32, hash func(string) uint64) wordTable {
	size := uint64(16)
	for size < 2*uint64(len(ids)) {
		size *= 2
	}
	// 16 filter bits a word, two set in one uint64: about 1 – 2% of
	// absent words get past.
	words := uint64(1 << 10)
	for 64*words < 16*uint64(len(ids)) {
		words *= 2
	}
	t := wordTable{
		slots: make([]tableSlot, size), mask: size - 1,
		bloom: make([]uint64, words), bmask: words - 1, n: len(ids),
	}
	for w, id := range ids {
		h := hash(w)
		t.bloom[h&t.bmask] |= bloomBits(h)
		i := h & t.mask
		for t.slots[i].n != 0 {
			i = (i + 1) & t.mask
		}
		s := &t.slots[i]
		s.tag, s.info.id, s.n = uint32(h>>32), id, uint32(len(w))
		copy(s.b[:], w)
		if len(w) > slotBytes {
			s.rest = uint32(len(t.long))
			t.long = append(t.long, w[slotBytes:]...)
		}
	}
	return t
}

// find returns what is known of w, whose hash is h, or nil when w is not
// in the table.
func (t *wordTable) find(w string, h uint64) *wordInfo {
	if t.n == 0 {
		return nil
	}
	if b := bloomBits(h); t.bloom[h&t.bmask]&b != b {
		return nil
	}
	tag := uint32(h >> 32)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		if s.n == 0 {
			return nil
		}
		if s.tag != tag || int(s.n) != len(w) {
			continue
		}
		if len(w) <= slotBytes {
			if string(s.b[:len(w)]) == w {
				return &s.info
			}
			continue
		}
		if string(s.b[:]) == w[:slotBytes] && string(t.long[s.rest:s.rest+s.n-slotBytes]) == w[slotBytes:] {
			return &s.info
		}
	}
}

// fill calls fn with the info of every word, to complete it.
func (t *wordTable) fill(fn func(*wordInfo)) {
	for i := range t.slots {
		if t.slots[i].n != 0 {
			fn(&t.slots[i].info)
		}
	}
}

// bloomBits returns the two bits of the filter word that stand for h: a
// word picked by h's low bits, two bits by its high ones, so that a test
// reads one uint64.
func bloomBits(h uint64) uint64 { return 1<<(h>>52&63) | 1<<(h>>58) }

// prefixLengths is a set of byte lengths: bit i for length i, bit 63 for
// every length from 63 on.
type prefixLengths uint64

func (p *prefixLengths) add(n int) { *p |= 1 << min(n, 63) }

func (p prefixLengths) has(n int) bool { return p&(1<<min(n, 63)) != 0 }

// longest returns the greatest length in the set below 63, or a length
// past any word when the set holds 63 and more.
func (p prefixLengths) longest() int {
	if p == 0 {
		return 0
	}
	if p.has(63) {
		return 1 << 30
	}
	return 63 - bits.LeadingZeros64(uint64(p))
}
