package poller

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"newswatch/feeds"
	"newswatch/match"
	"newswatch/storage"
)

type cronAt time.Time

func (c cronAt) Next(time.Time) time.Time { return time.Time(c) }

func TestScheduleNext(t *testing.T) {
	now := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	s := Schedule{Base: 15 * time.Minute, Min: 5 * time.Minute, Max: 6 * time.Hour, FailingAfter: 24 * time.Hour,
		Jitter: func(d time.Duration) time.Duration { return d }}
	http503 := fmt.Errorf("fetch x: %w", &feeds.StatusError{Code: 503, Status: "503 Service Unavailable", RetryAfter: 2 * time.Hour})
	http429 := fmt.Errorf("fetch x: %w", &feeds.StatusError{Code: 429, Status: "429 Too Many Requests", RetryAfter: 48 * time.Hour})
	other := fmt.Errorf("fetch x: connection refused")
	tests := []struct {
		name         string
		feed         Feed
		st           storage.FeedState
		o            outcome
		wait, keepIv time.Duration
	}{
		{"new feed with news: twice as often", Feed{}, storage.FeedState{}, outcome{newItems: 3}, 7*time.Minute + 30*time.Second, 7*time.Minute + 30*time.Second},
		{"quiet feed: half as often again", Feed{}, storage.FeedState{Interval: time.Hour}, outcome{}, 90 * time.Minute, 90 * time.Minute},
		{"busy feed stops at the minimum", Feed{}, storage.FeedState{Interval: 6 * time.Minute}, outcome{newItems: 1}, 5 * time.Minute, 5 * time.Minute},
		{"quiet feed stops at the maximum", Feed{}, storage.FeedState{Interval: 5 * time.Hour}, outcome{}, 6 * time.Hour, 6 * time.Hour},
		{"ttl is honoured", Feed{}, storage.FeedState{Interval: 10 * time.Minute}, outcome{newItems: 1, hint: time.Hour}, time.Hour, 5 * time.Minute},
		{"ttl capped by the maximum", Feed{}, storage.FeedState{}, outcome{hint: 24 * time.Hour}, 6 * time.Hour, 22*time.Minute + 30*time.Second},
		{"every: fixed", Feed{Every: 5 * time.Minute}, storage.FeedState{Interval: time.Hour}, outcome{}, 5 * time.Minute, 5 * time.Minute},
		{"cron", Feed{Cron: cronAt(now.Add(42 * time.Minute))}, storage.FeedState{}, outcome{}, 42 * time.Minute, 15 * time.Minute},
		{"first failure backs off one step", Feed{}, storage.FeedState{Interval: time.Hour}, outcome{err: other}, 15 * time.Minute, time.Hour},
		{"fourth failure: eight steps", Feed{}, storage.FeedState{Failures: 3, FailingSince: now.Add(-time.Hour)}, outcome{err: other}, 2 * time.Hour, 15 * time.Minute},
		{"back-off capped", Feed{}, storage.FeedState{Failures: 12, FailingSince: now.Add(-time.Hour)}, outcome{err: other}, 6 * time.Hour, 15 * time.Minute},
		{"Retry-After honoured", Feed{}, storage.FeedState{}, outcome{err: http503}, 2 * time.Hour, 15 * time.Minute},
		{"Retry-After capped", Feed{}, storage.FeedState{}, outcome{err: http429}, 6 * time.Hour, 15 * time.Minute},
		{"failing feed retried rarely", Feed{}, storage.FeedState{Failures: 1, FailingSince: now.Add(-25 * time.Hour)}, outcome{err: other}, 6 * time.Hour, 15 * time.Minute},
	}
	for _, tt := range tests {
		next, iv := s.next(tt.feed, tt.st, tt.o, now)
		if got := next.Sub(now); got != tt.wait || iv != tt.keepIv {
			t.Errorf("%s: wait %v, interval %v; want %v, %v", tt.name, got, iv, tt.wait, tt.keepIv)
		}
	}
	for _, tt := range []struct {
		st   storage.FeedState
		want string
	}{
		{storage.FeedState{Failures: 2, FailingSince: now.Add(-25 * time.Hour)}, "failing"},
		{storage.FeedState{Failures: 2, FailingSince: now.Add(-time.Hour)}, "failed"},
		{storage.FeedState{Gone: true, Failures: 1}, "gone"},
		{storage.FeedState{}, "new"},
		{storage.FeedState{LastPoll: now}, "ok"},
	} {
		if got, _ := tt.st.Health(24*time.Hour, now); got != tt.want {
			t.Errorf("Health(%+v) = %s, want %s", tt.st, got, tt.want)
		}
	}
}

// A poll records each feed's next poll time, and Due keeps only the
// feeds whose time has come.
func TestPollRecordsNextPoll(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ttl":
			w.Write([]byte(`<rss version="2.0"><channel><title>t</title><ttl>120</ttl><item><title>x</title><guid>1</guid></item></channel></rss>`))
		case "/every":
			w.Write([]byte(`<rss version="2.0"><channel><title>e</title></channel></rss>`))
		case "/cached":
			w.Header().Set("Cache-Control", "public, max-age=3600")
			w.Write([]byte(`<rss version="2.0"><channel><title>c</title></channel></rss>`))
		case "/busy":
			w.Header().Set("Retry-After", "7200")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	now := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	p := newPoller(t, db, now, time.Hour, match.Topic{ID: "x", Query: "x"})
	p.Schedule = Schedule{Jitter: func(d time.Duration) time.Duration { return d }}
	list := []Feed{{URL: srv.URL + "/ttl"}, {URL: srv.URL + "/cached"}, {URL: srv.URL + "/busy"}, {URL: srv.URL + "/every", Every: 5 * time.Minute}}
	p.Poll(context.Background(), list, nil)
	want := map[string]time.Duration{"/ttl": 2 * time.Hour, "/cached": time.Hour, "/busy": 2 * time.Hour, "/every": 5 * time.Minute}
	for _, f := range list {
		st, _ := db.FeedState(f.URL)
		if got := st.NextPoll.Sub(now); got != want[f.URL[len(srv.URL):]] {
			t.Errorf("%s: next poll in %v, want %v", f.URL, got, want[f.URL[len(srv.URL):]])
		}
	}
	due, err := p.Due(append(list, Feed{URL: srv.URL + "/never-polled"}), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range due {
		got = append(got, f.URL[len(srv.URL):])
	}
	if fmt.Sprint(got) != "[/cached /every /never-polled]" {
		t.Errorf("due an hour later: %v", got)
	}
}
