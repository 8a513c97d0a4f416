package dashboard

import (
	"net/http"
	"sort"

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

func (s *Server) feedsPage(w http.ResponseWriter, r *http.Request) {
	hs, err := s.health()
	if err != nil {
		s.fail(w, err)
		return
	}
	s.render(w, "feeds.html", map[string]any{"Title": "Feeds", "Feeds": hs, "Now": s.now()})
}
