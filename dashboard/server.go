// Package dashboard serves newswatch's local web pages, its JSON API, Atom
// feeds of matches and a health check, read from storage through Store.
//
// Everything from feeds is text: html/template escapes it, links to it carry
// rel="noopener noreferrer", and a Content-Security-Policy forbids scripts
// and remote content. The pages need no JavaScript.
package dashboard

import (
	"context"
	"crypto/subtle"
	"embed"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"newswatch/storage"
)

// Store is what the dashboard reads.
type Store interface {
	// MatchesPage lists matches, newest published first, a page at a time.
	MatchesPage(q storage.Query) ([]storage.Match, string, error)
	// Feeds returns the state of every feed ever polled.
	Feeds() ([]storage.FeedState, error)
	// ArticleMatches returns an article and its matches; ok is false when
	// there is no such article.
	ArticleMatches(id uint64) (storage.Article, []storage.Match, bool, error)
	// DailyCounts counts each topic's matches per day over days days.
	DailyCounts(now time.Time, days int) (map[string][]int, error)
	// Digests returns the digests sent, newest first.
	Digests(limit int) ([]storage.SentDigest, error)
}

// Snapshot is a consistent copy of the database (a *storage.Snapshot),
// read once and then closed.
type Snapshot interface {
	io.ReadCloser
	// Size returns the length of the copy in bytes.
	Size() int64
}

// Topic is a configured topic.
type Topic struct {
	ID, Name string
	// Warnings are what the topic's query says that is easily misread
	// (match.Warnings), shown on the topics page.
	Warnings []string
}

// Feed is a configured feed.
type Feed struct{ URL, Name string }

// Server serves the dashboard. Its fields must be set before Handler.
type Server struct {
	Store  Store
	Topics []Topic
	Feeds  []Feed
	// Token, when set, must come with every request, as "Authorization:
	// Bearer TOKEN" or a token query parameter.
	Token string
	// PageSize is the number of matches per page (default 50).
	PageSize int
	// MaxScan caps the matches one page examines (default 20,000): with a
	// feed or text filter that few matches pass, the page is cut there and
	// offers to search on, rather than reading every stored match (19 s
	// for a million) while its client waits.
	MaxScan int
	// FailingAfter is how long a feed fails before it shows as failing
	// rather than failed (poll.failing_after).
	FailingAfter time.Duration
	// Explainer, when set, explains each match on the article page.
	Explainer Explainer
	// Preview, when set, returns the subject and text of the next digest.
	Preview func() (subject, text string, err error)
	// PollNow and SendDigest, when set, back the two actions (POST, guarded
	// against cross-site requests): poll every due feed now, send the
	// digest now.
	PollNow    func() error
	SendDigest func(ctx context.Context) error
	// Backup, when set, takes a consistent copy of the database for
	// GET /api/backup ("newswatch backup" uses it while the daemon runs).
	Backup func() (Snapshot, error)
	// Metrics, when set, is served at /metrics; Observe is told of every
	// request, by route pattern.
	Metrics http.Handler
	Observe func(route string, code int, d time.Duration)
	Now     func() time.Time
	Log     *slog.Logger

	// backingUp is held while a backup is taken and sent: each takes a
	// copy of the database on the disk, and copies side by side could
	// fill it.
	backingUp sync.Mutex
}

//go:embed templates static
var files embed.FS

// pages are parsed once, when the package loads.
var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"marked": func(s storage.Snippet) template.HTML {
		return template.HTML(s.Marked("<mark>", "</mark>", template.HTMLEscapeString))
	},
	"join": strings.Join,
}).ParseFS(files, "templates/*.html"))

// csp forbids every script, inline or not, and everything remote.
const csp = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Handler returns the dashboard's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.matchesPage)
	mux.HandleFunc("GET /feeds", s.feedsPage)
	mux.HandleFunc("GET /articles/{id}", s.articlePage)
	mux.HandleFunc("GET /topics", s.topicsPage)
	mux.HandleFunc("GET /digests", s.digestsPage)
	mux.HandleFunc("GET /feeds/{file}", s.atomFeed)
	mux.HandleFunc("GET /api/matches", s.apiMatches)
	mux.HandleFunc("GET /api/topics", s.apiTopics)
	mux.HandleFunc("GET /api/feeds", s.apiFeeds)
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /api/backup", s.backup)
	mux.HandleFunc("POST /actions/poll", s.actionPoll)
	mux.HandleFunc("POST /actions/digest", s.actionDigest)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics)
	}
	mux.Handle("GET /static/", http.FileServerFS(files))
	// State changes are POSTs, refused when they come from another site.
	return s.secure(s.observe(http.NewCrossOriginProtection().Handler(mux)))
}

// observe times every request for Observe.
func (s *Server) observe(next http.Handler) http.Handler {
	if s.Observe == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" {
			route = "unmatched"
		}
		s.Observe(route, sw.code, time.Since(start))
	})
}

type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(code int) {
	w.code = code
	w.ResponseWriter.WriteHeader(code)
}

func (s *Server) backup(w http.ResponseWriter, r *http.Request) {
	if s.Backup == nil {
		http.Error(w, "backups are not available here", http.StatusNotImplemented)
		return
	}
	if !s.backingUp.TryLock() {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "a backup is already being taken: try again when it is done", http.StatusServiceUnavailable)
		return
	}
	defer s.backingUp.Unlock()
	snap, err := s.Backup()
	if err != nil {
		s.log().Error("backup", "err", err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer snap.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", `attachment; filename="newswatch.db"`)
	// With its length declared, a copy cut short is an error to the client.
	w.Header().Set("Content-Length", strconv.FormatInt(snap.Size(), 10))
	if _, err := io.Copy(w, snap); err != nil {
		s.log().Error("backup", "err", err)
	}
}

func (s *Server) actionPoll(w http.ResponseWriter, r *http.Request) {
	if s.PollNow == nil {
		http.Error(w, "polling is not available here", http.StatusNotImplemented)
		return
	}
	if err := s.PollNow(); err != nil {
		http.Error(w, err.Error(), http.StatusConflict)
		return
	}
	http.Redirect(w, r, "/feeds?polling=1", http.StatusSeeOther)
}

func (s *Server) actionDigest(w http.ResponseWriter, r *http.Request) {
	if s.SendDigest == nil {
		http.Error(w, "sending digests is not available here", http.StatusNotImplemented)
		return
	}
	if err := s.SendDigest(r.Context()); err != nil {
		s.log().Error("send digest", "err", err)
		http.Error(w, "the digest could not be sent: "+err.Error(), http.StatusBadGateway)
		return
	}
	http.Redirect(w, r, "/digests?sent=1", http.StatusSeeOther)
}

// secure adds the security headers and checks the token.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		if s.Token != "" && !s.authorized(r) {
			http.Error(w, "a valid token is required", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	got := r.URL.Query().Get("token")
	if auth, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got = auth
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.Token)) == 1
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func (s *Server) fail(w http.ResponseWriter, err error) {
	s.log().Error("dashboard", "err", err)
	http.Error(w, "the database could not be read", http.StatusInternalServerError)
}
