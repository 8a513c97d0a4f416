package dashboard

import (
	"encoding/xml"
	"fmt"
	"net/http"
	"strings"
	"time"

	"newswatch/storage"
)

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string      `xml:"id"`
	Title   string      `xml:"title"`
	Updated string      `xml:"updated"`
	Author  atomPerson  `xml:"author"`
	Links   []atomLink  `xml:"link"`
	Entries []atomEntry `xml:"entry"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Link      atomLink   `xml:"link"`
	Published string     `xml:"published"`
	Updated   string     `xml:"updated"`
	Summary   string     `xml:"summary"`
	Category  []atomCat  `xml:"category"`
	Author    atomPerson `xml:"author"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

// atomFeed serves /feeds/all.atom and /feeds/{topic}.atom: the latest 50
// matches, newest published first.
func (s *Server) atomFeed(w http.ResponseWriter, r *http.Request) {
	name, ok := strings.CutSuffix(r.PathValue("file"), ".atom")
	if !ok {
		http.NotFound(w, r)
		return
	}
	q := storage.Query{Limit: 50}
	title := "newswatch: all topics"
	if name != "all" {
		found := false
		for _, t := range s.Topics {
			if t.ID == name {
				q.Topic, title, found = t.ID, "newswatch: "+t.Name, true
			}
		}
		if !found {
			http.NotFound(w, r)
			return
		}
	}
	ms, _, err := s.Store.MatchesPage(q)
	if err != nil {
		s.fail(w, err)
		return
	}
	self := "http://" + r.Host + r.URL.Path
	updated := s.now()
	if len(ms) > 0 {
		updated = ms[0].MatchedAt
		for _, m := range ms {
			if m.MatchedAt.After(updated) {
				updated = m.MatchedAt
			}
		}
	}
	f := atomFeed{ID: "urn:newswatch:feed:" + name, Title: title, Updated: updated.UTC().Format(time.RFC3339),
		Author: atomPerson{Name: "newswatch"}, Links: []atomLink{{Rel: "self", Href: self}}}
	for _, m := range ms {
		author := m.Article.FeedName
		if author == "" {
			author = "newswatch"
		}
		f.Entries = append(f.Entries, atomEntry{
			ID:        fmt.Sprintf("urn:newswatch:match:%d", m.ID),
			Title:     m.Article.Title,
			Link:      atomLink{Rel: "alternate", Href: m.Article.URL},
			Published: m.Article.Published.UTC().Format(time.RFC3339),
			Updated:   m.MatchedAt.UTC().Format(time.RFC3339),
			Summary:   m.Snippet.Text,
			Category:  []atomCat{{Term: m.Topic}},
			Author:    atomPerson{Name: author},
		})
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(f); err != nil {
		s.log().Error("atom", "err", err)
	}
}
