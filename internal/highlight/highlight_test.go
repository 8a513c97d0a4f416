package highlight

import (
	"html"
	"testing"
)

// pairs yields spans given as a list of [start, end) pairs.
func pairs(spans ...[2]int) func(yield func(int, int) bool) {
	return func(yield func(int, int) bool) {
		for _, s := range spans {
			if !yield(s[0], s[1]) {
				return
			}
		}
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		spans      [][2]int
		escape     func(string) string
		want       string
	}{
		{"none", "no marks", nil, nil, "no marks"},
		{"two", "frozen Russian assets", [][2]int{{0, 6}, {15, 21}}, nil, "[frozen] Russian [assets]"},
		{"whole text", "Kyiv", [][2]int{{0, 4}}, nil, "[Kyiv]"},
		{"adjacent", "abcd", [][2]int{{0, 2}, {2, 4}}, nil, "[ab][cd]"},
		{"escaped, marked or not", `<b>Euroclear</b> & "friends"`, [][2]int{{3, 12}}, html.EscapeString,
			`&lt;b&gt;[Euroclear]&lt;/b&gt; &amp; &#34;friends&#34;`},
		{"overlapping span skipped", "abcdef", [][2]int{{0, 3}, {2, 4}, {4, 6}}, nil, "[abc]d[ef]"},
		{"empty and reversed spans skipped", "abcdef", [][2]int{{1, 1}, {3, 2}, {4, 5}}, nil, "abcd[e]f"},
		{"span past the end skipped", "abc", [][2]int{{1, 9}}, nil, "abc"},
		{"negative start skipped", "abc", [][2]int{{-1, 2}}, nil, "abc"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Render(tc.text, pairs(tc.spans...), "[", "]", tc.escape); got != tc.want {
				t.Errorf("Render(%q, %v) = %q, want %q", tc.text, tc.spans, got, tc.want)
			}
		})
	}
}
