package match

// program is every topic's query compiled for the boolean pass that decides
// whether a candidate topic holds: one contiguous array of instructions, so
// that testing a candidate reads a few cache lines instead of walking a tree
// of pointers spread over the heap. With 10,000 topics that walk, not the
// logic, was most of the cost of matching.
//
// An instruction is [op, size, payload...], size counting the whole
// instruction; the instructions of an AND, OR or NOT follow their header.
type program struct {
	code  []int32
	start []int32 // topic → offset of its root instruction
	slow  []node  // NEARs and case: terms, by index
}

const (
	// opWords holds when any of the word ids of its payload occurs: a
	// single word, or an OR of single words, in any field.
	opWords int32 = iota
	// opTitleWords and opTextWords hold when one of their word ids occurs
	// in the title, or in the text.
	opTitleWords
	opTextWords
	opAnd
	opOr
	opNot
	// opPhrase holds when a term of several words, or of several
	// spellings, occurs: its payload is the fields it may start in, then
	// the word-id sequences that spell it, each after its length (the
	// term's seqs). It saves reading the term's node, far off in the heap.
	opPhrase
	// opNode holds when the node slow[payload[0]] holds; the rest of the
	// payload are ids of which one must occur for it to hold, tested first.
	opNode
)

// add compiles the next topic's tree.
func (p *program) add(n node, d *dict) {
	p.start = append(p.start, int32(len(p.code)))
	p.emit(n, d)
}

func (p *program) emit(n node, d *dict) {
	at := p.open(opWords)
	switch n := n.(type) {
	case *termNode:
		if op, id, ok := wordOp(n); ok {
			p.code[at] = op
			p.code = append(p.code, id)
		} else if n.raw == nil {
			p.code[at] = opPhrase
			p.code = append(p.code, int32(n.fields))
			p.code = append(p.code, n.seqs...)
		} else {
			p.emitNode(at, n, d)
		}
	case *nearNode:
		p.emitNode(at, n, d)
	case *notNode:
		p.code[at] = opNot
		p.emit(n.kid, d)
	case *andNode:
		p.code[at] = opAnd
		for _, k := range n.kids {
			p.emit(k, d)
		}
	case *orNode:
		// The single words of an OR are tested together: one instruction
		// for those in any field, one for title: and one for text: words.
		var words [opTextWords + 1][]int32
		var others []node
		kinds := 0
		for _, k := range n.kids {
			op, id, ok := wordOp(k)
			if !ok {
				others = append(others, k)
				continue
			}
			if len(words[op]) == 0 {
				kinds++
			}
			words[op] = append(words[op], id)
		}
		if len(others) == 0 && kinds == 1 {
			for op, ids := range words {
				if len(ids) > 0 {
					p.code[at] = int32(op)
					p.code = append(p.code, ids...)
				}
			}
			break
		}
		p.code[at] = opOr
		for op, ids := range words {
			if len(ids) > 0 {
				w := p.open(int32(op))
				p.code = append(p.code, ids...)
				p.close(w)
			}
		}
		for _, k := range others {
			p.emit(k, d)
		}
	}
	p.close(at)
}

func (p *program) emitNode(at int, n node, d *dict) {
	p.code[at] = opNode
	p.code = append(p.code, int32(len(p.slow)))
	p.slow = append(p.slow, n)
	if keys, ok := anchors(n, d); ok {
		for _, k := range keys {
			p.code = append(p.code, anchorID(k))
		}
	}
}

// open starts an instruction and returns its offset; close sets its size.
func (p *program) open(op int32) int {
	at := len(p.code)
	p.code = append(p.code, op, 0)
	return at
}

func (p *program) close(at int) { p.code[at+1] = int32(len(p.code) - at) }

// wordOp returns the instruction and the id that test a term of one word
// (or prefix) with one spelling and no case: restriction: such a term
// holds exactly when its id occurs in its field.
func wordOp(n node) (op, id int32, ok bool) {
	t, isTerm := n.(*termNode)
	// One spelling of one word: seqs is [1, id].
	if !isTerm || len(t.seqs) != 2 || t.raw != nil {
		return 0, 0, false
	}
	switch t.fields {
	case inTitle:
		return opTitleWords, t.seqs[1], true
	case inText:
		return opTextWords, t.seqs[1], true
	}
	return opWords, t.seqs[1], true
}

// mayHold tests the ids of the opNode at pc: one must occur.
func (p *program) mayHold(d *doc, pc, end int32) bool {
	ids := p.code[pc+3 : end]
	for _, id := range ids {
		if d.has(id) {
			return true
		}
	}
	return len(ids) == 0
}

// collect runs the topic's instructions against the document: it reports
// whether the topic holds and appends the spans of the terms that made it
// hold, as the node tree's eval does. It decides and collects in one pass
// because, with many topics, most candidates hold.
func (p *program) collect(d *doc, topic int32, out *[]span) bool {
	return p.eval(d, p.start[topic], out)
}

func (p *program) eval(d *doc, pc int32, out *[]span) bool {
	code := p.code
	end := pc + code[pc+1]
	switch op := code[pc]; op {
	case opWords, opTitleWords, opTextWords:
		fields := anyField
		if op == opTitleWords {
			fields = inTitle
		} else if op == opTextWords {
			fields = inText
		}
		before := len(*out)
		for _, id := range code[pc+2 : end] {
			if !d.has(id) {
				continue
			}
			for _, ps := range d.postings(id) {
				if fields&d.fieldOf(ps.pos) != 0 {
					*out = append(*out, span{ps.pos, ps.pos + ps.width})
				}
			}
		}
		return len(*out) > before
	case opAnd:
		mark := len(*out)
		for k := pc + 2; k < end; k += code[k+1] {
			if !p.eval(d, k, out) {
				*out = (*out)[:mark]
				return false
			}
		}
		return true
	case opOr:
		ok := false
		for k := pc + 2; k < end; k += code[k+1] {
			if p.eval(d, k, out) {
				ok = true
			}
		}
		return ok
	case opNot:
		mark := len(*out)
		held := p.eval(d, pc+2, out)
		*out = (*out)[:mark]
		return !held
	case opPhrase:
		before := len(*out)
		*out = d.seqSpans(code[pc+3:end], fieldMask(code[pc+2]), nil, *out)
		return len(*out) > before
	default: // opNode
		return p.mayHold(d, pc, end) && p.slow[code[pc+2]].eval(d, out)
	}
}
