// Package feeds fetches RSS, Atom and JSON feeds over HTTP and turns them
// into normalised items. It knows nothing of storage or topics.
//
// gofeed detects each body's format and is the reference for what a feed
// says. Plain RSS 2.0 and Atom are read straight from the bytes (fastRSS,
// fastAtom), and JSON Feed in one pass (decodeJSONFeed), into gofeed's
// fields; anything those do not know to read as gofeed does goes to
// gofeed's own parsers. Tests and fuzz targets hold each to gofeed.
package feeds

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultUserAgent is sent with every request unless Options says otherwise.
const DefaultUserAgent = "newswatch/0.1 (media monitor; +https://github.com/newswatch/newswatch)"

// Options configures a Fetcher. Zero fields take the defaults noted.
type Options struct {
	// Timeout bounds a whole request, body included (default 30s).
	Timeout time.Duration
	// MaxBytes caps a response body after decompression (default 10 MiB).
	MaxBytes int64
	// UserAgent identifies newswatch to publishers (default DefaultUserAgent).
	UserAgent string
}

// Fetcher downloads feeds with one shared HTTP client.
type Fetcher struct {
	client    *http.Client
	maxBytes  int64
	userAgent string
}

// NewFetcher returns a Fetcher with its own connection pool.
func NewFetcher(o Options) *Fetcher {
	if o.Timeout <= 0 {
		o.Timeout = 30 * time.Second
	}
	if o.MaxBytes <= 0 {
		o.MaxBytes = 10 << 20
	}
	if o.UserAgent == "" {
		o.UserAgent = DefaultUserAgent
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: o.Timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Fetcher{
		client: &http.Client{
			Transport:     tr,
			Timeout:       o.Timeout,
			CheckRedirect: checkRedirect,
		},
		maxBytes:  o.MaxBytes,
		userAgent: o.UserAgent,
	}
}

// Request names a feed and the validators of its last successful fetch.
type Request struct {
	URL          string
	ETag         string
	LastModified string
}

// Response is the outcome of a fetch that reached the server.
type Response struct {
	// NotModified is set on 304: the body is empty and the validators
	// are those of the request.
	NotModified  bool
	Body         []byte
	ETag         string
	LastModified string
	// MaxAge is the Cache-Control max-age the server set, 0 for none: a
	// hint not to come back sooner.
	MaxAge time.Duration
	// ContentType is the Content-Type header, for ParseHTTP.
	ContentType string
	// MovedTo is the final address when every redirect on the way was
	// permanent (301 or 308): the feed has moved there. It is "" when
	// there was no redirect or a temporary one (302, 303, 307).
	MovedTo string
}

// maxRedirects caps a redirect chain.
const maxRedirects = 5

// checkRedirect refuses loops and long chains.
func checkRedirect(req *http.Request, via []*http.Request) error {
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return fmt.Errorf("redirect loop: %s comes back to %s", via[len(via)-1].URL, req.URL)
		}
	}
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", len(via))
	}
	return nil
}

// movedTo returns the final URL of a redirect chain made only of
// permanent redirects, else "".
func movedTo(resp *http.Response) string {
	final := resp.Request
	hops := 0
	for r := final; r != nil && r.Response != nil; r = r.Response.Request {
		if c := r.Response.StatusCode; c != http.StatusMovedPermanently && c != http.StatusPermanentRedirect {
			return ""
		}
		hops++
	}
	if hops == 0 {
		return ""
	}
	return final.URL.String()
}

// ErrTooLarge is wrapped by Fetch when a body exceeds Options.MaxBytes.
var ErrTooLarge = errors.New("response body too large")

// StatusError reports an HTTP status other than 200 and 304.
type StatusError struct {
	Code   int
	Status string
	// RetryAfter is how long the server asked to wait (Retry-After on 429
	// and 503), 0 when it did not say.
	RetryAfter time.Duration
}

// Error returns the status line, such as "HTTP 404 Not Found".
func (e *StatusError) Error() string { return "HTTP " + e.Status }

// Fetch performs a conditional GET. Its errors name the URL and the cause:
// a network error, a *StatusError, or ErrTooLarge.
func (f *Fetcher) Fetch(ctx context.Context, r Request) (*Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", r.URL, err)
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8")
	if r.ETag != "" {
		req.Header.Set("If-None-Match", r.ETag)
	}
	if r.LastModified != "" {
		req.Header.Set("If-Modified-Since", r.LastModified)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its message would repeat the URL
		}
		return nil, fmt.Errorf("fetch %s: %w", r.URL, err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNotModified:
		return &Response{NotModified: true, ETag: r.ETag, LastModified: r.LastModified, MaxAge: maxAge(resp.Header), MovedTo: movedTo(resp)}, nil
	case http.StatusOK:
	default:
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		se := &StatusError{Code: resp.StatusCode, Status: resp.Status}
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
			se.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), time.Now())
		}
		return nil, fmt.Errorf("fetch %s: %w", r.URL, se)
	}
	body, err := ReadBody(resp, f.maxBytes)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", r.URL, err)
	}
	return &Response{Body: body, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		MaxAge: maxAge(resp.Header), ContentType: resp.Header.Get("Content-Type"), MovedTo: movedTo(resp)}, nil
}

// ReadBody reads a response's body, of at most limit bytes, else it
// returns an error wrapping ErrTooLarge. A body whose length the server
// declares is refused before it is read when that is over limit, and is
// otherwise read into a buffer of its size (up to preallocMax, since a
// server may declare more than it sends): in a few reads, with no garbage
// from a growing buffer. The transport has already undone gzip (and then
// declares no length), so limit counts decoded bytes.
func ReadBody(resp *http.Response, limit int64) ([]byte, error) {
	var buf *bytes.Buffer
	switch n := resp.ContentLength; {
	case n > limit:
		return nil, fmt.Errorf("%w (declared %d bytes, over %d)", ErrTooLarge, n, limit)
	case n >= 0:
		// MinRead more, so that the read that finds the end does not
		// grow the buffer first.
		buf = bytes.NewBuffer(make([]byte, 0, min(n, preallocMax)+bytes.MinRead))
	default:
		buf = new(bytes.Buffer)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, min(limit, math.MaxInt64-1)+1)); err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	if int64(buf.Len()) > limit {
		return nil, fmt.Errorf("%w (over %d bytes)", ErrTooLarge, limit)
	}
	return buf.Bytes(), nil
}

// preallocMax bounds the buffer ReadBody sets aside for a declared length
// before the body arrives: most feeds are far smaller.
const preallocMax = 1 << 20

// maxAge reads Cache-Control: max-age=N.
func maxAge(h http.Header) time.Duration {
	for _, part := range strings.Split(h.Get("Cache-Control"), ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(strings.ToLower(part)), "max-age="); ok {
			if n, err := strconv.Atoi(v); err == nil && n > 0 {
				return time.Duration(n) * time.Second
			}
		}
	}
	return 0
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		return max(0, time.Duration(n)*time.Second)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
