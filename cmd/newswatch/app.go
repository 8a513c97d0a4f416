package main

import (
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"

	"newswatch/feeds"
	"newswatch/internal/config"
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
	Log     *slog.Logger
	// Now is the clock every part uses.
	Now func() time.Time
	// ShutdownGrace is how long Run lets a poll in flight finish once its
	// context ends, before abandoning it.
	ShutdownGrace time.Duration
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

// newFetcher returns the fetcher the config describes.
func newFetcher(cfg *config.Config) *feeds.Fetcher {
	return feeds.NewFetcher(feeds.Options{
		Timeout:   time.Duration(cfg.Poll.Timeout),
		MaxBytes:  int64(cfg.Poll.MaxSize),
		UserAgent: cfg.Poll.UserAgent,
	})
}

// openMain loads the config, opens the database and wires the poller. On
// failure it prints why to stderr and returns the exit code.
func openMain(c common, stderr io.Writer) (*Main, int) {
	log, err := newLogger(stderr, c.logLevel)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return nil, exitUsage
	}
	cfg, err := loadConfig(c)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: config is invalid:\n%v\n", err)
		return nil, exitUsage
	}
	matcher, err := match.Compile(cfg.MatchTopics())
	if err != nil { // config.Load has checked every query
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return nil, exitUsage
	}
	db, err := storage.Open(cfg.Storage.Path, storage.DefaultLockTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return nil, exitError
	}
	m := &Main{Config: cfg, DB: db, Matcher: matcher, Log: log, Now: time.Now, ShutdownGrace: 10 * time.Second}
	m.Poller = &poller.Poller{
		Store:   db,
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
		Log:    log,
	}
	return m, exitOK
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
