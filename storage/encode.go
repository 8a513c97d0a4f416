package storage

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// Articles and matches are stored as JSON, and written on the ingest path
// once per new item that matched: encoding/json's reflection was a tenth
// of the write transaction's time. These encoders write exactly the bytes
// json.Marshal writes for the same values (TestEncodersAgreeWithJSON holds
// them to it), so records stay readable by json.Unmarshal and by older
// builds; a value json.Marshal refuses (a time outside years 0–9999) is
// handed to it for its error.

// encodeArticle returns a's JSON encoding.
func encodeArticle(a *Article) ([]byte, error) {
	b := make([]byte, 0, 256+len(a.Title)+len(a.Text)+len(a.URL)+len(a.Key))
	b = append(b, `{"id":`...)
	b = strconv.AppendUint(b, a.ID, 10)
	b = appendField(b, "feed", a.Feed)
	if a.FeedName != "" {
		b = appendField(b, "feed_name", a.FeedName)
	}
	b = appendField(b, "key", a.Key)
	b = appendField(b, "title", a.Title)
	b = appendField(b, "url", a.URL)
	if a.Text != "" {
		b = appendField(b, "text", a.Text)
	}
	var ok bool
	if b, ok = appendTime(b, "published", a.Published); !ok {
		return json.Marshal(a)
	}
	if b, ok = appendTime(b, "first_seen", a.FirstSeen); !ok {
		return json.Marshal(a)
	}
	if b, ok = appendTime(b, "updated", a.Updated); !ok {
		return json.Marshal(a)
	}
	if len(a.Topics) > 0 {
		b = append(b, `,"topics":`...)
		b = appendStrings(b, a.Topics)
	}
	if len(a.Sources) > 0 {
		b = append(b, `,"sources":[`...)
		for i, s := range a.Sources {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"feed":`...)
			b = appendString(b, s.Feed)
			if s.FeedName != "" {
				b = appendField(b, "feed_name", s.FeedName)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// encodeMatch returns m's JSON encoding.
func encodeMatch(m *storedMatch) ([]byte, error) {
	b := make([]byte, 0, 192+len(m.Snippet.Text))
	b = append(b, `{"article":`...)
	b = strconv.AppendUint(b, m.ArticleID, 10)
	b = appendField(b, "topic", m.Topic)
	b = append(b, `,"score":`...)
	b = strconv.AppendInt(b, int64(m.Score), 10)
	b = append(b, `,"terms":`...)
	if m.Terms == nil {
		b = append(b, "null"...)
	} else {
		b = appendStrings(b, m.Terms)
	}
	b = append(b, `,"snippet":{"text":`...)
	b = appendString(b, m.Snippet.Text)
	if len(m.Snippet.Marks) > 0 {
		b = append(b, `,"marks":[`...)
		for i, mk := range m.Snippet.Marks {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '[')
			b = strconv.AppendInt(b, int64(mk[0]), 10)
			b = append(b, ',')
			b = strconv.AppendInt(b, int64(mk[1]), 10)
			b = append(b, ']')
		}
		b = append(b, ']')
	}
	b = append(b, '}')
	var ok bool
	if b, ok = appendTime(b, "matched_at", m.MatchedAt); !ok {
		return json.Marshal(m)
	}
	if b, ok = appendTime(b, "published", m.Published); !ok {
		return json.Marshal(m)
	}
	return append(b, '}'), nil
}

// appendField appends `,"name":` and s as a JSON string.
func appendField(b []byte, name, s string) []byte {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':')
	return appendString(b, s)
}

// appendTime appends `,"name":` and t as time.Time.MarshalJSON does; ok is
// false for a time it refuses.
func appendTime(b []byte, name string, t time.Time) ([]byte, bool) {
	b = append(b, ',', '"')
	b = append(b, name...)
	b = append(b, '"', ':', '"')
	b, err := t.AppendText(b)
	if err != nil {
		return b, false
	}
	return append(b, '"'), true
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

// jsonSafe marks the ASCII bytes json.Marshal writes as they are: not a
// control character, not '"' or '\\', and not '<', '>' or '&', which it
// escapes for HTML.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as json.Marshal
// escapes it: HTML-sensitive bytes, U+2028 and U+2029 as \u escapes, and
// invalid UTF-8 as U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
