package poller

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"newswatch/storage"
)

// run calls fn for every feed of list on the worker pool, at most PerHost
// at a time on one host, and records what fn returns. Recording is
// pipelined: a worker hands its feed's update to a saving goroutine and
// fetches the next feed while the update waits for the database's next
// group commit, so that workers do not sit idle through commits. At most
// 8×Workers updates wait at once: when most feeds answer 304, workers
// finish feeds faster than commits do, and the more updates wait, the more
// each commit takes (a warm cycle of 10,000 feeds made 315 commits with
// 2×Workers and 154 – 184 with 8×, and took 40% less time; BENCHMARKS.md).
// elapsed, when not nil, is each feed's time at its last poll: the slow
// feeds start early (see slowEarly).
func (p *Poller) run(ctx context.Context, list []Feed, elapsed []time.Duration, fn func(context.Context, Feed) pending, done func(Result)) *Report {
	now := p.now()
	rep := &Report{Started: now, Results: make([]Result, len(list))}
	perHost := p.PerHost
	if perHost <= 0 {
		perHost = 2
	}
	hosts := make([]string, len(list)) // each feed's host, parsed once
	hostSem := map[string]chan struct{}{}
	for i, f := range list {
		hosts[i] = hostOf(f.URL)
		if hostSem[hosts[i]] == nil {
			hostSem[hosts[i]] = make(chan struct{}, perHost)
		}
	}
	// done hears of each feed from one goroutine of its own, through a
	// channel with room for every feed's result: a done that is slow (a
	// reader of "newswatch poll" that stops reading) delays only Poll's
	// return. Called under mu, it held back every worker.
	var reports chan Result
	var reporting sync.WaitGroup
	if done != nil {
		reports = make(chan Result, len(list))
		reporting.Go(func() {
			for res := range reports {
				done(res)
			}
		})
	}
	var mu sync.Mutex
	finish := func(i int, res Result) {
		mu.Lock()
		defer mu.Unlock()
		rep.Results[i] = res
		var se errStorage
		if rep.StorageErr == nil && errors.As(res.Err, &se) {
			rep.StorageErr = se.err
		}
		if reports != nil {
			reports <- res // never blocks: room for every feed
		}
	}
	workers := max(1, min(p.Workers, len(list)))
	jobs := make(chan int)
	saving := make(chan struct{}, 8*workers) // updates waiting for a commit
	var wg, saves sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				sem := hostSem[hosts[i]]
				select {
				case sem <- struct{}{}:
				case <-ctx.Done():
					finish(i, Result{Feed: list[i], Status: StatusCanceled, Err: ctx.Err()})
					continue
				}
				start := p.now()
				pd := fn(ctx, list[i])
				<-sem
				switch {
				case pd.quiet:
					finish(i, pd.res)
					continue
				case pd.update == nil:
					finish(i, p.logged(list[i], start, pd.res))
					continue
				}
				saving <- struct{}{}
				saves.Add(1)
				go func() {
					defer saves.Done()
					finish(i, p.logged(list[i], start, p.commit(pd)))
					<-saving
				}()
			}
		}()
	}
	order := byHostRoundRobin(hosts)
	if elapsed != nil {
		order = slowEarly(order, elapsed)
	}
	next := 0
feed:
	for ; next < len(order); next++ {
		select {
		case jobs <- order[next]:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	saves.Wait()
	for _, i := range order[next:] {
		finish(i, Result{Feed: list[i], Status: StatusCanceled, Err: ctx.Err()})
	}
	rep.Finished = p.now()
	if reports != nil {
		close(reports)
		reporting.Wait()
	}
	return rep
}

// hostOf returns the host (and port) of a feed URL, or the URL itself when
// it does not parse.
func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return raw
	}
	return strings.ToLower(u.Host)
}

// byHostRoundRobin orders feed indexes, given each feed's host, so that
// consecutive feeds are on different hosts where possible: one of each host
// in turn. Workers then rarely wait on a host's limit while feeds of other
// hosts are pending.
func byHostRoundRobin(hosts []string) []int {
	var distinct []string
	queues := map[string][]int{}
	for i, h := range hosts {
		if _, ok := queues[h]; !ok {
			distinct = append(distinct, h)
		}
		queues[h] = append(queues[h], i)
	}
	order := make([]int, 0, len(hosts))
	for len(order) < len(hosts) {
		for _, h := range distinct {
			if q := queues[h]; len(q) > 0 {
				order = append(order, q[0])
				queues[h] = q[1:]
			}
		}
	}
	return order
}

// A feed is slow when its last poll took at least slowFactor times the
// median of the feeds' last polls, and at least minSlow.
const (
	slowFactor = 4
	minSlow    = 50 * time.Millisecond
)

// slowEarly spreads the slow feeds of order evenly over the first half of
// the cycle, the others keeping their order (so hosts stay interleaved),
// given each feed's time at its last poll (0 when unknown). A feed that
// takes long holds a worker all that time: started last, it makes the
// whole cycle wait for it, as the farm's feeds that answer after 200 ms
// did; started all at once at the front, they held most of the workers
// waiting together while the cores had nothing to parse (a tenth to a
// quarter longer cycles at 10,000 feeds, BENCHMARKS.md). Spread, each is
// waited for while the others are polled.
func slowEarly(order []int, elapsed []time.Duration) []int {
	var known []time.Duration
	for _, d := range elapsed {
		if d > 0 {
			known = append(known, d)
		}
	}
	if len(known) == 0 {
		return order
	}
	slices.Sort(known)
	cut := max(minSlow, slowFactor*known[len(known)/2])
	var slow, rest []int
	for _, i := range order {
		if elapsed[i] >= cut {
			slow = append(slow, i)
		} else {
			rest = append(rest, i)
		}
	}
	if len(slow) == 0 {
		return order
	}
	out := make([]int, 0, len(order))
	step := float64(max(len(order)/2, len(slow))) / float64(len(slow))
	r := 0
	for k, i := range slow {
		for at := int(float64(k) * step); len(out) < at && r < len(rest); r++ {
			out = append(out, rest[r])
		}
		out = append(out, i)
	}
	return append(out, rest[r:]...)
}

// states reads every feed's state in one transaction, by URL.
func (p *Poller) states() (map[string]storage.FeedState, error) {
	all, err := p.Store.Feeds()
	if err != nil {
		return nil, err
	}
	byURL := make(map[string]storage.FeedState, len(all))
	for _, st := range all {
		byURL[st.URL] = st
	}
	return byURL, nil
}

// lastElapsed returns each feed's time at its last poll, for slowEarly;
// nil without states.
func lastElapsed(list []Feed, states map[string]storage.FeedState) []time.Duration {
	if states == nil {
		return nil
	}
	out := make([]time.Duration, len(list))
	for i, f := range list {
		out[i] = states[f.URL].LastElapsed
	}
	return out
}
