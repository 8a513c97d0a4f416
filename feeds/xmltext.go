package feeds

import (
	"html"
	"strings"
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
