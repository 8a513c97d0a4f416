package dashboard

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"newswatch/feeds"
	"newswatch/internal/config"
	"newswatch/internal/corpus"
	"newswatch/match"
	"newswatch/storage"
)

// chromium finds Debian's chromium, which .ci/run installs. It fails the
// test under CI and skips it on a machine without it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed; .ci/run installs it")
	}
	t.Skip("chromium is not installed (apt-get install chromium)")
	return ""
}

// seedNews fills a database with the news-2025 items the shipped topics
// match, plus a hostile item, and returns a dashboard over it.
func seedNews(t *testing.T) *httptest.Server {
	t.Helper()
	cfg, err := config.Load(filepath.Join("..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.Compile(cfg.MatchTopics())
	if err != nil {
		t.Fatal(err)
	}
	dir, err := corpus.Dir()
	if err != nil {
		t.Fatal(err)
	}
	items, err := corpus.LoadNews(dir, "items-*.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(filepath.Join(t.TempDir(), "nw.db"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	urls, groups := corpus.ByFeed(items)
	for _, u := range urls {
		var batch []storage.NewItem
		for _, it := range groups[u] {
			title, text := feeds.PlainText(it.Title), feeds.PlainText(it.Description)
			ni := storage.NewItem{Key: it.ID, Hash: 1, Article: storage.Article{Title: title, Text: text, URL: it.Link, Published: it.Published}}
			for _, h := range m.Match(match.Document{Title: title, Text: text}) {
				sn := storage.Snippet{Text: h.Snippet.Text}
				for _, mk := range h.Snippet.Marks {
					sn.Marks = append(sn.Marks, [2]int{mk.Start, mk.End})
				}
				ni.Hits = append(ni.Hits, storage.TopicHit{Topic: h.Topic, Score: h.Score, Terms: h.Terms, Snippet: sn})
			}
			batch = append(batch, ni)
		}
		if _, err := db.SaveFeed(storage.FeedUpdate{URL: u, FeedName: u, Polled: time.Now(), Items: batch}); err != nil {
			t.Fatal(err)
		}
	}
	evil := storage.NewItem{Key: "evil", Hash: 1, Article: storage.Article{
		Title: `<script>window.pwned=1</script><img src=x onerror="window.pwned=2"> Euroclear assets`,
		URL:   "https://evil.example/a", Published: time.Now()},
		Hits: []storage.TopicHit{{Topic: "frozen-assets", Score: 3, Terms: []string{"Euroclear"},
			Snippet: storage.Snippet{Text: `<img src=x onerror="window.pwned=3"> Euroclear`, Marks: [][2]int{{37, 46}}}}}}
	if _, err := db.SaveFeed(storage.FeedUpdate{URL: "https://evil.example/feed", FeedName: "Evil", Polled: time.Now(), Items: []storage.NewItem{evil}}); err != nil {
		t.Fatal(err)
	}
	s := &Server{Store: db, Explainer: m}
	for _, tp := range cfg.Topics {
		s.Topics = append(s.Topics, Topic{ID: tp.ID, Name: tp.Name})
	}
	for _, u := range append(urls, "https://evil.example/feed") {
		s.Feeds = append(s.Feeds, Feed{URL: u, Name: u})
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv
}

// What a person sees in a real browser: filter the matches by topic and
// text, open an article and its explanation; a hostile headline shows as
// text and runs nothing.
func TestBrowser(t *testing.T) {
	bin := chromium(t)
	srv := seedNews(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		// Chromium puts its singleton socket in a directory of TMPDIR and
		// leaves it behind when it is killed: keep it in the test's.
		chromedp.Env("TMPDIR="+t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()

	// The first Run starts the browser; the timeout goes on later calls.
	if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/")); err != nil {
		t.Fatal(err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	defer cancelT()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Screenshots of each page, for a reviewer: in $NEWSWATCH_SCREENSHOTS,
	// else a folder under the system's temporary directory.
	shots := os.Getenv("NEWSWATCH_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(os.TempDir(), "newswatch-screenshots")
	}
	must(os.MkdirAll(shots, 0o755))
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(tctx, chromedp.FullScreenshot(100)) // quality 100 gives a PNG
		must(err)
		path := filepath.Join(shots, name+".png")
		must(os.WriteFile(path, png, 0o644))
		t.Logf("screenshot: %s", path)
	}
	must(chromedp.Do(tctx,
		chromedp.WaitVisible("form.filters"),
		chromedp.SetValue(`select[name="topic"]`, "frozen-assets"),
		chromedp.SendKeys(`input[name="q"]`, "assets"),
		chromedp.Click(`button[type="submit"]`),
		chromedp.WaitVisible("ol.matches li"),
	))
	url, err := chromedp.Run(tctx, chromedp.Location())
	must(err)
	shot("matches")
	titles, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("ol.matches .title")].map(e => e.textContent)`))
	must(err)
	rows, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("ol.matches li")].map(e => e.textContent)`))
	must(err)
	if !strings.Contains(url, "topic=frozen-assets") || !strings.Contains(url, "q=assets") {
		t.Errorf("the filter is not in the URL: %s", url)
	}
	if len(titles) < 2 {
		t.Fatalf("only %d matches for frozen-assets and assets", len(titles))
	}
	for _, li := range rows {
		if !strings.Contains(strings.ToLower(li), "assets") || !strings.Contains(li, "Frozen Russian assets") {
			t.Errorf("a row that does not match the filter: %q", li)
		}
	}
	// The hostile headline: shown as text, nothing ran, no image made.
	pwned, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`typeof window.pwned !== "undefined"`))
	must(err)
	evilTitle, err := chromedp.Run(tctx, chromedp.Evaluate[string](`[...document.querySelectorAll("ol.matches .title")].map(e => e.textContent).find(t => t.includes("script")) || ""`))
	must(err)
	if pwned || !strings.HasPrefix(evilTitle, "<script>window.pwned=1</script><img") {
		t.Errorf("hostile headline: ran %v, shown as %q", pwned, evilTitle)
	}
	imgs, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("main img").length`))
	must(err)
	if imgs != 0 {
		t.Errorf("%d <img> elements from feed text on the page", imgs)
	}

	// Open an article's explanation.
	must(chromedp.Do(tctx,
		chromedp.Click(`ol.matches li:last-child a[href^="/articles/"]`),
		chromedp.WaitVisible("pre.explain"),
	))
	h1, err := chromedp.Run(tctx, chromedp.Text("h1"))
	must(err)
	explain, err := chromedp.Run(tctx, chromedp.Text("pre.explain"))
	must(err)
	shot("article")
	if h1 == "" || !strings.Contains(explain, "+ ") || !strings.Contains(strings.ToLower(explain), "assets") {
		t.Errorf("article page: h1 %q, explanation:\n%s", h1, explain)
	}

	// The other pages render; a screenshot of each.
	for _, page := range []struct{ path, name, wait string }{
		{"/topics", "topics", "svg.chart"},
		{"/feeds", "feeds", "table.feeds"},
		{"/digests", "digests", "h1"},
	} {
		must(chromedp.Do(tctx, chromedp.Navigate(srv.URL+page.path), chromedp.WaitVisible(page.wait)))
		shot(page.name)
		if page.name == "topics" {
			charts, err := chromedp.Run(tctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart").length`))
			must(err)
			if charts != 9 {
				t.Errorf("the topics page shows %d charts, want one per topic", charts)
			}
		}
	}
}
