package config

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"

	"newswatch/match"
)

// topicID is what a topic's id may be: it names the topic in URLs, in
// mail and on the command line.
var topicID = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

// validator checks a decoded configuration against the file it came from,
// collecting every problem, each at its line, rather than stopping at the
// first.
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
