package match

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// scanner splits text into words and folds each one, reusing its buffers.
//
// A word is a run of letters, digits and combining marks. Everything else
// separates words, including apostrophes and hyphens: "Zelensky’s" yields
// "zelensky" and "s", "cease-fire" yields "cease" and "fire". Folding lowers
// the case and removes diacritics after compatibility decomposition, so
// "Zelenskyy", "ZELENSKYY" and "Zelénskyy" are the same word, and so are the
// ligature "ﬁ" and "fi".
type scanner struct {
	buf   []byte // the folded form of the current word
	runes []rune
}

// scan calls fn for every word of s with its folded form (valid only during
// the call), its byte span in s, and whether it is joined to the previous
// word by a single hyphen ("cease-fire").
func (sc *scanner) scan(s string, fn func(folded []byte, start, end int, hyphenated bool)) {
	start := -1
	ascii := true
	prevEnd := -1
	flush := func(end int) {
		if start < 0 {
			return
		}
		w := sc.buf
		if !ascii {
			w = sc.foldWord(s[start:end])
		}
		if len(w) > 0 {
			hy := prevEnd >= 0 && isHyphenBetween(s[prevEnd:start])
			fn(w, start, end, hy)
			prevEnd = end
		}
		sc.buf = sc.buf[:0]
		start = -1
		ascii = true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				if start < 0 {
					start = i
				}
				sc.buf = append(sc.buf, c)
			case 'A' <= c && c <= 'Z':
				if start < 0 {
					start = i
				}
				sc.buf = append(sc.buf, c+'a'-'A')
			default:
				flush(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			if start < 0 {
				start = i
			}
			ascii = false
		} else {
			flush(i)
		}
		i += size
	}
	flush(len(s))
}

// isHyphenBetween reports whether sep, the text between two words, is a
// single hyphen.
func isHyphenBetween(sep string) bool {
	switch sep {
	case "-", "\u2010", "\u2011":
		return true
	}
	return false
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// foldWord folds one word that holds non-ASCII runes: compatibility
// decomposition, combining marks dropped, lower case.
func (sc *scanner) foldWord(w string) []byte {
	sc.buf = sc.buf[:0]
	var it norm.Iter
	it.InitString(norm.NFKD, w)
	for !it.Done() {
		seg := it.Next()
		for len(seg) > 0 {
			r, size := utf8.DecodeRune(seg)
			seg = seg[size:]
			if unicode.Is(unicode.Mn, r) || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				// Marks go; NFKD can also expose separators ("½" is "1⁄2").
				continue
			}
			sc.buf = utf8.AppendRune(sc.buf, unicode.ToLower(r))
		}
	}
	return sc.buf
}

// token is one word of a text: its folded form and its byte span.
type token struct {
	text       string
	start, end int
	hyphenated bool
}

// tokenize returns the words of s.
func tokenize(s string) []token {
	var sc scanner
	var toks []token
	sc.scan(s, func(w []byte, start, end int, hy bool) {
		toks = append(toks, token{string(w), start, end, hy})
	})
	return toks
}

// Fold returns the words of s as the matcher compares them: lower case,
// without diacritics, split on anything that is not a letter or a digit.
func Fold(s string) []string {
	toks := tokenize(s)
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.text
	}
	return words
}
