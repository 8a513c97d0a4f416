package feeds

import (
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// foldSpace trims s and replaces every run of Unicode white space (NUL
// and U+200B included) by a single space, and each invalid byte by U+FFFD.
func foldSpace(s string) string {
	if spaceFolded(s) {
		return s // the common case: nothing to change, nothing to copy
	}
	var f spaceFolder
	f.b.Grow(len(s))
	f.write(s)
	return f.String()
}

// spaceFolder builds the text foldSpace would make of everything written
// to it, one piece at a time: stripTags writes a document's text between
// its tags without first joining it.
type spaceFolder struct {
	b     strings.Builder
	space bool // white space is due before the next word
	// carry is the start of a UTF-8 sequence that ended a piece: the next
	// piece may complete it, as it would in the joined text.
	carry string
}

// breakWords separates what comes next from what came before, as white
// space would.
func (f *spaceFolder) breakWords() {
	f.flushCarry()
	f.space = true
}

// String returns the folded text.
func (f *spaceFolder) String() string {
	f.flushCarry()
	return f.b.String()
}

// flushCarry writes a sequence that nothing completed: one U+FFFD a byte,
// as decoding the joined text gives.
func (f *spaceFolder) flushCarry() {
	for range len(f.carry) {
		f.word("\uFFFD")
	}
	f.carry = ""
}

// incompleteTail returns the length of the start of a multi-byte UTF-8
// sequence that ends s, or 0.
func incompleteTail(s string) int {
	for n := 1; n <= min(len(s), utf8.UTFMax-1); n++ {
		c := s[len(s)-n]
		if c < utf8.RuneSelf {
			return 0
		}
		if c >= 0xC0 { // a leading byte
			if utf8.FullRuneInString(s[len(s)-n:]) {
				return 0
			}
			return n
		}
	}
	return 0
}

func (f *spaceFolder) write(s string) {
	if f.carry != "" {
		s, f.carry = f.carry+s, ""
	}
	if n := incompleteTail(s); n > 0 {
		s, f.carry = s[:len(s)-n], s[len(s)-n:]
	}
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf { // ASCII, without decoding
			if c <= ' ' && asciiSpace[c] {
				f.space = true
				i++
				continue
			}
			// A run of ASCII that is not white space, copied at once.
			j := i + 1
			for {
				j = printableRun(s, j)
				if j < len(s) && s[j] < ' ' && !asciiSpace[s[j]] {
					j++ // a control character that is not white space
					continue
				}
				break
			}
			f.word(s[i:j])
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isFoldedSpace(r, size):
			f.space = true
		case r == utf8.RuneError && size == 1:
			f.word("\uFFFD")
		default:
			f.word(s[i : i+size])
		}
		i += size
	}
}

// word writes w, which holds no white space, after a space if one is due.
func (f *spaceFolder) word(w string) {
	if f.space && f.b.Len() > 0 {
		f.b.WriteByte(' ')
	}
	f.space = false
	f.b.WriteString(w)
}

// asciiSpace marks the ASCII bytes foldSpace treats as white space:
// unicode.IsSpace's and NUL.
var asciiSpace = [' ' + 1]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true, 0: true}

// isFoldedSpace reports whether foldSpace treats the rune as white space.
func isFoldedSpace(r rune, size int) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == 0 && size == 1
}

// spaceFolded reports whether foldSpace would return s unchanged: valid
// UTF-8, no white space at either end, and no white space but single
// ASCII spaces.
func spaceFolded(s string) bool {
	prevSpace := true // a space at the start is not folded
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Eight bytes of printable ASCII at a time, the common case.
			if spaces, ok := asciiSpaces(s[i : i+8]); ok {
				if spaces&(spaces>>8) != 0 || prevSpace && spaces&1 != 0 {
					return false // two spaces in a row
				}
				prevSpace = spaces>>56 != 0
				i += 8
				continue
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ':
				if prevSpace {
					return false
				}
				prevSpace = true
			case c < ' ':
				return false // control characters include \t, \n, \r and NUL
			default:
				prevSpace = false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || isFoldedSpace(r, size) {
			return false
		}
		prevSpace = false
		i += size
	}
	return !prevSpace || s == ""
}

// Eight bytes at a time: ones has 1 in every byte, high the high bit of
// every byte.
const (
	ones = 0x0101010101010101
	high = 0x8080808080808080
)

// load64 reads eight bytes of b, the first the lowest.
func load64(b string) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// printableRun returns the end of the run of printable ASCII other than
// the space (0x21 – 0x7F) that starts at s[i], testing eight bytes at a
// time as match's lowerRun does: with the high bits cleared no sum
// carries into the next byte, and a byte's high bit in the sum says
// whether it is at least the bound.
func printableRun(s string, i int) int {
	for ; i+8 <= len(s); i += 8 {
		x := load64(s[i : i+8])
		atLeast21 := (x&^high + (0x80-0x21)*ones) & high
		if stop := (^atLeast21 | x) & high; stop != 0 {
			return i + bits.TrailingZeros64(stop)/8
		}
	}
	for i < len(s) && s[i] > ' ' && s[i] < utf8.RuneSelf {
		i++
	}
	return i
}

// asciiSpaces reports whether the eight bytes of b are all printable ASCII
// or spaces, and if so returns a mask with 0x01 in the bytes that are
// spaces (byte k of b as byte k of the mask).
func asciiSpaces(b string) (spaces uint64, ok bool) {
	x := load64(b)
	atLeast20 := (x&^high + (0x80-0x20)*ones) & high
	if (^atLeast20|x)&high != 0 {
		return 0, false // a control character or a byte past ASCII
	}
	t := x ^ 0x20*ones // zero where b holds a space
	nonZero := (t + 0x7F*ones) & high
	return (^nonZero & high) >> 7, true
}
