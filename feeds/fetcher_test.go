package feeds

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

const tinyRSS = `<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Hello</title><link>https://example.org/a</link></item></channel></rss>`

func TestFetchConditionalGET(t *testing.T) {
	var gotUA, gotINM, gotIMS string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotUA, gotINM, gotIMS = r.UserAgent(), r.Header.Get("If-None-Match"), r.Header.Get("If-Modified-Since")
		if gotINM == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Last-Modified", "Tue, 04 Mar 2025 10:00:00 GMT")
		w.Write([]byte(tinyRSS))
	}))
	defer srv.Close()
	f := NewFetcher(Options{})
	ctx := context.Background()

	resp, err := f.Fetch(ctx, Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if resp.NotModified || string(resp.Body) != tinyRSS {
		t.Fatalf("first fetch: NotModified=%v body=%q", resp.NotModified, resp.Body)
	}
	if resp.ETag != `"v1"` || resp.LastModified != "Tue, 04 Mar 2025 10:00:00 GMT" {
		t.Errorf("validators = %q, %q", resp.ETag, resp.LastModified)
	}
	if gotUA != DefaultUserAgent {
		t.Errorf("User-Agent = %q, want %q", gotUA, DefaultUserAgent)
	}
	if gotINM != "" || gotIMS != "" {
		t.Errorf("first fetch sent validators %q %q", gotINM, gotIMS)
	}

	resp, err = f.Fetch(ctx, Request{URL: srv.URL, ETag: resp.ETag, LastModified: resp.LastModified})
	if err != nil {
		t.Fatal(err)
	}
	if !resp.NotModified || len(resp.Body) != 0 {
		t.Fatalf("second fetch: NotModified=%v body=%q, want 304", resp.NotModified, resp.Body)
	}
	if gotIMS != "Tue, 04 Mar 2025 10:00:00 GMT" {
		t.Errorf("If-Modified-Since = %q", gotIMS)
	}
	if resp.ETag != `"v1"` {
		t.Errorf("304 lost the ETag: %q", resp.ETag)
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestFetchGzip(t *testing.T) {
	body := gzipped(t, []byte(tinyRSS))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			t.Errorf("Accept-Encoding = %q, want gzip", r.Header.Get("Accept-Encoding"))
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(body)
	}))
	defer srv.Close()
	resp, err := NewFetcher(Options{}).Fetch(context.Background(), Request{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != tinyRSS {
		t.Errorf("body = %q, want the decompressed feed", resp.Body)
	}
}

func TestFetchSizeCap(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 64<<10)
	bomb := gzipped(t, bytes.Repeat([]byte("a"), 8<<20)) // 8 MiB in about 8 KiB
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			w.Write(big)
		case "/bomb":
			w.Header().Set("Content-Encoding", "gzip")
			w.Write(bomb)
		case "/fits":
			w.Write(big[:32<<10])
		case "/fits-declared":
			w.Header().Set("Content-Length", strconv.Itoa(32<<10))
			w.Write(big[:32<<10])
		case "/huge-declared":
			// Headers only, then nothing until the client hangs up: a
			// fetch that tried to read this body would wait for the
			// timeout instead of refusing it.
			w.Header().Set("Content-Length", strconv.Itoa(1<<30))
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		case "/short":
			w.Header().Set("Content-Length", "100")
			w.Write(big[:50])
		case "/liar":
			w.Header().Set("Content-Length", strconv.Itoa(8<<20))
			w.Write(big[:1024])
		}
	}))
	defer srv.Close()
	f := NewFetcher(Options{MaxBytes: 32 << 10, Timeout: 10 * time.Second})
	for _, path := range []string{"/big", "/bomb", "/huge-declared"} {
		_, err := f.Fetch(context.Background(), Request{URL: srv.URL + path})
		if !errors.Is(err, ErrTooLarge) {
			t.Errorf("%s: error = %v, want ErrTooLarge", path, err)
		}
	}
	for _, path := range []string{"/fits", "/fits-declared"} {
		resp, err := f.Fetch(context.Background(), Request{URL: srv.URL + path})
		if err != nil || len(resp.Body) != 32<<10 || !bytes.Equal(resp.Body, big[:32<<10]) {
			t.Errorf("%s: %d bytes, %v; want exactly the cap accepted", path, len(resp.Body), err)
		}
	}
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/short"}); err == nil || errors.Is(err, ErrTooLarge) {
		t.Errorf("/short: error = %v, want a read error for a body shorter than declared", err)
	}
	// A declared length under the cap is not taken on trust: a server
	// that declares 8 MiB and sends 1 KiB does not get 8 MiB set aside.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := NewFetcher(Options{}).Fetch(context.Background(), Request{URL: srv.URL + "/liar"})
	runtime.ReadMemStats(&after)
	if err == nil {
		t.Error("/liar: no error for a body shorter than declared")
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("/liar: fetching allocated %d bytes for 1 KiB received, want well under the 8 MiB declared", got)
	}
}

func TestFetchErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/gone":
			http.Error(w, "gone", http.StatusGone)
		case "/loop":
			http.Redirect(w, r, "/loop", http.StatusFound)
		case "/hang":
			<-r.Context().Done()
		}
	}))
	defer srv.Close()
	f := NewFetcher(Options{Timeout: 300 * time.Millisecond})
	ctx := context.Background()

	_, err := f.Fetch(ctx, Request{URL: srv.URL + "/gone"})
	var se *StatusError
	if !errors.As(err, &se) || se.Code != http.StatusGone {
		t.Errorf("/gone: error = %v, want a StatusError 410", err)
	}
	if err == nil || !strings.Contains(err.Error(), srv.URL+"/gone") {
		t.Errorf("/gone: error %q does not name the URL", err)
	}
	if _, err := f.Fetch(ctx, Request{URL: srv.URL + "/loop"}); err == nil || !strings.Contains(err.Error(), "redirect loop") {
		t.Errorf("/loop: error = %v, want a redirect error", err)
	}
	if _, err := f.Fetch(ctx, Request{URL: srv.URL + "/hang"}); err == nil {
		t.Error("/hang: no error from a server that never answers")
	}
	if _, err := f.Fetch(ctx, Request{URL: "http://127.0.0.1:1/feed"}); err == nil || !strings.Contains(err.Error(), "127.0.0.1:1") {
		t.Errorf("closed port: error = %v, want one naming the address", err)
	}
	canceled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := f.Fetch(canceled, Request{URL: srv.URL + "/hang"}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled context: error = %v, want context.Canceled", err)
	}
}

func TestCacheHints(t *testing.T) {
	now := time.Date(2025, 3, 4, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{"120": 2 * time.Minute, "": 0, "soon": 0, "-5": 0,
		"Tue, 04 Mar 2025 13:00:00 GMT": time.Hour, "Tue, 04 Mar 2025 11:00:00 GMT": 0} {
		if got := retryAfter(in, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
	for in, want := range map[string]time.Duration{"max-age=300": 5 * time.Minute, "public, Max-Age=60, must-revalidate": time.Minute, "no-cache": 0, "max-age=0": 0} {
		h := http.Header{}
		h.Set("Cache-Control", in)
		if got := maxAge(h); got != want {
			t.Errorf("maxAge(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestDiscover(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed.xml", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tinyRSS)) })
	mux.HandleFunc("/linked/", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`<html><head><link rel="stylesheet" href="/s.css"><link rel="alternate" type="application/rss+xml" title="All" href="/feed.xml"></head><body>hi</body></html>`))
	})
	mux.HandleFunc("/plain/", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`<html><body>no links</body></html>`)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := NewFetcher(Options{})
	ctx := context.Background()
	for _, tt := range []struct{ addr, via string }{
		{srv.URL + "/feed.xml", "the address is a feed"},
		{srv.URL + "/linked/page", `<link rel="alternate"> in the page`},
		{srv.URL + "/plain/page", "the common path /feed.xml"},
	} {
		found, err := Discover(ctx, f, tt.addr, parseTime)
		if err != nil {
			t.Errorf("%s: %v", tt.addr, err)
			continue
		}
		if found.URL != srv.URL+"/feed.xml" || found.Via != tt.via || found.Title != "t" || found.Items != 1 || found.Type != "rss" {
			t.Errorf("%s: found %+v, want %s/feed.xml via %s", tt.addr, found, srv.URL, tt.via)
		}
	}
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte("<html>nothing</html>"))
	}))
	defer empty.Close()
	if _, err := Discover(ctx, f, empty.URL+"/", parseTime); err == nil || !strings.Contains(err.Error(), "no feed found at "+empty.URL) {
		t.Errorf("a site without a feed: %v", err)
	}
}

func TestFetchRedirects(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/feed", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(tinyRSS)) })
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/older", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/older", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/feed", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/temp", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/feed", http.StatusFound) })
	mux.HandleFunc("/mixed", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/temp", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusMovedPermanently) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/a", http.StatusMovedPermanently) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	f := NewFetcher(Options{})
	for path, want := range map[string]string{"/feed": "", "/old": srv.URL + "/feed", "/temp": "", "/mixed": ""} {
		resp, err := f.Fetch(context.Background(), Request{URL: srv.URL + path})
		if err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		if resp.MovedTo != want || string(resp.Body) != tinyRSS {
			t.Errorf("%s: MovedTo %q, want %q", path, resp.MovedTo, want)
		}
	}
	if _, err := f.Fetch(context.Background(), Request{URL: srv.URL + "/a"}); err == nil || !strings.Contains(err.Error(), "redirect loop") {
		t.Errorf("/a: %v, want a redirect loop", err)
	}
}
