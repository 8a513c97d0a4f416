package match

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A token is one word of a text after folding, with the byte span it came
// from in the original text so that callers can quote the original spelling.
type token struct {
	text       string // folded form: lower case, no diacritics
	start, end int    // byte offsets into the original text
}

// tokenize splits s into words and folds each one.
//
// A word is a run of letters, digits and combining marks. Everything else
// separates words, including apostrophes and hyphens: "Zelensky’s" yields
// "zelensky" and "s", "cease-fire" yields "cease" and "fire". Folding lowers
// the case and removes diacritics after compatibility decomposition, so
// "Zelenskyy", "ZELENSKYY" and "Zelénskyy" are the same word, and so are the
// ligature "ﬁ" and "fi".
func tokenize(s string) []token {
	var toks []token
	var buf []byte
	start := -1
	ascii := true
	flush := func(end int) {
		if start < 0 {
			return
		}
		var w string
		if ascii {
			w = string(buf)
		} else {
			w = foldWord(s[start:end])
		}
		if w != "" {
			toks = append(toks, token{text: w, start: start, end: end})
		}
		buf = buf[:0]
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
				buf = append(buf, c)
			case 'A' <= c && c <= 'Z':
				if start < 0 {
					start = i
				}
				buf = append(buf, c+'a'-'A')
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
	return toks
}

func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}

// foldWord folds one word that holds non-ASCII runes: compatibility
// decomposition, combining marks dropped, lower case.
func foldWord(w string) string {
	d := norm.NFKD.String(w)
	out := make([]rune, 0, len(d))
	for _, r := range d {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			// NFKD can expose separators, e.g. "½" becomes "1⁄2".
			continue
		}
		out = append(out, unicode.ToLower(r))
	}
	return string(out)
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
