package match

import "strings"

// field names a part of a document. Phrases never span two fields.
type field int

const (
	fieldTitle field = iota
	fieldText
	numFields
)

// span is a run of matched tokens in one field, [from, to).
type span struct {
	field    field
	from, to int
}

// node is one element of a compiled query tree.
type node interface {
	// eval reports whether the node holds for the document and, when it
	// does, appends the spans of the terms that made it hold.
	eval(d *doc, spans *[]span) bool
	String() string
}

type andNode struct{ kids []node }
type orNode struct{ kids []node }
type notNode struct{ kid node }

// termNode is a word or a phrase of one or more folded words; with prefix
// set, the last word matches any word it begins.
type termNode struct {
	words  []string
	prefix bool
	src    string
}

func (n *andNode) eval(d *doc, spans *[]span) bool {
	mark := len(*spans)
	for _, k := range n.kids {
		if !k.eval(d, spans) {
			*spans = (*spans)[:mark]
			return false
		}
	}
	return true
}

// eval of an OR evaluates every branch, not just the first that holds, so
// that all matched terms are reported.
func (n *orNode) eval(d *doc, spans *[]span) bool {
	ok := false
	for _, k := range n.kids {
		if k.eval(d, spans) {
			ok = true
		}
	}
	return ok
}

func (n *notNode) eval(d *doc, spans *[]span) bool {
	mark := len(*spans)
	held := n.kid.eval(d, spans)
	*spans = (*spans)[:mark]
	return !held
}

func (n *termNode) eval(d *doc, spans *[]span) bool {
	found := false
	for f := field(0); f < numFields; f++ {
		toks := d.fields[f]
		for _, p := range d.candidates(f, n.words[0], n.prefix && len(n.words) == 1) {
			if n.at(toks, p) {
				*spans = append(*spans, span{f, p, p + len(n.words)})
				found = true
			}
		}
	}
	return found
}

// at reports whether the term's words occur in toks starting at p.
func (n *termNode) at(toks []token, p int) bool {
	if p+len(n.words) > len(toks) {
		return false
	}
	last := len(n.words) - 1
	for i, w := range n.words {
		t := toks[p+i].text
		if i == last && n.prefix {
			if !strings.HasPrefix(t, w) {
				return false
			}
		} else if t != w {
			return false
		}
	}
	return true
}

func (n *andNode) String() string { return join(n.kids, " AND ") }
func (n *orNode) String() string  { return join(n.kids, " OR ") }
func (n *notNode) String() string { return "NOT " + wrap(n.kid) }
func (n *termNode) String() string {
	s := strings.Join(n.words, " ")
	if n.prefix {
		s += "*"
	}
	if len(n.words) > 1 {
		return `"` + s + `"`
	}
	return s
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
	case *andNode, *orNode:
		return "(" + n.String() + ")"
	}
	return n.String()
}
