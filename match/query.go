package match

import (
	"fmt"
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
	lexLParen
	lexRParen
)

type lexeme struct {
	kind lexKind
	text string
	col  int
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

func isQuote(r rune) bool { return r == '"' || r == '“' || r == '”' || r == '„' }

// lex splits a query into lexemes. Operators are recognised only in upper
// case, so that "and", "or" and "not" stay ordinary words.
func lex(q string) ([]lexeme, error) {
	var out []lexeme
	col := 0
	for i := 0; i < len(q); {
		r, size := utf8.DecodeRuneInString(q[i:])
		col++
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			i += size
		case r == '(':
			out = append(out, lexeme{lexLParen, "(", col})
			i += size
		case r == ')':
			out = append(out, lexeme{lexRParen, ")", col})
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
			out = append(out, lexeme{lexPhrase, q[i+size : j], startCol})
			_, s2 := utf8.DecodeRuneInString(q[j:])
			col++
			i = j + s2
		default:
			startCol := col
			j := i + size
			for j < len(q) {
				r2, s2 := utf8.DecodeRuneInString(q[j:])
				if r2 == ' ' || r2 == '\t' || r2 == '\n' || r2 == '\r' || r2 == '(' || r2 == ')' || isQuote(r2) {
					break
				}
				j += s2
				col++
			}
			w := q[i:j]
			kind := lexWord
			switch w {
			case "AND":
				kind = lexAnd
			case "OR":
				kind = lexOr
			case "NOT":
				kind = lexNot
			}
			out = append(out, lexeme{kind, w, startCol})
			i = j
		}
	}
	out = append(out, lexeme{lexEOF, "", col + 1})
	return out, nil
}

// parser is a recursive-descent parser for
//
//	query   = or
//	or      = and { "OR" and }
//	and     = unary { ["AND"] unary }
//	unary   = "NOT" unary | primary
//	primary = "(" or ")" | phrase | word
type parser struct {
	lx  []lexeme
	pos int
}

func (p *parser) peek() lexeme { return p.lx[p.pos] }
func (p *parser) next() lexeme { l := p.lx[p.pos]; p.pos++; return l }

// parse compiles a query string into an expression tree.
func parse(q string) (node, error) {
	lx, err := lex(q)
	if err != nil {
		return nil, err
	}
	if len(lx) == 1 {
		return nil, &SyntaxError{1, "empty query"}
	}
	p := &parser{lx: lx}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if l := p.peek(); l.kind != lexEOF {
		if l.kind == lexRParen {
			return nil, &SyntaxError{l.col, "unexpected \")\" without a matching \"(\""}
		}
		return nil, &SyntaxError{l.col, "unexpected " + l.describe()}
	}
	if !positive(n) {
		return nil, &SyntaxError{1, "the query only excludes: it needs at least one term that is not under NOT"}
	}
	return n, nil
}

func (p *parser) parseOr() (node, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	kids := []node{first}
	for p.peek().kind == lexOr {
		op := p.next()
		if !startsOperand(p.peek().kind) {
			return nil, &SyntaxError{p.peek().col, "expected a term, phrase or \"(\" after OR at column " + fmt.Sprint(op.col) + ", found " + p.peek().describe()}
		}
		n, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &orNode{kids: kids}, nil
}

func startsOperand(k lexKind) bool {
	return k == lexWord || k == lexPhrase || k == lexLParen || k == lexNot
}

func (p *parser) parseAnd() (node, error) {
	if !startsOperand(p.peek().kind) {
		l := p.peek()
		return nil, &SyntaxError{l.col, "expected a term, phrase or \"(\", found " + l.describe()}
	}
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	kids := []node{first}
	for {
		l := p.peek()
		if l.kind == lexAnd {
			p.next()
			if !startsOperand(p.peek().kind) {
				return nil, &SyntaxError{p.peek().col, "expected a term, phrase or \"(\" after AND at column " + fmt.Sprint(l.col) + ", found " + p.peek().describe()}
			}
		} else if !startsOperand(l.kind) {
			break
		}
		n, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &andNode{kids: kids}, nil
}

func (p *parser) parseUnary() (node, error) {
	if p.peek().kind == lexNot {
		op := p.next()
		if !startsOperand(p.peek().kind) {
			return nil, &SyntaxError{p.peek().col, "expected a term, phrase or \"(\" after NOT at column " + fmt.Sprint(op.col) + ", found " + p.peek().describe()}
		}
		kid, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return &notNode{kid: kid}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (node, error) {
	l := p.next()
	switch l.kind {
	case lexLParen:
		if p.peek().kind == lexRParen {
			return nil, &SyntaxError{l.col, "empty parentheses"}
		}
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if p.peek().kind != lexRParen {
			return nil, &SyntaxError{p.peek().col, fmt.Sprintf("expected \")\" to close the \"(\" at column %d, found %s", l.col, p.peek().describe())}
		}
		p.next()
		return n, nil
	case lexWord, lexPhrase:
		return newTerm(l)
	}
	return nil, &SyntaxError{l.col, "expected a term, phrase or \"(\", found " + l.describe()}
}

// newTerm builds a term from a word or phrase. A trailing "*" makes the last
// word a prefix. A word that folds into several words ("cease-fire",
// "Zelensky's") is matched as the phrase of those words.
func newTerm(l lexeme) (node, error) {
	src := strings.TrimSpace(l.text)
	prefix := strings.HasSuffix(src, "*")
	body := strings.TrimSuffix(src, "*")
	if strings.Contains(body, "*") {
		return nil, &SyntaxError{l.col, fmt.Sprintf("%s: \"*\" is allowed only at the end", l.describe())}
	}
	words := Fold(body)
	if len(words) == 0 {
		if l.kind == lexPhrase && src == "" {
			return nil, &SyntaxError{l.col, "empty phrase"}
		}
		return nil, &SyntaxError{l.col, fmt.Sprintf("%s has no letters or digits", l.describe())}
	}
	if prefix {
		if strings.HasSuffix(strings.TrimSuffix(body, " "), " ") || utf8.RuneCountInString(words[len(words)-1]) < 2 {
			return nil, &SyntaxError{l.col, fmt.Sprintf("%s: a wildcard needs at least two letters before \"*\"", l.describe())}
		}
	}
	return &termNode{words: words, prefix: prefix, src: src}, nil
}

// positive reports whether n can match through at least one term that is
// not negated, so that a query never matches by exclusion alone.
func positive(n node) bool {
	switch n := n.(type) {
	case *termNode:
		return true
	case *notNode:
		return false
	case *andNode:
		for _, k := range n.kids {
			if positive(k) {
				return true
			}
		}
		return false
	case *orNode:
		for _, k := range n.kids {
			if !positive(k) {
				return false
			}
		}
		return true
	}
	return false
}
