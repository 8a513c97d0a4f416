package feeds

import (
	"bytes"
	"strings"
)

// declarations adds the xmlns:prefix declarations among attrs, a start
// tag's raw attributes, to ns and returns the default namespace declared
// there, if any. ok is false for one the fast paths do not read: a prefix
// declared twice on one element, or a namespace that is empty (which
// encoding/xml would take as none), has white space around it or is
// written with a reference.
func declarations(attrs []byte, ns map[string]string) (def string, hasDef, ok bool) {
	ok = true
	seen := map[string]bool{}
	eachAttr(attrs, func(name, value []byte) {
		var prefix string
		switch {
		case bytes.Equal(name, []byte("xmlns")):
			def, hasDef = string(value), true
		case bytes.HasPrefix(name, []byte("xmlns:")):
			prefix = string(name[len("xmlns:"):])
			ns[prefix] = string(value)
		default:
			return
		}
		uri := string(value)
		if seen[prefix] || uri == "" || uri != strings.TrimSpace(uri) || bytes.IndexByte(value, '&') >= 0 {
			ok = false
		}
		seen[prefix] = true
	})
	return def, hasDef, ok
}

// prefixNS returns the namespace bound to the prefix of c, a child of an
// element that declares nothing itself: by c's own attributes, else by
// the root's (rootNS). declared is false for an undeclared prefix, which
// encoding/xml leaves as the namespace's name. ok is false for a default
// namespace declared on c, or a declaration declarations refuses.
func prefixNS(c tag, rootNS map[string]string) (uri string, declared, ok bool) {
	if bytes.Contains(c.attrs, []byte("xmlns")) {
		local := map[string]string{}
		if _, hasDef, ok := declarations(c.attrs, local); !ok || hasDef {
			return "", false, false
		}
		if uri, declared := local[string(c.prefix)]; declared {
			return uri, true, true
		}
	}
	uri, declared = rootNS[string(c.prefix)]
	return uri, declared, true
}

// keepsNamespace reports whether c, an unprefixed child of an element that
// declares nothing itself, stays in its parent's namespace: it declares
// no default namespace (and nothing declarations refuses).
func keepsNamespace(c tag) bool {
	if !bytes.Contains(c.attrs, []byte("xmlns")) {
		return true
	}
	_, hasDef, ok := declarations(c.attrs, map[string]string{})
	return ok && !hasDef
}
