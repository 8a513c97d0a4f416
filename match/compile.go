package match

import (
	"fmt"
	"slices"
)

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
	starts2    [1 << 16 / 64]uint64
	starts3    [1 << 16 / 64]uint64

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
	startsWith []int32
}

func newDict() *dict {
	return &dict{words: map[string]int32{}, prefixes: map[string]int32{}}
}

func (d *dict) size() int { return len(d.length) }

// finish is called once every query's words are in: it builds the tables
// and lists the prefixes of each word.
func (d *dict) finish() {
	d.filter = wordFilter{}
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
	d.prefixLens = 0
	d.starts2, d.starts3 = [len(d.starts2)]uint64{}, [len(d.starts3)]uint64{}
	for p := range d.prefixes { // at least two bytes: see parse
		d.prefixLens.add(len(p))
		if len(p) == 2 {
			k := uint32(p[0])<<8 | uint32(p[1])
			d.starts2[k/64] |= 1 << (k % 64)
		} else {
			k := key3(p)
			d.starts3[k/64] |= 1 << (k % 64)
		}
	}
	lists := make([][]int32, d.size())
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

// prefixesOf appends to out the id of every prefix that w begins with,
// shortest first.
func (d *dict) prefixesOf(w string, out []int32) []int32 {
	if len(w) < 2 {
		return out
	}
	if k := uint32(w[0])<<8 | uint32(w[1]); d.starts2[k/64]&(1<<(k%64)) == 0 {
		if len(w) < 3 {
			return out
		}
		if k := key3(w); d.starts3[k/64]&(1<<(k%64)) == 0 {
			return out
		}
	}
	h, last := fnvInit, min(len(w), d.prefixLens.longest())
	for i := 0; i < last; i++ {
		h = fnvByte(h, w[i])
		if d.prefixLens.has(i + 1) {
			if p := d.prefixTab.find(w[:i+1], hashSum(h)); p != nil {
				out = append(out, p.id)
			}
		}
	}
	return out
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
		h := hashWord(w)
		if info = c.d.wordTab.find(w, h); info == nil {
			info = c.d.joinTab.find(w, h)
		}
	}
	if info == nil {
		panic(fmt.Sprintf("match: %q is not in the dictionary of the query it came from", w))
	}
	return info.id
}

func key3(w string) uint32 {
	h := (uint32(w[0])<<16 | uint32(w[1])<<8 | uint32(w[2])) * 0x9E3779B1
	return h >> 16
}

// wordFilter is a one-hash Bloom filter over a word's length and first
// and last bytes: 8 KiB that stay in cache, tested before the word is
// hashed. With a few hundred words it turns away most others; with tens
// of thousands it lets most through, at the cost of one test.
type wordFilter struct{ bits [1024]uint64 }

func filterKey(w string) uint32 {
	if len(w) == 0 {
		return 0
	}
	h := uint32(w[0])*0x9E3779B1 ^ uint32(w[len(w)-1])*0x85EBCA77 ^ uint32(len(w))*0xC2B2AE3D
	return (h ^ h>>15) & (1<<16 - 1)
}

func (f *wordFilter) add(w string) { k := filterKey(w); f.bits[k/64] |= 1 << (k % 64) }

func (f *wordFilter) mayHave(w string) bool {
	k := filterKey(w)
	return f.bits[k/64]&(1<<(k%64)) != 0
}

// maxJoinWords: phrases up to this long also match with any of their
// neighbouring words written together ("peace keeping force" finds
// "peacekeeping force"); longer ones only as written or fully joined.
const maxJoinWords = 6

// compileTerms gives every term of the tree its word-id variants.
func compileTerms(n node, d idGiver) {
	switch n := n.(type) {
	case *termNode:
		n.variants, n.seqs, n.firsts = nil, nil, nil
		for _, words := range spellings(n) {
			ids := make([]int32, len(words))
			for i, w := range words {
				ids[i] = d.id(w, n.prefix && i == len(words)-1, slices.Contains(n.words, w))
			}
			n.variants = append(n.variants, ids)
			n.seqs = append(append(n.seqs, int32(len(ids))), ids...)
			if !slices.Contains(n.firsts, ids[0]) {
				n.firsts = append(n.firsts, ids[0])
			}
		}
	case *andNode:
		for _, k := range n.kids {
			compileTerms(k, d)
		}
	case *orNode:
		n.gate = n.gate[:0]
		for i, k := range n.kids {
			compileTerms(k, d)
			if t, ok := k.(*termNode); ok {
				for _, id := range t.firsts {
					n.gate = append(n.gate, gateEntry{id, int32(i)})
				}
			} else {
				n.gate = append(n.gate, gateEntry{-1, int32(i)})
			}
		}
	case *notNode:
		compileTerms(n.kid, d)
	case *nearNode:
		compileTerms(n.left, d)
		compileTerms(n.right, d)
	}
}

// spellings lists the word sequences that spell a term: as written, and
// with neighbouring words joined. A case-sensitive term is only as written.
func spellings(t *termNode) [][]string {
	n := len(t.words)
	if n == 1 || t.raw != nil {
		return [][]string{t.words}
	}
	if n > maxJoinWords {
		return [][]string{t.words, {joinAll(t.words)}}
	}
	var out [][]string
	for mask := 0; mask < 1<<(n-1); mask++ {
		var seq []string
		cur := t.words[0]
		for i := 1; i < n; i++ {
			if mask&(1<<(i-1)) != 0 {
				cur += t.words[i]
			} else {
				seq = append(seq, cur)
				cur = t.words[i]
			}
		}
		out = append(out, append(seq, cur))
	}
	return out
}

func joinAll(words []string) string {
	s := ""
	for _, w := range words {
		s += w
	}
	return s
}

// An anchor is a dictionary id together with the field an occurrence
// must be in to count: a title: term is anchored on its word in titles
// only, so that the word in a text does not make its topic a candidate.
func anchorKey(id int32, f fieldMask) int32 {
	switch f {
	case inTitle:
		return id*3 + 1
	case inText:
		return id*3 + 2
	}
	return id * 3
}

// anchorID returns the dictionary id of an anchor.
func anchorID(a int32) int32 { return a / 3 }

// anchors returns anchors of which a document must contain at least one
// for n to hold (the presearcher of Lucene Monitor): a term's rarest-looking
// word, any one side of an AND, every side of an OR. ok is false when no
// such set exists (a NOT).
func anchors(n node, d *dict) (ids []int32, ok bool) {
	switch n := n.(type) {
	case *termNode:
		for _, v := range n.variants {
			ids = append(ids, anchorKey(bestAnchor(v, d), n.fields))
		}
		slices.Sort(ids)
		return slices.Compact(ids), true
	case *andNode:
		return bestSide(n.kids, d)
	case *nearNode:
		return bestSide([]node{n.left, n.right}, d)
	case *orNode:
		for _, k := range n.kids {
			kid, ok := anchors(k, d)
			if !ok {
				return nil, false
			}
			ids = append(ids, kid...)
		}
		slices.Sort(ids)
		return slices.Compact(ids), true
	}
	return nil, false
}

// maxGroups is how many anchor sets a clause may need at once.
const maxGroups = 3

// anchorClauses returns the ways n can be anchored: n can hold only if,
// for at least one clause, each of the clause's groups has an anchor in the
// document. A top-level OR gives a clause per branch that needs more than
// one group, and one clause for the union of the others; anything else is
// one clause. It returns nil when some branch cannot be anchored (one that
// holds by a NOT alone).
func anchorClauses(n node, d *dict) [][][]int32 {
	or, ok := n.(*orNode)
	if !ok {
		if c := anchorGroups(n, d); len(c) > 0 {
			return [][][]int32{c}
		}
		return nil
	}
	var clauses [][][]int32
	var union []int32
	for _, k := range or.kids {
		c := anchorGroups(k, d)
		switch len(c) {
		case 0:
			return nil
		case 1:
			union = append(union, c[0]...)
		default:
			clauses = append(clauses, c)
		}
	}
	if len(union) > 0 {
		slices.Sort(union)
		clauses = append(clauses, [][]int32{slices.Compact(union)})
	}
	return clauses
}

// anchorGroups returns anchor sets that must all occur for n to hold: one
// for each of up to maxGroups sides of a top-level AND or NEAR (the
// smallest sets), else n's own anchors. Requiring two sides rather than
// one keeps most topics that share one common word from being evaluated.
func anchorGroups(n node, d *dict) [][]int32 {
	var sides []node
	switch n := n.(type) {
	case *andNode:
		sides = n.kids
	case *nearNode:
		sides = []node{n.left, n.right}
	default:
		if ids, ok := anchors(n, d); ok {
			return [][]int32{ids}
		}
		return nil
	}
	var groups [][]int32
	for _, k := range sides {
		if ids, ok := anchors(k, d); ok {
			groups = append(groups, ids)
		}
	}
	slices.SortStableFunc(groups, func(a, b []int32) int {
		if len(a) != len(b) {
			return len(a) - len(b)
		}
		return shortest(b, d) - shortest(a, d)
	})
	return groups[:min(len(groups), maxGroups)]
}

// bestAnchor picks the word of a sequence least likely to be common: a
// whole word before a prefix, then the word fewest query terms name (a
// word many topics use is likely common in the news they watch, and it
// would wake all of them), then the longest.
func bestAnchor(v []int32, d *dict) int32 {
	best := v[0]
	for _, id := range v[1:] {
		switch {
		case d.isPrefix[best] != d.isPrefix[id]:
			if d.isPrefix[best] {
				best = id
			}
		case d.uses[id] != d.uses[best]:
			if d.uses[id] < d.uses[best] {
				best = id
			}
		case d.length[id] > d.length[best]:
			best = id
		}
	}
	return best
}

// bestSide picks, among the sides of an AND, the anchor set that the fewest
// documents should hit: the smallest, then the one with the longest words.
func bestSide(kids []node, d *dict) ([]int32, bool) {
	var best []int32
	found := false
	for _, k := range kids {
		ids, ok := anchors(k, d)
		if !ok {
			continue
		}
		if !found || len(ids) < len(best) || len(ids) == len(best) && shortest(ids, d) > shortest(best, d) {
			best, found = ids, true
		}
	}
	return best, found
}

func shortest(ids []int32, d *dict) int {
	m := 1 << 30
	for _, a := range ids {
		m = min(m, d.length[anchorID(a)])
	}
	return m
}
