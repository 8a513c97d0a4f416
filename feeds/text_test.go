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
	// spaceFolded answers true exactly for text that folding leaves as it
	// is and that holds no control character (it leaves those, tabs and
	// new lines among them, to foldSpace).
	foldedRef := func(s string) bool {
		return strings.IndexFunc(s, func(r rune) bool { return r < ' ' }) < 0 && foldSpaceReference(s) == s
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
			}
		}
	}
}
