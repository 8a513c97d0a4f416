package feeds

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// printableRun and spaceFolded test eight bytes at a time; here they must
// agree with a byte at a time at every offset, over every byte value and
// around the eight-byte boundaries.
func TestEightBytesAtATime(t *testing.T) {
	var all strings.Builder
	for c := 0; c < 256; c++ {
		all.WriteByte(byte(c))
		all.WriteString("ab cd")
	}
	texts := []string{
		all.String(),
		"Kyiv talks resume in Geneva as envoys meet",
		"two  spaces", "trailing space ", " leading", "a\tb", "x\x7fy", "Київ і Москва",
		strings.Repeat("abcdefg ", 5), strings.Repeat("abcdefgh", 3) + "  ", "12345678 ",
	}
	printableRef := func(s string, i int) int {
		for i < len(s) && s[i] > ' ' && s[i] < utf8.RuneSelf {
			i++
		}
		return i
	}
	// spaceFolded a byte at a time, as it was written before; it may
	// answer false for text that needs no change (any control character),
	// never true for text that does.
	foldedRef := func(s string) bool {
		prevSpace := true
		for i := 0; i < len(s); {
			c := s[i]
			if c < utf8.RuneSelf {
				switch {
				case c == ' ':
					if prevSpace {
						return false
					}
					prevSpace = true
				case c < ' ':
					return false
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
	for _, s := range texts {
		for i := 0; i <= len(s); i++ {
			if got, want := printableRun(s, i), printableRef(s, i); got != want {
				t.Fatalf("printableRun(%q, %d) = %d, want %d", s, i, got, want)
			}
			for j := i; j <= len(s) && j <= i+20; j++ {
				if got, want := spaceFolded(s[i:j]), foldedRef(s[i:j]); got != want {
					t.Fatalf("spaceFolded(%q) = %v, want %v", s[i:j], got, want)
				}
				if spaceFolded(s[i:j]) && foldSpaceReference(s[i:j]) != s[i:j] {
					t.Fatalf("spaceFolded(%q) is true, but folding changes it", s[i:j])
				}
			}
		}
	}
}
