package feeds

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// xmlEncoding finds the encoding an XML prolog declares.
var xmlEncoding = regexp.MustCompile(`^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']`)

// toUTF8 decides what encoding a body is really in and returns it as UTF-8
// with a prolog that says so, or unchanged when the parser can decode it as
// declared. Feeds lie about encodings often; the rules, in order:
//
//   - A body that is valid UTF-8 is UTF-8, whatever a single-byte prolog
//     says, as long as it has non-ASCII text (valid multi-byte sequences
//     almost never happen by chance in ISO-8859-1 or windows-1252).
//   - A body that is not valid UTF-8 and declares a known other encoding
//     is left to the parser to decode.
//   - Otherwise the Content-Type charset decides; failing that, a body
//     with more invalid bytes than valid multi-byte sequences is
//     windows-1252 (a superset of ISO-8859-1: "é\u00a0»" happens to be a
//     valid sequence, so a few valid ones prove nothing); failing that, the
//     invalid bytes become U+FFFD, so that one bad byte does not cost the
//     whole feed.
func toUTF8(body []byte, contentType string) []byte {
	head := body[:min(len(body), 1024)]
	declared := ""
	loc := xmlEncoding.FindSubmatchIndex(head)
	if loc != nil {
		declared = strings.ToLower(strings.TrimSpace(string(head[loc[2]:loc[3]])))
	}
	declaredKnown := declared != "" && lookupEncoding(declared) != nil
	isUTF8Label := declared == "" || declared == "utf-8" || declared == "utf8"
	relabel := func(b []byte) []byte {
		if loc == nil {
			return b
		}
		out := make([]byte, 0, len(b))
		out = append(out, b[:loc[2]]...)
		out = append(out, "utf-8"...)
		return append(out, b[loc[3]:]...)
	}
	if utf8.Valid(body) {
		if !isUTF8Label && (!declaredKnown || hasNonASCII(body)) {
			return relabel(body)
		}
		return body
	}
	if !isUTF8Label && declaredKnown {
		return body
	}
	if enc := contentTypeCharset(contentType); enc != "" && enc != "utf-8" && enc != "utf8" {
		if e := lookupEncoding(enc); e != nil {
			if out, _, err := transform.Bytes(e.NewDecoder(), body); err == nil {
				return relabel(out)
			}
		}
	}
	if valid, invalid := utf8Counts(body); invalid > valid {
		if out, _, err := transform.Bytes(charmap.Windows1252.NewDecoder(), body); err == nil {
			return relabel(out)
		}
	}
	return relabel(bytes.ToValidUTF8(body, []byte("\uFFFD")))
}

// lookupEncoding returns the encoding with a WHATWG label, or nil.
func lookupEncoding(label string) encoding.Encoding {
	e, _ := charset.Lookup(label)
	return e
}

// contentTypeCharset returns the charset parameter of a Content-Type, in
// lower case, or "".
func contentTypeCharset(ct string) string {
	if ct == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

// utf8Counts counts the valid multi-byte UTF-8 sequences of b and the
// bytes that belong to none.
func utf8Counts(b []byte) (valid, invalid int) {
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		switch {
		case r == utf8.RuneError && size == 1:
			invalid++
		case size > 1:
			valid++
		}
		b = b[size:]
	}
	return valid, invalid
}
