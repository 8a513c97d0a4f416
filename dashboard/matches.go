package dashboard

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"newswatch/storage"
)

// filter is a matches view: what the URL's query asks for.
type filter struct {
	Topic, Feed, From, To, Text, Cursor string
	Limit                               int
}

// parseFilter reads a matches filter from a URL query; dates are
// YYYY-MM-DD, To inclusive.
func (s *Server) parseFilter(v url.Values) (filter, storage.Query, error) {
	f := filter{Topic: v.Get("topic"), Feed: v.Get("feed"), From: v.Get("from"), To: v.Get("to"),
		Text: strings.TrimSpace(v.Get("q")), Cursor: v.Get("cursor"), Limit: s.pageSize()}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 500 {
			return f, storage.Query{}, fmt.Errorf("limit %q: want 1 to 500", l)
		}
		f.Limit = n
	}
	q := storage.Query{Topic: f.Topic, Feed: f.Feed, Text: f.Text, Cursor: f.Cursor, Limit: f.Limit, MaxScan: s.maxScan()}
	if f.From != "" {
		t, err := time.Parse("2006-01-02", f.From)
		if err != nil {
			return f, q, fmt.Errorf("from %q: want a date such as 2025-03-04", f.From)
		}
		q.Since = t
	}
	if f.To != "" {
		t, err := time.Parse("2006-01-02", f.To)
		if err != nil {
			return f, q, fmt.Errorf("to %q: want a date such as 2025-03-04", f.To)
		}
		q.Until = t.Add(24 * time.Hour)
	}
	return f, q, nil
}

func (s *Server) maxScan() int {
	if s.MaxScan > 0 {
		return s.MaxScan
	}
	return 20000
}

// searchedTo returns how far back a page cut short by MaxScan searched: the
// time of its next cursor, when it has fewer than limit matches.
func searchedTo(ms []storage.Match, next string, limit int) (time.Time, bool) {
	if next == "" || len(ms) >= limit {
		return time.Time{}, false
	}
	t, err := storage.CursorTime(next)
	return t, err == nil
}

// maxFeedChoices is the most feeds the matches page offers in a list:
// 10,000 made every page 750 KB. Beyond it, a feed's matches are reached
// from its row on the feeds page.
const maxFeedChoices = 200

func (s *Server) pageSize() int {
	if s.PageSize > 0 {
		return s.PageSize
	}
	return 50
}

// query writes the filter back as a URL query, with another cursor.
func (f filter) query(cursor string) string {
	v := url.Values{}
	for k, val := range map[string]string{"topic": f.Topic, "feed": f.Feed, "from": f.From, "to": f.To, "q": f.Text, "cursor": cursor} {
		if val != "" {
			v.Set(k, val)
		}
	}
	return v.Encode()
}

// row is one match as the page shows it.
type row struct {
	storage.Match
	TopicName string
	Time      string
	Outlets   []string
}

func (s *Server) rows(ms []storage.Match) []row {
	names := map[string]string{}
	for _, t := range s.Topics {
		names[t.ID] = t.Name
	}
	out := make([]row, len(ms))
	for i, m := range ms {
		r := row{Match: m, TopicName: names[m.Topic], Time: m.Article.Published.Format("2006-01-02 15:04 MST")}
		if r.TopicName == "" {
			r.TopicName = m.Topic
		}
		for _, src := range m.Article.Sources {
			r.Outlets = append(r.Outlets, src.FeedName)
		}
		if len(r.Outlets) == 0 {
			r.Outlets = []string{m.Article.FeedName}
		}
		out[i] = r
	}
	return out
}

func (s *Server) matchesPage(w http.ResponseWriter, r *http.Request) {
	f, q, err := s.parseFilter(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ms, next, err := s.Store.MatchesPage(q)
	if err != nil {
		s.fail(w, err)
		return
	}
	data := map[string]any{"Title": "Matches", "Filter": f, "Topics": s.Topics, "Rows": s.rows(ms)}
	if len(s.Feeds) <= maxFeedChoices {
		data["FeedChoices"] = s.Feeds
	} else if f.Feed != "" {
		name := f.Feed
		for _, fd := range s.Feeds {
			if fd.URL == f.Feed && fd.Name != "" {
				name = fd.Name
			}
		}
		all := f
		all.Feed = ""
		data["FeedName"], data["AllFeeds"] = name, "/?"+all.query("")
	}
	if next != "" {
		data["Next"] = "/?" + f.query(next)
	}
	if t, ok := searchedTo(ms, next, f.Limit); ok {
		data["SearchedTo"] = t.Format("2006-01-02 15:04 MST")
	}
	s.render(w, "matches.html", data)
}

func (s *Server) render(w http.ResponseWriter, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := pages.ExecuteTemplate(w, name, data); err != nil {
		s.log().Error("render", "page", name, "err", err)
	}
}
