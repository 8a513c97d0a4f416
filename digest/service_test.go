package digest

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/robfig/cron/v3"

	"newswatch/storage"
)

// smtpServer is a real SMTP server on loopback that keeps what it gets.
type smtpServer struct {
	mu       sync.Mutex
	messages [][]byte
	rcpts    [][]string
	fail     bool // refuse DATA, as a broken server would
	addr     string
}

type session struct {
	s     *smtpServer
	rcpts []string
}

func (s *session) Reset()                               { s.rcpts = nil }
func (s *session) Logout() error                        { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpts = append(s.rcpts, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.s.mu.Lock()
	defer s.s.mu.Unlock()
	if s.s.fail {
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	s.s.messages = append(s.s.messages, b)
	s.s.rcpts = append(s.s.rcpts, s.rcpts)
	return nil
}

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	srv := &smtpServer{}
	be := smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &session{s: srv}, nil })
	s := smtp.NewServer(be)
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.addr = l.Addr().String()
	go s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return srv
}

func (s *smtpServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.messages)
}

func (s *smtpServer) setFail(f bool) {
	s.mu.Lock()
	s.fail = f
	s.mu.Unlock()
}

func newService(t *testing.T, db *storage.DB, srv *smtpServer) *Service {
	t.Helper()
	host, port, _ := net.SplitHostPort(srv.addr)
	var p int
	for _, c := range port {
		p = p*10 + int(c-'0')
	}
	m, err := NewSMTP(host, p, "none", "", "")
	if err != nil {
		t.Fatal(err)
	}
	sched, _ := cron.ParseStandard("0 7 * * *")
	return &Service{Store: db, Mailer: m, Schedule: InZone{sched, kyiv}, Location: kyiv,
		From: "newswatch@localhost", Recipients: []Recipient{{Address: "analyst@example.org", Topics: topics}},
		Feeds: []string{"https://a.example/feed"}}
}

// parseMail reads a message the server got: its headers, and the text and
// HTML parts of its multipart/alternative body.
func parseMail(t *testing.T, raw []byte) (*mail.Message, string, string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q, want multipart/alternative", m.Header.Get("Content-Type"))
	}
	var text, html string
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		b, _ := io.ReadAll(p)
		dec, _ := io.ReadAll(quotedOrPlain(p.Header.Get("Content-Transfer-Encoding"), b))
		switch {
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain"):
			text = string(dec)
		case strings.HasPrefix(p.Header.Get("Content-Type"), "text/html"):
			html = string(dec)
		}
	}
	return m, text, html
}

func TestServiceSendsOncePerPeriod(t *testing.T) {
	db := openDB(t)
	srv := startSMTP(t)
	s := newService(t, db, srv)
	period := time.Date(2025, 3, 4, 7, 0, 0, 0, kyiv)
	s.Now = func() time.Time { return period.Add(time.Minute) }
	save(t, db, "https://a.example/feed", "a1", "x\r\nBcc: victim@example.org <script>alert(1)</script>", period.Add(-time.Hour), hit{"ceasefire", 2})

	if err := s.SendPeriod(context.Background(), period); err != nil {
		t.Fatal(err)
	}
	if srv.count() != 1 {
		t.Fatalf("%d messages, want 1", srv.count())
	}
	m, text, html := parseMail(t, srv.messages[0])
	if got := subjectOf(m); got != "newswatch: 1 new match in 1 topic — 2025-03-04" {
		t.Errorf("Subject = %q", got)
	}
	if m.Header.Get("Bcc") != "" || len(srv.rcpts[0]) != 1 || srv.rcpts[0][0] != "analyst@example.org" {
		t.Errorf("the headline added a recipient or header: Bcc %q, RCPT %v", m.Header.Get("Bcc"), srv.rcpts[0])
	}
	if m.Header.Get("Message-Id") != "<"+MessageID("analyst@example.org", period)+">" {
		t.Errorf("Message-ID = %q", m.Header.Get("Message-Id"))
	}
	if !strings.Contains(text, "x Bcc: victim@example.org <script>alert(1)</script>") || !strings.Contains(html, "x Bcc: victim@example.org &lt;script&gt;") || strings.Contains(html, "<script") {
		t.Errorf("parts:\n%s\n%s", text, html)
	}

	// Again for the same period, and from a fresh service (a restart): nothing.
	if err := s.SendPeriod(context.Background(), period); err != nil {
		t.Fatal(err)
	}
	if err := newService(t, db, srv).SendPeriod(context.Background(), period); err != nil {
		t.Fatal(err)
	}
	if srv.count() != 1 {
		t.Errorf("%d messages after sending the same period again, want 1", srv.count())
	}
	st, _ := db.DigestState("analyst@example.org")
	if st.UpTo == 0 || !st.Period.Equal(period) {
		t.Errorf("state = %+v", st)
	}
}

// SMTP down: nothing recorded, the watermark stays; up again: the digest
// goes out with every match, and the next period's holds only new ones.
func TestServiceSMTPDownThenUp(t *testing.T) {
	db := openDB(t)
	srv := startSMTP(t)
	s := newService(t, db, srv)
	period := time.Date(2025, 3, 4, 7, 0, 0, 0, kyiv)
	s.Now = func() time.Time { return period }
	save(t, db, "https://a.example/feed", "a1", "First", period.Add(-2*time.Hour), hit{"ceasefire", 2})

	srv.setFail(true)
	if err := s.SendPeriod(context.Background(), period); err == nil {
		t.Fatal("a refused message was reported sent")
	}
	if st, _ := db.DigestState("analyst@example.org"); st.UpTo != 0 {
		t.Errorf("watermark moved on a failure: %+v", st)
	}
	save(t, db, "https://a.example/feed", "a2", "Second", period.Add(time.Minute), hit{"sanctions", 2})
	srv.setFail(false)
	if err := s.SendPeriod(context.Background(), period); err != nil {
		t.Fatal(err)
	}
	_, text, _ := parseMail(t, srv.messages[0])
	if !strings.Contains(text, "First") || !strings.Contains(text, "Second") {
		t.Errorf("the retried digest lacks matches:\n%s", text)
	}
	next := period.Add(24 * time.Hour)
	save(t, db, "https://a.example/feed", "a3", "Third", next.Add(-time.Hour), hit{"nuclear", 2})
	if err := s.SendPeriod(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	_, text, _ = parseMail(t, srv.messages[1])
	if strings.Contains(text, "First") || strings.Contains(text, "Second") || !strings.Contains(text, "Third") {
		t.Errorf("the next digest repeats or misses matches:\n%s", text)
	}
}

// The daemon was down at send time: Run sends the missed digest at once.
func TestServiceRunCatchesUp(t *testing.T) {
	db := openDB(t)
	srv := startSMTP(t)
	s := newService(t, db, srv)
	now := time.Date(2025, 3, 4, 9, 30, 0, 0, kyiv) // two and a half hours after the digest time
	s.Now = func() time.Time { return now }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	waitUntil(t, func() bool { return srv.count() > 0 })
	cancel()
	<-done
	m, text, _ := parseMail(t, srv.messages[0])
	if subjectOf(m) != "newswatch: 0 new matches — 2025-03-04" || !strings.Contains(text, "0 new matches;") {
		t.Errorf("catch-up heartbeat: %q\n%s", subjectOf(m), text)
	}
	if sent, _ := db.DigestSent("analyst@example.org", time.Date(2025, 3, 4, 7, 0, 0, 0, kyiv)); !sent {
		t.Error("the 07:00 period is not recorded")
	}
}

func TestServiceSkipEmptyAndOutbox(t *testing.T) {
	db := openDB(t)
	dir := t.TempDir()
	sched, _ := cron.ParseStandard("0 7 * * *")
	s := &Service{Store: db, Mailer: Outbox{Dir: filepath.Join(dir, "outbox")}, Schedule: InZone{sched, kyiv}, Location: kyiv,
		From: "newswatch@localhost", Recipients: []Recipient{{Address: "analyst@example.org", Topics: topics}}, SkipEmpty: true}
	period := time.Date(2025, 3, 4, 7, 0, 0, 0, kyiv)
	if err := s.SendPeriod(context.Background(), period); err != nil {
		t.Fatal(err)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml")); len(files) != 0 {
		t.Errorf("skip_empty wrote %v", files)
	}
	if sent, _ := db.DigestSent("analyst@example.org", period); !sent {
		t.Error("the skipped period is not recorded")
	}
	s.SkipEmpty = false
	save(t, db, "https://a.example/feed", "a1", "Truce", period.Add(time.Hour), hit{"ceasefire", 2})
	next := period.Add(24 * time.Hour)
	if err := s.SendPeriod(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("outbox holds %v, want one .eml", files)
	}
	raw, _ := os.ReadFile(files[0])
	m, text, _ := parseMail(t, raw)
	if m.Header.Get("To") != "<analyst@example.org>" || !strings.Contains(text, "Truce") {
		t.Errorf("outbox message: To %q\n%s", m.Header.Get("To"), text)
	}
}

// Across daylight saving time in the digest's time zone every day has
// exactly one digest time: 03:30 on the day clocks skip 03:00–04:00 fires
// right after the gap, and the repeated hour in autumn fires once.
func TestInZoneDST(t *testing.T) {
	for _, spec := range []string{"30 3 * * *", "0 7 * * *", "30 2 * * *"} {
		sched, _ := cron.ParseStandard(spec)
		z := InZone{sched, kyiv}
		for _, from := range []time.Time{time.Date(2025, 3, 27, 12, 0, 0, 0, kyiv), time.Date(2025, 10, 23, 12, 0, 0, 0, kyiv)} {
			days := map[string]int{}
			t0 := from
			for i := 0; i < 6; i++ {
				t0 = z.Next(t0)
				days[t0.In(kyiv).Format("2006-01-02")]++
			}
			if len(days) != 6 {
				t.Errorf("%s from %s: fires on %v, want 6 days once each", spec, from.Format("01-02"), days)
			}
		}
	}
	sched, _ := cron.ParseStandard("30 3 * * *")
	got := InZone{sched, kyiv}.Next(time.Date(2025, 3, 29, 12, 0, 0, 0, kyiv))
	if want := time.Date(2025, 3, 30, 1, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("03:30 on 30 March 2025 in Kyiv fires at %v, want %v (04:30 EEST)", got, want)
	}
}

// quotedOrPlain decodes a part body by its Content-Transfer-Encoding.
func quotedOrPlain(cte string, b []byte) io.Reader {
	switch strings.ToLower(cte) {
	case "quoted-printable":
		return quotedprintable.NewReader(bytes.NewReader(b))
	case "base64":
		return base64.NewDecoder(base64.StdEncoding, bytes.NewReader(b))
	}
	return bytes.NewReader(b)
}

// subjectOf decodes a message's Subject (RFC 2047).
func subjectOf(m *mail.Message) string {
	s, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return m.Header.Get("Subject")
	}
	return s
}

// Run retries a failed send with back-off until the server takes it.
func TestServiceRunRetries(t *testing.T) {
	db := openDB(t)
	srv := startSMTP(t)
	srv.setFail(true)
	s := newService(t, db, srv)
	s.RetryAfter = 20 * time.Millisecond
	now := time.Date(2025, 3, 4, 8, 0, 0, 0, kyiv)
	s.Now = func() time.Time { return now }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	time.Sleep(100 * time.Millisecond) // a few refused attempts
	if srv.count() != 0 {
		t.Fatal("a refused digest counted as sent")
	}
	srv.setFail(false)
	waitUntil(t, func() bool { return srv.count() == 1 })
	cancel()
	<-done
	if sent, _ := db.DigestSent("analyst@example.org", time.Date(2025, 3, 4, 7, 0, 0, 0, kyiv)); !sent {
		t.Error("the retried digest is not recorded")
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A crash between the server taking a digest and its record: on restart the
// period is not sent again, and its matches come in the next digest.
func TestServiceCrashMidSend(t *testing.T) {
	db := openDB(t)
	srv := startSMTP(t)
	s := newService(t, db, srv)
	period := time.Date(2025, 3, 4, 7, 0, 0, 0, kyiv)
	s.Now = func() time.Time { return period }
	save(t, db, "https://a.example/feed", "a1", "Truce", period.Add(-time.Hour), hit{"ceasefire", 2})
	// What a crash leaves: the pending record, no watermark.
	if err := db.BeginDigest("analyst@example.org", period, period.Add(-24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := newService(t, db, srv).SendPeriod(context.Background(), period); err != nil {
		t.Fatal(err)
	}
	if srv.count() != 0 {
		t.Fatal("a period left pending by a crash was sent again")
	}
	next := period.Add(24 * time.Hour)
	if err := s.SendPeriod(context.Background(), next); err != nil {
		t.Fatal(err)
	}
	if srv.count() != 1 {
		t.Fatalf("%d messages, want the next period's", srv.count())
	}
	if _, text, _ := parseMail(t, srv.messages[0]); !strings.Contains(text, "Truce") {
		t.Errorf("the next digest lacks the match of the crashed one:\n%s", text)
	}
}
