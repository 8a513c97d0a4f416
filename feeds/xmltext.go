package feeds

import (
	"bytes"
	"html"
	"strconv"
	"strings"
	"unicode/utf8"
)

// gofeedText turns an element's inner XML into its text as gofeed's
// ParseText does: white space trimmed, CDATA sections unwrapped and taken
// as they are, entities decoded elsewhere (gofeedEntities).
func gofeedText(inner []byte) string {
	s := strings.TrimSpace(string(inner))
	if strings.Contains(s, "<![CDATA[") {
		return gofeedStripCDATA(s)
	}
	return gofeedEntities(s)
}

// gofeedStripCDATA unwraps the CDATA sections of s and decodes the entities
// of the text around them, as gofeed's StripCDATA does; an unterminated
// section is kept as text.
func gofeedStripCDATA(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		start := strings.Index(s, "<![CDATA[")
		if start < 0 {
			b.WriteString(gofeedEntities(s))
			break
		}
		b.WriteString(gofeedEntities(s[:start]))
		end := strings.Index(s[start+len("<![CDATA["):], "]]>")
		if end < 0 {
			b.WriteString(gofeedEntities(s[start:]))
			break
		}
		end += start + len("<![CDATA[")
		b.WriteString(s[start+len("<![CDATA[") : end])
		s = s[end+len("]]>"):]
	}
	return b.String()
}

// maxEntity is how far past a '&' gofeed looks for the ';' of an entity.
const maxEntity = 64

// gofeedEntities decodes the entities of s as gofeed's DecodeEntities
// does: HTML's named and numeric references, each only with its ';', and
// nothing with white space between '&' and ';'.
func gofeedEntities(s string) string {
	amp := strings.IndexByte(s, '&')
	if amp < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for {
		b.WriteString(s[:amp])
		s = s[amp:]
		window := s[:min(len(s), maxEntity)]
		end := strings.IndexByte(window, ';')
		if end < 0 && len(window) == len(s) {
			b.WriteString(s)
			return b.String()
		}
		if end < 0 || strings.ContainsAny(s[1:end], " \t\r\n") {
			b.WriteByte('&')
			s = s[1:]
		} else if dec, ok := commonEntity(s[:end+1]); ok {
			b.WriteString(dec)
			s = s[end+1:]
		} else if span := s[:end+1]; html.UnescapeString(span) == html.UnescapeString(span[:end])+";" {
			// Only a prefix decoded ("&copy=2;"): not an entity.
			b.WriteByte('&')
			s = s[1:]
		} else {
			b.WriteString(html.UnescapeString(span))
			s = s[end+1:]
		}
		if amp = strings.IndexByte(s, '&'); amp < 0 {
			b.WriteString(s)
			return b.String()
		}
	}
}

// commonEntity decodes span, '&' to ';', when it is one of the references
// feeds use most: the five XML predefines and character references. Each
// decodes with its ';' and without (as "&lt" does in HTML), so gofeed's
// test for a mere prefix, which decodes span twice, cannot fail on them;
// ok is false for any other span.
func commonEntity(span string) (dec string, ok bool) {
	switch span {
	case "&lt;":
		return "<", true
	case "&gt;":
		return ">", true
	case "&amp;":
		return "&", true
	case "&quot;":
		return `"`, true
	case "&apos;":
		return "'", true
	}
	if len(span) < 4 || span[1] != '#' {
		return "", false
	}
	digits, hex := span[2:len(span)-1], false
	if digits[0] == 'x' || digits[0] == 'X' {
		digits, hex = digits[1:], true
	}
	if len(digits) == 0 || len(digits) > 8 {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if !isDigit(digits[i]) && !(hex && isHexLetter(digits[i])) {
			return "", false
		}
	}
	return html.UnescapeString(span), true
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

// xmlAttrValue decodes an attribute's raw value as encoding/xml does
// when not strict; ok is false for a character reference or a carriage
// return, which it leaves to encoding/xml.
func xmlAttrValue(raw []byte) (string, bool) {
	if bytes.IndexByte(raw, '\r') >= 0 || bytes.Contains(raw, []byte("&#")) {
		return "", false
	}
	amp := bytes.IndexByte(raw, '&')
	if amp < 0 {
		return string(raw), true
	}
	var b strings.Builder
	for amp >= 0 {
		b.Write(raw[:amp])
		raw = raw[amp:]
		n := xmlRef(raw, &b)
		raw = raw[n:]
		amp = bytes.IndexByte(raw, '&')
	}
	b.Write(raw)
	return b.String(), true
}

// xmlRef writes the entity reference at the start of s ('&') as
// encoding/xml reads it when not strict, and returns the bytes it read:
// the five predefined entities decoded, anything else as written.
func xmlRef(s []byte, b *strings.Builder) int {
	if end := bytes.IndexByte(s, ';'); end > 0 {
		if r := predefinedEntity(string(s[1:end])); r != "" {
			b.WriteString(r)
			return end + 1
		}
	}
	b.WriteByte('&')
	return 1
}

func predefinedEntity(name string) string {
	switch name {
	case "lt":
		return "<"
	case "gt":
		return ">"
	case "amp":
		return "&"
	case "apos":
		return "'"
	case "quot":
		return `"`
	}
	return ""
}
