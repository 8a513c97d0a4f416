package feedfarm

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mmcdole/gofeed"

	"newswatch/feeds"
)

// FloorResult is what Floor measured.
type FloorResult struct {
	Feeds, Failed, Items int
	Bytes                int64
	Elapsed              time.Duration
}

// Floor fetches every URL once with the given number of workers and parses
// each body with gofeed, nothing else: no feed tracker can poll the same
// feeds faster, so it is the floor that poll cycles are measured against.
func Floor(ctx context.Context, urls []string, workers int) FloorResult {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxIdleConns: 4 * workers, IdleConnTimeout: time.Minute}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var failed, items atomic.Int64
	var size atomic.Int64
	next := make(chan string)
	var wg sync.WaitGroup
	start := time.Now()
	for range max(workers, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			parser := gofeed.NewParser()
			for u := range next {
				n, b, err := fetchParse(ctx, client, parser, u)
				if err != nil {
					failed.Add(1)
					continue
				}
				items.Add(int64(n))
				size.Add(b)
			}
		}()
	}
	for _, u := range urls {
		select {
		case next <- u:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	return FloorResult{Feeds: len(urls), Failed: int(failed.Load()), Items: int(items.Load()), Bytes: size.Load(), Elapsed: time.Since(start)}
}

func fetchParse(ctx context.Context, client *http.Client, parser *gofeed.Parser, u string) (items int, size int64, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	// Read as newswatch reads a body, so that the floor does no more
	// work than it must; without a cap.
	body, err := feeds.ReadBody(resp, math.MaxInt64)
	if err != nil {
		return 0, 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, 0, fmt.Errorf("%s: %s", u, resp.Status)
	}
	feed, err := parser.Parse(bytes.NewReader(body))
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", u, err)
	}
	return len(feed.Items), int64(len(body)), nil
}
