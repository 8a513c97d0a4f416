package poller

import (
	"errors"
	"math/rand/v2"
	"time"

	"newswatch/feeds"
	"newswatch/storage"
)

// Schedule is the polling policy: each feed has its own next poll time,
// adapted to how often it publishes, and failures back off.
type Schedule struct {
	// Base is a new feed's interval, and the first step of back-off
	// (default 15m).
	Base time.Duration
	// Min and Max bound every interval, hints and Retry-After included
	// (defaults 5m and 6h).
	Min, Max time.Duration
	// FailingAfter is how long a feed may fail before it is marked failing
	// and retried only every Max (default 24h).
	FailingAfter time.Duration
	// Jitter spreads a back-off (default: ±10% at random).
	Jitter func(time.Duration) time.Duration
}

// Defaults of Schedule.
const (
	DefaultBase         = 15 * time.Minute
	DefaultMinInterval  = 5 * time.Minute
	DefaultMaxInterval  = 6 * time.Hour
	DefaultFailingAfter = 24 * time.Hour
)

func (s Schedule) withDefaults() Schedule {
	if s.Base <= 0 {
		s.Base = DefaultBase
	}
	if s.Min <= 0 {
		s.Min = DefaultMinInterval
	}
	if s.Max <= 0 {
		s.Max = DefaultMaxInterval
	}
	if s.Max < s.Min {
		s.Max = s.Min
	}
	if s.FailingAfter <= 0 {
		s.FailingAfter = DefaultFailingAfter
	}
	if s.Jitter == nil {
		s.Jitter = func(d time.Duration) time.Duration {
			return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
		}
	}
	return s
}

// outcome is what a poll tells the schedule.
type outcome struct {
	err      error
	newItems int
	// hint is the longest of the feed's <ttl> and Cache-Control max-age.
	hint time.Duration
}

// next returns when feed f, in state st before this poll, is due again,
// and the interval to remember.
func (s Schedule) next(f Feed, st storage.FeedState, o outcome, now time.Time) (time.Time, time.Duration) {
	s = s.withDefaults()
	interval := st.Interval
	if interval <= 0 {
		interval = s.Base
	}
	if f.Every > 0 {
		interval = f.Every
	}
	if o.err != nil {
		n := min(st.Failures, 20) // failures before this one
		back := s.Jitter(min(s.Base<<n, s.Max))
		var se *feeds.StatusError
		if errors.As(o.err, &se) && se.RetryAfter > back {
			back = se.RetryAfter
		}
		since := st.FailingSince
		if st.Failures == 0 {
			since = now
		}
		if now.Sub(since) >= s.FailingAfter {
			back = s.Max // failing: tried rarely, never dropped
		}
		return now.Add(clamp(back, s.Min, s.Max)), interval
	}
	if f.Cron != nil {
		return f.Cron.Next(now), interval
	}
	if f.Every <= 0 {
		// Adapt: a feed with new items is polled twice as often, one
		// without half as often again, within the bounds.
		if o.newItems > 0 {
			interval /= 2
		} else {
			interval += interval / 2
		}
		interval = clamp(interval, s.Min, s.Max)
	}
	wait := interval
	if o.hint > wait {
		wait = min(o.hint, s.Max)
	}
	return now.Add(wait), interval
}

func clamp(d, lo, hi time.Duration) time.Duration {
	return max(lo, min(d, hi))
}
