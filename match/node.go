package match

import (
	"strconv"
	"strings"
)

// fieldMask says which fields of a document a term may match in.
type fieldMask uint8

const (
	inTitle fieldMask = 1 << iota
	inText
	anyField = inTitle | inText
)

// span is a run of matched words, [from, to) in document positions.
// Title words have positions below doc.textBase, text words above it.
type span struct{ from, to int32 }

// node is one element of a compiled query tree. Whether a topic holds is
// decided by its flattened program (program.go), which keeps the tree's
// NEARs and case: terms as they are.
type node interface {
	// eval reports whether the node holds for the document and, when it
	// does, appends the spans of the terms that made it hold.
	eval(d *doc, out *[]span) bool
	// String prints the node in query syntax; parsing it gives the same
	// tree.
	String() string
}

type andNode struct{ kids []node }

// orNode holds when one of its kids does. gate, set by compile, lists the
// first word ids of the kids that are terms, and -1 for the others, so that
// eval skips absent terms in one pass over a small array.
type orNode struct {
	kids []node
	gate []gateEntry
}

// gateEntry says that kid may hold only if word id occurs (-1: no test).
// The entries of one kid are consecutive, in kid order.
type gateEntry struct{ id, kid int32 }
type notNode struct{ kid node }

// nearNode holds when its sides occur in the same field with at most n
// words between them; with ordered, the left side must come first.
type nearNode struct {
	left, right node // each a term, a NEAR or an OR of those
	n           int
	ordered     bool
}

// termNode is a word or a phrase of folded words; with prefix set, the
// last word matches any word it begins. raw, when set, holds the words as
// written, and the document must spell them so (case:).
type termNode struct {
	words  []string
	raw    []string
	prefix bool
	fields fieldMask

	// seqs are the word-id sequences that spell the term, set by compile,
	// one after the other, each after its length, as the program holds
	// them inline: "cease fire" is [cease fire] and [ceasefire]. firsts
	// holds their first ids.
	seqs   []int32
	firsts []int32
}

// variants returns the term's word-id sequences, cut from seqs.
func (n *termNode) variants() [][]int32 {
	var out [][]int32
	for k := 0; k < len(n.seqs); k += 1 + int(n.seqs[k]) {
		out = append(out, n.seqs[k+1:k+1+int(n.seqs[k])])
	}
	return out
}

func (n *andNode) eval(d *doc, out *[]span) bool {
	mark := len(*out)
	for _, k := range n.kids {
		if !k.eval(d, out) {
			*out = (*out)[:mark]
			return false
		}
	}
	return true
}

// eval of an OR evaluates every branch, not just the first that holds, so
// that all matched terms are reported.
func (n *orNode) eval(d *doc, out *[]span) bool {
	ok, last := false, int32(-1)
	for _, g := range n.gate {
		if g.kid == last || g.id >= 0 && !d.has(g.id) {
			continue
		}
		last = g.kid
		if n.kids[g.kid].eval(d, out) {
			ok = true
		}
	}
	return ok
}

func (n *notNode) eval(d *doc, out *[]span) bool {
	mark := len(*out)
	held := n.kid.eval(d, out)
	*out = (*out)[:mark]
	return !held
}

func (n *termNode) eval(d *doc, out *[]span) bool {
	before := len(*out)
	*out = n.spans(d, *out)
	return len(*out) > before
}

// eval of a NEAR reports the terms of both sides of every pair that holds.
func (n *nearNode) eval(d *doc, out *[]span) bool {
	found := false
	n.pairs(d, func(l, r span) {
		*out = leafSpans(n.left, d, l, *out)
		*out = leafSpans(n.right, d, r, *out)
		found = true
	})
	return found
}

// leafSpans appends the occurrences of n's terms that lie within s: the
// words of a nested NEAR rather than the whole stretch between them.
func leafSpans(n node, d *doc, s span, out []span) []span {
	switch n := n.(type) {
	case *termNode:
		mark := len(d.stack)
		d.stack = n.spans(d, d.stack)
		for _, t := range d.stack[mark:] {
			if t.from >= s.from && t.to <= s.to {
				out = append(out, t)
			}
		}
		d.stack = d.stack[:mark]
	case *nearNode:
		out = leafSpans(n.left, d, s, out)
		out = leafSpans(n.right, d, s, out)
	case *orNode:
		for _, k := range n.kids {
			out = leafSpans(k, d, s, out)
		}
	}
	return out
}

// spans appends every place the term occurs in the document.
func (n *termNode) spans(d *doc, out []span) []span {
	return d.seqSpans(n.seqs, n.fields, n.raw, out)
}

func cmpSpan(a, b span) int {
	if a.from != b.from {
		return int(a.from - b.from)
	}
	return int(a.to - b.to)
}

// pairs calls fn for every left and right span that are near each other.
// The spans of both sides live on d.stack until pairs returns.
func (n *nearNode) pairs(d *doc, fn func(l, r span)) {
	mark := len(d.stack)
	defer func() { d.stack = d.stack[:mark] }()
	d.stack = spansOf(n.left, d, d.stack)
	left := d.stack[mark:]
	if len(left) == 0 {
		return
	}
	d.stack = spansOf(n.right, d, d.stack)
	right := d.stack[mark+len(left):]
	for _, l := range left {
		for _, r := range right {
			if d.fieldOf(l.from) != d.fieldOf(r.from) {
				continue
			}
			var gap int32
			switch {
			case n.ordered:
				if r.from < l.to {
					continue
				}
				gap = r.from - l.to
			case r.from >= l.to:
				gap = r.from - l.to
			case l.from >= r.to:
				gap = l.from - r.to
			default:
				gap = 0 // they overlap
			}
			if gap <= int32(n.n) {
				fn(l, r)
			}
		}
	}
}

// spansOf returns the spans of a span node: a term's occurrences, the
// extent of each pair of a NEAR, or the union of an OR's.
func spansOf(n node, d *doc, out []span) []span {
	switch n := n.(type) {
	case *termNode:
		return n.spans(d, out)
	case *nearNode:
		n.pairs(d, func(l, r span) {
			out = append(out, span{min(l.from, r.from), max(l.to, r.to)})
		})
		return out
	case *orNode:
		for _, k := range n.kids {
			out = spansOf(k, d, out)
		}
		return out
	}
	return out
}

func (n *andNode) String() string { return join(n.kids, " AND ") }
func (n *orNode) String() string  { return join(n.kids, " OR ") }
func (n *notNode) String() string { return "NOT " + wrap(n.kid) }
func (n *nearNode) String() string {
	op := "NEAR/"
	if n.ordered {
		op = "ONEAR/"
	}
	return wrap(n.left) + " " + op + strconv.Itoa(n.n) + " " + wrap(n.right)
}

func (n *termNode) String() string {
	var b strings.Builder
	switch n.fields {
	case inTitle:
		b.WriteString("title:")
	case inText:
		b.WriteString("text:")
	}
	words := n.words
	if n.raw != nil {
		b.WriteString("case:")
		words = n.raw
	}
	s := strings.Join(words, " ")
	if n.prefix {
		s += "*"
	}
	if len(words) > 1 {
		s = `"` + s + `"`
	} else if !n.prefix && n.raw == nil && isOperatorWord(s) {
		s = `"` + s + `"`
	}
	b.WriteString(s)
	return b.String()
}

// isOperatorWord reports whether a folded word would read as an operator;
// folded words are lower case, so none does, but a cased word can.
func isOperatorWord(s string) bool {
	return s == "AND" || s == "OR" || s == "NOT"
}

func join(kids []node, sep string) string {
	parts := make([]string, len(kids))
	for i, k := range kids {
		parts[i] = wrap(k)
	}
	return strings.Join(parts, sep)
}

func wrap(n node) string {
	switch n.(type) {
	case *andNode, *orNode, *nearNode:
		return "(" + n.String() + ")"
	}
	return n.String()
}
