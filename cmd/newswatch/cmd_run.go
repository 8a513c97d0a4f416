package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/robfig/cron/v3"

	"newswatch/internal/config"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	fs := newFlagSet("run", "", "Run the daemon: poll the due feeds now, then whenever poll.schedule wakes it; send\nthe digest on digest.schedule; serve the dashboard. On SIGINT or SIGTERM it starts no\nnew poll, lets the one in flight finish for -grace, then abandons it (nothing\nhalf-written) and closes the database. On SIGHUP it reads the config again: a valid\none takes over, a broken one is refused and logged.", stderr, &c, "info")
	grace := fs.Duration("grace", 10*time.Second, "how long a poll in flight may go on after SIGINT or SIGTERM")
	if code := parseFlags(fs, args); code >= 0 {
		return code
	}
	m, code := openMain(c, stderr)
	if m == nil {
		return code
	}
	m.ShutdownGrace = *grace
	err := m.Run(ctx)
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitError
	}
	return exitOK
}

// Run runs the daemon until ctx ends: see run. On SIGHUP it reads the
// config file again; a valid new config replaces the running one (the
// daemon stops its work as on a shutdown, then starts again with the new
// feeds, topics, digest and dashboard over the same database), and a broken
// one is refused with its error logged while the running one goes on.
func (m *Main) Run(ctx context.Context) error {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	for {
		runCtx, stop := context.WithCancel(ctx)
		next := make(chan *config.Config, 1)
		watched := make(chan struct{})
		go func() { // owned by this turn of the loop, which waits for it
			defer close(watched)
			for {
				select {
				case <-runCtx.Done():
					return
				case <-hup:
				}
				cfg, err := loadConfig(m.flags)
				if err != nil {
					m.Log.Error("config reload refused; the running config goes on", "err", err)
					continue
				}
				if cfg.Storage.Path != m.Config.Storage.Path {
					m.Log.Warn("storage.path changed: it takes effect at the next start, not on reload")
				}
				next <- cfg
				stop()
				return
			}
		}()
		err := m.run(runCtx)
		stop()
		<-watched
		if err != nil {
			return err
		}
		select {
		case cfg := <-next:
			if ctx.Err() == nil {
				if err := m.wire(cfg); err != nil {
					return fmt.Errorf("reload: %w", err)
				}
				m.Log.Info("config reloaded", "feeds", len(cfg.Feeds), "topics", len(cfg.Topics))
				continue
			}
		default:
		}
		m.Log.Info("newswatch stopped")
		return nil
	}
}

// run polls the feeds that are due at once and then whenever the configured
// schedule wakes it (each feed has its own next poll time, see
// poller.Schedule), until ctx ends. Then it takes no new work, gives a poll in flight
// ShutdownGrace to finish, abandons it after that (every feed's results are
// written atomically, so an abandoned feed leaves nothing half-written), and
// returns. The caller closes the database.
func (m *Main) run(ctx context.Context) error {
	if m.DB.ReadOnly() {
		return m.runReadOnly(ctx)
	}
	sched, err := cron.ParseStandard(m.Config.Poll.Schedule)
	if err != nil {
		return fmt.Errorf("poll.schedule: %w", err)
	}
	logger := cronLogger{m.Log}
	// Polls get their own context: the signal stops the schedule at once,
	// but a poll in flight is canceled only after the grace period.
	pollCtx, abandon := context.WithCancel(context.WithoutCancel(ctx))
	defer abandon()
	// One chain for the start-up poll and the scheduled ones, so that a tick
	// during a poll is skipped whichever started it.
	job := cron.NewChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)).Then(cron.FuncJob(func() {
		m.pollOnce(pollCtx)
	}))
	// "Poll now" from the dashboard runs the same job, so it is skipped
	// while a poll runs; Run waits for it at shutdown.
	var actions sync.WaitGroup
	stopDashboard, err := m.serveDashboard(func() error {
		actions.Add(1)
		go func() {
			defer actions.Done()
			job.Run()
		}()
		return nil
	})
	if err != nil {
		return err
	}
	c := cron.New(cron.WithLogger(logger))
	c.Schedule(sched, job)
	m.Log.Info("newswatch started", "feeds", len(m.Config.Feeds), "topics", len(m.Config.Topics), "schedule", m.Config.Poll.Schedule,
		"digest", m.Config.Digest.Schedule+" "+m.Config.Digest.Timezone, "db", m.DB.Path())
	c.Start()

	var first sync.WaitGroup
	first.Add(1)
	go func() { // the start-up poll; owned by Run, which waits for it below
		defer first.Done()
		job.Run()
	}()
	digestCtx, stopDigest := context.WithCancel(ctx)
	defer stopDigest()
	digestDone := make(chan struct{})
	go func() { // the digest: the missed one at start-up, then on its schedule
		defer close(digestDone)
		m.Digest.Run(digestCtx)
	}()

	<-ctx.Done()
	stopDashboard() // no new actions
	<-digestDone    // a send in flight is abandoned; its watermark did not move
	m.Log.Info("stopping: no new polls", "grace", m.ShutdownGrace)
	stopped := c.Stop()
	done := make(chan struct{})
	go func() {
		first.Wait()
		actions.Wait()
		<-stopped.Done() // done when the polls cron started have returned
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(m.ShutdownGrace):
		m.Log.Warn("abandoning the poll in flight")
		abandon()
		<-done
	}
	return nil
}

// runReadOnly serves the dashboard over a database that cannot be written,
// until ctx ends: what was stored stays readable, nothing new is polled or
// sent.
func (m *Main) runReadOnly(ctx context.Context) error {
	stopDashboard, err := m.serveDashboard(func() error {
		return errors.New("the database is read-only: no polls until it can be written and newswatch restarts")
	})
	if err != nil {
		return err
	}
	m.Log.Warn("newswatch started read-only: serving the dashboard; polls and digests are off", "db", m.DB.Path())
	<-ctx.Done()
	stopDashboard()
	return nil
}

// pollOnce polls the feeds that are due and logs the totals.
func (m *Main) pollOnce(ctx context.Context) {
	all := m.Feeds()
	due, err := m.Poller.Due(all, m.Now())
	if err != nil {
		m.Log.Error("poll cycle: cannot read feed schedules", "err", err)
		return
	}
	if len(due) == 0 {
		m.Log.Debug("poll cycle: no feed is due", "feeds", len(all))
		return
	}
	rep := m.Poller.Poll(ctx, due, nil)
	m.Metrics.Poll(rep)
	t := rep.Totals()
	attrs := []any{"feeds", t.Feeds, "of", len(all), "ok", t.OK, "not_modified", t.NotModified, "failed", t.Failed,
		"new_items", t.New, "new_matches", t.Matches, "elapsed", rep.Finished.Sub(rep.Started).Round(time.Millisecond)}
	if t.Canceled > 0 {
		attrs = append(attrs, "canceled", t.Canceled)
	}
	if rep.StorageErr != nil {
		m.Log.Error("poll cycle could not store all results", append(attrs, "err", rep.StorageErr)...)
		return
	}
	m.Log.Info("poll cycle done", attrs...)
	m.prune()
}

// prune applies storage.retention, at most once a day.
func (m *Main) prune() {
	keep := time.Duration(m.Config.Storage.Retention)
	now := m.Now()
	if keep <= 0 || now.Sub(m.lastPrune) < 24*time.Hour {
		return
	}
	m.lastPrune = now
	p, err := m.DB.Prune(now.Add(-keep))
	if err != nil {
		m.Log.Error("prune", "err", err)
		return
	}
	m.Log.Info("pruned", "before", now.Add(-keep).Format(time.RFC3339), "matches", p.Matches, "articles", p.Articles, "seen", p.Seen)
}

// cronLogger lets robfig/cron log through slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
