package match

import "slices"

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

// hits builds a Hit for each topic that held (d.held, whose spans are
// d.spans from d.heldSpans on).
func (d *doc) hits() []Hit {
	m := d.m
	// The hits' terms and marks are built in the doc's scratch arrays,
	// then copied into one array each of the exact size: with ten hits a
	// document, the bytes allocated, not the number of allocations, are
	// what costs (they push the dictionary out of the cache).
	hits := make([]Hit, len(d.held))
	d.outTerms, d.outMarks = d.outTerms[:0], d.outMarks[:0]
	d.bounds, d.hitSpans = d.bounds[:0], d.hitSpans[:0]
	if len(d.hitBySpans) > 64 {
		// Clearing a map costs its size: one document with many hits
		// must not make every later one pay for it.
		d.hitBySpans = map[uint64]int32{}
	} else {
		clear(d.hitBySpans)
	}
	for i, t := range d.held {
		end := int32(len(d.spans))
		if i+1 < len(d.held) {
			end = d.heldSpans[i+1]
		}
		spans := d.spans[d.heldSpans[i]:end]
		slices.SortFunc(spans, cmpSpan)
		spans = slices.Compact(spans)
		// A hit is made of its spans alone, and half the hits of a
		// document with many topics have the spans of an earlier one
		// (topics that hold on the same title word): those take the
		// earlier hit's score, terms and snippet.
		key := hashSpans(spans)
		if j, ok := d.hitBySpans[key]; ok && slices.Equal(spans, d.hitSpans[j]) {
			hits[i] = hits[j]
			hits[i].Topic = m.topics[t].id
			d.bounds = append(d.bounds, d.bounds[j])
			d.hitSpans = append(d.hitSpans, spans)
			continue
		} else if !ok {
			d.hitBySpans[key] = int32(i)
		}
		b := hitBounds{terms: [2]int32{int32(len(d.outTerms))}, marks: [2]int32{int32(len(d.outMarks))}}
		hits[i] = d.hit(m.topics[t].id, spans)
		b.terms[1], b.marks[1] = int32(len(d.outTerms)), int32(len(d.outMarks))
		d.bounds = append(d.bounds, b)
		d.hitSpans = append(d.hitSpans, spans)
	}
	terms := slices.Clone(d.outTerms)
	var marks []Mark
	if len(d.outMarks) > 0 {
		marks = slices.Clone(d.outMarks)
	}
	for i, b := range d.bounds {
		hits[i].Terms = terms[b.terms[0]:b.terms[1]:b.terms[1]]
		if hits[i].Snippet.Marks != nil {
			hits[i].Snippet.Marks = marks[b.marks[0]:b.marks[1]:b.marks[1]]
		}
	}
	clear(d.outTerms) // they hold the document's text
	return hits
}

// hitBounds are where a hit's terms and marks start and end in
// doc.outTerms and doc.outMarks.
type hitBounds struct{ terms, marks [2]int32 }

// hit builds the Hit of a topic from the spans its terms matched, in
// order and each once.
func (d *doc) hit(topic string, spans []span) Hit {
	h := Hit{Topic: topic}
	// The folded form of each term kept, one after the other in keyBuf,
	// ending at keyEnds: a hit has few terms, so a scan beats a map.
	d.keyBuf, d.keyEnds = d.keyBuf[:0], d.keyEnds[:0]
	first := len(d.outTerms)
	for _, s := range spans {
		if d.fieldOf(s.from) == inTitle {
			h.Score += TitleWeight
		} else {
			h.Score += TextWeight
		}
		f, start, end := d.locate(s)
		text := d.src[f][start:end]
		mark := len(d.keyBuf)
		d.keyBuf = d.joinSc.foldInto(d.keyBuf, text)
		if d.seenKey(mark) {
			d.keyBuf = d.keyBuf[:mark]
			continue
		}
		d.keyEnds = append(d.keyEnds, len(d.keyBuf))
		d.outTerms = append(d.outTerms, text)
	}
	h.Terms = d.outTerms[first:len(d.outTerms):len(d.outTerms)]
	h.Snippet = d.snippet(spans)
	return h
}

// hashSpans hashes a hit's spans (FNV-1a over their bounds).
func hashSpans(spans []span) uint64 {
	h := uint64(14695981039346656037)
	for _, s := range spans {
		h = (h ^ uint64(uint32(s.from))) * 1099511628211
		h = (h ^ uint64(uint32(s.to))) * 1099511628211
	}
	return h
}

// seenKey reports whether the key that starts at keyBuf[mark:] equals one
// kept before it.
func (d *doc) seenKey(mark int) bool {
	key, from := d.keyBuf[mark:], 0
	for _, end := range d.keyEnds {
		if string(d.keyBuf[from:end]) == string(key) {
			return true
		}
		from = end
	}
	return false
}
