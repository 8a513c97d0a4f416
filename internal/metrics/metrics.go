// Package metrics keeps newswatch's Prometheus metrics: polls, fetch errors
// by kind, new items, matches by topic, digest sends and dashboard request
// latencies, in a registry of its own.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"newswatch/feeds"
	"newswatch/internal/poller"
)

// Metrics are the collectors; the zero value is not usable, use New.
type Metrics struct {
	reg         *prometheus.Registry
	polls       *prometheus.CounterVec
	fetchErrors *prometheus.CounterVec
	items       prometheus.Counter
	matches     *prometheus.CounterVec
	digests     *prometheus.CounterVec
	requests    *prometheus.HistogramVec
}

// New registers every collector, with Go's and the process's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newswatch_feed_polls_total",
			Help: "Polls of a feed, by outcome."}, []string{"status"}),
		fetchErrors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newswatch_fetch_errors_total",
			Help: "Failed polls, by kind of error."}, []string{"kind"}),
		items: prometheus.NewCounter(prometheus.CounterOpts{Name: "newswatch_items_new_total",
			Help: "New items read from feeds."}),
		matches: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newswatch_matches_total",
			Help: "Matches flagged, by topic."}, []string{"topic"}),
		digests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "newswatch_digests_total",
			Help: "Digest sends, by result."}, []string{"result"}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "newswatch_http_request_duration_seconds",
			Help: "Dashboard requests, by route and status.", Buckets: prometheus.DefBuckets}, []string{"route", "code"}),
	}
	m.reg.MustRegister(m.polls, m.fetchErrors, m.items, m.matches, m.digests, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in Prometheus's text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// Poll counts the outcome of a poll cycle.
func (m *Metrics) Poll(rep *poller.Report) {
	for _, r := range rep.Results {
		m.polls.WithLabelValues(string(r.Status)).Inc()
		if r.Status == poller.StatusFailed || r.Status == poller.StatusGone {
			m.fetchErrors.WithLabelValues(ErrorKind(r.Err)).Inc()
		}
		m.items.Add(float64(r.New))
		for t, n := range r.Topics {
			m.matches.WithLabelValues(t).Add(float64(n))
		}
	}
}

// Digest counts a digest send.
func (m *Metrics) Digest(err error) {
	if err != nil {
		m.digests.WithLabelValues("failed").Inc()
		return
	}
	m.digests.WithLabelValues("sent").Inc()
}

// Request records a dashboard request.
func (m *Metrics) Request(route string, code int, d time.Duration) {
	m.requests.WithLabelValues(route, strconv.Itoa(code)).Observe(d.Seconds())
}

// ErrorKind sorts a poll's error: http_4xx, http_5xx, too_large, timeout,
// parse, redirect, network.
func ErrorKind(err error) string {
	var se *feeds.StatusError
	switch {
	case err == nil:
		return "none"
	case errors.As(err, &se) && se.Code >= 500:
		return "http_5xx"
	case errors.As(err, &se):
		return "http_4xx"
	case errors.Is(err, feeds.ErrTooLarge):
		return "too_large"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(err.Error(), "Timeout"):
		return "timeout"
	case strings.Contains(err.Error(), "parse feed"):
		return "parse"
	case strings.Contains(err.Error(), "redirect"):
		return "redirect"
	}
	return "network"
}
