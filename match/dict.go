package match

import "fmt"

// dict numbers every folded word and wildcard prefix of every query. A
// document's words are looked up in it once each, so matching costs grow
// with the document, not with the number of topics.
type dict struct {
	// words and prefixes give the ids while queries are compiled; finish
	// copies them into the tables that documents are scanned against and
	// drops them, so that the collector has 50,000 fewer strings to mark
	// when there are 10,000 topics.
	words    map[string]int32
	prefixes map[string]int32
	// filter turns away, before a word is hashed, most words that are
	// not in wordTab.
	filter  wordFilter
	wordTab wordTable
	// joinTab holds the words that only joined spellings of phrases use
	// ("peacekeeping" from "peace keeping"): most of the dictionary with
	// many topics, and rare in documents, so wordTab stays small enough
	// for the cache and its pages for the TLB. A word is looked for in
	// joinTab only when it is not in wordTab.
	joinTab wordTable
	// prefixTab holds the prefixes, and prefixLens their lengths, so that
	// a word is checked for all of them in one pass over its bytes. Only
	// words that may begin a prefix are: those whose first two bytes are a
	// prefix of two bytes (starts2), or whose first three begin one of
	// three or more (starts3, hashed).
	prefixTab  wordTable
	prefixLens prefixLengths
	starts2    bitSet16
	starts3    bitSet16

	// length, isPrefix and uses (how many terms of all queries name it)
	// describe each id, to choose anchors; written says whether a query
	// names it as written, rather than only as a joined spelling.
	length   []int
	isPrefix []bool
	uses     []int
	written  []bool
	// The prefixes a word begins with, so that a document word found in
	// words needs no search for prefixes: for the word with id, they are
	// startsWith[startsAt[id]:startsAt[id+1]], one array for the scan to
	// read. Set by finish.
	startsAt   []int32
	startsWith []prefixRef
}

// prefixRef is a prefix a word begins with: its id and, copied from
// Matcher.anchorBounds once the anchors are known, what its occurrence
// does. Reading the bounds here rather than by id saves the scan a cache
// miss for each prefix of each dictionary word it finds.
type prefixRef struct {
	id      int32
	anchors [4]int32
}

func newDict() *dict {
	return &dict{words: map[string]int32{}, prefixes: map[string]int32{}}
}

func (d *dict) size() int { return len(d.length) }

// finish is called once every query's words are in: it builds the tables
// and lists the prefixes of each word.
func (d *dict) finish() {
	for w := range d.words {
		d.filter.add(w)
	}
	written, joined := map[string]int32{}, map[string]int32{}
	for w, id := range d.words {
		if d.written[id] {
			written[w] = id
		} else {
			joined[w] = id
		}
	}
	d.wordTab = newWordTable(written, hashWord)
	d.joinTab = newWordTable(joined, hashWord)
	d.prefixTab = newWordTable(d.prefixes, hashPrefix)
	for p := range d.prefixes { // at least two bytes: see parse
		d.prefixLens.add(len(p))
		if len(p) == 2 {
			d.starts2.set(key2(p))
		} else {
			d.starts3.set(key3(p))
		}
	}
	lists := make([][]prefixRef, d.size())
	for w, id := range d.words {
		lists[id] = d.prefixesOf(w, nil)
	}
	d.startsAt = make([]int32, 0, len(lists)+1)
	d.startsWith = nil
	for _, ps := range lists {
		d.startsAt = append(d.startsAt, int32(len(d.startsWith)))
		d.startsWith = append(d.startsWith, ps...)
	}
	d.startsAt = append(d.startsAt, int32(len(d.startsWith)))
	d.words, d.prefixes = nil, nil
	prefixes := func(w *wordInfo) { w.prefixes = [2]int32{d.startsAt[w.id], d.startsAt[w.id+1]} }
	d.wordTab.fill(prefixes)
	d.joinTab.fill(prefixes)
	d.prefixTab.fill(prefixes)
}

// prefixesOf appends to out every prefix that w begins with, shortest
// first.
func (d *dict) prefixesOf(w string, out []prefixRef) []prefixRef {
	if len(w) < 2 {
		return out
	}
	if !d.starts2.has(key2(w)) && (len(w) < 3 || !d.starts3.has(key3(w))) {
		return out
	}
	h, last := fnvInit, min(len(w), d.prefixLens.longest())
	for i := 0; i < last; i++ {
		h = fnvByte(h, w[i])
		if d.prefixLens.has(i + 1) {
			if p := d.prefixTab.find(w[:i+1], hashSum(h)); p != nil {
				out = append(out, prefixRef{p.id, p.anchors})
			}
		}
	}
	return out
}

// findWord returns what the dictionary knows of the whole word w, or nil.
func (d *dict) findWord(w string) *wordInfo {
	h := hashWord(w)
	if info := d.wordTab.find(w, h); info != nil {
		return info
	}
	return d.joinTab.find(w, h)
}

// idGiver gives the dictionary id of a query's word, or of its wildcard
// prefix; written is false for a word that only a joined spelling of a
// phrase names.
type idGiver interface {
	id(w string, prefix, written bool) int32
}

// id gives a word its id, a new one if it has none, while queries are
// compiled.
func (d *dict) id(w string, prefix, written bool) int32 {
	m := d.words
	if prefix {
		m = d.prefixes
	}
	id, ok := m[w]
	if ok {
		d.uses[id]++
	} else {
		id = int32(len(d.length))
		m[w] = id
		d.uses = append(d.uses, 1)
		d.written = append(d.written, false)
		d.length = append(d.length, len(w))
		d.isPrefix = append(d.isPrefix, prefix)
	}
	if written {
		d.written[id] = true
	}
	return id
}

// compiledDict finds the ids of a compiled Matcher's words, for a query
// compiled again (Explain): its words all have ids.
type compiledDict struct{ d *dict }

func (c compiledDict) id(w string, prefix, _ bool) int32 {
	var info *wordInfo
	if prefix {
		info = c.d.prefixTab.find(w, hashPrefix(w))
	} else {
		info = c.d.findWord(w)
	}
	if info == nil {
		panic(fmt.Sprintf("match: %q is not in the dictionary of the query it came from", w))
	}
	return info.id
}

// bitSet16 is a set of 16-bit keys: 8 KiB that stay in cache.
type bitSet16 [1 << 16 / 64]uint64

func (b *bitSet16) set(k uint32)      { b[k/64] |= 1 << (k % 64) }
func (b *bitSet16) has(k uint32) bool { return b[k/64]&(1<<(k%64)) != 0 }

// key2 is the key of a word's first two bytes; key3 hashes its first three.
func key2(w string) uint32 { return uint32(w[0])<<8 | uint32(w[1]) }

func key3(w string) uint32 {
	h := (uint32(w[0])<<16 | uint32(w[1])<<8 | uint32(w[2])) * 0x9E3779B1
	return h >> 16
}

// wordFilter is a one-hash Bloom filter over a word's length and first
// and last bytes, tested before the word is hashed. With a few hundred
// words it turns away most others; with tens of thousands it lets most
// through, at the cost of one test.
type wordFilter struct{ bits bitSet16 }

func filterKey(w string) uint32 {
	if len(w) == 0 {
		return 0
	}
	h := uint32(w[0])*0x9E3779B1 ^ uint32(w[len(w)-1])*0x85EBCA77 ^ uint32(len(w))*0xC2B2AE3D
	return (h ^ h>>15) & (1<<16 - 1)
}

func (f *wordFilter) add(w string)          { f.bits.set(filterKey(w)) }
func (f *wordFilter) mayHave(w string) bool { return f.bits.has(filterKey(w)) }
