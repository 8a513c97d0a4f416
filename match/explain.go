package match

import (
	"fmt"
	"strconv"
	"strings"
)

// Explanation is the query tree of a topic evaluated against one document:
// for every branch, whether it held and where its terms were found.
type Explanation struct {
	// Query is the branch in query syntax.
	Query string
	// Op is "AND", "OR", "NOT", "NEAR/n", "ONEAR/n" or "TERM".
	Op   string
	Held bool
	// Found lists where a term (or the pairs of a NEAR) occurs.
	Found []Location
	Kids  []*Explanation
}

// Location is a place in a document.
type Location struct {
	Field      string // "title" or "text"
	Start, End int    // byte offsets in that field
	Text       string // the words there
}

// Explain evaluates the topic with id against the document, branch by
// branch, without stopping at the first branch that decides. It returns
// false when no such topic is compiled.
func (m *Matcher) Explain(id string, in Document) (*Explanation, bool) {
	t := -1
	for i := range m.topics {
		if m.topics[i].id == id {
			t = i
		}
	}
	if t < 0 {
		return nil, false
	}
	root := m.tree(t)
	d := m.pool.Get().(*doc)
	defer m.pool.Put(d)
	d.load(in)
	return explain(root, d), true
}

// tree compiles topic t's query again, against the Matcher's dictionary.
func (m *Matcher) tree(t int) node {
	root, err := parse(m.topics[t].query)
	if err != nil {
		panic(fmt.Sprintf("match: topic %q compiled once but not again: %v", m.topics[t].id, err))
	}
	compileTerms(root, compiledDict{&m.dict})
	return root
}

func explain(n node, d *doc) *Explanation {
	e := &Explanation{Query: n.String()}
	switch n := n.(type) {
	case *termNode:
		e.Op = "TERM"
		for _, s := range n.spans(d, nil) {
			e.Found = append(e.Found, d.location(s))
		}
		e.Held = len(e.Found) > 0
	case *andNode:
		e.Op, e.Held = "AND", true
		for _, k := range n.kids {
			ke := explain(k, d)
			e.Held = e.Held && ke.Held
			e.Kids = append(e.Kids, ke)
		}
	case *orNode:
		e.Op = "OR"
		for _, k := range n.kids {
			ke := explain(k, d)
			e.Held = e.Held || ke.Held
			e.Kids = append(e.Kids, ke)
		}
	case *notNode:
		e.Op = "NOT"
		ke := explain(n.kid, d)
		e.Held = !ke.Held
		e.Kids = []*Explanation{ke}
	case *nearNode:
		e.Op = "NEAR/" + strconv.Itoa(n.n)
		if n.ordered {
			e.Op = "ONEAR/" + strconv.Itoa(n.n)
		}
		n.pairs(d, func(l, r span) {
			e.Found = append(e.Found, d.location(span{min(l.from, r.from), max(l.to, r.to)}))
		})
		e.Held = len(e.Found) > 0
		e.Kids = []*Explanation{explain(n.left, d), explain(n.right, d)}
	}
	return e
}

func (d *doc) location(s span) Location {
	f, start, end := d.locate(s)
	name := "title"
	if f == 1 {
		name = "text"
	}
	return Location{Field: name, Start: start, End: end, Text: d.src[f][start:end]}
}

// String prints the explanation as an indented tree, one branch a line,
// each marked "+" when it held and "-" when it did not, with where its
// terms were found.
func (e *Explanation) String() string {
	var b strings.Builder
	e.write(&b, 0)
	return b.String()
}

func (e *Explanation) write(b *strings.Builder, depth int) {
	mark := "-"
	if e.Held {
		mark = "+"
	}
	indent := strings.Repeat("  ", depth)
	switch e.Op {
	case "TERM":
		fmt.Fprintf(b, "%s%s %s", indent, mark, e.Query)
	default:
		fmt.Fprintf(b, "%s%s %s", indent, mark, e.Op)
	}
	if len(e.Found) > 0 {
		var at []string
		for i, l := range e.Found {
			if i == 5 {
				at = append(at, fmt.Sprintf("and %d more", len(e.Found)-5))
				break
			}
			at = append(at, fmt.Sprintf("%s %d–%d %q", l.Field, l.Start, l.End, l.Text))
		}
		fmt.Fprintf(b, "    [%s]", strings.Join(at, "; "))
	}
	b.WriteByte('\n')
	for _, k := range e.Kids {
		k.write(b, depth+1)
	}
}
