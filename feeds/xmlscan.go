package feeds

import (
	"bytes"
	"strings"
)

// xmlScanner walks the plain XML most feeds are written in, for fastRSS
// and fastAtom.
// It accepts a strict subset of what encoding/xml accepts with Strict
// false, as gofeed uses it, so that a body it walks to the end is one
// gofeed parses without error. Anything outside the subset ends the walk
// (ok false) and the body goes to gofeed: names other than ASCII
// [A-Za-z_][A-Za-z0-9_.-]* with at most one prefix, unquoted or valueless
// attributes, an end tag that does not close the open element, processing
// instructions after the root's start, doctypes, a character
// reference to a character XML forbids, "]]>" outside CDATA, and so on.
type xmlScanner struct {
	b     []byte
	i     int // the next byte to read
	tagAt int // where the tag next returned begins
}

// openRoot starts reading body, in UTF-8, up to the end of its root
// element's start tag, which must be named root (in any case, without a
// prefix). ok is false for a body the fast paths do not read: characters
// XML or the fast paths refuse, an xml:base anywhere, a prolog beyond
// white space, comments and a UTF-8 XML 1.0 declaration, or another root.
func openRoot(body []byte, root string) (s *xmlScanner, t tag, ok bool) {
	if !validXMLChars(body) || bytes.Contains(body, []byte("xml:base")) {
		return nil, t, false
	}
	s = &xmlScanner{b: body}
	if !s.prolog() || s.i+1 >= len(body) || body[s.i] != '<' {
		return nil, t, false
	}
	t, ok = s.startTag()
	if !ok || len(t.prefix) > 0 || !strings.EqualFold(string(t.local), root) {
		return nil, t, false
	}
	return s, t, true
}

// tag is a start tag read by startTag.
type tag struct {
	name   []byte // as written, prefix included
	prefix []byte // before the colon, or empty
	local  []byte
	attrs  []byte // the raw attributes, for eachAttr
	empty  bool   // written <name/>
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func (s *xmlScanner) skipSpace() {
	for s.i < len(s.b) && isXMLSpace(s.b[s.i]) {
		s.i++
	}
}

// comment reads a comment at s.i ("<!--"); a "--" inside it must end it,
// as encoding/xml requires.
func (s *xmlScanner) comment() bool {
	end := bytes.Index(s.b[s.i+4:], []byte("--"))
	if end < 0 || s.i+4+end+2 >= len(s.b) || s.b[s.i+4+end+2] != '>' {
		return false
	}
	s.i += 4 + end + 3
	return true
}

// cdata reads a CDATA section at s.i.
func (s *xmlScanner) cdata() bool {
	end := bytes.Index(s.b[s.i+9:], []byte("]]>"))
	if end < 0 {
		return false
	}
	s.i += 9 + end + 3
	return true
}

// text reads character data up to the next '<' (or the end).
func (s *xmlScanner) text() bool {
	end := bytes.IndexByte(s.b[s.i:], '<')
	if end < 0 {
		end = len(s.b) - s.i
	}
	t := s.b[s.i : s.i+end]
	s.i += end
	return validText(t)
}

// name reads an element or attribute name at s.i.
func (s *xmlScanner) name() (name, prefix, local []byte, ok bool) {
	start, colon := s.i, -1
	for ; s.i < len(s.b); s.i++ {
		c := s.b[s.i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_':
		case isDigit(c) || c == '.' || c == '-':
			if s.i == start || s.i == colon+1 {
				return nil, nil, nil, false
			}
		case c == ':':
			if colon >= 0 || s.i == start {
				return nil, nil, nil, false
			}
			colon = s.i
		default:
			name = s.b[start:s.i]
			if len(name) == 0 || colon == s.i-1 {
				return nil, nil, nil, false
			}
			if colon < 0 {
				return name, nil, name, true
			}
			return name, s.b[start:colon], s.b[colon+1 : s.i], true
		}
	}
	return nil, nil, nil, false
}

// startTag reads a start tag at s.i ('<' and a name's first byte).
func (s *xmlScanner) startTag() (t tag, ok bool) {
	s.i++
	if t.name, t.prefix, t.local, ok = s.name(); !ok {
		return t, false
	}
	attrs := s.i
	for {
		spaced := s.i < len(s.b) && isXMLSpace(s.b[s.i])
		s.skipSpace()
		if s.i >= len(s.b) {
			return t, false
		}
		switch s.b[s.i] {
		case '>':
			t.attrs = s.b[attrs:s.i]
			s.i++
			return t, true
		case '/':
			if s.i+1 >= len(s.b) || s.b[s.i+1] != '>' {
				return t, false
			}
			t.attrs, t.empty = s.b[attrs:s.i], true
			s.i += 2
			return t, true
		}
		if !spaced {
			return t, false
		}
		if _, _, _, ok := s.name(); !ok {
			return t, false
		}
		s.skipSpace()
		if s.i >= len(s.b) || s.b[s.i] != '=' {
			return t, false
		}
		s.i++
		s.skipSpace()
		if _, ok := s.quoted(); !ok {
			return t, false
		}
	}
}

// quoted reads a quoted attribute value at s.i and returns it raw.
func (s *xmlScanner) quoted() ([]byte, bool) {
	if s.i >= len(s.b) || s.b[s.i] != '"' && s.b[s.i] != '\'' {
		return nil, false
	}
	end := bytes.IndexByte(s.b[s.i+1:], s.b[s.i])
	if end < 0 {
		return nil, false
	}
	v := s.b[s.i+1 : s.i+1+end]
	s.i += end + 2
	if bytes.IndexByte(v, '<') >= 0 || !validText(v) {
		return nil, false
	}
	return v, true
}

// eachAttr calls fn with each attribute of attrs, as read by startTag,
// its name as written and its raw value.
func eachAttr(attrs []byte, fn func(name, value []byte)) {
	s := xmlScanner{b: attrs}
	for {
		s.skipSpace()
		if s.i >= len(s.b) {
			return
		}
		name, _, _, _ := s.name()
		s.skipSpace()
		s.i++ // '='
		s.skipSpace()
		v, _ := s.quoted()
		fn(name, v)
	}
}

// next reads up to the next start or end tag, reading text, comments and
// CDATA sections on the way: it returns '<' before a start tag, '/' after
// an end tag's name (its name in name), or 0 when the body ends or leaves
// the subset (ok false).
func (s *xmlScanner) next() (kind byte, name []byte, ok bool) {
	for {
		if !s.text() || s.i+1 >= len(s.b) {
			return 0, nil, false
		}
		s.tagAt = s.i
		switch c := s.b[s.i+1]; {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_':
			return '<', nil, true
		case c == '/':
			s.i += 2
			name, _, _, ok := s.name()
			s.skipSpace()
			if !ok || s.i >= len(s.b) || s.b[s.i] != '>' {
				return 0, nil, false
			}
			s.i++
			return '/', name, true
		case bytes.HasPrefix(s.b[s.i:], []byte("<!--")):
			if !s.comment() {
				return 0, nil, false
			}
		case bytes.HasPrefix(s.b[s.i:], []byte("<![CDATA[")):
			if !s.cdata() {
				return 0, nil, false
			}
		default:
			return 0, nil, false
		}
	}
}

// content reads the content of the element t, whose start tag was just
// read, up to and including its end tag, and returns the content's span:
// what encoding/xml gives as the element's inner XML.
func (s *xmlScanner) content(t tag) (start, end int, ok bool) {
	if t.empty {
		return s.i, s.i, true
	}
	start = s.i
	open := [][]byte{t.name}
	for {
		kind, name, ok := s.next()
		switch {
		case !ok:
			return 0, 0, false
		case kind == '<':
			c, ok := s.startTag()
			if !ok {
				return 0, 0, false
			}
			if !c.empty {
				open = append(open, c.name)
			}
		case !bytes.Equal(name, open[len(open)-1]):
			return 0, 0, false
		default:
			open = open[:len(open)-1]
			if len(open) == 0 {
				return start, s.tagAt, true
			}
		}
	}
}

// skip reads the content of the element t, whose start tag was just read,
// for an element the fast paths do not use.
func (s *xmlScanner) skip(t tag) bool {
	_, _, ok := s.content(t)
	return ok
}

// children calls fn for each child element of t, whose start tag was just
// read, and reads t's end tag. fn must read the child's content, with
// content or children, and return false to stop the walk.
func (s *xmlScanner) children(t tag, fn func(c tag) bool) bool {
	if t.empty {
		return true
	}
	for {
		kind, name, ok := s.next()
		switch {
		case !ok:
			return false
		case kind == '/':
			return bytes.Equal(name, t.name)
		}
		c, ok := s.startTag()
		if !ok || !fn(c) {
			return false
		}
	}
}
