package match

import (
	"strings"
	"unicode/utf8"

	"newswatch/internal/highlight"
)

// Snippet is a passage of a document with the matched terms marked.
type Snippet struct {
	// Text is the passage: one sentence of the text, or the title. A
	// sentence cut to MaxSnippetBytes starts or ends with "…".
	Text string
	// Marks are the byte ranges of matched terms in Text, in order and
	// not overlapping.
	Marks []Mark
}

// Mark is the byte range [Start, End) of a matched term in a Snippet.
type Mark struct{ Start, End int }

// MaxSnippetBytes bounds a snippet's text.
const MaxSnippetBytes = 320

// Format renders the snippet with each mark between open and close, and
// every piece of the text passed through escape (nil for none): with
// html.EscapeString, "<mark>" and "</mark>" it is ready for a page.
func (s Snippet) Format(open, close string, escape func(string) string) string {
	return highlight.Render(s.Text, func(yield func(int, int) bool) {
		for _, m := range s.Marks {
			if !yield(m.Start, m.End) {
				return
			}
		}
	}, open, close, escape)
}

// snippet picks the sentence of the text with the most distinct matched
// spans, or the title when no span is in the text. spans are sorted.
func (d *doc) snippet(spans []span) Snippet {
	text := d.textSpans[:0]
	for _, s := range spans {
		if d.fieldOf(s.from) == inText {
			text = append(text, s)
		}
	}
	d.textSpans = text
	if len(text) == 0 {
		return d.passage(0, 0, len(d.src[0]), spans)
	}
	bestStart, bestEnd, bestN := 0, 0, -1
	for i := 0; i < len(text); {
		_, start, _ := d.locate(text[i])
		ss, se := d.sentence(start)
		n, j := 1, i+1 // text[i] is in its own sentence
		for ; j < len(text); j++ {
			_, s, _ := d.locate(text[j])
			if s >= se {
				break
			}
			n++
		}
		if n > bestN {
			bestStart, bestEnd, bestN = ss, se, n
		}
		i = j
	}
	return d.passage(1, bestStart, bestEnd, text)
}

// passage builds the snippet of field f between start and end, marking the
// spans inside it and cutting it to MaxSnippetBytes around the first mark.
func (d *doc) passage(f, start, end int, spans []span) Snippet {
	src := d.src[f]
	marks := d.markBuf[:0]
	defer func() { d.markBuf = marks }()
	for _, s := range spans {
		sf, ms, me := d.locate(s)
		if sf != f || ms < start || me > end {
			continue
		}
		if len(marks) > 0 && ms < marks[len(marks)-1].End {
			if me > marks[len(marks)-1].End {
				marks[len(marks)-1].End = me // overlapping spans merge
			}
			continue
		}
		marks = append(marks, Mark{ms, me})
	}
	prefix, suffix := "", ""
	if end-start > MaxSnippetBytes {
		anchor := start
		if len(marks) > 0 {
			anchor = marks[0].Start
		}
		from := max(start, anchor-MaxSnippetBytes/4)
		for from > start && !utf8.RuneStart(src[from]) {
			from--
		}
		to := min(end, from+MaxSnippetBytes)
		for to > from && to < end && !utf8.RuneStart(src[to]) {
			to-- // not below from: invalid UTF-8 may hold no rune start at all
		}
		if from > start {
			prefix = "…"
		}
		if to < end {
			suffix = "…"
		}
		start, end = from, to
	}
	out := Snippet{Text: prefix + src[start:end] + suffix}
	first := len(d.outMarks)
	for _, m := range marks {
		if m.Start < start || m.End > end {
			continue
		}
		d.outMarks = append(d.outMarks, Mark{m.Start - start + len(prefix), m.End - start + len(prefix)})
	}
	if len(d.outMarks) > first {
		out.Marks = d.outMarks[first:len(d.outMarks):len(d.outMarks)]
	}
	return out
}

// sentence returns the bounds of the sentence of the text that holds the
// word starting at byte at. The documents' hits share a few sentences, so
// each is found once and kept until the next document.
func (d *doc) sentence(at int) (start, end int) {
	for _, s := range d.sentences {
		if s.after < at && at < s.before {
			return s.start, s.end
		}
	}
	s := findSentence(d.src[1], at)
	d.sentences = append(d.sentences, s)
	return s.start, s.end
}

// sentenceAt is the sentence of a text found around a byte: start and end
// are its bounds, trimmed of surrounding space; the breaks it lies between
// are at after (0 for none) and before (the text's length for none), and
// every word between them is in it.
type sentenceAt struct{ after, before, start, end int }

// findSentence finds the sentence of s that holds byte at, which is not
// white space. A sentence ends after ".", "!", "?" or "…" followed by
// white space, or at a line break.
func findSentence(s string, at int) sentenceAt {
	out := sentenceAt{before: len(s)}
	for i := at - 1; i > 0; i-- {
		if s[i] == '\n' || isSpaceByte(s[i]) && endsSentence(s[:i]) {
			out.after = i
			out.start = i + 1
			break
		}
	}
	for i := at; i < len(s); i++ {
		if s[i] == '\n' || isSpaceByte(s[i]) && endsSentence(s[:i]) {
			out.before = i
			break
		}
	}
	start, end := out.start, out.before
	for start < end && isSpaceByte(s[start]) {
		start++
	}
	for end > start && isSpaceByte(s[end-1]) {
		end--
	}
	out.start, out.end = start, end
	return out
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// endsSentence reports whether s ends with sentence punctuation, perhaps
// followed by a closing quote or bracket.
// A period after an abbreviation ("U.S.", "Mr.") does not end one.
func endsSentence(s string) bool {
	if s == "" {
		return false
	}
	switch s[len(s)-1] { // most words end in none of these: done in one test
	case '.', '!', '?', '"', '\'', ')', ']',
		0x9d, 0x99, 0xa6: // the last bytes of ”, ’ and … in UTF-8
	default:
		return false
	}
	s = strings.TrimRight(s, `"'”’)]`)
	if strings.HasSuffix(s, "!") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "…") {
		return true
	}
	if !strings.HasSuffix(s, ".") {
		return false
	}
	word := s[strings.LastIndexAny(s, " \t\n(")+1 : len(s)-1]
	if strings.Contains(word, ".") || len(word) <= 2 && word != "" && word[0] >= 'A' && word[0] <= 'Z' {
		return false
	}
	return true
}
