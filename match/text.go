package match

import (
	mathbits "math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

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
	s       string
	i       int
	prevEnd int
	buf     []byte // the folded form of the current word, when it differs
}

// ASCII byte classes.
const (
	classSep   = iota // separates words
	classLower        // a-z, 0-9: part of a word as it is
	classUpper        // A-Z: part of a word, lowered
	classMulti        // the first byte of a multi-byte rune
)

var asciiClass = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			t[c] = classLower
		case 'A' <= c && c <= 'Z':
			t[c] = classUpper
		case c >= utf8.RuneSelf:
			t[c] = classMulti
		}
	}
	return t
}()

// reset starts scanning s.
func (sc *scanner) reset(s string) {
	sc.s, sc.i, sc.prevEnd = s, 0, -1
}

// next returns the next word: its folded form (valid until the next call),
// its byte span in s, and whether a single hyphen joins it to the word
// before ("cease-fire"). ok is false at the end of s.
func (sc *scanner) next() (w string, start, end int, hyphenated, ok bool) {
	s := sc.s
	for sc.i < len(s) {
		start, end, class := sc.word()
		if start < 0 {
			break
		}
		switch class {
		case classLower:
			w = s[start:end] // already folded: no copy
		case classUpper:
			sc.buf = sc.buf[:0]
			for i := start; i < end; i++ {
				c := s[i]
				if asciiClass[c] == classUpper {
					c += 'a' - 'A'
				}
				sc.buf = append(sc.buf, c)
			}
			w = bufString(sc.buf)
		default:
			w = bufString(sc.foldWord(s[start:end]))
			if w == "" {
				continue
			}
		}
		hy := sc.prevEnd >= 0 && isHyphenBetween(s[sc.prevEnd:start])
		sc.prevEnd = end
		return w, start, end, hy, true
	}
	return "", 0, 0, false, false
}

// bufString views b as a string without copying. The string must not be
// kept past the next change of b: the scanner's words are valid until the
// next call to next.
func bufString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// word finds the next run of word characters from sc.i. class is
// classLower when the run is lower-case ASCII, classUpper when it is ASCII
// with capitals, classMulti when it holds other runes.
func (sc *scanner) word() (start, end int, class uint8) {
	s := sc.s
	cls := &asciiClass
	i := sc.i
	// Skip separators.
	for i < len(s) {
		cl := cls[s[i]]
		if cl == classLower || cl == classUpper {
			break
		}
		if cl == classMulti {
			r, size := utf8.DecodeRuneInString(s[i:])
			if isWordRune(r) {
				break
			}
			i += size
			continue
		}
		i++
	}
	if i >= len(s) {
		sc.i = i
		return -1, -1, 0
	}
	start, class = i, classLower
	for {
		// The common case: a run of lower-case letters and digits.
		i = lowerRun(s, i)
		if i >= len(s) {
			break
		}
		cl := cls[s[i]]
		if cl == classUpper {
			if class == classLower {
				class = classUpper
			}
			i++
			continue
		}
		if cl == classMulti {
			r, size := utf8.DecodeRuneInString(s[i:])
			if isWordRune(r) {
				class = classMulti
				i += size
				continue
			}
		}
		break
	}
	sc.i = i
	return start, i, class
}

// lowerRun returns the end of the run of lower-case ASCII letters and
// digits that starts at s[i], testing eight bytes at a time: the scan of
// a text spends most of its time here, and a loop over bytes mispredicts
// the end of every word.
func lowerRun(s string, i int) int {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8]
		x := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		// With the high bits cleared no sum below carries into the next
		// byte; a byte's high bit in each sum says whether it is at least
		// the bound the constant stands for.
		x7 := x &^ high
		lower := (x7 + (0x80-'a')*ones) &^ (x7 + (0x7f-'z')*ones)
		digit := (x7 + (0x80-'0')*ones) &^ (x7 + (0x7f-'9')*ones)
		if other := ^(lower | digit) | x; other&high != 0 {
			return i + mathbits.TrailingZeros64(other&high)/8
		}
	}
	for i < len(s) && asciiClass[s[i]] == classLower {
		i++
	}
	return i
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

// foldInto appends the folded words of s to dst, separated by spaces.
func (sc *scanner) foldInto(dst []byte, s string) []byte {
	if s != "" && lowerRun(s, 0) == len(s) {
		return append(dst, s...) // one word, already folded: most terms
	}
	sc.reset(s)
	first := true
	for {
		w, _, _, _, ok := sc.next()
		if !ok {
			return dst
		}
		if !first {
			dst = append(dst, ' ')
		}
		dst = append(dst, w...)
		first = false
	}
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
	sc.reset(s)
	for {
		w, start, end, hy, ok := sc.next()
		if !ok {
			return toks
		}
		toks = append(toks, token{strings.Clone(w), start, end, hy})
	}
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
