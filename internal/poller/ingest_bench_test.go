package poller

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"newswatch/feeds"
	"newswatch/internal/config"
	"newswatch/internal/corpus"
	"newswatch/internal/feedfarm"
	"newswatch/match"
	"newswatch/storage"
)

type farmBody struct {
	data        []byte
	contentType string
}

// farmBodies returns the bodies of the first 300 feeds of the farm that
// feedfarm bench serves (seed 1), and their total size.
func farmBodies(b *testing.B) ([]farmBody, int64) {
	items, err := corpus.News()
	if err != nil {
		b.Fatal(err)
	}
	farm, err := feedfarm.New(feedfarm.Config{Feeds: 300, Seed: 1, Failing: -1}, items)
	if err != nil {
		b.Fatal(err)
	}
	out := make([]farmBody, 300)
	var size int64
	for i := range out {
		out[i].data, out[i].contentType = farm.Body(i)
		size += int64(len(out[i].data))
	}
	return out, size
}

// reportCPU reports the process's CPU time per iteration from now until the
// returned function is called (cpu-ms/op): on a shared machine whose speed
// drifts, and with commits that wait on the disk, it tells work from
// waiting.
func reportCPU(b *testing.B) func() {
	cpu := func() time.Duration {
		var ru syscall.Rusage
		syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	start := cpu()
	return func() {
		b.ReportMetric(float64((cpu()-start).Milliseconds())/float64(b.N), "cpu-ms/op")
	}
}

// BenchmarkGofeedParse parses the farm's bodies with gofeed alone: the
// floor of any feed tracker's work.
func BenchmarkGofeedParse(b *testing.B) {
	bodies, size := farmBodies(b)
	b.SetBytes(size)
	b.ReportAllocs()
	p := gofeed.NewParser()
	defer reportCPU(b)()
	for b.Loop() {
		for _, body := range bodies {
			if _, err := p.Parse(bytes.NewReader(body.data)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkIngest runs the same bodies through everything newswatch does
// after the network: parse, normalise, look up seen items, match the
// shipped topics and store into a new bbolt file, with updates committed in
// groups as a poll cycle does. Its MB/s over BenchmarkGofeedParse's is the
// share of gofeed's throughput the pipeline keeps.
func BenchmarkIngest(b *testing.B) {
	bodies, size := farmBodies(b)
	cfg, err := config.Load(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := match.Compile(cfg.MatchTopics())
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	ctx := context.Background()
	b.SetBytes(size)
	b.ReportAllocs()
	run := 0
	defer reportCPU(b)()
	for b.Loop() {
		b.StopTimer()
		run++
		db, err := storage.Open(filepath.Join(b.TempDir(), fmt.Sprintf("ingest%d.db", run)), 0)
		if err != nil {
			b.Fatal(err)
		}
		p := &Poller{Store: db, Matcher: m, MaxAge: 30 * 24 * time.Hour, Now: func() time.Time { return now }}
		b.StartTimer()
		var wg sync.WaitGroup
		var mu sync.Mutex
		stored := 0
		saving := make(chan struct{}, 16)
		for i, body := range bodies {
			f := Feed{URL: fmt.Sprintf("http://farm.example/feeds/%d", i)}
			st, err := db.FeedState(f.URL)
			if err != nil {
				b.Fatal(err)
			}
			fp := &feedPoll{p: p, f: f, st: st, now: now}
			pd := fp.ingest(ctx, &feeds.Response{Body: body.data, ContentType: body.contentType}, f.URL)
			if pd.update == nil {
				b.Fatalf("feed %d: %v", i, pd.res.Err)
			}
			saving <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				res := p.commit(pd)
				mu.Lock()
				stored += res.New
				mu.Unlock()
				<-saving
			}()
		}
		wg.Wait()
		b.StopTimer()
		if stored == 0 {
			b.Fatal("nothing stored")
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
