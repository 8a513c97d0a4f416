package dashboard

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"newswatch/match"
	"newswatch/storage"
)

var t0 = time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)

// seeded returns a dashboard over a real database with six matches, one of
// them from a hostile feed.
func seeded(t *testing.T) (*httptest.Server, *storage.DB) {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "nw.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	var items []storage.NewItem
	for i := range 5 {
		items = append(items, storage.NewItem{Key: fmt.Sprintf("k%d", i), Hash: 1,
			Article: storage.Article{Title: fmt.Sprintf("Truce talks %d", i), URL: fmt.Sprintf("https://news.example/%d", i), Published: t0.Add(time.Duration(i) * time.Hour)},
			Hits: []storage.TopicHit{{Topic: "ceasefire", Score: 3, Terms: []string{"Truce"},
				Snippet: storage.Snippet{Text: "A truce in Ukraine", Marks: [][2]int{{2, 7}}}}}})
	}
	items[4].Hits = append(items[4].Hits, storage.TopicHit{Topic: "sanctions", Score: 1, Snippet: storage.Snippet{Text: "oil"}})
	if _, err := db.SaveFeed(storage.FeedUpdate{URL: "https://a.example/feed", FeedName: "Wire", Polled: t0, Items: items}); err != nil {
		t.Fatal(err)
	}
	evil := storage.NewItem{Key: "evil", Hash: 1, Article: storage.Article{
		Title: `<script>alert(1)</script><img src=x onerror=alert(2)>`, URL: "javascript:alert(3)", Published: t0.Add(-time.Hour)},
		Hits: []storage.TopicHit{{Topic: "ceasefire", Score: 1, Snippet: storage.Snippet{Text: `<b>bold</b> truce`, Marks: [][2]int{{12, 17}}}}}}
	if _, err := db.SaveFeed(storage.FeedUpdate{URL: "https://evil.example/feed", FeedName: `Evil <i>Co</i>`, Polled: t0, Items: []storage.NewItem{evil}}); err != nil {
		t.Fatal(err)
	}
	db.SaveFeed(storage.FeedUpdate{URL: "https://down.example/feed", Polled: t0, Err: "HTTP 503"})
	m, err := match.Compile([]match.Topic{{ID: "ceasefire", Query: "truce OR ceasefire"}, {ID: "sanctions", Query: "oil"}})
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Store: db, PageSize: 2, Now: func() time.Time { return t0.Add(time.Hour) }, Explainer: m,
		Preview: func() (string, string, error) {
			return "newswatch: 7 new matches", "== Ceasefire talks <b>(6)</b>", nil
		},
		Topics: []Topic{{ID: "ceasefire", Name: "Ceasefire talks"}, {ID: "sanctions", Name: "Sanctions", Warnings: []string{`column 5: AND binds tighter than OR, so “oil <b>gas</b>” is one alternative`}}},
		Feeds:  []Feed{{"https://a.example/feed", "Wire"}, {"https://evil.example/feed", "Evil"}, {"https://down.example/feed", "Down"}}}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv, db
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestMatchesPage(t *testing.T) {
	srv, _ := seeded(t)
	resp, body := get(t, srv.URL+"/?topic=ceasefire")
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("status %d, CSP %q", resp.StatusCode, resp.Header.Get("Content-Security-Policy"))
	}
	for _, want := range []string{
		`<a class="title" href="https://news.example/4" rel="noopener noreferrer">Truce talks 4</a>`,
		`A <mark>truce</mark> in Ukraine`,
		`<option value="ceasefire" selected>Ceasefire talks</option>`,
		`href="/?cursor=`, // the next page keeps the filter
		`topic=ceasefire`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(body, "Truce talks 2") {
		t.Error("page 1 shows more than PageSize rows")
	}
	// Follow the pages to the end: every ceasefire match once.
	seen := map[string]int{}
	next := "/?topic=ceasefire"
	for next != "" {
		_, body := get(t, srv.URL+strings.ReplaceAll(next, "&amp;", "&"))
		for i := range 5 {
			if strings.Contains(body, fmt.Sprintf(">Truce talks %d<", i)) {
				seen[fmt.Sprint(i)]++
			}
		}
		next = ""
		if i := strings.Index(body, `<p class="more"><a href="`); i >= 0 {
			rest := body[i+len(`<p class="more"><a href="`):]
			next = rest[:strings.Index(rest, `"`)]
		}
	}
	if len(seen) != 5 {
		t.Errorf("paging showed %v, want the five matches once each", seen)
	}
	_, body = get(t, srv.URL+"/?q=talks+3")
	if !strings.Contains(body, "Truce talks 3") || strings.Contains(body, "Truce talks 4") {
		t.Errorf("text filter:\n%s", body)
	}
	_, body = get(t, srv.URL+"/?from=2025-03-05")
	if !strings.Contains(body, "No matches.") {
		t.Error("date filter let through earlier matches")
	}
	if resp, _ := get(t, srv.URL+"/?from=yesterday"); resp.StatusCode != 400 {
		t.Errorf("bad date: status %d", resp.StatusCode)
	}
}

// TestMatchesPageMaxScan: a filter that few matches pass, over more
// matches than a page may examine, gives pages that say how far back they
// searched and link on, never "No matches." before the search is done, and
// the one match the filter passes at the end; the API's pages carry
// searched_to the same way.
func TestMatchesPageMaxScan(t *testing.T) {
	_, db := seeded(t)
	srv := httptest.NewServer((&Server{Store: db, PageSize: 2, MaxScan: 2}).Handler())
	defer srv.Close()
	next := "/?feed=" + url.QueryEscape("https://evil.example/feed")
	var cut, found int
	for pages := 0; next != ""; pages++ {
		if pages > 10 {
			t.Fatal("no end after 10 pages")
		}
		_, body := get(t, srv.URL+strings.ReplaceAll(next, "&amp;", "&"))
		if strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			found++
		}
		next = ""
		if i := strings.Index(body, `. <a href="`); i >= 0 && strings.Contains(body, "Searched back to ") {
			cut++
			if strings.Contains(body, "No matches.") {
				t.Errorf("a page cut short says there are no matches:\n%s", body)
			}
			rest := body[i+len(`. <a href="`):]
			next = rest[:strings.Index(rest, `"`)]
		}
	}
	// Seven matches, two examined a page (the first two both published at
	// t0+4h), the evil feed's the oldest.
	if cut != 3 || found != 1 {
		t.Errorf("%d pages cut short, the match found %d times; want 3 and once", cut, found)
	}

	_, body := get(t, srv.URL+"/api/matches?limit=2&feed="+url.QueryEscape("https://evil.example/feed"))
	var page struct {
		Matches    []apiMatch `json:"matches"`
		Next       string     `json:"next"`
		SearchedTo time.Time  `json:"searched_to"`
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	if len(page.Matches) != 0 || page.Next == "" || !page.SearchedTo.Equal(t0.Add(4*time.Hour)) {
		t.Errorf("API page cut short: %s\nwant no matches, a next cursor and searched_to %s", body, t0.Add(4*time.Hour).Format(time.RFC3339))
	}
}

// Feed text shows as text: no markup, no script, no javascript: link.
func TestHostileFeedIsText(t *testing.T) {
	srv, _ := seeded(t)
	_, body := get(t, srv.URL+"/?feed=https://evil.example/feed")
	for _, bad := range []string{"<script", "<img", "javascript:", "<i>Co", "<b>bold"} {
		if strings.Contains(body, bad) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;", "Evil &lt;i&gt;Co&lt;/i&gt;", "&lt;b&gt;bold&lt;/b&gt; <mark>truce</mark>"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

func TestFeedsPageAndAPI(t *testing.T) {
	srv, _ := seeded(t)
	_, body := get(t, srv.URL+"/feeds")
	if i, j := strings.Index(body, "Down"), strings.Index(body, "Wire"); i < 0 || j < 0 || i > j || !strings.Contains(body, "HTTP 503") {
		t.Errorf("feeds page does not list the failing feed first with its error")
	}
	var feeds []map[string]any
	_, body = get(t, srv.URL+"/api/feeds")
	if err := json.Unmarshal([]byte(body), &feeds); err != nil || len(feeds) != 3 || feeds[0]["status"] != "failing" {
		t.Errorf("api/feeds = %s", body)
	}
	statuses := func(query string) []string {
		t.Helper()
		var feeds []map[string]any
		_, body := get(t, srv.URL+"/api/feeds?status="+query)
		if err := json.Unmarshal([]byte(body), &feeds); err != nil {
			t.Fatalf("api/feeds?status=%s = %s", query, body)
		}
		var got []string
		for _, f := range feeds {
			got = append(got, f["status"].(string))
		}
		return got
	}
	if got := statuses("failing"); !slices.Equal(got, []string{"failing"}) {
		t.Errorf("api/feeds?status=failing lists %v", got)
	}
	if got := statuses("gone,ok"); len(got) != 2 || slices.Contains(got, "failing") {
		t.Errorf("api/feeds?status=gone,ok lists %v", got)
	}
	if resp, body := get(t, srv.URL+"/api/feeds?status=broken"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `status "broken": want gone, failing`) {
		t.Errorf("api/feeds?status=broken: %d %s", resp.StatusCode, body)
	}
	var page struct {
		Matches []map[string]any
		Next    string
	}
	_, body = get(t, srv.URL+"/api/matches?topic=ceasefire&limit=3")
	if err := json.Unmarshal([]byte(body), &page); err != nil || len(page.Matches) != 3 || page.Next == "" || page.Matches[0]["title"] != "Truce talks 4" {
		t.Errorf("api/matches = %s", body)
	}
	var topics []map[string]any
	_, body = get(t, srv.URL+"/api/topics")
	if err := json.Unmarshal([]byte(body), &topics); err != nil || len(topics) != 2 || topics[0]["last_24h"].(float64) != 6 {
		t.Errorf("api/topics = %s", body)
	}
	resp, body := get(t, srv.URL+"/healthz")
	if resp.StatusCode != 200 || !strings.Contains(body, `"status": "ok"`) || !strings.Contains(body, "2025-03-04T12:00:00Z") {
		t.Errorf("healthz: %d %s", resp.StatusCode, body)
	}
}

// /api/feeds?limit= answers pages that, followed by their Link headers,
// list every feed once in the order of the whole list; a bad limit or page
// is refused with the reason.
func TestFeedsAPIPages(t *testing.T) {
	srv, _ := seeded(t)
	urls := func(body string) []string {
		t.Helper()
		var feeds []struct{ URL string }
		if err := json.Unmarshal([]byte(body), &feeds); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		var out []string
		for _, f := range feeds {
			out = append(out, f.URL)
		}
		return out
	}
	_, body := get(t, srv.URL+"/api/feeds")
	all := urls(body)
	if len(all) != 3 {
		t.Fatalf("api/feeds lists %v, want 3 feeds", all)
	}
	var paged []string
	pages := 0
	for next := "/api/feeds?limit=2"; next != ""; pages++ {
		resp, body := get(t, srv.URL+next)
		if got := resp.Header.Get("X-Total-Count"); got != "3" {
			t.Errorf("%s: X-Total-Count %q, want 3", next, got)
		}
		page := urls(body)
		if len(page) == 0 || len(page) > 2 {
			t.Fatalf("%s lists %v", next, page)
		}
		paged = append(paged, page...)
		next = ""
		if link := resp.Header.Get("Link"); link != "" {
			target, ok := strings.CutSuffix(link, `>; rel="next"`)
			if !ok || !strings.HasPrefix(target, "</api/feeds?") {
				t.Fatalf("Link %q", link)
			}
			next = target[1:]
		}
		if pages > 3 {
			t.Fatal("the pages do not end")
		}
	}
	if pages != 2 || !slices.Equal(paged, all) {
		t.Errorf("%d pages listing %v, want 2 pages listing %v", pages, paged, all)
	}
	resp, body := get(t, srv.URL+"/api/feeds?status=ok,gone,failing&limit=1&page=3")
	if got := urls(body); len(got) != 1 || got[0] != all[2] || resp.Header.Get("Link") != "" {
		t.Errorf("the last page of one: %v, Link %q; want [%s] and no Link", got, resp.Header.Get("Link"), all[2])
	}
	if resp, body := get(t, srv.URL+"/api/feeds?limit=2&page=9"); len(urls(body)) != 0 || resp.Header.Get("Link") != "" {
		t.Errorf("a page past the end: %s, Link %q", body, resp.Header.Get("Link"))
	}
	for query, want := range map[string]string{
		"limit=0":        `limit "0": want a number from 1 to 1000`,
		"limit=ten":      `limit "ten": want a number from 1 to 1000`,
		"limit=1001":     `limit "1001": want a number from 1 to 1000`,
		"limit=5&page=0": `page "0": want a number from 1, with a limit`,
		"page=2":         `page "2": want a number from 1, with a limit`,
	} {
		if resp, body := get(t, srv.URL+"/api/feeds?"+query); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("api/feeds?%s: %d %s, want 400 %s", query, resp.StatusCode, body, want)
		}
	}
}

// TestManyFeeds: with more feeds than the matches page lists, the page
// offers no list of them; a feed's row on the feeds page links to its
// matches, which the page then shows with the feed's name and a way back
// to all feeds, the other filters kept.
func TestManyFeeds(t *testing.T) {
	_, db := seeded(t)
	feeds := []Feed{{"https://a.example/feed", "Wire"}, {"https://evil.example/feed", "Evil <i>Co</i>"}}
	for i := range maxFeedChoices {
		feeds = append(feeds, Feed{fmt.Sprintf("https://%d.example/feed", i), fmt.Sprintf("Outlet %d", i)})
	}
	srv := httptest.NewServer((&Server{Store: db, Feeds: feeds}).Handler())
	defer srv.Close()

	_, body := get(t, srv.URL+"/?topic=ceasefire")
	if strings.Contains(body, `<select name="feed">`) || strings.Contains(body, "Outlet 7") || !strings.Contains(body, `its link on <a href="/feeds">Feeds</a>`) {
		t.Errorf("matches page with %d feeds lists them:\n%.2000s", len(feeds), body)
	}
	// 200 feeds never polled come first, the worst; the two polled ones
	// are on the second page.
	_, body = get(t, srv.URL+"/feeds")
	if !strings.Contains(body, "202 feeds · 200 new · 2 ok — showing 1–200") || strings.Contains(body, "evil.example") || !strings.Contains(body, `<a href="/feeds?page=2">Healthier →</a>`) {
		t.Errorf("first feeds page:\n%.1500s", body)
	}
	_, body = get(t, srv.URL+"/feeds?page=2")
	link := `<a href="/?feed=https%3a%2f%2fevil.example%2ffeed">matches</a>`
	if !strings.Contains(body, link) || !strings.Contains(body, "showing 201–202") || !strings.Contains(body, `<a href="/feeds?page=1">← Worse</a>`) || strings.Contains(body, "Healthier") {
		t.Fatalf("second feeds page lacks %s or its place:\n%.1500s", link, body)
	}
	for page, code := range map[string]int{"3": 404, "0": 400, "x": 400} {
		if resp, _ := get(t, srv.URL+"/feeds?page="+page); resp.StatusCode != code {
			t.Errorf("/feeds?page=%s: %d, want %d", page, resp.StatusCode, code)
		}
	}
	_, body = get(t, srv.URL+"/?topic=ceasefire&feed="+url.QueryEscape("https://evil.example/feed"))
	for _, want := range []string{
		"Feed: Evil &lt;i&gt;Co&lt;/i&gt;",
		`<input type="hidden" name="feed" value="https://evil.example/feed">`,
		`(<a href="/?topic=ceasefire">all feeds</a>)`,
		"&lt;script&gt;alert(1)&lt;/script&gt;",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("one feed's matches lack %s:\n%.3000s", want, body)
		}
	}
	if strings.Contains(body, "Truce talks") {
		t.Error("one feed's matches show another feed's")
	}
}

func TestAtom(t *testing.T) {
	srv, _ := seeded(t)
	for _, tt := range []struct {
		path    string
		entries int
	}{{"/feeds/all.atom", 7}, {"/feeds/ceasefire.atom", 6}, {"/feeds/sanctions.atom", 1}} {
		resp, body := get(t, srv.URL+tt.path)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("%s: %d %s", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		f, err := gofeed.NewParser().ParseString(body)
		if err != nil {
			t.Fatalf("%s does not parse: %v", tt.path, err)
		}
		if f.FeedType != "atom" || f.FeedVersion != "1.0" || len(f.Items) != tt.entries {
			t.Errorf("%s: %s %s with %d entries, want atom 1.0 with %d", tt.path, f.FeedType, f.FeedVersion, len(f.Items), tt.entries)
		}
		for _, it := range f.Items {
			if it.GUID == "" || it.UpdatedParsed == nil || it.Title == "" {
				t.Errorf("%s: entry %+v lacks id, updated or title", tt.path, it)
			}
		}
		checkAtom(t, tt.path, body)
	}
	if resp, _ := get(t, srv.URL+"/feeds/nope.atom"); resp.StatusCode != 404 {
		t.Errorf("unknown topic: %d", resp.StatusCode)
	}
}

func TestToken(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "nw.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv := httptest.NewServer((&Server{Store: db, Token: "s3cret"}).Handler())
	defer srv.Close()
	if resp, _ := get(t, srv.URL+"/"); resp.StatusCode != 401 {
		t.Errorf("no token: %d", resp.StatusCode)
	}
	if resp, _ := get(t, srv.URL+"/?token=wrong"); resp.StatusCode != 401 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	if resp, _ := get(t, srv.URL+"/?token=s3cret"); resp.StatusCode != 200 {
		t.Errorf("token in the query: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/feeds", nil)
	req.Header.Set("Authorization", "Bearer s3cret")
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Errorf("bearer token: %v %v", resp, err)
	}
}

func TestArticleTopicsDigestsPages(t *testing.T) {
	srv, db := seeded(t)
	ms, _ := db.Matches(storage.Query{Topic: "sanctions"})
	_, body := get(t, srv.URL+fmt.Sprintf("/articles/%d", ms[0].Article.ID))
	for _, want := range []string{"<h1><a href=\"https://news.example/4\" rel=\"noopener noreferrer\">Truce talks 4</a></h1>", "<h2>Ceasefire talks", "<h2>Sanctions", "&#43; OR", "&#43; truce    [title 0–5 &#34;Truce&#34;]"} {
		if !strings.Contains(body, want) {
			t.Errorf("article page lacks %q:\n%s", want, body)
		}
	}
	if resp, _ := get(t, srv.URL+"/articles/999"); resp.StatusCode != 404 {
		t.Errorf("missing article: %d", resp.StatusCode)
	}
	_, body = get(t, srv.URL+"/topics")
	if strings.Count(body, "<svg") != 2 || !strings.Contains(body, `class="bar today"`) || !strings.Contains(body, "last 24 hours: 6") || !strings.Contains(body, `<span class="spike">spike</span>`) {
		t.Errorf("topics page:\n%s", body)
	}
	// A query's warning is shown with its topic, escaped.
	if want := `<p class="warning">Query: column 5: AND binds tighter than OR, so “oil &lt;b&gt;gas&lt;/b&gt;” is one alternative</p>`; strings.Count(body, `class="warning"`) != 1 || !strings.Contains(body, want) {
		t.Errorf("topics page lacks %q once:\n%s", want, body)
	}
	if err := db.RecordDigest(storage.SentDigest{Recipient: "a@example.org", Period: t0, Sent: t0, Subject: "newswatch: 3 new matches"}); err != nil {
		t.Fatal(err)
	}
	_, body = get(t, srv.URL+"/digests")
	for _, want := range []string{"Next: newswatch: 7 new matches", "== Ceasefire talks &lt;b&gt;(6)&lt;/b&gt;", "a@example.org", "newswatch: 3 new matches"} {
		if !strings.Contains(body, want) {
			t.Errorf("digests page lacks %q", want)
		}
	}
}

func TestActionsAndMetrics(t *testing.T) {
	db, err := storage.Open(filepath.Join(t.TempDir(), "nw.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	polls, sends := 0, 0
	var observed []string
	s := &Server{Store: db,
		PollNow:    func() error { polls++; return nil },
		SendDigest: func(context.Context) error { sends++; return nil },
		Metrics:    http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "newswatch_up 1\n") }),
		Observe: func(route string, code int, d time.Duration) {
			observed = append(observed, fmt.Sprintf("%s %d", route, code))
		},
	}
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	post := func(path string, headers map[string]string) int {
		req, _ := http.NewRequest("POST", srv.URL+path, nil)
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("/actions/poll", map[string]string{"Sec-Fetch-Site": "cross-site"}); code != http.StatusForbidden || polls != 0 {
		t.Errorf("cross-site poll: %d, %d polls; want 403 and none", code, polls)
	}
	if code := post("/actions/digest", map[string]string{"Origin": "https://evil.example"}); code != http.StatusForbidden || sends != 0 {
		t.Errorf("cross-origin digest: %d, %d sends; want 403 and none", code, sends)
	}
	if code := post("/actions/poll", map[string]string{"Sec-Fetch-Site": "same-origin"}); code != http.StatusSeeOther || polls != 1 {
		t.Errorf("same-origin poll: %d, %d polls", code, polls)
	}
	if code := post("/actions/digest", map[string]string{"Origin": srv.URL}); code != http.StatusSeeOther || sends != 1 {
		t.Errorf("same-origin digest: %d, %d sends", code, sends)
	}
	if resp, _ := get(t, srv.URL+"/actions/poll"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET of an action: %d, want 405", resp.StatusCode)
	}
	if _, body := get(t, srv.URL+"/metrics"); body != "newswatch_up 1\n" {
		t.Errorf("/metrics = %q", body)
	}
	if !strings.Contains(strings.Join(observed, ","), "POST /actions/poll 303") || !strings.Contains(strings.Join(observed, ","), "GET /metrics 200") {
		t.Errorf("observed %v", observed)
	}
}

// checkAtom checks what RFC 4287 requires of a feed document: the Atom
// namespace; on the feed exactly one id, title and updated, an author (or
// one on every entry) and a self link; on each entry exactly one id, title
// and updated, an author, and a link or content; dates in RFC 3339; ids
// that are absolute IRIs.
func checkAtom(t *testing.T, name, body string) {
	t.Helper()
	type link struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	}
	type person struct {
		Name []string `xml:"name"`
	}
	type entry struct {
		ID      []string `xml:"id"`
		Title   []string `xml:"title"`
		Updated []string `xml:"updated"`
		Author  []person `xml:"author"`
		Link    []link   `xml:"link"`
		Content []string `xml:"content"`
	}
	var f struct {
		XMLName xml.Name
		ID      []string `xml:"id"`
		Title   []string `xml:"title"`
		Updated []string `xml:"updated"`
		Author  []person `xml:"author"`
		Link    []link   `xml:"link"`
		Entry   []entry  `xml:"entry"`
	}
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	bad := func(format string, args ...any) { t.Errorf(name+": "+format, args...) }
	if f.XMLName.Space != "http://www.w3.org/2005/Atom" || f.XMLName.Local != "feed" {
		bad("root element %v", f.XMLName)
	}
	one := func(what string, v []string) {
		if len(v) != 1 || strings.TrimSpace(v[0]) == "" {
			bad("%s: want exactly one, not empty; got %q", what, v)
		}
	}
	date := func(what string, v []string) {
		if len(v) == 1 {
			if _, err := time.Parse(time.RFC3339, v[0]); err != nil {
				bad("%s %q is not RFC 3339", what, v[0])
			}
		}
	}
	iri := func(what string, v []string) {
		if len(v) == 1 && !strings.Contains(v[0], ":") {
			bad("%s %q is not an absolute IRI", what, v[0])
		}
	}
	one("feed id", f.ID)
	iri("feed id", f.ID)
	one("feed title", f.Title)
	one("feed updated", f.Updated)
	date("feed updated", f.Updated)
	self := false
	for _, l := range f.Link {
		self = self || l.Rel == "self" && l.Href != ""
	}
	if !self {
		bad("no self link")
	}
	for i, e := range f.Entry {
		one(fmt.Sprintf("entry %d id", i), e.ID)
		iri(fmt.Sprintf("entry %d id", i), e.ID)
		one(fmt.Sprintf("entry %d title", i), e.Title)
		one(fmt.Sprintf("entry %d updated", i), e.Updated)
		date(fmt.Sprintf("entry %d updated", i), e.Updated)
		if len(f.Author) == 0 && (len(e.Author) == 0 || len(e.Author[0].Name) == 0) {
			bad("entry %d has no author and the feed none", i)
		}
		if len(e.Link) == 0 && len(e.Content) == 0 {
			bad("entry %d has neither link nor content", i)
		}
	}
}
