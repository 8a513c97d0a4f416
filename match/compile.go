package match

import "slices"

// maxJoinWords: phrases up to this long also match with any of their
// neighbouring words written together ("peace keeping force" finds
// "peacekeeping force"); longer ones only as written or fully joined.
const maxJoinWords = 6

// compileTerms gives every term of the tree its word-id variants.
func compileTerms(n node, d idGiver) {
	switch n := n.(type) {
	case *termNode:
		n.seqs, n.firsts = nil, nil
		for _, words := range spellings(n) {
			ids := make([]int32, len(words))
			for i, w := range words {
				ids[i] = d.id(w, n.prefix && i == len(words)-1, slices.Contains(n.words, w))
			}
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
// The title's anchor comes before the any-field one and the text's after
// it, so that a word's first occurrence in either field does what it does
// in one run of anchorHits (see doc.add).
func anchorKey(id int32, f fieldMask) int32 {
	switch f {
	case inTitle:
		return id * 3
	case inText:
		return id*3 + 2
	}
	return id*3 + 1
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
		for _, v := range n.variants() {
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
