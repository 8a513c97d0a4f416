package match

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// SyntaxError reports a query that cannot be parsed. Col is the 1-based
// column, counted in characters, where the problem was found.
type SyntaxError struct {
	Col int
	Msg string
}

// Error formats the problem as "column N: message".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("column %d: %s", e.Col, e.Msg)
}

type lexKind int

const (
	lexEOF lexKind = iota
	lexWord
	lexPhrase
	lexAnd
	lexOr
	lexNot
	lexNear // NEAR/n or ONEAR/n
	lexMod  // title:, text: or case:
	lexLParen
	lexRParen
)

type lexeme struct {
	kind    lexKind
	text    string
	col     int
	n       int  // lexNear: the distance
	ordered bool // lexNear: ONEAR
}

func (l lexeme) describe() string {
	switch l.kind {
	case lexEOF:
		return "end of query"
	case lexPhrase:
		return fmt.Sprintf("phrase %q", l.text)
	case lexWord:
		return fmt.Sprintf("word %q", l.text)
	default:
		return fmt.Sprintf("%q", l.text)
	}
}

// MaxNear is the largest distance NEAR/n and ONEAR/n accept.
const MaxNear = 100

// modifiers are the prefixes that restrict a term, phrase or group.
var modifiers = []string{"title:", "text:", "case:"}

func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// lex splits a query into lexemes. Operators are recognised only in upper
// case, so that "and", "or" and "not" stay ordinary words.
func lex(q string) ([]lexeme, error) {
	var out []lexeme
	col := 0
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		col++
		switch {
		case isSpace(r):
			i += size
		case r == '(':
			out = append(out, lexeme{kind: lexLParen, text: "(", col: col})
			i += size
		case r == ')':
			out = append(out, lexeme{kind: lexRParen, text: ")", col: col})
			i += size
		case isQuote(r):
			startCol := col
			j := i + size
			closed := false
			for j < len(q) {
				r2, s2 := utf8.DecodeRuneInString(q[j:])
				if isQuote(r2) {
					closed = true
					break
				}
				j += s2
				col++
			}
			if !closed {
				return nil, &SyntaxError{startCol, "unterminated phrase: a closing quote is missing"}
			}
			out = append(out, lexeme{kind: lexPhrase, text: q[i+size : j], col: startCol})
			_, s2 := utf8.DecodeRuneInString(q[j:])
			col++
			i = j + s2
		default:
			startCol := col
			j := i + size
			for j < len(q) {
				r2, s2 := utf8.DecodeRuneInString(q[j:])
				if isSpace(r2) || r2 == '(' || r2 == ')' || isQuote(r2) {
					break
				}
				j += s2
				col++
			}
			lx, err := lexWordish(q[i:j], startCol)
			if err != nil {
				return nil, err
			}
			out = append(out, lx...)
			i = j
		}
	}
	out = append(out, lexeme{kind: lexEOF, col: col + 1})
	return out, nil
}

// lexWordish classifies a run of non-space characters: an operator, modifiers
// followed by a word (or by a phrase or group that comes next), or a word.
func lexWordish(w string, col int) ([]lexeme, error) {
	switch w {
	case "AND":
		return []lexeme{{kind: lexAnd, text: w, col: col}}, nil
	case "OR":
		return []lexeme{{kind: lexOr, text: w, col: col}}, nil
	case "NOT":
		return []lexeme{{kind: lexNot, text: w, col: col}}, nil
	case "NEAR", "ONEAR":
		return nil, &SyntaxError{col, fmt.Sprintf("%s needs a distance, such as %s/5", w, w)}
	}
	for _, op := range []string{"NEAR/", "ONEAR/"} {
		if rest, ok := strings.CutPrefix(w, op); ok {
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || n > MaxNear {
				return nil, &SyntaxError{col, fmt.Sprintf("%q: the distance must be a whole number from 0 to %d", w, MaxNear)}
			}
			return []lexeme{{kind: lexNear, text: w, col: col, n: n, ordered: op == "ONEAR/"}}, nil
		}
	}
	var out []lexeme
	for {
		peeled := false
		for _, m := range modifiers {
			if strings.HasPrefix(w, m) {
				out = append(out, lexeme{kind: lexMod, text: m, col: col})
				w = w[len(m):]
				col += len(m)
				peeled = true
			}
		}
		if !peeled {
			break
		}
	}
	if w != "" {
		// After a modifier, even "OR" is a word: case:OR.
		out = append(out, lexeme{kind: lexWord, text: w, col: col})
	}
	return out, nil
}
