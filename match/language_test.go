package match

import (
	"html"
	"strings"
	"testing"
)

func TestLanguage(t *testing.T) {
	tests := []struct {
		name  string
		query string
		doc   Document
		want  []string // matched terms; nil: no hit
	}{
		{"joined word finds hyphenated", "ceasefire", Document{Text: "a cease-fire in Ukraine"}, []string{"cease-fire"}},
		{"joined word finds itself", "ceasefire", Document{Text: "a ceasefire in Ukraine"}, []string{"ceasefire"}},
		{"phrase finds all three forms", `"cease fire"`, Document{Title: "Cease fire", Text: "ceasefire and cease-fire"}, []string{"Cease fire", "ceasefire"}}, // "cease-fire" folds as "Cease fire"
		{"phrase finds partial joins", `"peace keeping force"`, Document{Text: "a peacekeeping force"}, []string{"peacekeeping force"}},
		{"joined prefix", `"peace keep*"`, Document{Text: "peacekeepers arrive"}, []string{"peacekeepers"}},
		{"hyphen join in a phrase", `"ceasefire talks"`, Document{Text: "cease-fire talks begin"}, []string{"cease-fire talks"}},
		{"NEAR either order", "Putin NEAR/3 Donbas", Document{Text: "Donbas is what Putin wants"}, []string{"Donbas", "Putin"}},
		{"NEAR too far", "Putin NEAR/2 Donbas", Document{Text: "Donbas is what they say Putin wants"}, nil},
		{"NEAR/0 is adjacent", "frozen NEAR/0 assets", Document{Text: "assets frozen"}, []string{"assets", "frozen"}},
		{"NEAR not across fields", "Putin NEAR/5 Donbas", Document{Title: "Putin", Text: "Donbas"}, nil},
		{"ONEAR in order", "Putin ONEAR/3 Donbas", Document{Text: "Putin demands all of Donbas"}, []string{"Putin", "Donbas"}},
		{"ONEAR wrong order", "Putin ONEAR/3 Donbas", Document{Text: "Donbas for Putin"}, nil},
		{"NEAR with OR groups", "(withdraw* OR cede) NEAR/4 (Donbas OR Donetsk)", Document{Text: "Ukraine to withdraw troops from Donetsk"}, []string{"withdraw", "Donetsk"}},
		{"NEAR with phrase", `"frozen assets" NEAR/3 Euroclear`, Document{Text: "frozen assets held at Euroclear"}, []string{"frozen assets", "Euroclear"}},
		{"NEAR chain", "a1 NEAR/1 b1 NEAR/1 c1", Document{Text: "a1 b1 c1"}, []string{"a1", "b1", "c1"}},
		{"NEAR binds before AND", "Kyiv a1 NEAR/1 b1", Document{Title: "Kyiv", Text: "b1 x a1"}, []string{"Kyiv", "b1", "a1"}},
		{"title: restricts", "title:ceasefire", Document{Title: "Talks", Text: "ceasefire"}, nil},
		{"title: matches title", "title:ceasefire", Document{Title: "Ceasefire now", Text: "ceasefire"}, []string{"Ceasefire"}},
		{"title: on a group", `title:(truce OR "peace talks")`, Document{Title: "Peace talks resume", Text: "truce"}, []string{"Peace talks"}},
		{"text: restricts", "text:Kyiv", Document{Title: "Kyiv", Text: "Lviv"}, nil},
		{"case: acronym", "case:US", Document{Text: "the US said"}, []string{"US"}},
		{"case: refuses lower case", "case:US", Document{Text: "tell us more"}, nil},
		{"case: phrase", `case:"EU Council"`, Document{Text: "the eu council; the EU Council"}, []string{"EU Council"}},
		{"case: in a group", "case:(US OR UK)", Document{Text: "us and uk and UK"}, []string{"UK"}},
		{"case: keeps accents", "case:Zelenskyy", Document{Text: "ZELENSKYY and Zelenskyy"}, []string{"Zelenskyy"}},
		{"cyrillic phrase", `"замороженные активы"`, Document{Text: "Замороженные Активы России"}, []string{"Замороженные Активы"}},
		{"curly apostrophe", "Zelensky", Document{Title: "Zelensky’s plan"}, []string{"Zelensky"}},
		{"NOT with NEAR", "ceasefire NOT (Gaza NEAR/3 ceasefire)", Document{Text: "Gaza ceasefire talks"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkTerms(t, tt.query, tt.doc, tt.want) })
	}
}

func TestLanguageErrors(t *testing.T) {
	tests := []struct {
		query   string
		col     int
		message string
	}{
		{"a NEAR b", 3, "NEAR needs a distance"},
		{"a NEAR/x b", 3, "whole number from 0 to 100"},
		{"a NEAR/101 b", 3, "from 0 to 100"},
		{"(a AND b) NEAR/3 c", 1, "left side is not one"},
		{"a NEAR/3 NOT b", 10, "right side is not one"},
		{"a NEAR/3", 9, "after NEAR/3"},
		{"title:", 7, "after title:"},
		{"title:(text:a)", 8, "another field"},
		{"case:guarant*", 6, "does not combine with a wildcard"},
		{`"a b c d e f g h i j k l m"`, 1, "at most 12"},
	}
	for _, tt := range tests {
		_, err := CheckQuery(tt.query)
		se, ok := err.(*SyntaxError)
		if !ok {
			t.Errorf("CheckQuery(%q) = %v, want a *SyntaxError", tt.query, err)
			continue
		}
		if se.Col != tt.col || !strings.Contains(se.Msg, tt.message) {
			t.Errorf("CheckQuery(%q) = column %d %q, want column %d containing %q", tt.query, se.Col, se.Msg, tt.col, tt.message)
		}
	}
}

// A query whose AND and OR are not grouped is valid, and warned about:
// the warning names where the AND group starts and quotes it.
func TestWarnings(t *testing.T) {
	tests := []struct {
		query string
		col   int    // 0: no warning
		group string // quoted in the warning
	}{
		{`a OR b AND NOT c`, 6, "b AND NOT c"},
		{`Putin Trump OR Zelensky`, 1, "Putin Trump"},
		{`x OR "peace   talks" NOT Gaza`, 6, `"peace talks" NOT Gaza`},
		{`title:(a OR b c) AND d`, 13, "b c"},
		{`Київ OR гарантії безпеки`, 9, "гарантії безпеки"},
		{`(a OR b) AND NOT c`, 0, ""},
		{`a OR (b AND NOT c)`, 0, ""},
		{`(a b) OR c`, 0, ""},
		{`"peace talks" OR truce OR a NEAR/3 b`, 0, ""},
		{`a AND b`, 0, ""},
		{`a OR`, 0, ""}, // invalid: an error, no warnings
	}
	for _, tt := range tests {
		ws, _ := CheckQuery(tt.query)
		if tt.col == 0 {
			if len(ws) != 0 {
				t.Errorf("CheckQuery(%q) warns %v, want nothing", tt.query, ws)
			}
			continue
		}
		if len(ws) != 1 || ws[0].Col != tt.col || !strings.Contains(ws[0].Msg, "“"+tt.group+"”") {
			t.Errorf("CheckQuery(%q) warns %v, want one warning at column %d quoting %q", tt.query, ws, tt.col, tt.group)
		}
	}
}

func TestFormatQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{`ceasefire (Ukraine OR "Russia's war") NOT gaza guarant*`, `ceasefire AND (ukraine OR "russia s war") AND NOT gaza AND guarant*`},
		{`title:(truce OR case:US) a NEAR/3 (b OR c)`, `(title:truce OR title:case:US) AND (a NEAR/3 (b OR c))`},
		{`a NEAR/1 b ONEAR/2 c`, `(a NEAR/1 b) ONEAR/2 c`},
		{`case:OR`, `case:OR`},
		{`text:"security guarantee*"`, `text:"security guarantee*"`},
	}
	for _, tt := range tests {
		n, err := parse(tt.in)
		if err != nil {
			t.Fatal(err)
		}
		got := n.String()
		if got != tt.want {
			t.Errorf("parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		again, err := parse(got)
		if err != nil || again.String() != got {
			t.Errorf("the canonical form %q does not parse back to itself: %v", got, err)
		}
	}
}

func TestScoreAndSnippet(t *testing.T) {
	m, err := Compile([]Topic{{ID: "fa", Query: `"frozen assets" OR Euroclear`}})
	if err != nil {
		t.Fatal(err)
	}
	doc := Document{
		Title: "EU moves on frozen assets",
		Text: "Leaders met in Brussels on Thursday. The U.S. backed the plan. " +
			"Belgium, home of Euroclear, fears lawsuits over the frozen assets it holds! Talks go on.",
	}
	hits := m.Match(doc)
	if len(hits) != 1 {
		t.Fatalf("got %d hits", len(hits))
	}
	h := hits[0]
	if want := TitleWeight + 2*TextWeight; h.Score != want {
		t.Errorf("score = %d, want %d (one title hit, two text hits)", h.Score, want)
	}
	wantText := "Belgium, home of Euroclear, fears lawsuits over the frozen assets it holds!"
	if h.Snippet.Text != wantText {
		t.Errorf("snippet = %q, want %q", h.Snippet.Text, wantText)
	}
	if got, want := h.Snippet.Format("[", "]", nil), "Belgium, home of [Euroclear], fears lawsuits over the [frozen assets] it holds!"; got != want {
		t.Errorf("formatted = %q, want %q", got, want)
	}

	// No hit in the text: the title is the snippet. Feed text is escaped.
	hits = m.Match(Document{Title: `<b>Euroclear</b> & "friends"`, Text: "nothing here"})
	if got, want := hits[0].Snippet.Format("<mark>", "</mark>", html.EscapeString), `&lt;b&gt;<mark>Euroclear</mark>&lt;/b&gt; &amp; &#34;friends&#34;`; got != want {
		t.Errorf("title snippet = %q, want %q", got, want)
	}

	// A long sentence is cut around its first mark.
	long := strings.Repeat("word ", 200) + "Euroclear " + strings.Repeat("more ", 200)
	hits = m.Match(Document{Text: long})
	s := hits[0].Snippet
	if len(s.Text) > MaxSnippetBytes+2*len("…") || !strings.HasPrefix(s.Text, "…") || !strings.HasSuffix(s.Text, "…") {
		t.Errorf("long snippet (%d bytes) = %q", len(s.Text), s.Text)
	}
	if len(s.Marks) != 1 || s.Text[s.Marks[0].Start:s.Marks[0].End] != "Euroclear" {
		t.Errorf("long snippet marks %+v in %q", s.Marks, s.Text)
	}
}

// Hits of one document in different sentences each get their own: the
// sentences a document's snippets find are kept, and must not be mixed up.
func TestSnippetsOfOneDocument(t *testing.T) {
	m, err := Compile([]Topic{
		{ID: "first", Query: "Brussels"},
		{ID: "middle", Query: "Euroclear"},
		{ID: "last", Query: "talks"},
		{ID: "both", Query: "Brussels AND talks"},
		{ID: "again", Query: "lawsuits"},
	})
	if err != nil {
		t.Fatal(err)
	}
	doc := Document{Text: "Leaders met in Brussels on Thursday. The U.S. backed the plan.\n" +
		"Belgium, home of Euroclear, fears lawsuits! Talks go on"}
	want := map[string]string{
		"first":  "Leaders met in Brussels on Thursday.",
		"middle": "Belgium, home of Euroclear, fears lawsuits!",
		"last":   "Talks go on",
		"both":   "Leaders met in Brussels on Thursday.",
		"again":  "Belgium, home of Euroclear, fears lawsuits!",
	}
	for range 2 { // the second time, through a doc from the pool
		hits := m.Match(doc)
		if len(hits) != len(want) {
			t.Fatalf("got %d hits, want %d", len(hits), len(want))
		}
		for _, h := range hits {
			if h.Snippet.Text != want[h.Topic] {
				t.Errorf("%s: snippet %q, want %q", h.Topic, h.Snippet.Text, want[h.Topic])
			}
		}
	}
}

func TestExplain(t *testing.T) {
	m, err := Compile([]Topic{{ID: "ct", Query: `(ceasefire OR truce) AND (Ukraine OR Russia) AND NOT Gaza`}})
	if err != nil {
		t.Fatal(err)
	}
	e, ok := m.Explain("ct", Document{Title: "Ukraine truce talks", Text: "A truce, not a ceasefire yet."})
	if !ok {
		t.Fatal("topic not found")
	}
	want := `+ AND
  + OR
    + ceasefire    [text 15–24 "ceasefire"]
    + truce    [title 8–13 "truce"; text 2–7 "truce"]
  + OR
    + ukraine    [title 0–7 "Ukraine"]
    - russia
  + NOT
    - gaza
`
	if got := e.String(); got != want {
		t.Errorf("explanation:\n%s\nwant:\n%s", got, want)
	}
	if _, ok := m.Explain("nope", Document{}); ok {
		t.Error("Explain found a topic that does not exist")
	}
}
