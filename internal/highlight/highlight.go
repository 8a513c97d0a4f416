// Package highlight renders a passage of text with spans of it marked:
// the snippets that matching finds (match.Snippet) and that storage keeps
// (storage.Snippet), for a page, an email or a terminal.
package highlight

import (
	"iter"
	"strings"
)

// Render returns text with each span [start, end) between open and close,
// and every piece of the text, marked or not, passed through escape (nil
// for none): with html.EscapeString, "<mark>" and "</mark>" it is ready
// for a page. Spans come in order; one that is empty, overlaps the one
// before or runs past the text is skipped rather than trusted, since a
// stored snippet may come from an older or damaged record.
func Render(text string, spans iter.Seq2[int, int], open, close string, escape func(string) string) string {
	if escape == nil {
		escape = func(s string) string { return s }
	}
	var b strings.Builder
	at := 0
	for start, end := range spans {
		if start < at || end > len(text) || start >= end {
			continue
		}
		b.WriteString(escape(text[at:start]))
		b.WriteString(open)
		b.WriteString(escape(text[start:end]))
		b.WriteString(close)
		at = end
	}
	b.WriteString(escape(text[at:]))
	return b.String()
}
