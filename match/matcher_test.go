package match

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestFold(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Zelensky’s plan", []string{"zelensky", "s", "plan"}},
		{"ZELÉNSKYY", []string{"zelenskyy"}},
		{"cease-fire", []string{"cease", "fire"}},
		{"Гарантії безпеки", []string{"гарантіі", "безпеки"}},
		{"Замороженные активы", []string{"замороженные", "активы"}},
		{"  \t\n ", nil},
		{"ﬁnance 2025", []string{"finance", "2025"}},
		{"São Paulo—Kraków", []string{"sao", "paulo", "krakow"}},
	}
	for _, tt := range tests {
		got := Fold(tt.in)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name  string
		query string
		doc   Document
		want  []string // nil: no hit
	}{
		{"word", "Euroclear", Document{Title: "Euroclear profits rise"}, []string{"Euroclear"}},
		{"case and accent", "zelenskyy", Document{Text: "President ZELÉNSKYY said"}, []string{"ZELÉNSKYY"}},
		{"apostrophe", "Zelensky", Document{Title: "Zelensky’s peace plan"}, []string{"Zelensky"}},
		{"phrase", `"security guarantees"`, Document{Text: "Kyiv wants Security Guarantees now"}, []string{"Security Guarantees"}},
		{"phrase order matters", `"security guarantees"`, Document{Text: "guarantees of security"}, nil},
		{"phrase does not span fields", `"peace talks"`, Document{Title: "Peace", Text: "talks resume"}, nil},
		{"hyphenated word", "cease-fire", Document{Text: "a cease fire was agreed"}, []string{"cease fire"}},
		{"phrase matches hyphen", `"cease fire"`, Document{Text: "the cease-fire holds"}, []string{"cease-fire"}},
		{"adjacency is AND", "Ukraine minerals", Document{Title: "Ukraine signs minerals deal"}, []string{"Ukraine", "minerals"}},
		{"adjacency needs both", "Ukraine minerals", Document{Title: "Congo signs minerals deal"}, nil},
		{"OR reports every branch", "truce OR ceasefire", Document{Title: "Truce talks", Text: "a ceasefire soon"}, []string{"Truce", "ceasefire"}},
		{"NOT excludes", "ceasefire NOT Gaza", Document{Title: "Gaza ceasefire holds"}, nil},
		{"NOT allows", "ceasefire NOT Gaza", Document{Title: "Ukraine ceasefire talks"}, []string{"ceasefire"}},
		{"NOT terms are not reported", "ceasefire AND NOT (Gaza OR Lebanon)", Document{Title: "Ceasefire in Ukraine"}, []string{"Ceasefire"}},
		{"parentheses", "(frozen OR immobilised) AND assets AND (Russia OR Russian)", Document{Title: "EU to use frozen Russian assets"}, []string{"frozen", "Russian", "assets"}},
		{"lowercase operators are words", "war and peace", Document{Title: "war and peace"}, []string{"war", "and", "peace"}},
		{"prefix", "guarant*", Document{Text: "security guarantees for Kyiv"}, []string{"guarantees"}},
		{"prefix phrase", `"security guarant*"`, Document{Text: "security guarantee"}, []string{"security guarantee"}},
		{"cyrillic", `"гарантії безпеки"`, Document{Text: "Україна хоче Гарантії Безпеки"}, []string{"Гарантії Безпеки"}},
		{"title first in terms", "kyiv", Document{Title: "Kyiv", Text: "kyiv again KYIV"}, []string{"Kyiv"}},
		{"no partial words", "ban", Document{Text: "urban banner"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checkTerms(t, tt.query, tt.doc, tt.want) })
	}
}

func TestMatchSeveralTopics(t *testing.T) {
	m, err := Compile([]Topic{
		{ID: "a", Query: "sanctions"},
		{ID: "b", Query: "Euroclear"},
		{ID: "c", Query: "Gaza"},
	})
	if err != nil {
		t.Fatal(err)
	}
	hits := m.Match(Document{Title: "New sanctions", Text: "Euroclear holds the assets"})
	var got []string
	for _, h := range hits {
		got = append(got, h.Topic)
	}
	if want := []string{"a", "b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("topics = %q, want %q", got, want)
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		query   string
		col     int
		message string
	}{
		{"", 1, "empty query"},
		{"   ", 1, "empty query"},
		{"(ukraine", 9, `expected ")" to close the "(" at column 1`},
		{"ukraine)", 8, `unexpected ")"`},
		{"ukraine AND", 12, "after AND"},
		{"OR ukraine", 1, "found \"OR\""},
		{"ukraine OR OR russia", 12, "after OR"},
		{`"security guarantees`, 1, "closing quote"},
		{`""`, 1, "empty phrase"},
		{"NOT gaza", 1, "only excludes"},
		{"ukraine OR NOT gaza", 1, "only excludes"},
		{"()", 1, "empty parentheses"},
		{"gu*ar", 1, "only at the end"},
		{"a*", 1, "two letters"},
		{"---", 1, "no letters"},
		{"NOT", 4, "after NOT"},
	}
	for _, tt := range tests {
		_, err := Compile([]Topic{{ID: "x", Query: tt.query}})
		var te *TopicError
		var se *SyntaxError
		if !errors.As(err, &te) || !errors.As(err, &se) {
			t.Errorf("Compile(%q) error = %v, want a *TopicError wrapping a *SyntaxError", tt.query, err)
			continue
		}
		if se.Col != tt.col || !strings.Contains(se.Msg, tt.message) {
			t.Errorf("Compile(%q) = column %d %q, want column %d containing %q", tt.query, se.Col, se.Msg, tt.col, tt.message)
		}
		if !strings.Contains(err.Error(), `topic "x"`) {
			t.Errorf("Compile(%q) error %q does not name the topic", tt.query, err)
		}
	}
}

func TestString(t *testing.T) {
	n, err := parse(`ceasefire (Ukraine OR "Russia's war") NOT gaza guarant*`)
	if err != nil {
		t.Fatal(err)
	}
	want := `ceasefire AND (ukraine OR "russia s war") AND NOT gaza AND guarant*`
	if got := n.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}

// checkTerms compiles query as a single topic, matches doc, and checks the
// reported terms: want nil means the topic must not match at all.
func checkTerms(t *testing.T, query string, doc Document, want []string) {
	t.Helper()
	m, err := Compile([]Topic{{ID: "t", Query: query}})
	if err != nil {
		t.Fatalf("Compile(%q): %v", query, err)
	}
	hits := m.Match(doc)
	if want == nil {
		if len(hits) != 0 {
			t.Fatalf("got hit %+v, want none", hits)
		}
		return
	}
	if len(hits) != 1 {
		t.Fatalf("got %d hits, want 1", len(hits))
	}
	if got := hits[0].Terms; !reflect.DeepEqual(got, want) {
		t.Errorf("terms = %q, want %q", got, want)
	}
}

// lowerRun, eight bytes at a time, agrees with a byte-by-byte scan at
// every start in text holding every byte value and every boundary.
func TestLowerRun(t *testing.T) {
	var b []byte
	for c := range 256 {
		b = append(b, "abcz09xy"[c%8], byte(c), 'q', 'a', '0', '9', 'z')
	}
	b = append(b, "`{/:@[azAZ"...)
	s := string(b)
	for i := range len(s) {
		want := i
		for want < len(s) && ('a' <= s[want] && s[want] <= 'z' || '0' <= s[want] && s[want] <= '9') {
			want++
		}
		if got := lowerRun(s, i); got != want {
			t.Fatalf("lowerRun(s, %d) = %d, want %d (bytes %q)", i, got, want, s[i:min(len(s), i+10)])
		}
	}
}

// TestHitsWithTheSameSpans checks the hits of topics that hold on the same
// words, which Match builds once: each keeps its own topic, and each is
// what the topic would get alone.
func TestHitsWithTheSameSpans(t *testing.T) {
	topics := []Topic{
		{ID: "a", Query: "title:(tariffs OR trade)"},
		{ID: "b", Query: "tariffs"},
		{ID: "c", Query: "title:tariffs OR quotas"},
		{ID: "d", Query: `"steel tariffs" OR levies`},
		{ID: "e", Query: "title:(tariffs OR exporters)"},
	}
	doc := Document{Title: "EU answers steel tariffs", Text: "Exporters fear new tariffs. Quotas are next."}
	m, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	got := m.Match(doc)
	if len(got) != len(topics) {
		t.Fatalf("%d hits, want %d: %+v", len(got), len(topics), got)
	}
	for i, tp := range topics {
		alone, err := Compile([]Topic{tp})
		if err != nil {
			t.Fatal(err)
		}
		want := alone.Match(doc)
		if len(want) != 1 || !reflect.DeepEqual(got[i], want[0]) {
			t.Errorf("hit %d:\n got %+v\nwant %+v (the topic alone)", i, got[i], want)
		}
	}
	// a and e hold on the title's "tariffs" alone: the same hit but for
	// the topic; b also holds on the text's.
	if got[0].Topic != "a" || got[4].Topic != "e" || !reflect.DeepEqual(got[0].Terms, got[4].Terms) {
		t.Errorf("a and e: %+v, %+v", got[0], got[4])
	}
}
