package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newswatch/internal/config"
)

// mailpitBinary finds mailpit, which .ci/run installs with go install. It
// fails the test under CI and skips it on a machine without it.
func mailpitBinary(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("mailpit"); err == nil {
		return p
	}
	if gopath, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
		p := filepath.Join(strings.TrimSpace(string(gopath)), "bin", "mailpit")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("mailpit is not installed; .ci/run installs it")
	}
	t.Skip("mailpit is not installed (go install github.com/axllent/mailpit@v1.27.11)")
	return ""
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

type mailpitMessage struct {
	ID      string
	Subject string
	To, Cc  []struct{ Address string }
	Bcc     []struct{ Address string }
	From    struct{ Address string }
	Text    string
	HTML    string
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// The daemon sends its digest through a real SMTP server (mailpit) when the
// schedule fires; the message read back through mailpit's API has the
// right headers, both parts, working links and escaped feed text, and a
// hostile headline adds no recipient.
func TestDigestEndToEndMailpit(t *testing.T) {
	bin := mailpitBinary(t)
	smtpPort, httpPort := freePort(t), freePort(t)
	// Its database in the test's directory: mailpit removes its default
	// temporary one only when it exits cleanly, and it is killed.
	mp := exec.Command(bin, "--smtp", fmt.Sprintf("127.0.0.1:%d", smtpPort), "--listen", fmt.Sprintf("127.0.0.1:%d", httpPort),
		"--database", filepath.Join(t.TempDir(), "mailpit.db"))
	if err := mp.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mp.Process.Kill(); mp.Wait() })
	api := fmt.Sprintf("http://127.0.0.1:%d/api/v1", httpPort)
	waitFor(t, "mailpit to start", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/livez", httpPort))
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == 200
	})

	// The headline tries a header injection, and carries a script tag
	// escaped twice, so that it survives as text.
	feed := `<rss version="2.0"><channel><title>Wire</title>
<item><title>Ceasefire talks: x
Bcc: victim@example.org &amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt; in Ukraine</title><link>https://news.example/a?utm_source=rss</link><guid>1</guid>
<description>Negotiators met in Riyadh on a truce for Ukraine.</description></item></channel></rss>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(feed)) }))
	defer srv.Close()
	cfg := writeConfig(t, []config.Feed{{URL: srv.URL + "/feed", Name: "Wire & Co"}}, map[string]any{"schedule": "@every 1h"})
	os.WriteFile(cfg, append(mustRead(t, cfg), []byte(fmt.Sprintf(`digest:
  schedule: "@every 2s"
  timezone: Europe/Kyiv
  to: [analyst@example.org]
  from: newswatch@example.org
  smtp:
    host: 127.0.0.1
    port: %d
    tls: none
`, smtpPort))...), 0o644)
	d := startDaemon(t, "-config", cfg, "-db", filepath.Join(t.TempDir(), "nw.db"))

	var id string
	waitFor(t, "a digest with a match in mailpit", func() bool {
		var list struct{ Messages []mailpitMessage }
		getJSON(t, api+"/messages", &list)
		for _, m := range list.Messages {
			if strings.Contains(m.Subject, "1 new match in 1 topic") {
				id = m.ID
				return true
			}
		}
		return false
	})
	if code := d.stop(t); code != 0 {
		t.Errorf("daemon exited %d:\n%s", code, d.log())
	}
	var m mailpitMessage
	getJSON(t, api+"/message/"+id, &m)
	if m.From.Address != "newswatch@example.org" || len(m.To) != 1 || m.To[0].Address != "analyst@example.org" || len(m.Cc)+len(m.Bcc) != 0 {
		t.Errorf("addresses: from %v to %v cc %v bcc %v", m.From, m.To, m.Cc, m.Bcc)
	}
	if !strings.HasPrefix(m.Subject, "newswatch: 1 new match in 1 topic — ") {
		t.Errorf("subject %q", m.Subject)
	}
	for _, want := range []string{"== Ceasefire and peace talks (1)", "Ceasefire talks: x Bcc: victim@example.org <script>alert(1)</script> in Ukraine", "Wire & Co", "https://news.example/a", "*truce*"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("text part lacks %q:\n%s", want, m.Text)
		}
	}
	for _, want := range []string{`href="https://news.example/a"`, `rel="noopener noreferrer"`, "&lt;script&gt;alert(1)&lt;/script&gt;", "<strong>truce</strong>", "Wire &amp; Co"} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML part lacks %q", want)
		}
	}
	if strings.Contains(m.HTML, "<script") {
		t.Error("HTML part carries a script")
	}
	var headers map[string][]string
	getJSON(t, api+"/message/"+id+"/headers", &headers)
	if len(headers["Bcc"]) != 0 || !strings.HasPrefix(strings.Join(headers["Content-Type"], ""), "multipart/alternative") {
		t.Errorf("headers: %v", headers)
	}
}

// waitFor polls cond until it holds; the bound only keeps a broken run from
// hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
