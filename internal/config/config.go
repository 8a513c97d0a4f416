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
	"os"
	"path/filepath"
	"sort"
	"time"

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
