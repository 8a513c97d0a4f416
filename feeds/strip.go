package feeds

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// stripTags is PlainText for the plain markup most feeds carry — tags with
// or without attributes, and comments — without the HTML tokenizer, which
// cost most of PlainText's time and a 4 KiB buffer per call. It reads tags
// exactly as golang.org/x/net/html's tokenizer does (the fuzz target
// FuzzPlainText holds the two to the same output), and gives up, ok false,
// on everything rarer: elements whose content is raw text or skipped
// (script, style, title, svg, …), doctypes, CDATA, processing instructions,
// "</" not followed by a letter, and a tag or comment cut off by the end
// of s. PlainText then asks the tokenizer.
func stripTags(s string) (_ string, ok bool) {
	var f spaceFolder // folds white space as it goes: one pass, one copy
	f.b.Grow(len(s))
	text := func(t string) {
		if strings.IndexByte(t, '&') >= 0 {
			t = html.UnescapeString(t)
		}
		f.write(t)
	}
	start := 0 // of the text not yet written
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			break
		}
		i += lt
		if i+1 >= len(s) {
			break // a '<' at the end is text
		}
		c := s[i+1]
		switch {
		case isASCIILetter(c) || c == '/':
			nameAt := i + 1 // a start tag's name, or an end tag's after '/'
			if c == '/' {
				nameAt++
				if nameAt >= len(s) || !isASCIILetter(s[nameAt]) {
					return "", false // "</>" and bogus comments
				}
			}
			end, name, ok := readTag(s, nameAt)
			if !ok {
				return "", false
			}
			a := tagAtom(name)
			if isRawOrSkipped(a, name) {
				return "", false
			}
			text(s[start:i])
			if breaksWords(a) {
				f.breakWords()
			}
			i, start = end, end
		case c == '!':
			if !strings.HasPrefix(s[i:], "<!--") {
				return "", false // doctype, CDATA, bogus comment
			}
			end := commentEnd(s, i+4)
			if end < 0 {
				return "", false
			}
			text(s[start:i])
			i, start = end, end
		case c == '?':
			return "", false
		default:
			i++ // "<3": text
		}
	}
	text(s[start:])
	return unescapeAgain(f.String()), true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isHTMLSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' }

// readTag reads a start or end tag whose name begins at s[i], as the
// tokenizer's readTag does, and returns the index past its '>' and its
// name. ok is false when s ends inside the tag.
func readTag(s string, i int) (end int, name string, ok bool) {
	// The name: up to white space, '/' or '>'.
	j := i
	for j < len(s) && !isHTMLSpace(s[j]) && s[j] != '/' && s[j] != '>' {
		j++
	}
	name = s[i:j]
	if j < len(s) && isHTMLSpace(s[j]) {
		j++
	}
	j = skipHTMLSpace(s, j)
	for {
		if j >= len(s) {
			return 0, "", false
		}
		if s[j] == '>' {
			return j + 1, name, true
		}
		j = attrVal(s, attrKey(s, j))
		j = skipHTMLSpace(s, j)
	}
}

func skipHTMLSpace(s string, j int) int {
	for j < len(s) && isHTMLSpace(s[j]) {
		j++
	}
	return j
}

// attrKey skips an attribute's name from s[j] (the tokenizer's
// readTagAttrKey): up to white space, '/', '>' or an '=' that is not its
// first byte.
func attrKey(s string, j int) int {
	for k := j; k < len(s); k++ {
		switch s[k] {
		case '=':
			if k == j {
				continue
			}
			return k
		case ' ', '\n', '\r', '\t', '\f', '/', '>':
			return k
		}
	}
	return len(s)
}

// attrVal skips what follows an attribute's name from s[j] (the
// tokenizer's readTagAttrVal): a '/', or '=' and a value, quoted or not.
func attrVal(s string, j int) int {
	j = skipHTMLSpace(s, j)
	if j >= len(s) {
		return j
	}
	switch s[j] {
	case '/':
		return j + 1
	case '=':
	default:
		return j
	}
	j = skipHTMLSpace(s, j+1)
	if j >= len(s) {
		return j
	}
	switch q := s[j]; q {
	case '>':
		return j
	case '\'', '"':
		k := strings.IndexByte(s[j+1:], q)
		if k < 0 {
			return len(s)
		}
		return j + 1 + k + 1
	}
	for k := j + 1; k < len(s); k++ {
		switch s[k] {
		case ' ', '\n', '\r', '\t', '\f':
			return k + 1
		case '>':
			return k
		}
	}
	return len(s)
}

// commentEnd returns the index past the end of a comment whose text
// begins at s[i] (after "<!--"), as the tokenizer's readComment finds it:
// "-->", "--!>", or a '>' right at the start ("<!-->", "<!--->"). It
// returns -1 when the comment does not end.
func commentEnd(s string, i int) int {
	dashes, beginning := 0, true
	for ; i < len(s); i++ {
		switch s[i] {
		case '-':
			dashes++
			continue
		case '>':
			if dashes >= 2 || beginning {
				return i + 1
			}
		case '!':
			if dashes >= 2 {
				if i+1 >= len(s) {
					return -1
				}
				i++
				switch s[i] {
				case '>':
					return i + 1
				case '-':
					dashes, beginning = 1, false
					continue
				}
			}
		}
		dashes, beginning = 0, false
	}
	return -1
}

// tagAtom returns the atom of a tag name, compared in lower case as the
// tokenizer's TagName gives it.
func tagAtom(name string) atom.Atom {
	var buf [16]byte
	if len(name) > len(buf) {
		return 0 // longer than any atom that matters here
	}
	n := copy(buf[:], name)
	for k := range n {
		if c := buf[k]; 'A' <= c && c <= 'Z' {
			buf[k] = c + 'a' - 'A'
		}
	}
	return atom.Lookup(buf[:n])
}

// isRawOrSkipped reports whether a tag opens or closes an element whose
// content the tokenizer reads as raw text, or that PlainText leaves out
// with its content: stripTags leaves those to the tokenizer.
func isRawOrSkipped(a atom.Atom, name string) bool {
	switch a {
	case atom.Iframe, atom.Noembed, atom.Noframes, atom.Noscript, atom.Plaintext, atom.Script,
		atom.Style, atom.Textarea, atom.Title, atom.Xmp, atom.Template, atom.Svg:
		return true
	}
	return a == 0 && len(name) > 16
}
