package dashboard

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"

	"newswatch/storage"
)

// health is a configured feed with its state.
type health struct {
	Feed
	State  storage.FeedState
	Status string
	rank   int
}

// health lists the configured feeds, the worst first.
func (s *Server) health() ([]health, error) {
	states, err := s.Store.Feeds()
	if err != nil {
		return nil, err
	}
	byURL := map[string]storage.FeedState{}
	for _, st := range states {
		byURL[st.URL] = st
	}
	out := make([]health, len(s.Feeds))
	for i, f := range s.Feeds {
		st := byURL[f.URL]
		h := health{Feed: f, State: st}
		h.Status, h.rank = st.Health(s.FailingAfter, s.now())
		out[i] = h
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank < out[j].rank })
	return out, nil
}

// feedsPerPage is how many feeds the feeds page shows at a time: 10,000
// made one page of 2.6 MB.
const feedsPerPage = 200

// statusCount is how many feeds are in one status.
type statusCount struct {
	Status string
	N      int
}

func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request) {
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 {
			http.Error(w, fmt.Sprintf("page %q: want a number from 1", p), http.StatusBadRequest)
			return
		}
		page = n
	}
	hs, err := s.health()
	if err != nil {
		s.fail(w, err)
		return
	}
	// The count of each status, worst first, as hs is sorted.
	var counts []statusCount
	for _, h := range hs {
		if len(counts) == 0 || counts[len(counts)-1].Status != h.Status {
			counts = append(counts, statusCount{Status: h.Status})
		}
		counts[len(counts)-1].N++
	}
	data := map[string]any{"Title": "Feeds", "Total": len(hs), "Counts": counts, "Now": s.now()}
	first := (page - 1) * feedsPerPage
	if first >= len(hs) && page > 1 {
		http.Error(w, fmt.Sprintf("page %d: there are %d feeds, %d a page", page, len(hs), feedsPerPage), http.StatusNotFound)
		return
	}
	last := min(len(hs), first+feedsPerPage)
	data["Feeds"], data["First"], data["Last"] = hs[first:last], first+1, last
	if page > 1 {
		data["Prev"] = fmt.Sprintf("/feeds?page=%d", page-1)
	}
	if last < len(hs) {
		data["Next"] = fmt.Sprintf("/feeds?page=%d", page+1)
	}
	s.render(w, "feeds.html", data)
}
