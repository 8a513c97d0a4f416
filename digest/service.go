package digest

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"newswatch/storage"
)

// Store is what sending digests needs of the database.
type Store interface {
	Source
	// DigestState returns the recipient's watermark and last period.
	DigestState(recipient string) (storage.DigestState, error)
	// DigestSent reports whether the digest of period went out.
	DigestSent(recipient string, period time.Time) (bool, error)
	// BeginDigest marks a period as being sent (storage.ErrDigestSent if
	// it has a record); AbortDigest undoes that after a failed send.
	BeginDigest(recipient string, period, since time.Time) error
	AbortDigest(recipient string, period time.Time) error
	// RecordDigest records a sent digest and moves the watermark in one
	// transaction; storage.ErrDigestSent if the period is recorded.
	RecordDigest(d storage.SentDigest) error
}

// Schedule gives the digest times: a cron schedule.
type Schedule interface {
	Next(time.Time) time.Time
}

// Recipient is an address and the topics it receives, in config order.
type Recipient struct {
	Address string
	Topics  []Topic
}

// Service sends each recipient one digest per scheduled period: never two
// for one period, also across restarts, and never a match lost: the
// watermark moves only when the message was accepted.
type Service struct {
	Store      Store
	Mailer     Mailer
	Schedule   Schedule
	Location   *time.Location
	From       string
	Recipients []Recipient
	// Feeds are the configured feed URLs, for the summary.
	Feeds []string
	// SkipEmpty: a period without matches is recorded, not sent.
	SkipEmpty bool
	// RetryAfter is the first wait after a failed send (default 1m); it
	// doubles up to 30 times as long.
	RetryAfter time.Duration
	Now        func() time.Time
	Log        *slog.Logger
	// Observe, when set, is told of every attempt to send a digest.
	Observe func(err error)
}

// LastPeriod returns the latest scheduled time at or before now, looking
// back up to eight days; zero if there is none.
func (s *Service) LastPeriod(now time.Time) time.Time {
	var last time.Time
	for t := s.Schedule.Next(now.Add(-8 * 24 * time.Hour)); !t.IsZero() && !t.After(now); t = s.Schedule.Next(t) {
		last = t
	}
	return last
}

// SendPeriod sends the digest of period to every recipient that has not
// had it. It returns the first error; recipients already served are not
// served again when it is called again.
func (s *Service) SendPeriod(ctx context.Context, period time.Time) error {
	var first error
	for _, r := range s.Recipients {
		if err := s.sendOne(ctx, r, period); err != nil {
			s.log().Error("digest not sent", "to", r.Address, "period", period, "err", err)
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// Next builds the digest r would get for the period ending at period,
// without sending it or moving anything.
func (s *Service) Next(r Recipient, period time.Time) (*Digest, error) {
	st, err := s.Store.DigestState(r.Address)
	if err != nil {
		return nil, err
	}
	return Build(s.Store, Options{Topics: r.Topics, After: st.UpTo, Since: s.since(st, period), Now: period, Location: s.Location, Feeds: s.Feeds})
}

// since is where a recipient's next digest begins: the last period sent,
// else the start of a first digest attempted before, else a day back.
func (s *Service) since(st storage.DigestState, period time.Time) time.Time {
	switch {
	case !st.Period.IsZero():
		return st.Period
	case !st.FirstSince.IsZero():
		return st.FirstSince
	}
	return period.Add(-24 * time.Hour)
}

func (s *Service) sendOne(ctx context.Context, r Recipient, period time.Time) error {
	sent, err := s.Store.DigestSent(r.Address, period)
	if err != nil || sent {
		return err
	}
	d, err := s.Next(r, period)
	if err != nil {
		return err
	}
	rec := storage.SentDigest{Recipient: r.Address, Period: period, Subject: d.Subject, UpTo: d.UpTo, Matches: d.Matches}
	if d.Empty() && s.SkipEmpty {
		rec.Skipped, rec.Sent = true, s.now()
		return s.record(rec)
	}
	msg, err := Message(d, s.From, r.Address, period, s.now())
	if err != nil {
		return err
	}
	// Pending before sending: a crash after the server took the message
	// but before the record leaves the period pending, never sent again;
	// the watermark did not move, so the next digest repeats its matches
	// rather than losing them.
	st, err := s.Store.DigestState(r.Address)
	if err != nil {
		return err
	}
	if err := s.Store.BeginDigest(r.Address, period, s.since(st, period)); err != nil {
		if errors.Is(err, storage.ErrDigestSent) {
			return nil
		}
		return err
	}
	err = s.Mailer.Send(ctx, msg)
	if s.Observe != nil {
		s.Observe(err)
	}
	if err != nil {
		if aerr := s.Store.AbortDigest(r.Address, period); aerr != nil {
			return errors.Join(err, aerr)
		}
		return err
	}
	rec.Sent = s.now()
	s.log().Info("digest sent", "to", r.Address, "period", period, "matches", d.Matches, "subject", d.Subject)
	return s.record(rec)
}

func (s *Service) record(rec storage.SentDigest) error {
	err := s.Store.RecordDigest(rec)
	if errors.Is(err, storage.ErrDigestSent) {
		return nil // another run recorded it first
	}
	return err
}

// Run sends the digest of the last period if it was missed (the daemon was
// down at send time), then each period as it comes, retrying a failed send
// with back-off (1m, 2m, 4m … 30m) until it goes out or the next period
// comes, whose digest then covers everything unsent. It returns when ctx
// ends.
func (s *Service) Run(ctx context.Context) {
	period := s.LastPeriod(s.now())
	for {
		if !period.IsZero() {
			s.sendWithRetry(ctx, period)
		}
		next := s.Schedule.Next(s.now())
		if next.IsZero() {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		period = s.LastPeriod(s.now())
	}
}

func (s *Service) sendWithRetry(ctx context.Context, period time.Time) {
	wait := s.RetryAfter
	if wait <= 0 {
		wait = time.Minute
	}
	maxWait := 30 * wait
	for {
		err := s.SendPeriod(ctx, period)
		if err == nil {
			return
		}
		next := s.Schedule.Next(period)
		if !s.now().Add(wait).Before(next) {
			s.log().Error("digest: giving up on this period; the next digest covers its matches", "period", period)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, maxWait)
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// InZone is a cron schedule read in a time zone, with the digest's
// answer to daylight saving time: a time that a spring-forward gap skips
// (03:30 on a day clocks go from 03:00 to 04:00) fires right after the
// gap, at the same instant the skipped wall time would have been, rather
// than not that day; a time that the autumn's repeated hour shows twice
// fires once.
type InZone struct {
	Spec interface{ Next(time.Time) time.Time }
	Loc  *time.Location
}

// Next returns the first time after t.
func (z InZone) Next(t time.Time) time.Time {
	t = t.In(z.Loc)
	n := z.Spec.Next(t)
	// In the repeated hour the same wall time comes twice: once is enough.
	const wall = "2006-01-02 15:04:05"
	for !n.IsZero() && n.In(z.Loc).Format(wall) == t.Format(wall) {
		n = z.Spec.Next(n)
	}
	// The same schedule on a clock that does not change at t.
	_, offset := t.Zone()
	f := z.Spec.Next(t.In(time.FixedZone("", offset)))
	if f.IsZero() || !f.Before(n) {
		return n
	}
	w := time.Date(f.Year(), f.Month(), f.Day(), f.Hour(), f.Minute(), f.Second(), 0, z.Loc)
	if (w.Hour() != f.Hour() || w.Minute() != f.Minute()) && w.After(t) && w.Before(n) {
		return w // f's wall time does not exist here: fire after the gap
	}
	return n
}
