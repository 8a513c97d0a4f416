package match

import "math"

// posting is one occurrence of a dictionary word in a document. width is 2
// when the word is two hyphenated words read together ("cease-fire" as
// "ceasefire").
type posting struct{ pos, width int32 }

// offset is the byte span of a word in its field's text.
type offset struct{ start, end int32 }

// fieldGap separates title positions from text positions, so that no
// phrase or NEAR reaches across.
const fieldGap = 1 << 12

// doc is a document scanned against a Matcher's dictionary. It is scratch
// space, reused through the Matcher's pool.
type doc struct {
	m        *Matcher
	src      [2]string // title, text
	offs     [2][]offset
	textBase int32

	// The postings of the words that occur: the postings of id are
	// lists[slot[id]-1]. A slot per id (4 bytes) keeps the table small
	// enough for the cache where a slice header per id did not.
	slot    []int32
	lists   [][]posting
	present []uint64 // ids with postings, as a bit set: cheaper to test than slot
	touched []int32  // ids with postings, to reset

	groupHit   []uint64 // anchor groups hit, as a bit set
	groupsHit  []int32  // the groups hit, to reset
	count      []uint8  // clause → its groups hit
	clausesHit []int32  // the clauses counted, to reset
	cand       []uint64 // topics whose groups all hit, as a bit set
	candWords  []int32  // indexes of non-zero words of cand

	sc      scanner
	joinSc  scanner
	joinBuf []byte
	keyBuf  []byte
	keyEnds []int
	spans   []span
	held    []int32 // topics that hold
	// heldSpans[i] is where the spans of held[i] start in spans.
	heldSpans []int32
	// outTerms and outMarks collect the Terms and Marks of the hits that
	// Match returns, before they are copied out; textSpans and markBuf
	// are scratch for snippets.
	outTerms []string
	outMarks []Mark
	bounds   []hitBounds
	// hitSpans[i] are the spans of the i-th hit built, and hitBySpans
	// finds the first hit built from spans of a given hash.
	hitSpans   [][]span
	hitBySpans map[uint64]int32
	textSpans  []span
	markBuf    []Mark
	stack      []span // scratch for NEAR's sides, used as a stack
	prefixes   []prefixRef
	sentences  []sentenceAt // of the text, found for snippets
	sink       int32        // what candidate reads ahead, kept so that it is read
}

func newDoc(m *Matcher) *doc {
	n := m.dict.size()
	return &doc{
		m: m, slot: make([]int32, n), present: make([]uint64, (n+63)/64),
		groupHit: make([]uint64, (m.groups+63)/64), count: make([]uint8, len(m.clauseTopic)),
		cand: make([]uint64, (len(m.topics)+63)/64), hitBySpans: map[uint64]int32{},
	}
}

// reset clears what the last document left.
func (d *doc) reset() {
	for _, id := range d.touched {
		d.slot[id] = 0
		d.present[id/64] = 0
	}
	d.touched = d.touched[:0]
	for _, g := range d.groupsHit {
		d.groupHit[g/64] = 0
	}
	d.groupsHit = d.groupsHit[:0]
	for _, c := range d.clausesHit {
		d.count[c] = 0
	}
	d.clausesHit = d.clausesHit[:0]
	for _, w := range d.candWords {
		d.cand[w] = 0
	}
	d.candWords = d.candWords[:0]
	d.offs[0], d.offs[1] = d.offs[0][:0], d.offs[1][:0]
	d.sentences = d.sentences[:0]
}

// load scans the document's fields.
func (d *doc) load(in Document) {
	d.reset()
	d.src = [2]string{in.Title, in.Text}
	d.textBase = math.MaxInt32 // every position is a title's until the text
	d.scanField(0, 0)
	d.textBase = int32(len(d.offs[0])) + fieldGap
	d.scanField(1, d.textBase)
}

func (d *doc) scanField(f int, base int32) {
	src := d.src[f]
	d.sc.reset(src)
	prevStart, prevEnd := -1, -1
	for {
		w, start, end, hyphenated, ok := d.sc.next()
		if !ok {
			return
		}
		pos := base + int32(len(d.offs[f]))
		if hyphenated && prevStart >= 0 {
			// Rare: fold the word before again rather than keep a copy of
			// every word in case the next one is hyphenated.
			d.joinBuf = d.joinSc.foldInto(d.joinBuf[:0], src[prevStart:prevEnd])
			d.joinBuf = append(d.joinBuf, w...)
			d.lookup(bufString(d.joinBuf), pos-1, 2)
		}
		d.lookup(w, pos, 1)
		d.offs[f] = append(d.offs[f], offset{int32(start), int32(end)})
		prevStart, prevEnd = start, end
	}
}

// lookup records a word, and every wildcard prefix it begins with.
func (d *doc) lookup(w string, pos, width int32) {
	m := d.m
	if m.dict.filter.mayHave(w) {
		if info := m.dict.findWord(w); info != nil {
			d.add(info.id, &info.anchors, pos, width)
			for i := info.prefixes[0]; i < info.prefixes[1]; i++ {
				p := &m.dict.startsWith[i]
				d.add(p.id, &p.anchors, pos, width)
			}
			return
		}
	}
	d.prefixes = m.dict.prefixesOf(w, d.prefixes[:0])
	for i := range d.prefixes {
		d.add(d.prefixes[i].id, &d.prefixes[i].anchors, pos, width)
	}
}

// add records an occurrence of id at pos; anchors are its anchorBounds.
func (d *doc) add(id int32, anchors *[4]int32, pos, width int32) {
	if !d.has(id) {
		// The first occurrence: what it does anywhere and in its field
		// are one run of anchorHits.
		n := int32(len(d.touched))
		if n == int32(len(d.lists)) {
			d.lists = append(d.lists, nil)
		}
		d.slot[id] = n + 1
		d.lists[n] = append(d.lists[n][:0], posting{pos, width})
		d.touched = append(d.touched, id)
		d.present[id/64] |= 1 << (id % 64)
		if pos < d.textBase {
			d.hitAnchor(anchors[0], anchors[2])
		} else {
			d.hitAnchor(anchors[1], anchors[3])
		}
		return
	}
	i := d.slot[id] - 1
	ps := d.lists[i]
	if pos >= d.textBase && ps[len(ps)-1].pos < d.textBase {
		d.hitAnchor(anchors[2], anchors[3]) // the first in the text
	}
	d.lists[i] = append(ps, posting{pos, width})
}

// hitAnchor records that an anchor occurs, whose effects are
// anchorHits[from:to], and makes candidates of the topics all of whose
// anchor groups are now hit.
func (d *doc) hitAnchor(from, to int32) {
	m := d.m
	for _, h := range m.anchorHits[from:to] {
		if h.group < 0 {
			d.candidate(h.ref)
			continue
		}
		g := h.group
		if d.groupHit[g/64]&(1<<(g%64)) != 0 {
			continue
		}
		d.groupHit[g/64] |= 1 << (g % 64)
		d.groupsHit = append(d.groupsHit, g)
		c := h.ref >> 2
		if d.count[c] == 0 {
			d.clausesHit = append(d.clausesHit, c)
		}
		if d.count[c]++; int32(d.count[c]) == h.ref&3 {
			d.candidate(m.clauseTopic[c])
		}
	}
}

// candidate marks topic t for evaluation.
func (d *doc) candidate(t int32) {
	w := t / 64
	if d.cand[w] == 0 {
		d.candWords = append(d.candWords, w)
	}
	d.cand[w] |= 1 << (t % 64)
	// Read the topic's first instruction now: with thousands of topics
	// it is a cache miss, which the rest of the scan then overlaps
	// rather than the candidate's evaluation waiting on it.
	d.sink += d.m.prog.code[d.m.prog.start[t]]
}
