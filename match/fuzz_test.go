package match

import (
	"reflect"
	"testing"
	"unicode/utf8"
)

// Every accepted query prints to a form that parses back to the same tree.
func FuzzQuery(f *testing.F) {
	for _, q := range []string{
		`ceasefire (Ukraine OR "Russia's war") NOT gaza guarant*`,
		`title:(truce OR case:US) a NEAR/3 (b OR c)`,
		`a NEAR/1 b ONEAR/2 c`,
		`case:OR`,
		`text:"security guarantee*"`,
		`"гарантії безпеки" OR замороженн*`,
		`((a))`,
		`NOT a b`,
		`"a" "b c" d*`,
		`title:case:"EU Council" AND NOT (x ONEAR/0 y)`,
		`a OR title:"b c" NOT d OR (e f)`,
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		n, err := parse(q)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("parse(%q) error %v is not a *SyntaxError", q, err)
			}
			return
		}
		warnings, err := CheckQuery(q)
		if err != nil {
			t.Fatalf("parse(%q) ok, but CheckQuery: %v", q, err)
		}
		for _, w := range warnings {
			if w.Col < 1 || w.Col > utf8.RuneCountInString(q) || w.Msg == "" {
				t.Fatalf("CheckQuery(%q) warns %v, outside the query", q, w)
			}
		}
		s := n.String()
		n2, err := parse(s)
		if err != nil {
			t.Fatalf("parse(%q) ok, but its form %q does not parse: %v", q, s, err)
		}
		if !reflect.DeepEqual(n, n2) {
			t.Fatalf("parse(%q) and parse(%q) differ:\n%#v\n%#v", q, s, n, n2)
		}
		if s2 := n2.String(); s2 != s {
			t.Fatalf("form of %q is %q, then %q", q, s, s2)
		}
		// Explain compiles the query again against the Matcher's
		// finished dictionary: every word of it must be there.
		m, err := Compile([]Topic{{ID: "q", Query: q}})
		if err != nil {
			t.Fatalf("parse(%q) ok, but Compile fails: %v", q, err)
		}
		if _, ok := m.Explain("q", Document{Title: q, Text: s}); !ok {
			t.Fatalf("Explain does not find the topic of %q", q)
		}
	})
}

// Matching arbitrary bytes never panics, and hits point into the text.
func FuzzMatch(f *testing.F) {
	m, err := Compile([]Topic{
		{ID: "a", Query: `("cease fire" OR truce*) AND (Ukraine OR Russia) NOT Gaza`},
		{ID: "b", Query: `(Putin OR Kremlin) NEAR/5 (Donbas OR land) OR title:case:US`},
		{ID: "c", Query: `"замороженные активы" OR "peace keeping force" OR ﬁnance`},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Add("Ukraine truce", "a cease-fire in Russia, not Gaza")
	f.Add("US", "Putin wants land in Donbas. Putin-Donbas.")
	f.Add("\xff\xfe", "замороженные\u0301 активы ǅ ß İ")
	f.Add("", "peace-keeping force… peacekeeping-force")
	f.Fuzz(func(t *testing.T, title, text string) {
		for _, h := range m.Match(Document{Title: title, Text: text}) {
			s := h.Snippet
			for _, mk := range s.Marks {
				if mk.Start < 0 || mk.End > len(s.Text) || mk.Start >= mk.End {
					t.Fatalf("mark %+v outside snippet %q", mk, s.Text)
				}
			}
			if utf8.ValidString(title) && utf8.ValidString(text) && !utf8.ValidString(s.Text) {
				t.Fatalf("snippet %q of valid text is not valid UTF-8", s.Text)
			}
			if h.Score <= 0 || len(h.Terms) == 0 {
				t.Fatalf("hit without score or terms: %+v", h)
			}
		}
		for _, id := range m.Topics() {
			m.Explain(id, Document{Title: title, Text: text})
		}
	})
}
