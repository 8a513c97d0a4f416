package match

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// newTerm builds a term from a word or phrase. A trailing "*" makes the last
// word a prefix. A word that folds into several words ("cease-fire",
// "Zelensky's") is matched as the phrase of those words.
func newTerm(l lexeme, m mods) (node, error) {
	src := strings.TrimSpace(l.text)
	prefix := strings.HasSuffix(src, "*")
	body := strings.TrimSuffix(src, "*")
	if strings.Contains(body, "*") {
		return nil, &SyntaxError{l.col, fmt.Sprintf("%s: \"*\" is allowed only at the end", l.describe())}
	}
	toks := tokenize(body)
	if len(toks) == 0 {
		if l.kind == lexPhrase && src == "" {
			return nil, &SyntaxError{l.col, "empty phrase"}
		}
		return nil, &SyntaxError{l.col, fmt.Sprintf("%s has no letters or digits", l.describe())}
	}
	if len(toks) > maxPhraseWords {
		return nil, &SyntaxError{l.col, fmt.Sprintf("%s has %d words; a phrase may have at most %d", l.describe(), len(toks), maxPhraseWords)}
	}
	t := &termNode{prefix: prefix, fields: m.fields}
	for _, tk := range toks {
		t.words = append(t.words, tk.text)
	}
	if prefix {
		last := toks[len(toks)-1]
		if last.end != len(body) || utf8.RuneCountInString(last.text) < 2 {
			return nil, &SyntaxError{l.col, fmt.Sprintf("%s: a wildcard needs at least two letters right before \"*\"", l.describe())}
		}
	}
	if m.cased {
		if prefix {
			return nil, &SyntaxError{l.col, fmt.Sprintf("%s: case: does not combine with a wildcard", l.describe())}
		}
		for _, tk := range toks {
			t.raw = append(t.raw, body[tk.start:tk.end])
		}
	}
	return t, nil
}

// maxPhraseWords bounds a phrase, and so the variants compiled for it.
const maxPhraseWords = 12
