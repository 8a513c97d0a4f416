package config

import (
	"fmt"

	"go.yaml.in/yaml/v3"

	"newswatch/match"
)

// Examples are a topic's test cases. Each is a headline, or a headline, a
// line break and the article's text.
type Examples struct {
	Match   []Example `yaml:"match,omitempty"`
	NoMatch []Example `yaml:"nomatch,omitempty"`
}

// Example is one test text and the line it is on.
type Example struct {
	Text string
	Line int
}

// MarshalYAML writes an example as its text.
func (e Example) MarshalYAML() (any, error) { return e.Text, nil }

// UnmarshalYAML implements yaml.Unmarshaler.
func (e *Example) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" && n.Tag != "" {
		return &lineError{n.Line, "expected an example text"}
	}
	e.Text, e.Line = n.Value, n.Line
	return nil
}

// ExampleFailure is a topic example that the topic's query decides wrongly.
type ExampleFailure struct {
	File  string
	Line  int
	Topic string
	Text  string
	// WantMatch is true for an example under match:, false under nomatch:.
	WantMatch bool
}

// Error names the file, line, topic and example, and what went wrong.
func (f ExampleFailure) Error() string {
	if f.WantMatch {
		return fmt.Sprintf("%s:%d: topic %q does not match its example %q", f.File, f.Line, f.Topic, f.Text)
	}
	return fmt.Sprintf("%s:%d: topic %q matches its counter-example %q", f.File, f.Line, f.Topic, f.Text)
}

// CheckExamples runs every topic's examples through m, a matcher compiled
// from c's topics, and returns the examples it decides wrongly, and how
// many examples there are.
func (c *Config) CheckExamples(m *match.Matcher) (failures []ExampleFailure, total int) {
	for _, t := range c.Topics {
		for _, set := range []struct {
			examples []Example
			want     bool
		}{{t.Examples.Match, true}, {t.Examples.NoMatch, false}} {
			for _, ex := range set.examples {
				total++
				got := false
				for _, h := range m.Match(match.TextDocument(ex.Text)) {
					got = got || h.Topic == t.ID
				}
				if got != set.want {
					failures = append(failures, ExampleFailure{File: c.File, Line: ex.Line, Topic: t.ID, Text: ex.Text, WantMatch: set.want})
				}
			}
		}
	}
	return failures, total
}
