package poller

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"sync"
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
func (p *Poller) run(ctx context.Context, list []Feed, fn func(context.Context, Feed) pending, done func(Result)) *Report {
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
