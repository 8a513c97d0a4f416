package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"newswatch/storage"
)

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

// apiMatch is a match in the JSON API.
type apiMatch struct {
	ID        uint64    `json:"id"`
	Topic     string    `json:"topic"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Feed      string    `json:"feed"`
	FeedName  string    `json:"feed_name"`
	Published time.Time `json:"published"`
	MatchedAt time.Time `json:"matched_at"`
	Score     int       `json:"score"`
	Terms     []string  `json:"terms"`
	Snippet   string    `json:"snippet"`
	Marks     [][2]int  `json:"snippet_marks"`
}

func (s *Server) apiMatches(w http.ResponseWriter, r *http.Request) {
	_, q, err := s.parseFilter(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ms, next, err := s.Store.MatchesPage(q)
	if err != nil {
		s.fail(w, err)
		return
	}
	out := struct {
		Matches []apiMatch `json:"matches"`
		Next    string     `json:"next,omitempty"`
		// SearchedTo, on a page cut short by MaxScan, is how far back it
		// searched.
		SearchedTo *time.Time `json:"searched_to,omitempty"`
	}{Matches: []apiMatch{}, Next: next}
	if t, ok := searchedTo(ms, next, q.Limit); ok {
		out.SearchedTo = &t
	}
	for _, m := range ms {
		out.Matches = append(out.Matches, apiMatch{ID: m.ID, Topic: m.Topic, Title: m.Article.Title, URL: m.Article.URL,
			Feed: m.Article.Feed, FeedName: m.Article.FeedName, Published: m.Article.Published, MatchedAt: m.MatchedAt,
			Score: m.Score, Terms: m.Terms, Snippet: m.Snippet.Text, Marks: m.Snippet.Marks})
	}
	writeJSON(w, out)
}

func (s *Server) apiTopics(w http.ResponseWriter, r *http.Request) {
	stats, err := s.topicStats(8)
	if err != nil {
		s.fail(w, err)
		return
	}
	type topic struct {
		ID       string  `json:"id"`
		Name     string  `json:"name"`
		Last24h  int     `json:"last_24h"`
		DailyAvg float64 `json:"daily_avg_prev_7d"`
		Spike    bool    `json:"spike"`
	}
	out := []topic{}
	for _, st := range stats {
		out = append(out, topic{ID: st.Topic.ID, Name: st.Topic.Name, Last24h: st.Today, DailyAvg: st.WeekAvg, Spike: st.Spike})
	}
	writeJSON(w, out)
}

// maxFeedsLimit is the most feeds one page of /api/feeds may ask for.
const maxFeedsLimit = 1000

// apiFeeds lists every feed's health, worst first (in the config's order
// within a status); ?status=failing,gone keeps only the feeds in those
// statuses. With ?limit=N it answers one page of at most N feeds (?page=,
// from 1), with the number of feeds in X-Total-Count and, unless it is
// the last page, the next page's address in a Link header (rel="next").
func (s *Server) apiFeeds(w http.ResponseWriter, r *http.Request) {
	query := r.URL.Query()
	limit, page := 0, 1
	if v := query.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxFeedsLimit {
			http.Error(w, fmt.Sprintf("limit %q: want a number from 1 to %d", v, maxFeedsLimit), http.StatusBadRequest)
			return
		}
		limit = n
	}
	if v := query.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || limit == 0 {
			http.Error(w, fmt.Sprintf("page %q: want a number from 1, with a limit", v), http.StatusBadRequest)
			return
		}
		page = n
	}
	var keep map[string]bool
	if v := query.Get("status"); v != "" {
		keep = map[string]bool{}
		for _, st := range strings.Split(v, ",") {
			if !slices.Contains(storage.HealthStatuses, st) {
				http.Error(w, fmt.Sprintf("status %q: want %s", st, strings.Join(storage.HealthStatuses, ", ")), http.StatusBadRequest)
				return
			}
			keep[st] = true
		}
	}
	hs, err := s.health()
	if err != nil {
		s.fail(w, err)
		return
	}
	type feed struct {
		URL         string    `json:"url"`
		Name        string    `json:"name"`
		Status      string    `json:"status"`
		LastSuccess time.Time `json:"last_success,omitzero"`
		LastError   string    `json:"last_error,omitempty"`
		ItemsSeen   int       `json:"items_seen"`
		NextPoll    time.Time `json:"next_poll,omitzero"`
	}
	out := []feed{}
	for _, h := range hs {
		if keep != nil && !keep[h.Status] {
			continue
		}
		out = append(out, feed{URL: h.URL, Name: h.Name, Status: h.Status, LastSuccess: h.State.LastSuccess,
			LastError: h.State.LastError, ItemsSeen: h.State.ItemsSeen, NextPoll: h.State.NextPoll})
	}
	if limit > 0 {
		w.Header().Set("X-Total-Count", strconv.Itoa(len(out)))
		from := min((page-1)*limit, len(out))
		to := min(from+limit, len(out))
		if to < len(out) {
			next := *r.URL
			q := next.Query()
			q.Set("page", strconv.Itoa(page+1))
			next.RawQuery = q.Encode()
			w.Header().Set("Link", "<"+next.RequestURI()+`>; rel="next"`)
		}
		out = out[from:to]
	}
	writeJSON(w, out)
}

// healthz answers 200 when the database can be read, with the last poll.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	states, err := s.Store.Feeds()
	if err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		writeJSON(w, map[string]string{"status": "error", "error": "the database could not be read"})
		return
	}
	var last time.Time
	for _, st := range states {
		if st.LastPoll.After(last) {
			last = st.LastPoll
		}
	}
	writeJSON(w, struct {
		Status   string    `json:"status"`
		LastPoll time.Time `json:"last_poll,omitzero"`
	}{"ok", last})
}
