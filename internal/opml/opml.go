// Package opml reads and writes OPML 2.0 subscription lists, the format
// feed readers exchange feeds in.
package opml

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// Feed is one subscription: its address, name and tags.
type Feed struct {
	URL  string
	Name string
	Tags []string
}

type document struct {
	XMLName xml.Name `xml:"opml"`
	Version string   `xml:"version,attr"`
	Head    struct {
		Title       string `xml:"title,omitempty"`
		DateCreated string `xml:"dateCreated,omitempty"`
	} `xml:"head"`
	Body struct {
		Outlines []outline `xml:"outline"`
	} `xml:"body"`
}

type outline struct {
	Text     string    `xml:"text,attr"`
	Title    string    `xml:"title,attr,omitempty"`
	Type     string    `xml:"type,attr,omitempty"`
	XMLURL   string    `xml:"xmlUrl,attr,omitempty"`
	HTMLURL  string    `xml:"htmlUrl,attr,omitempty"`
	Category string    `xml:"category,attr,omitempty"`
	Outlines []outline `xml:"outline"`
}

// Read parses an OPML document and returns every outline with an xmlUrl.
// A feed's tags are its category attribute (comma-separated, leading "/"
// dropped) and the texts of the folders it sits in, as readers export them.
func Read(r io.Reader) ([]Feed, error) {
	var doc document
	dec := xml.NewDecoder(io.LimitReader(r, 32<<20))
	dec.Strict = false
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("read OPML: %w", err)
	}
	var out []Feed
	var walk func(os []outline, folders []string)
	walk = func(os []outline, folders []string) {
		for _, o := range os {
			if u := strings.TrimSpace(o.XMLURL); u != "" {
				f := Feed{URL: u, Name: strings.TrimSpace(o.Title)}
				if f.Name == "" {
					f.Name = strings.TrimSpace(o.Text)
				}
				f.Tags = addTags(append([]string(nil), folders...), strings.Split(o.Category, ","))
				out = append(out, f)
			}
			if len(o.Outlines) > 0 {
				sub := folders
				if o.XMLURL == "" && strings.TrimSpace(o.Text) != "" {
					sub = addTags(append([]string(nil), folders...), []string{o.Text})
				}
				walk(o.Outlines, sub)
			}
		}
	}
	walk(doc.Body.Outlines, nil)
	return out, nil
}

func addTags(tags, more []string) []string {
	for _, t := range more {
		t = strings.TrimSpace(strings.Trim(strings.TrimSpace(t), "/"))
		if t == "" {
			continue
		}
		dup := false
		for _, have := range tags {
			dup = dup || have == t
		}
		if !dup {
			tags = append(tags, t)
		}
	}
	return tags
}

// Write writes feeds as an OPML 2.0 document with one flat outline per
// feed, its tags in the category attribute.
func Write(w io.Writer, title string, feeds []Feed, now time.Time) error {
	doc := document{Version: "2.0"}
	doc.Head.Title = title
	doc.Head.DateCreated = now.UTC().Format(time.RFC1123Z)
	for _, f := range feeds {
		doc.Body.Outlines = append(doc.Body.Outlines, outline{
			Text: f.Name, Title: f.Name, Type: "rss", XMLURL: f.URL, Category: strings.Join(f.Tags, ","),
		})
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write OPML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
