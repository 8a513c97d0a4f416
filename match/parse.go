package match

import (
	"fmt"
	"strings"
)

// parser is a recursive-descent parser for
//
//	query   = or
//	or      = and { "OR" and }
//	and     = near { ["AND"] near }
//	near    = unary { ("NEAR/n" | "ONEAR/n") unary }
//	unary   = "NOT" unary | primary
//	primary = { modifier } ( "(" or ")" | phrase | word )
//	modifier = "title:" | "text:" | "case:"
type parser struct {
	lx  []lexeme
	pos int
	// andFrom is the column where the AND group that parseAnd last
	// returned starts, when it joined terms at its own level; 0 when it
	// returned a single operand.
	andFrom  int
	warnings []Warning
	q        string // the query, to quote in warnings
}

// mods are the modifiers in force while parsing a subtree.
type mods struct {
	fields fieldMask
	cased  bool
}

func (p *parser) peek() lexeme { return p.lx[p.pos] }
func (p *parser) next() lexeme { l := p.lx[p.pos]; p.pos++; return l }

// parse turns a query string into an expression tree.
func parse(q string) (node, error) {
	n, _, err := parseQuery(q)
	return n, err
}

// parseQuery is parse, with what the query says that is easily misread.
func parseQuery(q string) (node, []Warning, error) {
	lx, err := lex(q)
	if err != nil {
		return nil, nil, err
	}
	if len(lx) == 1 {
		return nil, nil, &SyntaxError{1, "empty query"}
	}
	p := &parser{lx: lx, q: q}
	n, err := p.parseOr(mods{fields: anyField})
	if err != nil {
		return nil, nil, err
	}
	if l := p.peek(); l.kind != lexEOF {
		if l.kind == lexRParen {
			return nil, nil, &SyntaxError{l.col, "unexpected \")\" without a matching \"(\""}
		}
		return nil, nil, &SyntaxError{l.col, "unexpected " + l.describe()}
	}
	if !positive(n) {
		return nil, nil, &SyntaxError{1, "the query only excludes: it needs at least one term that is not under NOT"}
	}
	return n, p.warnings, nil
}

// Warning is something a valid query says that its writer may not mean.
// There is one kind: terms joined by AND (or side by side) as one
// alternative of an OR, without parentheses. "a OR b AND NOT c" means
// "a OR (b AND NOT c)", as in most search languages, but a writer may have
// meant "(a OR b) AND NOT c", and in Google's "a b OR c" OR binds first.
type Warning struct {
	Col int // where it starts, in characters from 1
	Msg string
}

// String formats the warning as "column N: message".
func (w Warning) String() string { return fmt.Sprintf("column %d: %s", w.Col, w.Msg) }

func startsOperand(k lexKind) bool {
	return k == lexWord || k == lexPhrase || k == lexLParen || k == lexNot || k == lexMod
}

func (p *parser) expectOperand(after lexeme) error {
	if l := p.peek(); !startsOperand(l.kind) {
		return &SyntaxError{l.col, fmt.Sprintf("expected a term, phrase or \"(\" after %s at column %d, found %s", after.text, after.col, l.describe())}
	}
	return nil
}

func (p *parser) parseOr(m mods) (node, error) {
	first, err := p.parseAnd(m)
	if err != nil {
		return nil, err
	}
	kids := []node{first}
	// The first alternative that is an AND group of this level's own.
	groupFrom, groupTo := p.andFrom, p.peek().col
	for p.peek().kind == lexOr {
		op := p.next()
		if err := p.expectOperand(op); err != nil {
			return nil, err
		}
		n, err := p.parseAnd(m)
		if err != nil {
			return nil, err
		}
		if groupFrom == 0 {
			groupFrom, groupTo = p.andFrom, p.peek().col
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		return first, nil
	}
	if groupFrom > 0 {
		q := []rune(p.q) // columns count runes
		to := min(max(groupTo-1, groupFrom-1), len(q))
		group := strings.Join(strings.Fields(string(q[min(groupFrom-1, to):to])), " ")
		p.warnings = append(p.warnings, Warning{groupFrom, fmt.Sprintf(
			"AND binds tighter than OR, so “%s” is one alternative of the OR; put it in parentheses to say so, or group the query as you mean it",
			group)})
	}
	return &orNode{kids: kids}, nil
}

func (p *parser) parseAnd(m mods) (node, error) {
	from := p.peek()
	if !startsOperand(from.kind) {
		return nil, &SyntaxError{from.col, "expected a term, phrase or \"(\", found " + from.describe()}
	}
	first, err := p.parseNear(m)
	if err != nil {
		return nil, err
	}
	kids := []node{first}
	for {
		l := p.peek()
		if l.kind == lexAnd {
			p.next()
			if err := p.expectOperand(l); err != nil {
				return nil, err
			}
		} else if !startsOperand(l.kind) {
			break
		}
		n, err := p.parseNear(m)
		if err != nil {
			return nil, err
		}
		kids = append(kids, n)
	}
	if len(kids) == 1 {
		p.andFrom = 0
		return first, nil
	}
	p.andFrom = from.col
	return &andNode{kids: kids}, nil
}

func (p *parser) parseNear(m mods) (node, error) {
	startCol := p.peek().col
	left, err := p.parseUnary(m)
	if err != nil {
		return nil, err
	}
	for p.peek().kind == lexNear {
		op := p.next()
		if !isSpan(left) {
			return nil, &SyntaxError{startCol, fmt.Sprintf("%s joins words, phrases, OR-groups of them or other NEARs; its left side is not one", op.text)}
		}
		if err := p.expectOperand(op); err != nil {
			return nil, err
		}
		rightCol := p.peek().col
		right, err := p.parseUnary(m)
		if err != nil {
			return nil, err
		}
		if !isSpan(right) {
			return nil, &SyntaxError{rightCol, fmt.Sprintf("%s joins words, phrases, OR-groups of them or other NEARs; its right side is not one", op.text)}
		}
		left = &nearNode{left: left, right: right, n: op.n, ordered: op.ordered}
	}
	return left, nil
}

func (p *parser) parseUnary(m mods) (node, error) {
	if p.peek().kind == lexNot {
		op := p.next()
		if err := p.expectOperand(op); err != nil {
			return nil, err
		}
		kid, err := p.parseUnary(m)
		if err != nil {
			return nil, err
		}
		return &notNode{kid: kid}, nil
	}
	return p.parsePrimary(m)
}

func (p *parser) parsePrimary(m mods) (node, error) {
	for p.peek().kind == lexMod {
		l := p.next()
		switch l.text {
		case "title:", "text:":
			f := inTitle
			if l.text == "text:" {
				f = inText
			}
			if m.fields&f == 0 {
				return nil, &SyntaxError{l.col, fmt.Sprintf("%s inside a group restricted to another field can never match", l.text)}
			}
			m.fields = f
		case "case:":
			m.cased = true
		}
		if k := p.peek().kind; k != lexWord && k != lexPhrase && k != lexLParen && k != lexMod {
			return nil, &SyntaxError{p.peek().col, fmt.Sprintf("expected a term, phrase or \"(\" after %s, found %s", l.text, p.peek().describe())}
		}
	}
	l := p.next()
	switch l.kind {
	case lexLParen:
		if p.peek().kind == lexRParen {
			return nil, &SyntaxError{l.col, "empty parentheses"}
		}
		n, err := p.parseOr(m)
		if err != nil {
			return nil, err
		}
		if p.peek().kind != lexRParen {
			return nil, &SyntaxError{p.peek().col, fmt.Sprintf("expected \")\" to close the \"(\" at column %d, found %s", l.col, p.peek().describe())}
		}
		p.next()
		return n, nil
	case lexWord, lexPhrase:
		return newTerm(l, m)
	}
	return nil, &SyntaxError{l.col, "expected a term, phrase or \"(\", found " + l.describe()}
}

// isSpan reports whether n has positions, so that NEAR can measure it:
// a term, a NEAR, or an OR of those.
func isSpan(n node) bool {
	switch n := n.(type) {
	case *termNode, *nearNode:
		return true
	case *orNode:
		for _, k := range n.kids {
			if !isSpan(k) {
				return false
			}
		}
		return true
	}
	return false
}

// positive reports whether n can match through at least one term that is
// not negated, so that a query never matches by exclusion alone.
func positive(n node) bool {
	switch n := n.(type) {
	case *termNode, *nearNode:
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
