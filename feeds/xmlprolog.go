package feeds

import (
	"bytes"
	"strings"
)

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
