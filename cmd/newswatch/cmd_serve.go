package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"newswatch/dashboard"
)

func cmdServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("serve", "", "Serve the dashboard on dashboard.listen without polling, until SIGINT or SIGTERM.\nnewswatch run serves it too; only one of them can hold the database.", stderr, &c, "info")
	if code := parseFlags(flags, args); code >= 0 {
		return code
	}
	m, code := openMain(c, stderr)
	if m == nil {
		return code
	}
	defer m.Close()
	stop, err := m.serveDashboard(nil)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitError
	}
	<-ctx.Done()
	stop()
	return exitOK
}

// serveDashboard starts the dashboard on dashboard.listen, unless it is
// "off", and returns the function that stops it; pollNow, when not nil,
// backs its "poll now" action. It fails when the address cannot be
// listened on or the token's environment variable is not set.
func (m *Main) serveDashboard(pollNow func() error) (stop func(), err error) {
	cfg := m.Config.Dashboard
	if cfg.Listen == "off" {
		return func() {}, nil
	}
	s := &dashboard.Server{Store: m.DB, Now: m.Now, Log: m.Log, Explainer: m.Matcher,
		FailingAfter: time.Duration(m.Config.Poll.FailingAfter),
		Preview: func() (string, string, error) {
			d, err := m.Digest.Next(m.Digest.Recipients[0], m.Now())
			if err != nil {
				return "", "", err
			}
			return d.Subject, d.Text, nil
		},
		PollNow:    pollNow,
		SendDigest: func(ctx context.Context) error { return m.Digest.SendPeriod(ctx, m.Now()) },
		Backup: func() (dashboard.Snapshot, error) {
			s, err := m.DB.Snapshot()
			if err != nil {
				return nil, err // not a nil *storage.Snapshot in the interface
			}
			return s, nil
		},
		Metrics: m.Metrics.Handler(),
		Observe: m.Metrics.Request,
	}
	if cfg.TokenEnv != "" {
		token, ok := os.LookupEnv(cfg.TokenEnv)
		if !ok || token == "" {
			return nil, fmt.Errorf("dashboard.token_env names %s, which is not set in the environment", cfg.TokenEnv)
		}
		s.Token = token
	}
	for _, t := range m.Config.Topics {
		dt := dashboard.Topic{ID: t.ID, Name: t.Name}
		for _, w := range t.Warnings {
			dt.Warnings = append(dt.Warnings, w.String())
		}
		s.Topics = append(s.Topics, dt)
	}
	for _, f := range m.Config.Feeds {
		s.Feeds = append(s.Feeds, dashboard.Feed{URL: f.URL, Name: f.Name})
	}
	l, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("dashboard: %w", err)
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	done := make(chan struct{})
	go func() { // owned by the returned stop
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.Log.Error("dashboard stopped", "err", err)
		}
	}()
	m.Log.Info("dashboard listening", "addr", "http://"+l.Addr().String()+"/")
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
		<-done
	}, nil
}
