package feeds

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// xmlScanner walks the plain XML most feeds are written in, for fastRSS.
// It accepts a strict subset of what encoding/xml accepts with Strict
// false, as gofeed uses it, so that a body it walks to the end is one
// gofeed parses without error. Anything outside the subset ends the walk
// (ok false) and the body goes to gofeed: names other than ASCII
// [A-Za-z_][A-Za-z0-9_.-]* with at most one prefix, unquoted or valueless
// attributes, an end tag that does not close the open element, processing
// instructions after the XML declaration, doctypes, a character
// reference to a character XML forbids, "]]>" outside CDATA, and so on.
type xmlScanner struct {
	b     []byte
	i     int // the next byte to read
	tagAt int // where the tag next returned begins
}

// tag is a start tag read by startTag.
type tag struct {
	name   []byte // as written, prefix included
	prefix []byte // before the colon, or empty
	local  []byte
	attrs  []byte // the raw attributes, for attr
	empty  bool   // written <name/>
}

// validXMLChars reports whether b is UTF-8 and holds only characters XML
// allows, as encoding/xml requires of text, and no control bytes, which
// gofeed drops before parsing and fastRSS does not.
func validXMLChars(b []byte) bool {
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c < 0x20:
			if c != '\t' && c != '\n' && c != '\r' {
				return false
			}
		case c == 0xEF:
			// U+FFFE and U+FFFF (EF BF BE, EF BF BF) are not XML.
			if i+2 < len(b) && b[i+1] == 0xBF && b[i+2] >= 0xBE {
				return false
			}
		}
	}
	return utf8.Valid(b)
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

func (s *xmlScanner) skipSpace() {
	for s.i < len(s.b) && isXMLSpace(s.b[s.i]) {
		s.i++
	}
}

// prolog reads what may come before the root element: white space,
// comments and processing instructions, of which an XML declaration must
// be of version 1.0 and in UTF-8, as encoding/xml reads it: it would
// otherwise refuse the body or convert it.
func (s *xmlScanner) prolog() bool {
	for {
		s.skipSpace()
		switch {
		case bytes.HasPrefix(s.b[s.i:], []byte("<!--")):
			if !s.comment() {
				return false
			}
		case bytes.HasPrefix(s.b[s.i:], []byte("<?")):
			s.i += 2
			target, _, _, ok := s.name()
			if !ok {
				return false
			}
			s.skipSpace()
			end := bytes.Index(s.b[s.i:], []byte("?>"))
			if end < 0 {
				return false
			}
			data := string(s.b[s.i : s.i+end])
			s.i += end + 2
			if string(target) != "xml" {
				continue
			}
			if v := declParam("version", data); v != "" && v != "1.0" {
				return false
			}
			if e := declParam("encoding", data); e != "" && !strings.EqualFold(e, "utf-8") {
				return false
			}
		default:
			return true
		}
	}
}

// declParam returns the value of an XML declaration's pseudo-attribute
// param as encoding/xml finds it: after the first "param=" followed by a
// quote, up to the same quote; "" when there is none.
func declParam(param, data string) string {
	param += "="
	for i := 0; i < len(data); {
		k := strings.Index(data[i:], param)
		if k < 0 || i+k+len(param) >= len(data) {
			return ""
		}
		i += k + len(param)
		if q := data[i]; q == '\'' || q == '"' {
			end := strings.IndexByte(data[i+1:], q)
			if end < 0 {
				return ""
			}
			return data[i+1 : i+1+end]
		}
		i++
	}
	return ""
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

// validText reports whether encoding/xml reads t, character data or an
// attribute's value, without error: no "]]>" and no character reference
// to a character XML forbids. Other references, even unknown or without
// their ';', are text to a decoder that is not strict.
func validText(t []byte) bool {
	if bytes.Contains(t, []byte("]]>")) {
		return false
	}
	for {
		amp := bytes.IndexByte(t, '&')
		if amp < 0 {
			return true
		}
		t = t[amp+1:]
		if len(t) == 0 || t[0] != '#' {
			continue
		}
		base, j := 10, 1
		if len(t) > 1 && t[1] == 'x' {
			base, j = 16, 2
		}
		start := j
		for j < len(t) && (isDigit(t[j]) || base == 16 && isHexLetter(t[j])) {
			j++
		}
		if j >= len(t) || t[j] != ';' {
			continue
		}
		n, err := strconv.ParseUint(string(t[start:j]), base, 64)
		if err == nil && n <= utf8.MaxRune && !xmlChar(rune(n)) {
			return false
		}
	}
}

func isDigit(c byte) bool     { return '0' <= c && c <= '9' }
func isHexLetter(c byte) bool { return 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// xmlChar is encoding/xml's test of a decoded character reference;
// string(rune(n)) of a surrogate is U+FFFD, which passes.
func xmlChar(r rune) bool {
	if 0xD800 <= r && r <= 0xDFFF {
		return true
	}
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
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
