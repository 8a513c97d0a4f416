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

// Hit says that a document matched a topic, and why.
type Hit struct {
	Topic string
	// Score weighs the occurrences of the matched terms: 3 for each in the
	// title, 1 for each in the text.
	Score int
	// Terms are the matched words and phrases as spelled in the document,
	// title first, each once (compared after folding).
	Terms []string
	// Snippet is the sentence that holds the most matched terms (the
	// title when the text holds none), with the terms marked.
	Snippet Snippet
}

// Weights of an occurrence in Hit.Score.
const (
	TitleWeight = 3
	TextWeight  = 1
)

// Matcher holds compiled topics. It is safe for concurrent use.
type Matcher struct {
	topics []compiled
	dict   dict
	// Each topic needs all of its anchor groups (see anchorGroups); a
	// group is hit when one of its words occurs.
	anchored   [][]int32 // dictionary id → groups it hits
	groupTopic []int32   // group → its topic
	need       []uint8   // topic → number of its groups
	always     []int32   // topics with no anchors, evaluated for every document
	pool       sync.Pool // of *doc
}

type compiled struct {
	id   string
	root node
}

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
	for _, t := range topics {
		root, err := parse(t.Query)
		if err != nil {
			return nil, &TopicError{Topic: t.ID, Err: err}
		}
		compileTerms(root, &m.dict)
		m.topics = append(m.topics, compiled{id: t.ID, root: root})
	}
	m.anchored = make([][]int32, m.dict.size())
	m.need = make([]uint8, len(m.topics))
	for i, t := range m.topics {
		groups := anchorGroups(t.root, &m.dict)
		if len(groups) == 0 {
			m.always = append(m.always, int32(i))
			continue
		}
		m.need[i] = uint8(len(groups))
		for _, ids := range groups {
			g := int32(len(m.groupTopic))
			m.groupTopic = append(m.groupTopic, int32(i))
			for _, id := range ids {
				m.anchored[id] = append(m.anchored[id], g)
			}
		}
	}
	m.pool.New = func() any { return newDoc(m) }
	return m, nil
}

// CheckQuery reports whether q is a valid query; the error is a *SyntaxError.
func CheckQuery(q string) error {
	_, err := parse(q)
	return err
}

// Match returns a hit for every topic the document matches, in the order
// the topics were compiled.
func (m *Matcher) Match(in Document) []Hit {
	d := m.pool.Get().(*doc)
	defer m.pool.Put(d)
	d.load(in)
	var hits []Hit
	m.candidates(d, func(t int32) {
		root := m.topics[t].root
		if !root.holds(d) {
			return
		}
		d.spans = d.spans[:0]
		root.eval(d, &d.spans)
		hits = append(hits, d.hit(m.topics[t].id, d.spans))
	})
	return hits
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

// hit builds the Hit of a topic from the spans its terms matched.
func (d *doc) hit(topic string, spans []span) Hit {
	slices.SortFunc(spans, cmpSpan)
	spans = slices.Compact(spans)
	h := Hit{Topic: topic}
	seen := make(map[string]bool, len(spans))
	for _, s := range spans {
		if d.fieldOf(s.from) == inTitle {
			h.Score += TitleWeight
		} else {
			h.Score += TextWeight
		}
		f, start, end := d.locate(s)
		text := d.src[f][start:end]
		d.keyBuf = d.joinSc.foldInto(d.keyBuf[:0], text)
		if !seen[string(d.keyBuf)] {
			seen[string(d.keyBuf)] = true
			h.Terms = append(h.Terms, text)
		}
	}
	h.Snippet = d.snippet(spans)
	return h
}

// Topics returns the ids of the compiled topics, in order.
func (m *Matcher) Topics() []string {
	out := make([]string, len(m.topics))
	for i, t := range m.topics {
		out[i] = t.id
	}
	return out
}

func (m *Matcher) topic(id string) (compiled, bool) {
	for _, t := range m.topics {
		if t.id == id {
			return t, true
		}
	}
	return compiled{}, false
}
