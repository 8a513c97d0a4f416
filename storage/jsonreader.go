package storage

import (
	"bytes"
	"strconv"
	"time"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonReader reads JSON laid out as expected. The first byte that is not
// clears ok, after which every method returns a zero value: the caller
// checks done once at the end.
type jsonReader struct {
	b   []byte
	i   int
	ok  bool
	buf []byte // a string with escapes, unescaped
}

// done reports whether everything read was as expected, to the end.
func (r *jsonReader) done() bool { return r.ok && r.i == len(r.b) }

// lit reads the bytes s.
func (r *jsonReader) lit(s string) {
	if !r.maybe(s) {
		r.ok = false
	}
}

// maybe reads the bytes s if they come next, and reports whether they did.
func (r *jsonReader) maybe(s string) bool {
	if !r.ok || len(r.b)-r.i < len(s) || string(r.b[r.i:r.i+len(s)]) != s {
		return false
	}
	r.i += len(s)
	return true
}

// digits returns the run of a JSON integer (an optional minus, then 0 or a
// digit 1 – 9 and more digits), refusing a fraction or an exponent.
func (r *jsonReader) digits() []byte {
	if !r.ok {
		return nil
	}
	start, j := r.i, r.i
	if j < len(r.b) && r.b[j] == '-' {
		j++
	}
	first := j
	for j < len(r.b) && '0' <= r.b[j] && r.b[j] <= '9' {
		j++
	}
	if j == first || r.b[first] == '0' && j > first+1 ||
		j < len(r.b) && (r.b[j] == '.' || r.b[j] == 'e' || r.b[j] == 'E') {
		r.ok = false
		return nil
	}
	r.i = j
	return r.b[start:j]
}

func (r *jsonReader) uint() uint64 {
	d := r.digits()
	if !r.ok {
		return 0
	}
	n, err := strconv.ParseUint(string(d), 10, 64)
	if err != nil {
		r.ok = false
	}
	return n
}

func (r *jsonReader) int() int { return int(r.signed(strconv.IntSize)) }

func (r *jsonReader) int64() int64 { return r.signed(64) }

// signed reads an integer that fits in bits.
func (r *jsonReader) signed(bits int) int64 {
	d := r.digits()
	if !r.ok {
		return 0
	}
	n, err := strconv.ParseInt(string(d), 10, bits)
	if err != nil {
		r.ok = false
	}
	return n
}

// bool reads true or false.
func (r *jsonReader) bool() bool {
	if r.maybe(`true`) {
		return true
	}
	r.lit(`false`)
	return false
}

// time reads a quoted RFC 3339 time, as time.Time.UnmarshalJSON does
// (without unescaping: a backslash is left to json.Unmarshal).
func (r *jsonReader) time() time.Time {
	if !r.maybe(`"`) {
		r.ok = false
		return time.Time{}
	}
	start := r.i
	for r.i < len(r.b) && r.b[r.i] != '"' && r.b[r.i] != '\\' {
		r.i++
	}
	if r.i == len(r.b) || r.b[r.i] != '"' {
		r.ok = false
		return time.Time{}
	}
	var t time.Time
	if err := t.UnmarshalText(r.b[start:r.i]); err != nil {
		r.ok = false
		return time.Time{}
	}
	r.i++
	return t
}

// strs reads null (nil) or an array of strings (never nil); when keep is
// false it reads past them and returns nil.
func (r *jsonReader) strs(keep bool) []string {
	if r.maybe(`null`) {
		return nil
	}
	r.lit(`[`)
	var out []string
	if keep {
		out = []string{}
	}
	for first := true; r.ok && !r.maybe(`]`); first = false {
		if !first {
			r.lit(`,`)
		}
		if keep {
			out = append(out, r.str())
		} else {
			r.skipStr()
		}
	}
	if !r.ok {
		return nil
	}
	return out
}

// marks reads a snippet's `,"marks":[[a,b],…]` if it comes next.
func (r *jsonReader) marks() [][2]int {
	if !r.maybe(`,"marks":[`) {
		return nil
	}
	out := [][2]int{}
	for first := true; r.ok && !r.maybe(`]`); first = false {
		if !first {
			r.lit(`,`)
		}
		var m [2]int
		r.lit(`[`)
		m[0] = r.int()
		r.lit(`,`)
		m[1] = r.int()
		r.lit(`]`)
		out = append(out, m)
	}
	return out
}

// str reads a string, copied out of r.b (which bbolt owns).
func (r *jsonReader) str() string {
	start, end, escaped := r.scanStr()
	if !r.ok {
		return ""
	}
	if !escaped {
		return string(r.b[start:end])
	}
	return r.unescape(start, end)
}

// skipStr reads past a string.
func (r *jsonReader) skipStr() {
	start, end, escaped := r.scanStr()
	if r.ok && escaped {
		// The escapes are checked as json.Unmarshal would, but the
		// string is not built.
		if _, ok := unescapeInto(nil, r.b[start:end], false); !ok {
			r.ok = false
		}
	}
}

// scanStr finds the bounds of the string that comes next, after its
// opening quote and before its closing one, and whether it holds escapes.
// It refuses what json.Unmarshal would not read as it is: control
// characters, and invalid UTF-8, which json.Unmarshal replaces.
func (r *jsonReader) scanStr() (start, end int, escaped bool) {
	if !r.maybe(`"`) {
		r.ok = false
		return 0, 0, false
	}
	start = r.i
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			end = r.i
			r.i++
			return start, end, escaped
		case c == '\\':
			escaped = true
			r.i += 2 // the escape's letter is checked by unescape
		case c < 0x20:
			r.ok = false
			return 0, 0, false
		case c < utf8.RuneSelf:
			r.i++
		default:
			ru, size := utf8.DecodeRune(r.b[r.i:])
			if ru == utf8.RuneError && size == 1 {
				r.ok = false
				return 0, 0, false
			}
			r.i += size
		}
	}
	r.ok = false
	return 0, 0, false
}

// unescape returns the string r.b[start:end] holds, with its escapes
// undone. A \u escape of a surrogate is left to json.Unmarshal, which
// pairs them.
func (r *jsonReader) unescape(start, end int) string {
	b, ok := unescapeInto(r.buf[:0], r.b[start:end], true)
	if !ok {
		r.ok = false
		return ""
	}
	r.buf = b
	return string(b)
}

// unescapeInto appends s with its escapes undone to dst, or, when keep is
// false, only checks them; ok is false for an escape it leaves to
// json.Unmarshal or that json.Unmarshal refuses.
func unescapeInto(dst, s []byte, keep bool) (_ []byte, ok bool) {
	for len(s) > 0 {
		k := bytes.IndexByte(s, '\\')
		if k < 0 {
			k = len(s)
		}
		if keep {
			dst = append(dst, s[:k]...)
		}
		if s = s[k:]; len(s) == 0 {
			break
		}
		if len(s) < 2 {
			return dst, false
		}
		var ru rune
		size := 2
		switch e := s[1]; e {
		case '"', '\\', '/':
			ru = rune(e)
		case 'b':
			ru = '\b'
		case 'f':
			ru = '\f'
		case 'n':
			ru = '\n'
		case 'r':
			ru = '\r'
		case 't':
			ru = '\t'
		case 'u':
			if len(s) < 6 {
				return dst, false
			}
			n, err := strconv.ParseUint(string(s[2:6]), 16, 16)
			if err != nil || utf16.IsSurrogate(rune(n)) {
				return dst, false
			}
			ru, size = rune(n), 6
		default:
			return dst, false
		}
		if keep {
			dst = utf8.AppendRune(dst, ru)
		}
		s = s[size:]
	}
	return dst, true
}
