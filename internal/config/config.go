// Package config loads and validates newswatch's YAML configuration.
//
// Decoding is strict: an unknown key, a value of the wrong type, a
// duplicate topic id, an empty or malformed query or an invalid cron spec
// is refused, each with the file and line it is on. Nothing starts on a bad
// configuration.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"newswatch/match"
)

// Defaults for keys the file leaves out.
const (
	DefaultSchedule = "*/15 * * * *"
	DefaultMaxAge   = Duration(30 * 24 * time.Hour)
	DefaultWorkers  = 8
	DefaultPerHost  = 2
	DefaultTimeout  = Duration(30 * time.Second)
	DefaultMaxSize  = ByteSize(10 << 20)
	DefaultDBPath   = "newswatch.db"

	DefaultMinInterval  = Duration(5 * time.Minute)
	DefaultMaxInterval  = Duration(6 * time.Hour)
	DefaultFailingAfter = Duration(24 * time.Hour)
)

// Config is a loaded configuration.
type Config struct {
	Feeds     []Feed    `yaml:"feeds"`
	Topics    []Topic   `yaml:"topics"`
	Poll      Poll      `yaml:"poll"`
	Storage   Storage   `yaml:"storage"`
	Digest    Digest    `yaml:"digest"`
	Dashboard Dashboard `yaml:"dashboard"`

	// File is the path the configuration was read from.
	File string `yaml:"-"`
	// Warnings are what the file says that is valid but easily misread,
	// such as a query whose AND and OR are not grouped by parentheses.
	Warnings []*Error `yaml:"-"`
}

// Feed is one feed to poll.
type Feed struct {
	URL  string   `yaml:"url"`
	Name string   `yaml:"name"` // defaults to the URL's host
	Tags []string `yaml:"tags"`
	// Every fixes the feed's polling interval instead of adapting it.
	Every Duration `yaml:"every,omitempty"`
	// Schedule gives the feed its own cron spec instead.
	Schedule string `yaml:"schedule,omitempty"`
}

// Topic is one subject to flag articles for.
type Topic struct {
	ID    string `yaml:"id"`
	Name  string `yaml:"name"` // defaults to ID
	Query string `yaml:"query"`
	// Examples are texts the query must match and must not match; newswatch
	// check tests them.
	Examples Examples `yaml:"examples,omitempty"`
	// Warnings are what the query says that is easily misread, found when
	// the config is validated.
	Warnings []match.Warning `yaml:"-"`
}

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

// Poll says when and how feeds are fetched.
type Poll struct {
	// Schedule is a standard five-field cron spec, or a descriptor such as
	// "@hourly" or "@every 10m".
	Schedule string `yaml:"schedule"`
	// MaxAge: items published longer ago are recorded as seen, not flagged.
	MaxAge Duration `yaml:"max_age"`
	// Workers is the number of feeds fetched at once.
	Workers int `yaml:"workers"`
	// PerHost is the number of those that may be on one host.
	PerHost int `yaml:"per_host"`
	// Timeout bounds one feed's request, body included.
	Timeout Duration `yaml:"timeout"`
	// MaxSize caps a feed's body after decompression.
	MaxSize ByteSize `yaml:"max_size"`
	// UserAgent replaces newswatch's User-Agent header when set.
	UserAgent string `yaml:"user_agent"`
	// MinInterval and MaxInterval bound each feed's adaptive interval.
	MinInterval Duration `yaml:"min_interval"`
	MaxInterval Duration `yaml:"max_interval"`
	// FailingAfter is how long a feed may fail before it is marked failing
	// and retried only every MaxInterval.
	FailingAfter Duration `yaml:"failing_after"`
}

// Storage says where the database lives.
type Storage struct {
	// Path of the bbolt file; a relative path is relative to the directory
	// of the configuration file.
	Path string `yaml:"path"`
	// Retention, when set, is how long matches, articles and seen items
	// are kept; the daemon prunes older ones once a day. 0 keeps them all.
	Retention Duration `yaml:"retention"`
}

// MatchTopics converts the configured topics for match.Compile.
func (c *Config) MatchTopics() []match.Topic {
	out := make([]match.Topic, len(c.Topics))
	for i, t := range c.Topics {
		out[i] = match.Topic{ID: t.ID, Query: t.Query}
	}
	return out
}

// Load reads and validates the configuration file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(c.Storage.Path) {
		c.Storage.Path = filepath.Join(filepath.Dir(path), c.Storage.Path)
	}
	if !filepath.IsAbs(c.Digest.Outbox) {
		c.Digest.Outbox = filepath.Join(filepath.Dir(path), c.Digest.Outbox)
	}
	return c, nil
}

// Parse decodes and validates a configuration. file names it in errors.
// The error, if any, lists every problem found, one "file:line: problem"
// per line.
func Parse(data []byte, file string) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, yamlError(file, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: the file is empty: it needs at least feeds and topics", file)
	}
	c := &Config{File: file}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var decodeErrs []error
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if !errors.As(err, &te) {
			return nil, yamlError(file, err)
		}
		// A TypeError leaves the rest decoded: validate that too, so that
		// one run reports every problem.
		decodeErrs = unjoin(yamlError(file, err))
	}
	v := &validator{file: file, root: root.Content[0]}
	v.check(c)
	if errs := merge(decodeErrs, v.errs); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c.Warnings = v.warnings
	return c, nil
}

func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// merge orders the decoder's and the validator's errors by line. A
// validator error on a line the decoder already reported is dropped: it
// is the same problem seen from the zero value left behind.
func merge(decoded, validated []error) []error {
	reported := map[int]bool{}
	out := append([]error(nil), decoded...)
	for _, e := range decoded {
		var ce *Error
		if errors.As(e, &ce) {
			reported[ce.Line] = true
		}
	}
	for _, e := range validated {
		var ce *Error
		if errors.As(e, &ce) && reported[ce.Line] {
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return lineOf(out[i]) < lineOf(out[j]) })
	return out
}

func lineOf(err error) int {
	var ce *Error
	if errors.As(err, &ce) {
		return ce.Line
	}
	return 0
}

// nodeLine is the line of n, or 1 when n is missing.
func nodeLine(n *yaml.Node) int {
	if n == nil {
		return 1
	}
	return n.Line
}

var topicID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

type validator struct {
	file     string
	root     *yaml.Node
	errs     []error
	warnings []*Error
}

func (v *validator) errorf(at *yaml.Node, format string, args ...any) {
	v.errs = append(v.errs, v.at(at, format, args...))
}

func (v *validator) warnf(at *yaml.Node, format string, args ...any) {
	v.warnings = append(v.warnings, v.at(at, format, args...))
}

// at places a message at a node's line of the file (line 1 without one).
func (v *validator) at(n *yaml.Node, format string, args ...any) *Error {
	line := 1
	if n != nil {
		line = n.Line
	}
	return &Error{File: v.file, Line: line, Msg: fmt.Sprintf(format, args...)}
}

func (v *validator) check(c *Config) {
	if len(c.Feeds) == 0 {
		v.errorf(keyNode(v.root, "feeds"), "feeds: at least one feed is required")
	}
	feedLines := map[string]int{}
	for i := range c.Feeds {
		f := &c.Feeds[i]
		n := find(v.root, "feeds", i)
		u, err := url.Parse(f.URL)
		switch {
		case f.URL == "":
			v.errorf(n, "feeds[%d]: url is required", i)
			continue
		case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
			v.errorf(find(n, "url"), "feeds[%d]: url %q is not an http or https address", i, f.URL)
			continue
		}
		if first, dup := feedLines[f.URL]; dup {
			v.errorf(find(n, "url"), "feeds[%d]: url %q is listed twice (first at line %d)", i, f.URL, first)
		}
		feedLines[f.URL] = nodeLine(find(n, "url"))
		if f.Name == "" {
			f.Name = u.Hostname()
		}
		if f.Every != 0 && f.Schedule != "" {
			v.errorf(find(n, "every"), "feeds[%d]: give every or schedule, not both", i)
		}
		if f.Every < 0 || f.Every > 0 && f.Every < Duration(time.Minute) {
			v.errorf(find(n, "every"), "feeds[%d]: every must be at least 1m", i)
		}
		if f.Schedule != "" {
			if _, err := cron.ParseStandard(f.Schedule); err != nil {
				v.errorf(find(n, "schedule"), "feeds[%d]: schedule %q is not a valid cron spec: %v", i, f.Schedule, err)
			}
		}
		for j, t := range f.Tags {
			if t == "" {
				v.errorf(find(n, "tags", j), "feeds[%d]: tags[%d] is empty", i, j)
			}
		}
	}

	if len(c.Topics) == 0 {
		v.errorf(keyNode(v.root, "topics"), "topics: at least one topic is required")
	}
	idLines := map[string]int{}
	for i := range c.Topics {
		t := &c.Topics[i]
		n := find(v.root, "topics", i)
		switch {
		case t.ID == "":
			v.errorf(n, "topics[%d]: id is required", i)
		case !topicID.MatchString(t.ID):
			v.errorf(find(n, "id"), "topics[%d]: id %q must be lower-case letters, digits and hyphens", i, t.ID)
		default:
			if first, dup := idLines[t.ID]; dup {
				v.errorf(find(n, "id"), "topics[%d]: duplicate topic id %q (first defined at line %d)", i, t.ID, first)
			}
			idLines[t.ID] = nodeLine(find(n, "id"))
		}
		if t.Name == "" {
			t.Name = t.ID
		}
		qn := find(n, "query")
		if qn == nil {
			qn = n
		}
		warnings, err := match.CheckQuery(t.Query)
		if err != nil {
			v.errorf(qn, "topic %q: query: %v", t.ID, err)
		}
		t.Warnings = warnings
		for _, w := range warnings {
			v.warnf(qn, "topic %q: query: %v", t.ID, w)
		}
		for _, ex := range append(append([]Example(nil), t.Examples.Match...), t.Examples.NoMatch...) {
			if strings.TrimSpace(ex.Text) == "" {
				v.errorf(&yaml.Node{Line: ex.Line}, "topic %q: an example is empty", t.ID)
			}
		}
	}

	p := &c.Poll
	pn := find(v.root, "poll")
	if p.Schedule == "" {
		if find(pn, "schedule") != nil {
			v.errorf(find(pn, "schedule"), "poll.schedule is empty")
		}
		p.Schedule = DefaultSchedule
	} else if _, err := cron.ParseStandard(p.Schedule); err != nil {
		v.errorf(find(pn, "schedule"), "poll.schedule %q is not a valid cron spec: %v (want five fields, minute hour day month weekday, such as \"*/15 * * * *\", or \"@every 15m\")", p.Schedule, err)
	}
	if find(pn, "max_age") == nil {
		p.MaxAge = DefaultMaxAge
	} else if p.MaxAge <= 0 {
		v.errorf(find(pn, "max_age"), "poll.max_age must be positive")
	}
	if find(pn, "workers") == nil {
		p.Workers = DefaultWorkers
	} else if p.Workers < 1 || p.Workers > 256 {
		v.errorf(find(pn, "workers"), "poll.workers must be between 1 and 256, not %d", p.Workers)
	}
	if find(pn, "per_host") == nil {
		p.PerHost = DefaultPerHost
	} else if p.PerHost < 1 || p.PerHost > 64 {
		v.errorf(find(pn, "per_host"), "poll.per_host must be between 1 and 64, not %d", p.PerHost)
	}
	if find(pn, "timeout") == nil {
		p.Timeout = DefaultTimeout
	} else if p.Timeout < Duration(time.Second) {
		v.errorf(find(pn, "timeout"), "poll.timeout must be at least 1s")
	}
	if find(pn, "max_size") == nil {
		p.MaxSize = DefaultMaxSize
	} else if p.MaxSize < 1024 {
		v.errorf(find(pn, "max_size"), "poll.max_size must be at least 1KB")
	}

	for _, d := range []struct {
		key string
		val *Duration
		def Duration
	}{{"min_interval", &p.MinInterval, DefaultMinInterval}, {"max_interval", &p.MaxInterval, DefaultMaxInterval}, {"failing_after", &p.FailingAfter, DefaultFailingAfter}} {
		if find(pn, d.key) == nil {
			*d.val = d.def
		} else if *d.val < Duration(time.Minute) {
			v.errorf(find(pn, d.key), "poll.%s must be at least 1m", d.key)
		}
	}
	if p.MaxInterval < p.MinInterval {
		v.errorf(find(pn, "max_interval"), "poll.max_interval (%s) is shorter than poll.min_interval (%s)", p.MaxInterval, p.MinInterval)
	}

	v.checkDigest(c)
	v.checkDashboard(c)
	if r := c.Storage.Retention; r < 0 || r > 0 && r < c.Poll.MaxAge {
		v.errorf(find(v.root, "storage", "retention"), "storage.retention (%s) must be at least poll.max_age (%s), so that an item pruned and seen again is not flagged again", r, c.Poll.MaxAge)
	}

	if c.Storage.Path == "" {
		if sn := find(v.root, "storage", "path"); sn != nil {
			v.errorf(sn, "storage.path is empty")
		}
		c.Storage.Path = DefaultDBPath
	}
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
