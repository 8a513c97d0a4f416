package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/robfig/cron/v3"

	"newswatch/digest"
	"newswatch/feeds"
	"newswatch/internal/config"
	"newswatch/internal/metrics"
	"newswatch/internal/poller"
	"newswatch/match"
	"newswatch/storage"
)

// Main is a configured newswatch: its config, database, matcher and poller,
// wired together. It is built by openMain and released by Close.
type Main struct {
	Config  *config.Config
	DB      *storage.DB
	Matcher *match.Matcher
	Poller  *poller.Poller
	Digest  *digest.Service
	Metrics *metrics.Metrics
	Log     *slog.Logger
	// Now is the clock every part uses.
	Now func() time.Time
	// ShutdownGrace is how long Run lets a poll in flight finish once its
	// context ends, before abandoning it.
	ShutdownGrace time.Duration

	flags     common    // to find the config again on SIGHUP
	lastPrune time.Time // by the poll job only
}

// loadConfig loads the config named by the flags and applies -db.
func loadConfig(c common) (*config.Config, error) {
	cfg, err := config.Load(c.config)
	if err != nil {
		return nil, err
	}
	if c.db != "" {
		cfg.Storage.Path = c.db
	}
	return cfg, nil
}

// newDigestService wires the digest: its mailer (SMTP when digest.smtp.host
// is set, else the outbox folder), schedule and recipients.
func newDigestService(cfg *config.Config, db *storage.DB, log *slog.Logger, now func() time.Time) (*digest.Service, error) {
	d := cfg.Digest
	var mailer digest.Mailer = digest.Outbox{Dir: d.Outbox}
	if d.SMTP.Host != "" {
		password := ""
		if d.SMTP.PasswordEnv != "" {
			var ok bool
			if password, ok = os.LookupEnv(d.SMTP.PasswordEnv); !ok {
				return nil, fmt.Errorf("digest.smtp.password_env names %s, which is not set in the environment", d.SMTP.PasswordEnv)
			}
		}
		m, err := digest.NewSMTP(d.SMTP.Host, d.SMTP.Port, d.SMTP.TLS, d.SMTP.Username, password)
		if err != nil {
			return nil, err
		}
		mailer = m
	}
	sched, err := cron.ParseStandard(d.Schedule)
	if err != nil {
		return nil, fmt.Errorf("digest.schedule: %w", err)
	}
	names := map[string]digest.Topic{}
	var all []digest.Topic
	for _, t := range cfg.Topics {
		names[t.ID] = digest.Topic{ID: t.ID, Name: t.Name}
		all = append(all, names[t.ID])
	}
	s := &digest.Service{Store: db, Mailer: mailer, Schedule: digest.InZone{Spec: sched, Loc: d.Location}, Location: d.Location,
		From: d.From, SkipEmpty: d.SkipEmpty, Now: now, Log: log}
	for _, f := range cfg.Feeds {
		s.Feeds = append(s.Feeds, f.URL)
	}
	for _, r := range d.To {
		rec := digest.Recipient{Address: r.Address, Topics: all}
		if len(r.Topics) > 0 {
			rec.Topics = nil
			for _, t := range cfg.Topics { // config order, whatever the recipient's order
				for _, want := range r.Topics {
					if want == t.ID {
						rec.Topics = append(rec.Topics, names[t.ID])
					}
				}
			}
		}
		s.Recipients = append(s.Recipients, rec)
	}
	return s, nil
}

// newFetcher returns the fetcher the config describes.
func newFetcher(cfg *config.Config) *feeds.Fetcher {
	return feeds.NewFetcher(feeds.Options{
		Timeout:   time.Duration(cfg.Poll.Timeout),
		MaxBytes:  int64(cfg.Poll.MaxSize),
		UserAgent: cfg.Poll.UserAgent,
	})
}

// configOrExit loads the config the flags name, or prints why it cannot
// and returns nil with the exit code.
func configOrExit(c common, stderr io.Writer) (*config.Config, int) {
	cfg, err := loadConfig(c)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: config is invalid:\n%v\n", err)
		return nil, exitUsage
	}
	return cfg, -1
}

// openDB opens the database for writing or, when the system will not let
// it be written, for reading (logged): the dashboard and the listings work,
// polls and digests do not (DB.ReadOnly tells).
func openDB(path string, log *slog.Logger) (*storage.DB, error) {
	db, err := storage.Open(path, storage.DefaultLockTimeout)
	if !errors.Is(err, storage.ErrReadOnly) {
		return db, err
	}
	ro, rerr := storage.OpenReadOnly(path, storage.DefaultLockTimeout)
	if rerr != nil {
		return nil, err
	}
	log.Error("the database cannot be written, so it is open for reading only: no polls, no digests, until it can be written and newswatch restarts", "err", err)
	return ro, nil
}

// openMain loads the config, opens the database and wires the poller. On
// failure it prints why to stderr and returns the exit code.
func openMain(c common, stderr io.Writer) (*Main, int) {
	log, err := newLogger(stderr, c.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return nil, exitUsage
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return nil, code
	}
	db, err := openDB(cfg.Storage.Path, log)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return nil, exitError
	}
	m := &Main{DB: db, Log: log, Now: time.Now, ShutdownGrace: 10 * time.Second, Metrics: metrics.New(), flags: c}
	if err := m.wire(cfg); err != nil {
		db.Close()
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return nil, exitUsage
	}
	return m, exitOK
}

// wire builds what depends on the config — matcher, poller, digest — over
// the open database, and makes cfg the config in force.
func (m *Main) wire(cfg *config.Config) error {
	matcher, err := match.Compile(cfg.MatchTopics())
	if err != nil { // config.Load has checked every query
		return err
	}
	for _, w := range cfg.Warnings {
		m.Log.Warn("config: "+w.Msg, "file", w.File, "line", w.Line)
	}
	d, err := newDigestService(cfg, m.DB, m.Log, func() time.Time { return m.Now() })
	if err != nil {
		return err
	}
	d.Observe = m.Metrics.Digest
	m.Config, m.Matcher, m.Digest = cfg, matcher, d
	m.Poller = &poller.Poller{
		Store:   m.DB,
		Fetcher: newFetcher(cfg),
		Matcher: matcher,
		Workers: cfg.Poll.Workers,
		PerHost: cfg.Poll.PerHost,
		Schedule: poller.Schedule{
			Min:          time.Duration(cfg.Poll.MinInterval),
			Max:          time.Duration(cfg.Poll.MaxInterval),
			FailingAfter: time.Duration(cfg.Poll.FailingAfter),
		},
		MaxAge: time.Duration(cfg.Poll.MaxAge),
		Now:    func() time.Time { return m.Now() },
		Log:    m.Log,
	}
	return nil
}

// Feeds returns the configured feeds in the poller's terms.
func (m *Main) Feeds() []poller.Feed {
	out := make([]poller.Feed, len(m.Config.Feeds))
	for i, f := range m.Config.Feeds {
		out[i] = poller.Feed{URL: f.URL, Name: f.Name, Every: time.Duration(f.Every)}
		if f.Schedule != "" {
			out[i].Cron, _ = cron.ParseStandard(f.Schedule) // validated by config.Load
		}
	}
	return out
}

// Close closes the database.
func (m *Main) Close() error {
	return m.DB.Close()
}
