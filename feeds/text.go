package feeds

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// PlainText turns a feed's HTML or text field into plain text: tags are
// removed (the contents of script, style and similar elements with them),
// entities are decoded, and runs of white space become one space. Block
// elements and <br> separate words, so "<p>a</p><p>b</p>" gives "a b".
//
// Text that was escaped twice by its publisher ("&amp;#039;") is decoded
// twice, since feeds do that often and no headline means the entity.
func PlainText(s string) string {
	if !strings.Contains(s, "<") {
		// No markup: decoding entities is all the tokenizer would do, and
		// it costs a 4 KiB buffer per call.
		if !strings.Contains(s, "&") {
			return foldSpace(s)
		}
		return unescapeAgain(foldSpace(html.UnescapeString(s)))
	}
	if out, ok := stripTags(s); ok {
		return out
	}
	return tokenized(s)
}

// unescapeAgain decodes entities left after one decoding: text escaped
// twice by its publisher. What they decode to may be white space
// ("&amp;#9;"), which is folded again.
func unescapeAgain(s string) string {
	if strings.Contains(s, "&") && strings.Contains(s, ";") {
		return foldSpace(html.UnescapeString(s))
	}
	return s
}

// tokenized is PlainText for text with markup.
func tokenized(s string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(s))
	skip := 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return unescapeAgain(foldSpace(b.String()))
		case html.TextToken:
			if skip == 0 {
				b.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			switch a {
			case atom.Script, atom.Style, atom.Noscript, atom.Iframe, atom.Template, atom.Svg:
				if tt := z.Token().Type; tt == html.StartTagToken {
					skip++
				} else if tt == html.EndTagToken && skip > 0 {
					skip--
				}
			}
			if breaksWords(a) {
				b.WriteByte(' ')
			}
		}
	}
}

// breaksWords reports whether an element separates the words around it.
func breaksWords(a atom.Atom) bool {
	switch a {
	case atom.Br, atom.P, atom.Div, atom.Li, atom.Ul, atom.Ol, atom.Tr, atom.Td, atom.Th,
		atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Pre,
		atom.Hr, atom.Img, atom.Figure, atom.Figcaption, atom.Section, atom.Article,
		atom.Header, atom.Footer, atom.Table, atom.Dd, atom.Dt, atom.Dl:
		return true
	}
	return false
}

// PageText extracts the title and the plain text of an HTML page, for
// reading an article that is not a feed. The text leaves out the title and
// everything PlainText leaves out.
func PageText(page string) (title, text string) {
	z := html.NewTokenizer(strings.NewReader(page))
	var tb, bb strings.Builder
	inTitle, skip := false, 0
	for {
		switch z.Next() {
		case html.ErrorToken:
			return foldSpace(tb.String()), foldSpace(bb.String())
		case html.TextToken:
			switch {
			case inTitle:
				tb.Write(z.Text())
			case skip == 0:
				bb.Write(z.Text())
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			tt := z.Token()
			a := tt.DataAtom
			switch a {
			case atom.Title:
				inTitle = tt.Type == html.StartTagToken
			case atom.Script, atom.Style, atom.Noscript, atom.Iframe, atom.Template, atom.Svg, atom.Head, atom.Nav, atom.Footer:
				if tt.Type == html.StartTagToken {
					skip++
				} else if tt.Type == html.EndTagToken && skip > 0 {
					skip--
				}
			}
			if breaksWords(a) {
				bb.WriteByte(' ')
			}
		}
	}
}
