package match

import "slices"

// postings returns the occurrences of id, in order.
func (d *doc) postings(id int32) []posting {
	if i := d.slot[id]; i > 0 {
		return d.lists[i-1]
	}
	return nil
}

// has reports whether the word with id occurs in the document.
func (d *doc) has(id int32) bool { return d.present[id/64]&(1<<(id%64)) != 0 }

// at returns the width of the occurrence of id at pos, if there is one.
func (d *doc) at(id, pos int32) (int32, bool) {
	if !d.has(id) {
		return 0, false
	}
	ps := d.postings(id)
	lo, hi := 0, len(ps)
	for lo < hi {
		mid := (lo + hi) / 2
		if ps[mid].pos < pos {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(ps) && ps[lo].pos == pos {
		return ps[lo].width, true
	}
	return 0, false
}

// follow checks that ids occur one after the other from pos, and returns
// the position after the last.
func (d *doc) follow(ids []int32, pos int32) (int32, bool) {
	for _, id := range ids {
		w, ok := d.at(id, pos)
		if !ok {
			return 0, false
		}
		pos += w
	}
	return pos, true
}

// seqSpans appends to out the span of every occurrence in d of one of
// seqs, word-id sequences each after its length, that starts in fields
// and is spelled as raw when raw is set (case:); in order and each once.
func (d *doc) seqSpans(seqs []int32, fields fieldMask, raw []string, out []span) []span {
	before, variants := len(out), 0
	for k := 0; k < len(seqs); k += 1 + int(seqs[k]) {
		variants++
		v := seqs[k+1 : k+1+int(seqs[k])]
		if !d.has(v[0]) {
			continue
		}
		for _, p := range d.postings(v[0]) {
			end, ok := d.follow(v[1:], p.pos+p.width)
			if !ok || fields&d.fieldOf(p.pos) == 0 {
				continue
			}
			sp := span{p.pos, end}
			if raw != nil && !d.spelled(sp, raw) {
				continue
			}
			out = append(out, sp)
		}
	}
	if variants > 1 && len(out)-before > 1 {
		// Two variants can find the same words ("cease-fire" is both
		// [cease fire] and [ceasefire]).
		found := out[before:]
		slices.SortFunc(found, cmpSpan)
		out = append(out[:before], slices.Compact(found)...)
	}
	return out
}

func (d *doc) fieldOf(pos int32) fieldMask {
	if pos < d.textBase {
		return inTitle
	}
	return inText
}

// locate returns the field index and the byte span of the words [from, to).
func (d *doc) locate(s span) (f int, start, end int) {
	i, j := s.from, s.to-1
	if s.from >= d.textBase {
		f, i, j = 1, i-d.textBase, j-d.textBase
	}
	return f, int(d.offs[f][i].start), int(d.offs[f][j].end)
}

// spelled reports whether the words of s are written exactly as raw.
func (d *doc) spelled(s span, raw []string) bool {
	if int(s.to-s.from) != len(raw) {
		return false
	}
	for i := range raw {
		f, start, end := d.locate(span{s.from + int32(i), s.from + int32(i) + 1})
		if d.src[f][start:end] != raw[i] {
			return false
		}
	}
	return true
}
