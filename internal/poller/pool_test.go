package poller

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestByHostRoundRobin(t *testing.T) {
	var hosts []string
	for _, u := range []string{"http://a/1", "http://a/2", "http://a/3", "http://b/1", "http://c/1", "http://B/2"} {
		hosts = append(hosts, hostOf(u))
	}
	got := byHostRoundRobin(hosts)
	if want := []int{0, 3, 4, 1, 5, 2}; !reflect.DeepEqual(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

// A feed that was much slower than the others at its last poll is fetched
// early at the next (alone, first), and its time is stored with its state.
func TestPollStartsSlowFeedsEarly(t *testing.T) {
	const slow = 3
	var mu sync.Mutex
	var requested []int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.Atoi(strings.TrimPrefix(r.URL.Path, "/feed/"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		requested = append(requested, n)
		mu.Unlock()
		if n == slow {
			time.Sleep(300 * time.Millisecond)
		}
		fmt.Fprintf(w, `<rss version="2.0"><channel><title>Feed %d</title><item><guid>item-%d</guid><title>Item %d</title></item></channel></rss>`, n, n, n)
	}))
	defer srv.Close()
	db := openDB(t, filepath.Join(t.TempDir(), "nw.db"))
	defer db.Close()
	p := newPoller(t, db, time.Now(), 0)
	p.Workers, p.Now = 1, time.Now // one at a time: the order is the order of requests
	var list []Feed
	for i := range 6 {
		list = append(list, Feed{URL: fmt.Sprintf("%s/feed/%d", srv.URL, i)})
	}
	for poll, want := range [][]int{{0, 1, 2, 3, 4, 5}, {slow, 0, 1, 2, 4, 5}} {
		requested = nil
		if tot := p.Poll(context.Background(), list, nil).Totals(); tot.Failed != 0 {
			t.Fatalf("poll %d: %+v", poll+1, tot)
		}
		if !slices.Equal(requested, want) {
			t.Errorf("poll %d requested the feeds in the order %v, want %v", poll+1, requested, want)
		}
	}
	for i, f := range list {
		st, err := db.FeedState(f.URL)
		if err != nil {
			t.Fatal(err)
		}
		if (st.LastElapsed >= 300*time.Millisecond) != (i == slow) || st.LastElapsed <= 0 {
			t.Errorf("feed %d: last elapsed %v", i, st.LastElapsed)
		}
	}
}

// Slow feeds are spread over the first half of the order; the others keep
// theirs.
func TestSlowEarly(t *testing.T) {
	ms := time.Millisecond
	order := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	for _, c := range []struct {
		elapsed []time.Duration
		want    []int
	}{
		{make([]time.Duration, 10), order}, // never polled
		{[]time.Duration{5 * ms, 5 * ms, 5 * ms, 5 * ms, 5 * ms, 5 * ms, 5 * ms, 300 * ms, 300 * ms, 300 * ms}, []int{7, 8, 0, 9, 1, 2, 3, 4, 5, 6}},
		{[]time.Duration{300 * ms, 5 * ms, 5 * ms, 5 * ms, 5 * ms, 5 * ms, 5 * ms, 5 * ms, 5 * ms, 300 * ms}, []int{0, 1, 9, 2, 3, 4, 5, 6, 7, 8}},
		// Four times the median, but under 50 ms: not slow.
		{[]time.Duration{1 * ms, 1 * ms, 1 * ms, 1 * ms, 1 * ms, 1 * ms, 1 * ms, 1 * ms, 1 * ms, 40 * ms}, order},
		// All alike: none slow.
		{[]time.Duration{300 * ms, 300 * ms, 300 * ms, 300 * ms, 300 * ms, 300 * ms, 300 * ms, 300 * ms, 300 * ms, 300 * ms}, order},
	} {
		if got := slowEarly(slices.Clone(order), c.elapsed); !slices.Equal(got, c.want) {
			t.Errorf("slowEarly(%v) = %v, want %v", c.elapsed, got, c.want)
		}
	}
}
