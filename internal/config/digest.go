package config

import (
	"fmt"
	"net"
	"net/mail"
	"regexp"
	"time"

	"github.com/robfig/cron/v3"
	"go.yaml.in/yaml/v3"
)

// Digest configures the daily digest.
type Digest struct {
	// Schedule is when digests go out, a cron spec read in Timezone.
	Schedule string `yaml:"schedule"`
	// Timezone is an IANA name; the digest's times are shown in it.
	Timezone string `yaml:"timezone"`
	// To lists the recipients.
	To []Recipient `yaml:"to"`
	// From is the sender address.
	From string `yaml:"from"`
	// SMTP, when Host is set, is the server digests are sent through;
	// without it they are written to Outbox.
	SMTP SMTP `yaml:"smtp"`
	// Outbox is the folder of .eml files, relative to the config file.
	Outbox string `yaml:"outbox"`
	// SkipEmpty suppresses the heartbeat digest of a day without matches.
	SkipEmpty bool `yaml:"skip_empty"`

	// Location is Timezone loaded.
	Location *time.Location `yaml:"-"`
}

// Recipient is an address and, optionally, the only topics it receives.
// In YAML it is an address, or a mapping with address and topics.
type Recipient struct {
	Address string   `yaml:"address"`
	Topics  []string `yaml:"topics"`
	line    int
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (r *Recipient) UnmarshalYAML(n *yaml.Node) error {
	r.line = n.Line
	if n.Kind == yaml.ScalarNode {
		r.Address = n.Value
		return nil
	}
	type plain Recipient
	var p plain
	if n.Kind != yaml.MappingNode {
		return &lineError{n.Line, "a recipient is an address, or a mapping with address and topics"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch k := n.Content[i].Value; k {
		case "address", "topics":
		default:
			return &lineError{n.Content[i].Line, fmt.Sprintf("unknown key %q in a recipient (known keys: address, topics)", k)}
		}
	}
	if err := n.Decode(&p); err != nil {
		return err
	}
	*r = Recipient(p)
	r.line = n.Line
	return nil
}

// MarshalYAML writes a recipient back.
func (r Recipient) MarshalYAML() (any, error) {
	if len(r.Topics) == 0 {
		return r.Address, nil
	}
	return map[string]any{"address": r.Address, "topics": r.Topics}, nil
}

// SMTP is a mail server.
type SMTP struct {
	Host string `yaml:"host"`
	Port int    `yaml:"port"`
	// TLS is starttls (default), implicit or none.
	TLS      string `yaml:"tls"`
	Username string `yaml:"username"`
	// PasswordEnv names the environment variable that holds the password;
	// the password itself never goes in the file.
	PasswordEnv string `yaml:"password_env"`
}

// Digest defaults.
const (
	DefaultDigestSchedule = "0 7 * * *"
	DefaultDigestAddress  = "newswatch@localhost"
	DefaultOutbox         = "outbox"
)

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (v *validator) checkDigest(c *Config) {
	d := &c.Digest
	dn := find(v.root, "digest")
	if d.Schedule == "" {
		d.Schedule = DefaultDigestSchedule
	}
	if d.Timezone == "" {
		d.Timezone = "UTC"
	}
	loc, err := time.LoadLocation(d.Timezone)
	if err != nil {
		v.errorf(find(dn, "timezone"), "digest.timezone %q is not an IANA time zone such as Europe/Kyiv", d.Timezone)
	} else {
		d.Location = loc
	}
	if _, err := cron.ParseStandard(d.Schedule); err != nil {
		v.errorf(find(dn, "schedule"), "digest.schedule %q is not a valid cron spec: %v", d.Schedule, err)
	}
	if len(d.To) == 0 {
		d.To = []Recipient{{Address: DefaultDigestAddress}}
	}
	topics := map[string]bool{}
	for _, t := range c.Topics {
		topics[t.ID] = true
	}
	for i, r := range d.To {
		at := &yaml.Node{Line: r.line}
		if _, err := mail.ParseAddress(r.Address); err != nil {
			v.errorf(at, "digest.to[%d]: %q is not a mail address", i, r.Address)
		}
		for _, t := range r.Topics {
			if !topics[t] {
				v.errorf(at, "digest.to[%d]: no topic %q", i, t)
			}
		}
	}
	if d.From == "" {
		d.From = DefaultDigestAddress
	} else if _, err := mail.ParseAddress(d.From); err != nil {
		v.errorf(find(dn, "from"), "digest.from %q is not a mail address", d.From)
	}
	if d.Outbox == "" {
		d.Outbox = DefaultOutbox
	}
	s := &d.SMTP
	sn := find(dn, "smtp")
	switch s.TLS {
	case "":
		s.TLS = "starttls"
	case "starttls", "implicit", "none":
	default:
		v.errorf(find(sn, "tls"), "digest.smtp.tls %q: want starttls, implicit or none", s.TLS)
	}
	if s.Port == 0 {
		s.Port = 587
		if s.TLS == "implicit" {
			s.Port = 465
		}
	} else if s.Port < 1 || s.Port > 65535 {
		v.errorf(find(sn, "port"), "digest.smtp.port %d is not a port", s.Port)
	}
	if s.PasswordEnv != "" && !envName.MatchString(s.PasswordEnv) {
		v.errorf(find(sn, "password_env"), "digest.smtp.password_env %q must be the name of an environment variable, not a password", s.PasswordEnv)
	}
	if s.Host == "" && (s.Username != "" || s.PasswordEnv != "") {
		v.errorf(sn, "digest.smtp: username or password_env without a host")
	}
}

// Dashboard configures the local web dashboard.
type Dashboard struct {
	// Listen is host:port, or "off" for no dashboard. A host that is not
	// loopback needs TokenEnv.
	Listen string `yaml:"listen"`
	// TokenEnv names the environment variable holding the access token
	// every request must then carry.
	TokenEnv string `yaml:"token_env"`
}

// DefaultListen is where the dashboard listens unless told otherwise.
const DefaultListen = "127.0.0.1:8080"

func (v *validator) checkDashboard(c *Config) {
	d := &c.Dashboard
	dn := find(v.root, "dashboard")
	if d.Listen == "" {
		d.Listen = DefaultListen
	}
	if d.TokenEnv != "" && !envName.MatchString(d.TokenEnv) {
		v.errorf(find(dn, "token_env"), "dashboard.token_env %q must be the name of an environment variable, not a token", d.TokenEnv)
	}
	if d.Listen == "off" {
		return
	}
	host, port, err := net.SplitHostPort(d.Listen)
	if err != nil || port == "" {
		v.errorf(find(dn, "listen"), "dashboard.listen %q: want host:port such as 127.0.0.1:8080, or off", d.Listen)
		return
	}
	if !loopback(host) && d.TokenEnv == "" {
		v.errorf(find(dn, "listen"), "dashboard.listen %q is not on loopback: set dashboard.token_env so that every request must carry a token", d.Listen)
	}
}

// loopback reports whether host is only reachable from this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
