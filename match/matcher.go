// Package match decides which topics an article mentions.
//
// A topic's query is compiled once into a tree of words, "phrases",
// AND, OR, NOT and parentheses; adjacent terms are joined by AND. Text and
// queries are folded the same way (lower case, no diacritics, split on
// punctuation), so matching is case- and accent-insensitive. The package does
// no I/O: it is given text and returns hits.
package match

import (
	"fmt"
	"sort"
	"strings"
)

// Topic is a named query.
type Topic struct {
	ID    string
	Name  string
	Query string
}

// Document is the text of one article.
type Document struct {
	Title string
	Text  string
}

// Hit says that a document matched a topic.
type Hit struct {
	Topic string
	// Terms are the matched words and phrases as spelled in the document,
	// title first, each once (compared after folding).
	Terms []string
}

// Matcher holds compiled topics. It is safe for concurrent use.
type Matcher struct {
	topics []compiled
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
	m := &Matcher{topics: make([]compiled, 0, len(topics))}
	for _, t := range topics {
		root, err := parse(t.Query)
		if err != nil {
			return nil, &TopicError{Topic: t.ID, Err: err}
		}
		m.topics = append(m.topics, compiled{id: t.ID, root: root})
	}
	return m, nil
}

// CheckQuery reports whether q is a valid query; the error is a *SyntaxError.
func CheckQuery(q string) error {
	_, err := parse(q)
	return err
}

// Match returns a hit for every topic the document matches, in the order
// the topics were compiled.
func (m *Matcher) Match(d Document) []Hit {
	dd := newDoc(d)
	var hits []Hit
	var spans []span
	for _, t := range m.topics {
		spans = spans[:0]
		if t.root.eval(dd, &spans) {
			hits = append(hits, Hit{Topic: t.id, Terms: dd.terms(spans)})
		}
	}
	return hits
}

// doc is a tokenised document with a word index per field.
type doc struct {
	src    [numFields]string
	fields [numFields][]token
	index  [numFields]map[string][]int
}

func newDoc(d Document) *doc {
	dd := &doc{src: [numFields]string{d.Title, d.Text}}
	for f := field(0); f < numFields; f++ {
		toks := tokenize(dd.src[f])
		ix := make(map[string][]int, len(toks))
		for i, t := range toks {
			ix[t.text] = append(ix[t.text], i)
		}
		dd.fields[f] = toks
		dd.index[f] = ix
	}
	return dd
}

// candidates returns the positions in field f where w (or, with prefix, a
// word that begins with w) occurs.
func (d *doc) candidates(f field, w string, prefix bool) []int {
	if !prefix {
		return d.index[f][w]
	}
	var out []int
	for k, pos := range d.index[f] {
		if strings.HasPrefix(k, w) {
			out = append(out, pos...)
		}
	}
	return out
}

// terms turns matched spans into the document's own spelling, deduplicated
// by folded form, in field then position order.
func (d *doc) terms(spans []span) []string {
	sort.Slice(spans, func(i, j int) bool {
		a, b := spans[i], spans[j]
		if a.field != b.field {
			return a.field < b.field
		}
		if a.from != b.from {
			return a.from < b.from
		}
		return a.to > b.to
	})
	var out []string
	seen := make(map[string]bool, len(spans))
	for _, s := range spans {
		toks := d.fields[s.field]
		text := d.src[s.field][toks[s.from].start:toks[s.to-1].end]
		key := strings.Join(Fold(text), " ")
		if !seen[key] {
			seen[key] = true
			out = append(out, text)
		}
	}
	return out
}
