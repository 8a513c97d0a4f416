package config

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Error is one problem in a configuration file.
type Error struct {
	File string
	Line int
	Msg  string
}

// Error formats the problem as "file:line: message".
func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg) }

// lineError is returned by the custom decoders of this package, which know
// the line but not the file.
type lineError struct {
	line int
	msg  string
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.msg) }

var (
	yamlLine      = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownField  = regexp.MustCompile(`^field (\S+) not found in type config\.(\w+)$`)
	cannotDecode  = regexp.MustCompile("^cannot unmarshal !!(\\w+) (?:`(.*)` )?into (\\S+)$")
	sectionByType = map[string]string{"Config": "the top level", "Feed": "a feed", "Topic": "a topic", "Poll": "poll", "Storage": "storage", "Digest": "digest", "SMTP": "digest.smtp", "Examples": "examples", "Dashboard": "dashboard"}
	typeByName    = map[string]reflect.Type{"Config": reflect.TypeFor[Config](), "Feed": reflect.TypeFor[Feed](), "Topic": reflect.TypeFor[Topic](), "Poll": reflect.TypeFor[Poll](), "Storage": reflect.TypeFor[Storage](), "Digest": reflect.TypeFor[Digest](), "SMTP": reflect.TypeFor[SMTP](), "Examples": reflect.TypeFor[Examples](), "Dashboard": reflect.TypeFor[Dashboard]()}
)

// yamlError rewrites an error of the YAML decoder as "file:line: problem"
// lines, in words a user of newswatch (not of Go) understands.
func yamlError(file string, err error) error {
	var le *lineError
	if errors.As(err, &le) {
		return &Error{File: file, Line: le.line, Msg: le.msg}
	}
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var errs []error
	for _, m := range msgs {
		sm := yamlLine.FindStringSubmatch(m)
		if sm == nil {
			errs = append(errs, fmt.Errorf("%s: %s", file, strings.TrimPrefix(m, "yaml: ")))
			continue
		}
		line, _ := strconv.Atoi(sm[1])
		errs = append(errs, &Error{File: file, Line: line, Msg: explain(sm[2])})
	}
	return errors.Join(errs...)
}

func explain(msg string) string {
	if m := unknownField.FindStringSubmatch(msg); m != nil {
		s := fmt.Sprintf("unknown key %q in %s", m[1], sectionByType[m[2]])
		if t, ok := typeByName[m[2]]; ok {
			if near := closest(m[1], yamlKeys(t)); near != "" {
				s += fmt.Sprintf(" (did you mean %q?)", near)
			} else {
				s += " (known keys: " + strings.Join(yamlKeys(t), ", ") + ")"
			}
		}
		return s
	}
	if m := cannotDecode.FindStringSubmatch(msg); m != nil {
		if m[2] == "" {
			return fmt.Sprintf("expected %s, found %s", goTypeWords(m[3]), yamlTagWords(m[1]))
		}
		return fmt.Sprintf("expected %s, found %s %q", goTypeWords(m[3]), yamlTagWords(m[1]), m[2])
	}
	return msg
}

func goTypeWords(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case t == "string":
		return "a text value"
	case strings.HasPrefix(t, "int"):
		return "a whole number"
	case t == "bool":
		return "true or false"
	case strings.HasPrefix(t, "config."):
		return "a mapping of keys to values"
	}
	return t
}

func yamlTagWords(tag string) string {
	switch tag {
	case "str":
		return "the text"
	case "map":
		return "a mapping"
	case "seq":
		return "a list"
	case "int", "float":
		return "the number"
	case "bool":
		return "the boolean"
	}
	return tag
}

func yamlKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if k := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]; k != "" && k != "-" {
			keys = append(keys, k)
		}
	}
	return keys
}

// closest returns the key within edit distance 2 of s, or "".
func closest(s string, keys []string) string {
	best, bestD := "", 3
	for _, k := range keys {
		if d := distance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// find follows a path of mapping keys (string) and sequence indexes (int)
// from n and returns the node there, or nil.
func find(n *yaml.Node, path ...any) *yaml.Node {
	for _, p := range path {
		if n == nil {
			return nil
		}
		switch p := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return nil
			}
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == p {
					next = n.Content[i+1]
				}
			}
			n = next
		case int:
			if n.Kind != yaml.SequenceNode || p >= len(n.Content) {
				return nil
			}
			n = n.Content[p]
		}
	}
	return n
}

// keyNode returns the key node of key in mapping n, for errors about a
// section as a whole, or n itself when the key is absent.
func keyNode(n *yaml.Node, key string) *yaml.Node {
	if n != nil && n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i]
			}
		}
	}
	return n
}
