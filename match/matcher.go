// Package match decides which topics an article mentions, and why.
//
// A topic's query is compiled once into a tree of words, "phrases",
// wildcards, AND, OR, NOT, NEAR/n and ONEAR/n, with title:, text: and
// case: restrictions; adjacent terms are joined by AND. Text and queries
// are folded the same way (lower case, no diacritics, split on punctuation),
// so matching is case- and accent-insensitive unless case: says otherwise.
//
// Every word of every query goes into one dictionary, and each topic is
// filed under the words it cannot match without (its anchors). A document
// is scanned once against the dictionary, and only the topics whose anchors
// occur are evaluated, so the cost of matching grows with the length of the
// document rather than with the number of topics.
//
// The package does no I/O: it is given text and returns hits.
package match

import (
	"fmt"
	mathbits "math/bits"
	"slices"
	"strings"
	"sync"
)

// Topic is a query and the id its hits carry.
type Topic struct {
	ID    string
	Query string
}

// Document is the text of one article.
type Document struct {
	Title string
	Text  string
}

// TextDocument reads a text whose first line is the title and whose other
// lines are the text, as examples and "newswatch explain" take it.
func TextDocument(s string) Document {
	title, text, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return Document{Title: strings.TrimSpace(title), Text: strings.TrimSpace(text)}
}

// Matcher holds compiled topics. It is safe for concurrent use.
type Matcher struct {
	topics []compiled
	prog   program // the topics, flattened for the boolean pass
	dict   dict
	// A topic is a candidate when all the anchor groups of one of its
	// clauses (see anchorClauses) are hit; a group is hit when one of its
	// anchors occurs. What an anchor's occurrence does is
	// anchorHits[anchorStart[a]:anchorStart[a+1]].
	anchorStart []int32
	anchorHits  []anchorHit
	groups      int       // groups of clauses that need more than one
	clauseTopic []int32   // clause → its topic
	always      []int32   // topics with no anchors, evaluated for every document
	pool        sync.Pool // of *doc
}

// anchorHit is one effect of an anchor's occurrence, packed so that the
// scan reads one array in order: for a clause of a single group the
// topic becomes a candidate (group < 0, ref the topic); otherwise group is
// hit, and ref is its clause shifted left by two bits over the number of
// groups the clause needs (at most maxGroups).
type anchorHit struct{ group, ref int32 }

// compiled is a topic. Its query's tree is dropped once the Matcher is
// built (the program and the anchors hold all that matching needs, and
// NEARs keep their own subtrees): with 10,000 topics the trees are
// hundreds of thousands of small objects that the collector would
// otherwise mark on every cycle. Explain parses the query again.
type compiled struct{ id, query string }

// TopicError reports a topic whose query does not compile.
type TopicError struct {
	Topic string
	Err   error // a *SyntaxError
}

// Error names the topic and the syntax error.
func (e *TopicError) Error() string { return fmt.Sprintf("topic %q: %v", e.Topic, e.Err) }

// Unwrap returns the *SyntaxError.
func (e *TopicError) Unwrap() error { return e.Err }

// Compile parses every topic's query. It returns a *TopicError for the
// first query that is empty or malformed.
func Compile(topics []Topic) (*Matcher, error) {
	m := &Matcher{topics: make([]compiled, 0, len(topics)), dict: *newDict()}
	roots := make([]node, 0, len(topics)) // dropped when Compile returns
	for _, t := range topics {
		root, err := parse(t.Query)
		if err != nil {
			return nil, &TopicError{Topic: t.ID, Err: err}
		}
		compileTerms(root, &m.dict)
		m.topics = append(m.topics, compiled{id: t.ID, query: t.Query})
		roots = append(roots, root)
	}
	m.dict.finish()
	anchored := make([][]anchorHit, 3*m.dict.size()) // anchor → what it hits
	for i, root := range roots {
		m.prog.add(root, &m.dict)
		clauses := anchorClauses(root, &m.dict)
		if len(clauses) == 0 {
			m.always = append(m.always, int32(i))
			continue
		}
		for _, groups := range clauses {
			if len(groups) == 1 {
				for _, id := range groups[0] {
					anchored[id] = append(anchored[id], anchorHit{group: -1, ref: int32(i)})
				}
				continue
			}
			c := int32(len(m.clauseTopic))
			m.clauseTopic = append(m.clauseTopic, int32(i))
			for _, ids := range groups {
				g := int32(m.groups)
				m.groups++
				for _, id := range ids {
					anchored[id] = append(anchored[id], anchorHit{group: g, ref: c<<2 | int32(len(groups))})
				}
			}
		}
	}
	m.anchorStart = make([]int32, 0, len(anchored)+1)
	for _, hs := range anchored {
		m.anchorStart = append(m.anchorStart, int32(len(m.anchorHits)))
		m.anchorHits = append(m.anchorHits, hs...)
	}
	m.anchorStart = append(m.anchorStart, int32(len(m.anchorHits)))
	fill := func(w *wordInfo) { w.anchors = *m.anchorBounds(w.id) }
	m.dict.wordTab.fill(fill)
	m.dict.joinTab.fill(fill)
	m.dict.prefixTab.fill(fill)
	for i := range m.dict.startsWith {
		r := &m.dict.startsWith[i]
		r.anchors = *m.anchorBounds(r.id)
	}
	m.pool.New = func() any { return newDoc(m) }
	return m, nil
}

// anchorBounds returns the bounds in anchorHits of what an occurrence of
// id does: [0]:[1] for the first in the title, [1]:[2] for the first
// anywhere and [2]:[3] for the first in the text (see anchorKey).
func (m *Matcher) anchorBounds(id int32) *[4]int32 {
	return (*[4]int32)(m.anchorStart[id*3 : id*3+4])
}

// CheckQuery reports whether q is a valid query, the error a *SyntaxError,
// and what a valid one says that is easily misread (see Warning).
func CheckQuery(q string) ([]Warning, error) {
	_, warnings, err := parseQuery(q)
	return warnings, err
}

// Match returns a hit for every topic the document matches, in the order
// the topics were compiled.
func (m *Matcher) Match(in Document) []Hit {
	d := m.pool.Get().(*doc)
	defer m.pool.Put(d)
	d.load(in)
	// With many topics most candidates hold (four in five with 10,000
	// generated ones), so each is decided and its spans collected in one
	// pass, and the topic's instructions are read once.
	d.held, d.heldSpans, d.spans = d.held[:0], d.heldSpans[:0], d.spans[:0]
	m.candidates(d, func(t int32) {
		mark := len(d.spans)
		if m.prog.collect(d, t, &d.spans) {
			d.held = append(d.held, t)
			d.heldSpans = append(d.heldSpans, int32(mark))
		} else {
			d.spans = d.spans[:mark]
		}
	})
	if len(d.held) == 0 {
		return nil
	}
	return d.hits()
}

// candidates calls fn, in topic order, for each topic that may match.
func (m *Matcher) candidates(d *doc, fn func(t int32)) {
	words := d.candWords
	slices.Sort(words)
	always := m.always
	for _, w := range words {
		bits := d.cand[w]
		for bits != 0 {
			b := int32(mathbits.TrailingZeros64(bits))
			bits &^= 1 << b
			t := w*64 + b
			for len(always) > 0 && always[0] < t {
				fn(always[0])
				always = always[1:]
			}
			if len(always) > 0 && always[0] == t {
				always = always[1:]
			}
			fn(t)
		}
	}
	for _, t := range always {
		fn(t)
	}
}

// Topics returns the ids of the compiled topics, in order.
func (m *Matcher) Topics() []string {
	out := make([]string, len(m.topics))
	for i, t := range m.topics {
		out[i] = t.id
	}
	return out
}
