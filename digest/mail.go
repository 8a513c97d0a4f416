package digest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"time"

	mail "github.com/wneessen/go-mail"
)

// Mailer delivers a message: to an SMTP server, or to an outbox folder.
type Mailer interface {
	// Send returns nil only once the message is accepted (by the server,
	// or written whole to disk).
	Send(ctx context.Context, m *mail.Msg) error
}

// Message builds the multipart/alternative mail of a digest. Its
// Message-ID is derived from recipient and period, so a digest sent twice
// by accident can be told for the same one.
func Message(d *Digest, from, to string, period time.Time, now time.Time) (*mail.Msg, error) {
	m := mail.NewMsg()
	if err := m.From(from); err != nil {
		return nil, fmt.Errorf("digest from %q: %w", from, err)
	}
	if err := m.To(to); err != nil {
		return nil, fmt.Errorf("digest to %q: %w", to, err)
	}
	m.Subject(HeaderValue(d.Subject))
	m.SetDateWithValue(now)
	m.SetMessageIDWithValue(MessageID(to, period))
	m.SetUserAgent("newswatch")
	m.SetBodyString(mail.TypeTextPlain, d.Text)
	m.AddAlternativeString(mail.TypeTextHTML, d.HTML)
	return m, nil
}

// MessageID is the Message-ID (without brackets) of the digest of period
// for recipient.
func MessageID(recipient string, period time.Time) string {
	h := sha256.Sum256([]byte(recipient))
	return fmt.Sprintf("digest.%d.%s@newswatch", period.Unix(), hex.EncodeToString(h[:6]))
}

// SMTP sends through a mail server.
type SMTP struct {
	client *mail.Client
}

// NewSMTP returns a Mailer for host:port. tls is "starttls", "implicit" or
// "none"; with a username, it authenticates (PLAIN, or whatever the server
// offers) with password.
func NewSMTP(host string, port int, tls, username, password string) (*SMTP, error) {
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(30 * time.Second)}
	switch tls {
	case "implicit":
		opts = append(opts, mail.WithSSL())
	case "none":
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(username), mail.WithPassword(password))
	}
	c, err := mail.NewClient(host, opts...)
	if err != nil {
		return nil, fmt.Errorf("smtp %s:%d: %w", host, port, err)
	}
	return &SMTP{client: c}, nil
}

// Send delivers m.
func (s *SMTP) Send(ctx context.Context, m *mail.Msg) error {
	if err := s.client.DialAndSendWithContext(ctx, m); err != nil {
		return fmt.Errorf("send digest: %w", err)
	}
	return nil
}

// Outbox writes each message as an .eml file into Dir.
type Outbox struct {
	Dir string
}

// Send writes m to Dir/<date>-<message id>.eml, through a temporary file so
// that no half-written message is ever there.
func (o Outbox) Send(_ context.Context, m *mail.Msg) error {
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	ids := m.GetGenHeader(mail.HeaderMessageID)
	id := "digest"
	if len(ids) > 0 {
		id = ids[0]
	}
	name := filepath.Join(o.Dir, time.Now().UTC().Format("20060102T150405Z")+"-"+sanitizeFileName(id)+".eml")
	// A send killed before its rename leaves its temporary file: named so
	// that nothing reading *.eml takes it for a message, and removed by
	// the next send (one process at a time holds the database, so no
	// other send is writing one).
	if stale, err := filepath.Glob(filepath.Join(o.Dir, ".digest-*.tmp")); err == nil {
		for _, f := range stale {
			os.Remove(f)
		}
	}
	tmp, err := os.CreateTemp(o.Dir, ".digest-*.tmp")
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := m.WriteTo(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("outbox: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	return nil
}

func sanitizeFileName(s string) string {
	out := []rune{}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			out = append(out, r)
		case r == '@':
			out = append(out, '_')
		}
	}
	return string(out)
}
