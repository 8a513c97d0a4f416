package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"newswatch/feeds"
	"newswatch/internal/corpus"
)

// CorpusDocs returns the news-2025 items as documents, and the words of
// their titles and descriptions by falling frequency.
func CorpusDocs(tb testing.TB) ([]Document, []string) {
	tb.Helper()
	dir, err := corpus.Dir()
	if err != nil {
		tb.Fatal(err)
	}
	items, err := corpus.LoadNews(dir, "items-*.jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	docs := make([]Document, len(items))
	freq := map[string]int{}
	for i, it := range items {
		docs[i] = Document{Title: feeds.PlainText(it.Title), Text: feeds.PlainText(it.Description)}
		for _, w := range Fold(docs[i].Title + " " + docs[i].Text) {
			if len(w) > 2 {
				freq[w]++
			}
		}
	}
	vocab := make([]string, 0, len(freq))
	for w := range freq {
		vocab = append(vocab, w)
	}
	sort.Slice(vocab, func(i, j int) bool {
		if freq[vocab[i]] != freq[vocab[j]] {
			return freq[vocab[i]] > freq[vocab[j]]
		}
		return vocab[i] < vocab[j]
	})
	return docs, vocab
}

// GenerateTopics makes n topics shaped like an analyst's: phrases, OR
// groups, NEAR, ONEAR, NOT, wildcards and title: restrictions. Their words
// come from vocab (most frequent first) past its 300 commonest words, the
// function words and generic news vocabulary ("said", "officials") that no
// analyst's topic is built on; ranks are drawn with an exponential bias
// toward the commoner of the rest, names and subjects such as "tariffs",
// "kashmir", "refugees". The same seed gives the same topics.
func GenerateTopics(n int, vocab []string, seed uint64) []Topic {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	word := func() string {
		i := 300 + int(r.ExpFloat64()*1500)
		return vocab[min(i, len(vocab)-1)]
	}
	term := func() string {
		switch r.IntN(6) {
		case 0:
			return `"` + word() + " " + word() + `"`
		case 1:
			w := word()
			if len(w) > 5 {
				return w[:len(w)-2] + "*"
			}
			return w
		case 2:
			return `"` + word() + " " + word() + " " + word() + `"`
		default:
			return word()
		}
	}
	group := func(k int) string {
		parts := make([]string, k)
		for i := range parts {
			parts[i] = term()
		}
		return "(" + strings.Join(parts, " OR ") + ")"
	}
	topics := make([]Topic, n)
	for i := range topics {
		var q string
		switch r.IntN(5) {
		case 0:
			q = group(2+r.IntN(5)) + " AND " + group(1+r.IntN(4)) + " AND NOT " + group(1+r.IntN(3))
		case 1:
			q = group(1+r.IntN(3)) + fmt.Sprintf(" NEAR/%d ", 2+r.IntN(8)) + group(1+r.IntN(3))
		case 2:
			q = "title:" + group(2+r.IntN(4)) + " OR (" + term() + fmt.Sprintf(" ONEAR/%d ", 1+r.IntN(5)) + term() + ")"
		case 3:
			q = term() + " " + term() + " NOT " + term()
		default:
			q = group(3+r.IntN(8)) + " AND " + group(2+r.IntN(6))
		}
		topics[i] = Topic{ID: fmt.Sprintf("gen-%d", i), Query: q}
	}
	return topics
}

// The presearcher skips topics whose anchors are absent; it must never skip
// one that would have matched.
func TestPresearchAgreesWithFullEvaluation(t *testing.T) {
	docs, vocab := CorpusDocs(t)
	topics := GenerateTopics(3000, vocab, 1)
	topics = append(topics,
		Topic{ID: "ceasefire", Query: `("cease fire" OR truce* OR "peace talks") AND (Ukraine OR Russia) NOT Gaza`},
		Topic{ID: "near", Query: `(Putin OR Kremlin) NEAR/5 (Donbas OR Donetsk OR land)`},
		Topic{ID: "case", Query: `case:US AND (aid OR weapons)`},
		// Anchored on words in one field only: the text's anchors must be
		// hit by a word's first occurrence in the text, whether or not the
		// title held it before.
		Topic{ID: "text", Query: `text:(Kremlin OR Ukraine OR "peace talks")`},
		Topic{ID: "text-title", Query: `text:Ukraine AND title:(Trump OR Putin)`},
		Topic{ID: "title", Query: `title:(Kremlin OR Ukraine)`},
	)
	m, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	trees := make([]node, len(m.topics))
	for i := range trees {
		trees[i] = m.tree(i)
	}
	matched := 0
	for _, doc := range docs {
		var fast []string
		for _, h := range m.Match(doc) {
			fast = append(fast, h.Topic)
		}
		d := newDoc(m)
		d.load(doc)
		var full []string
		for i, tp := range m.topics {
			if trees[i].eval(d, new([]span)) {
				full = append(full, tp.id)
			}
		}
		if strings.Join(fast, " ") != strings.Join(full, " ") {
			t.Fatalf("document %q:\n presearch %v\n      full %v", doc.Title, fast, full)
		}
		matched += len(full)
	}
	if matched < len(docs) {
		t.Errorf("only %d matches over %d documents: the generated topics are too rare to test anything", matched, len(docs))
	}
}

// The flat program decides and collects exactly what the query tree does.
func TestProgramAgreesWithTree(t *testing.T) {
	docs, vocab := CorpusDocs(t)
	topics := append(GenerateTopics(2000, vocab, 3),
		Topic{ID: "fields", Query: `title:(Trump OR tariff*) OR text:(Putin OR Kremlin) NOT title:Gaza`},
		Topic{ID: "phrase", Query: `("cease fire" OR "peace talk*") AND NOT (case:US OR "White House")`},
	)
	m, err := Compile(topics)
	if err != nil {
		t.Fatal(err)
	}
	trees := make([]node, len(m.topics))
	for i := range trees {
		trees[i] = m.tree(i)
	}
	sorted := func(s []span) []span {
		slices.SortFunc(s, cmpSpan)
		return slices.Compact(s)
	}
	held := 0
	for _, in := range docs[:800] {
		d := newDoc(m)
		d.load(in)
		for i := range m.topics {
			var fromTree, fromProg []span
			treeHolds := trees[i].eval(d, &fromTree)
			if progHolds := m.prog.collect(d, int32(i), &fromProg); progHolds != treeHolds {
				t.Fatalf("%q on %q: program holds %v, tree %v", topics[i].Query, in.Title, progHolds, treeHolds)
			}
			if got, want := sorted(fromProg), sorted(fromTree); !slices.Equal(got, want) {
				t.Fatalf("%q on %q: program spans %v, tree %v", topics[i].Query, in.Title, got, want)
			}
			if treeHolds {
				held++
			}
		}
	}
	if held < 800 {
		t.Errorf("only %d topics held: too few to compare anything", held)
	}
}
