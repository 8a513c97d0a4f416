package match

import "slices"

// dict numbers every folded word and wildcard prefix of every query. A
// document's words are looked up in it once each, so matching costs grow
// with the document, not with the number of topics.
type dict struct {
	words    map[string]int32
	prefixes map[string]int32
	// minPrefix and maxPrefix bound the byte length of the prefixes.
	minPrefix, maxPrefix int
	// length and isPrefix describe each id, to choose anchors.
	length   []int
	isPrefix []bool
}

func newDict() *dict {
	return &dict{words: map[string]int32{}, prefixes: map[string]int32{}}
}

func (d *dict) size() int { return len(d.length) }

func (d *dict) id(w string, prefix bool) int32 {
	m := d.words
	if prefix {
		m = d.prefixes
	}
	if id, ok := m[w]; ok {
		return id
	}
	id := int32(len(d.length))
	m[w] = id
	d.length = append(d.length, len(w))
	d.isPrefix = append(d.isPrefix, prefix)
	if prefix {
		if d.minPrefix == 0 || len(w) < d.minPrefix {
			d.minPrefix = len(w)
		}
		d.maxPrefix = max(d.maxPrefix, len(w))
	}
	return id
}

// maxJoinWords: phrases up to this long also match with any of their
// neighbouring words written together ("peace keeping force" finds
// "peacekeeping force"); longer ones only as written or fully joined.
const maxJoinWords = 6

// compileTerms gives every term of the tree its word-id variants.
func compileTerms(n node, d *dict) {
	switch n := n.(type) {
	case *termNode:
		n.variants = nil
		for _, words := range spellings(n) {
			ids := make([]int32, len(words))
			for i, w := range words {
				ids[i] = d.id(w, n.prefix && i == len(words)-1)
			}
			n.variants = append(n.variants, ids)
		}
	case *andNode:
		for _, k := range n.kids {
			compileTerms(k, d)
		}
	case *orNode:
		for _, k := range n.kids {
			compileTerms(k, d)
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

// anchors returns word ids of which a document must contain at least one
// for n to hold (the presearcher of Lucene Monitor): a term's rarest-looking
// word, any one side of an AND, every side of an OR. ok is false when no
// such set exists (a NOT).
func anchors(n node, d *dict) (ids []int32, ok bool) {
	switch n := n.(type) {
	case *termNode:
		for _, v := range n.variants {
			ids = append(ids, bestAnchor(v, d))
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

// bestAnchor picks the word of a sequence least likely to be common: a
// whole word before a prefix, then the longest.
func bestAnchor(v []int32, d *dict) int32 {
	best := v[0]
	for _, id := range v[1:] {
		if d.isPrefix[best] && !d.isPrefix[id] || d.isPrefix[best] == d.isPrefix[id] && d.length[id] > d.length[best] {
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
	for _, id := range ids {
		m = min(m, d.length[id])
	}
	return m
}
