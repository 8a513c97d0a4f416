package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"newswatch/match"
)

func cmdCheck(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("check", "", "Validate the config, test every topic against its examples, and print the config's\nwarnings, the feeds, topics and schedule newswatch would use. Exits 1 when an example\nis decided wrongly; warnings alone do not fail it.", stderr, &c, "warn")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	fmt.Fprintf(stdout, "config %s is valid\n\n", cfg.File)
	if len(cfg.Warnings) > 0 {
		fmt.Fprintf(stdout, "warnings (%d):\n", len(cfg.Warnings))
		for _, w := range cfg.Warnings {
			fmt.Fprintf(stdout, "  %v\n", w)
		}
		fmt.Fprintln(stdout)
	}
	fmt.Fprintf(stdout, "feeds (%d):\n", len(cfg.Feeds))
	for _, f := range cfg.Feeds {
		tags := ""
		if len(f.Tags) > 0 {
			tags = " [" + strings.Join(f.Tags, ", ") + "]"
		}
		fmt.Fprintf(stdout, "  %-28s %s%s\n", trimTo(f.Name, 28), f.URL, tags)
	}
	fmt.Fprintf(stdout, "\ntopics (%d):\n", len(cfg.Topics))
	for _, t := range cfg.Topics {
		fmt.Fprintf(stdout, "  %-20s %s\n  %-20s query: %s\n", t.ID, t.Name, "", oneLine(t.Query))
	}
	sched, _ := cron.ParseStandard(cfg.Poll.Schedule) // validated by Load
	next := sched.Next(time.Now())
	fmt.Fprintf(stdout, "\npoll: schedule %q (next %s, then %s)\n", cfg.Poll.Schedule,
		next.Format("2006-01-02 15:04 MST"), sched.Next(next).Format("15:04"))
	fmt.Fprintf(stdout, "      max_age %s, %d workers (%d per host), timeout %s, max_size %s\n",
		cfg.Poll.MaxAge, cfg.Poll.Workers, cfg.Poll.PerHost, cfg.Poll.Timeout, cfg.Poll.MaxSize)
	fmt.Fprintf(stdout, "storage: %s\n", cfg.Storage.Path)
	d := cfg.Digest
	via := "the outbox folder " + d.Outbox
	if d.SMTP.Host != "" {
		via = fmt.Sprintf("SMTP %s:%d (%s)", d.SMTP.Host, d.SMTP.Port, d.SMTP.TLS)
	}
	var to []string
	for _, r := range d.To {
		to = append(to, r.Address)
	}
	dsched, _ := cron.ParseStandard(d.Schedule) // validated by Load
	fmt.Fprintf(stdout, "digest: schedule %q in %s (next %s), to %s, via %s\n", d.Schedule, d.Timezone,
		dsched.Next(time.Now().In(d.Location)).Format("2006-01-02 15:04 MST"), strings.Join(to, ", "), via)

	m, err := match.Compile(cfg.MatchTopics())
	if err != nil { // Load has checked every query
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitUsage
	}
	failures, total := cfg.CheckExamples(m)
	fmt.Fprintf(stdout, "\nexamples: %d of %d decided as written\n", total-len(failures), total)
	for _, f := range failures {
		fmt.Fprintf(stdout, "\n%v\n", f)
		e, _ := m.Explain(f.Topic, match.TextDocument(f.Text))
		fmt.Fprint(stdout, e)
	}
	if len(failures) > 0 {
		fmt.Fprintf(stderr, "newswatch check: %d %s decided wrongly\n", len(failures), plural(len(failures), "example", "examples"))
		return exitError
	}
	return exitOK
}

// oneLine folds a multi-line query onto one line for display.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
