package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"newswatch/match"
)

const good = `feeds:
  - url: https://example.org/rss
    name: Example
    tags: [world]
  - url: http://127.0.0.1:8080/feed.xml
topics:
  - id: frozen-assets
    name: Frozen Russian assets
    query: '"frozen assets" OR Euroclear'
poll:
  schedule: "*/5 * * * *"
  max_age: 7d
storage:
  path: data/nw.db
`

func TestParseGood(t *testing.T) {
	c, err := Parse([]byte(good), "good.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.Feeds), 2; got != want {
		t.Fatalf("feeds = %d, want %d", got, want)
	}
	if got, want := c.Feeds[1].Name, "127.0.0.1"; got != want {
		t.Errorf("default feed name = %q, want %q", got, want)
	}
	if got, want := c.Feeds[0].Tags, []string{"world"}; len(got) != 1 || got[0] != want[0] {
		t.Errorf("tags = %q, want %q", got, want)
	}
	if got, want := time.Duration(c.Poll.MaxAge), 7*24*time.Hour; got != want {
		t.Errorf("max_age = %v, want %v", got, want)
	}
	if c.Poll.Workers != DefaultWorkers || c.Poll.Timeout != DefaultTimeout || c.Poll.MaxSize != DefaultMaxSize {
		t.Errorf("defaults not applied: %+v", c.Poll)
	}
	if got, want := c.Poll.Schedule, "*/5 * * * *"; got != want {
		t.Errorf("schedule = %q, want %q", got, want)
	}
}

func TestParseDefaults(t *testing.T) {
	c, err := Parse([]byte("feeds:\n  - url: https://a.example/\ntopics:\n  - id: x\n    query: x\n"), "min.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Poll.Schedule != DefaultSchedule || c.Poll.MaxAge != DefaultMaxAge || c.Storage.Path != DefaultDBPath || c.Topics[0].Name != "x" {
		t.Errorf("defaults not applied: %+v %+v", c.Poll, c.Storage)
	}
}

func TestLoadResolvesStoragePath(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Storage.Path, filepath.Join(dir, "data", "nw.db"); got != want {
		t.Errorf("storage.path = %q, want %q", got, want)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want string // substring of the error, which starts with "bad.yaml:LINE:"
	}{
		{"empty file", "", "bad.yaml: the file is empty"},
		{"typo in key", good + "  shedule: x\n", `bad.yaml:15: unknown key "shedule" in storage`},
		{"typo in poll", strings.Replace(good, "schedule:", "shedule:", 1), `bad.yaml:11: unknown key "shedule" in poll (did you mean "schedule"?)`},
		{"unknown top-level key", "dashbord: {}\n" + good, `bad.yaml:1: unknown key "dashbord" in the top level`},
		{"wrong type", strings.Replace(good, "tags: [world]", "tags: world", 1), `bad.yaml:4: expected a list, found the text "world"`},
		{"workers not a number", good + "  workers: many\n", "unknown key"},
		{"workers wrong type", strings.Replace(good, "max_age: 7d", "max_age: 7d\n  workers: many", 1), `bad.yaml:13: expected a whole number, found the text "many"`},
		{"bad duration", strings.Replace(good, "7d", "7 days", 1), `bad.yaml:12: invalid duration "7 days"`},
		{"bad cron", strings.Replace(good, `"*/5 * * * *"`, `"every 5 minutes"`, 1), `bad.yaml:11: poll.schedule "every 5 minutes" is not a valid cron spec`},
		{"cron out of range", strings.Replace(good, `"*/5 * * * *"`, `"61 * * * *"`, 1), `bad.yaml:11: poll.schedule "61 * * * *"`},
		{"duplicate topic id", strings.Replace(good, "poll:", "  - id: frozen-assets\n    query: x\npoll:", 1), `bad.yaml:10: topics[1]: duplicate topic id "frozen-assets" (first defined at line 7)`},
		{"empty query", strings.Replace(good, `'"frozen assets" OR Euroclear'`, `""`, 1), `bad.yaml:9: topic "frozen-assets": query: column 1: empty query`},
		{"missing query", strings.Replace(good, `    query: '"frozen assets" OR Euroclear'`+"\n", "", 1), `bad.yaml:7: topic "frozen-assets": query: column 1: empty query`},
		{"malformed query", strings.Replace(good, `'"frozen assets" OR Euroclear'`, `'(frozen OR'`, 1), `bad.yaml:9: topic "frozen-assets": query: column 11: expected a term`},
		{"bad topic id", strings.Replace(good, "id: frozen-assets", "id: Frozen Assets", 1), `bad.yaml:7: topics[0]: id "Frozen Assets" must be lower-case`},
		{"no feeds", strings.Replace(good, "feeds:\n  - url: https://example.org/rss\n    name: Example\n    tags: [world]\n  - url: http://127.0.0.1:8080/feed.xml\n", "feeds: []\n", 1), "bad.yaml:1: feeds: at least one feed is required"},
		{"feed without url", strings.Replace(good, "  - url: http://127.0.0.1:8080/feed.xml\n", "  - name: nameless\n", 1), "bad.yaml:5: feeds[1]: url is required"},
		{"feed url not http", strings.Replace(good, "https://example.org/rss", "ftp://example.org/rss", 1), `bad.yaml:2: feeds[0]: url "ftp://example.org/rss" is not an http or https address`},
		{"duplicate feed", strings.Replace(good, "http://127.0.0.1:8080/feed.xml", "https://example.org/rss", 1), `bad.yaml:5: feeds[1]: url "https://example.org/rss" is listed twice (first at line 2)`},
		{"duplicate key", good + "poll:\n  schedule: x\n", `bad.yaml:15: mapping key "poll" already defined at line 10`},
		{"not yaml", "feeds: [\n", "bad.yaml:"},
		{"list at top", "- a\n- b\n", `bad.yaml:1: expected a mapping of keys to values, found a list`},
		{"workers zero", strings.Replace(good, "max_age: 7d", "max_age: 7d\n  workers: 0", 1), "bad.yaml:13: poll.workers must be between 1 and 256, not 0"},
		{"bad size", strings.Replace(good, "max_age: 7d", "max_age: 7d\n  max_size: huge", 1), `bad.yaml:13: invalid size "huge"`},
		{"empty storage path", strings.Replace(good, "path: data/nw.db", `path: ""`, 1), "bad.yaml:14: storage.path is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.yaml), "bad.yaml")
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tt.yaml)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	bad := strings.Replace(good, `'"frozen assets" OR Euroclear'`, `""`, 1)
	bad = strings.Replace(bad, `"*/5 * * * *"`, `"nope"`, 1)
	bad = strings.Replace(bad, "max_age: 7d", "max_age: 7d\n  workers: many", 1)
	bad = strings.Replace(bad, "name: Example", "nmae: Example", 1)
	_, err := Parse([]byte(bad), "bad.yaml")
	if err == nil {
		t.Fatal("accepted a config with four problems")
	}
	lines := strings.Split(err.Error(), "\n")
	want := []string{
		`bad.yaml:3: unknown key "nmae" in a feed (did you mean "name"?)`,
		`bad.yaml:9: topic "frozen-assets": query: column 1: empty query`,
		`bad.yaml:11: poll.schedule "nope" is not a valid cron spec`,
		`bad.yaml:13: expected a whole number, found the text "many"`,
	}
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d (in line order, no echo of the zero workers):\n%s", len(lines), len(want), err)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("problem %d = %q, want %q", i, lines[i], want[i])
		}
	}
}

func TestExamples(t *testing.T) {
	cfg := strings.Replace(good, `    query: '"frozen assets" OR Euroclear'`, `    query: '"frozen assets" OR Euroclear'
    examples:
      match: ["EU to use frozen assets", "Euroclear profits", "Ice cream sales"]
      nomatch: ["Frozen food", "The frozen assets of Russia"]`, 1)
	c, err := Parse([]byte(cfg), "ex.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := match.Compile(c.MatchTopics())
	if err != nil {
		t.Fatal(err)
	}
	failures, total := c.CheckExamples(m)
	if total != 5 {
		t.Errorf("total = %d, want 5", total)
	}
	var got []string
	for _, f := range failures {
		got = append(got, f.Error())
	}
	want := []string{
		`ex.yaml:11: topic "frozen-assets" does not match its example "Ice cream sales"`,
		`ex.yaml:12: topic "frozen-assets" matches its counter-example "The frozen assets of Russia"`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("failures:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	bad := strings.Replace(cfg, `"Frozen food"`, `{text: "x"}`, 1)
	if _, err := Parse([]byte(bad), "ex.yaml"); err == nil || !strings.Contains(err.Error(), "ex.yaml:12: expected an example text") {
		t.Errorf("a mapping as example: %v", err)
	}
}

// A query that is valid but easily misread loads, with a warning that
// names the file, the line and the topic.
func TestQueryWarnings(t *testing.T) {
	cfg := strings.Replace(good, `    query: '"frozen assets" OR Euroclear'`, `    query: '"frozen assets" OR Euroclear AND NOT Gaza'`, 1)
	c, err := Parse([]byte(cfg), "w.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, w := range c.Warnings {
		got = append(got, w.Error())
	}
	want := `w.yaml:9: topic "frozen-assets": query: column 20: AND binds tighter than OR, so “Euroclear AND NOT Gaza” is one alternative of the OR`
	if len(got) != 1 || !strings.HasPrefix(got[0], want) {
		t.Errorf("warnings = %q, want one beginning %q", got, want)
	}
	if ws := c.Topics[0].Warnings; len(ws) != 1 || ws[0].Col != 20 {
		t.Errorf("the topic's warnings = %v, want one at column 20", ws)
	}
	if c, err := Parse([]byte(good), "w.yaml"); err != nil || len(c.Warnings) != 0 {
		t.Errorf("the good config: warnings %v, error %v", c.Warnings, err)
	}
}

func TestPerHost(t *testing.T) {
	c, err := Parse([]byte(strings.Replace(good, "max_age: 7d", "max_age: 7d\n  per_host: 4", 1)), "p.yaml")
	if err != nil || c.Poll.PerHost != 4 {
		t.Errorf("per_host: %v, %v", c, err)
	}
	if _, err := Parse([]byte(strings.Replace(good, "max_age: 7d", "max_age: 7d\n  per_host: 0", 1)), "p.yaml"); err == nil || !strings.Contains(err.Error(), "p.yaml:13: poll.per_host must be between 1 and 64, not 0") {
		t.Errorf("per_host 0: %v", err)
	}
}

func TestScheduleKeys(t *testing.T) {
	cfg := strings.Replace(good, "    tags: [world]", "    tags: [world]\n    every: 10m", 1)
	cfg = strings.Replace(cfg, "  - url: http://127.0.0.1:8080/feed.xml", "  - url: http://127.0.0.1:8080/feed.xml\n    schedule: \"0 * * * *\"", 1)
	cfg = strings.Replace(cfg, "max_age: 7d", "max_age: 7d\n  min_interval: 2m\n  max_interval: 12h\n  failing_after: 3d", 1)
	c, err := Parse([]byte(cfg), "s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if c.Feeds[0].Every != Duration(10*time.Minute) || c.Feeds[1].Schedule != "0 * * * *" ||
		c.Poll.MinInterval != Duration(2*time.Minute) || c.Poll.MaxInterval != Duration(12*time.Hour) || c.Poll.FailingAfter != Duration(72*time.Hour) {
		t.Errorf("parsed %+v %+v", c.Feeds, c.Poll)
	}
	d, _ := Parse([]byte(good), "s.yaml")
	if d.Poll.MinInterval != DefaultMinInterval || d.Poll.MaxInterval != DefaultMaxInterval || d.Poll.FailingAfter != DefaultFailingAfter {
		t.Errorf("defaults: %+v", d.Poll)
	}
	for name, tt := range map[string]struct{ from, to, want string }{
		"both":      {"    tags: [world]", "    tags: [world]\n    every: 5m\n    schedule: \"* * * * *\"", "s.yaml:5: feeds[0]: give every or schedule, not both"},
		"every":     {"    tags: [world]", "    tags: [world]\n    every: 10s", "s.yaml:5: feeds[0]: every must be at least 1m"},
		"cron":      {"    tags: [world]", "    tags: [world]\n    schedule: hourly", `s.yaml:5: feeds[0]: schedule "hourly" is not a valid cron spec`},
		"min > max": {"max_age: 7d", "max_age: 7d\n  min_interval: 2h\n  max_interval: 1h", "s.yaml:14: poll.max_interval (1h0m0s) is shorter than poll.min_interval (2h0m0s)"},
		"tiny":      {"max_age: 7d", "max_age: 7d\n  failing_after: 5s", "s.yaml:13: poll.failing_after must be at least 1m"},
	} {
		_, err := Parse([]byte(strings.Replace(good, tt.from, tt.to, 1)), "s.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want %q", name, err, tt.want)
		}
	}
}

func TestDigestConfig(t *testing.T) {
	c, err := Parse([]byte(good+`digest:
  timezone: Europe/Kyiv
  to:
    - a@example.org
    - {address: b@example.org, topics: [frozen-assets]}
  smtp:
    host: smtp.example.org
    tls: implicit
    password_env: NW_PASS
`), "d.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d := c.Digest
	if d.Schedule != DefaultDigestSchedule || d.Location == nil || d.Location.String() != "Europe/Kyiv" || len(d.To) != 2 ||
		d.To[1].Topics[0] != "frozen-assets" || d.SMTP.Port != 465 || d.From != DefaultDigestAddress || d.Outbox != DefaultOutbox {
		t.Errorf("digest = %+v", d)
	}
	def, _ := Parse([]byte(good), "d.yaml")
	if len(def.Digest.To) != 1 || def.Digest.To[0].Address != DefaultDigestAddress || def.Digest.Timezone != "UTC" || def.Digest.SMTP.Host != "" {
		t.Errorf("default digest = %+v", def.Digest)
	}
	for name, tt := range map[string]struct{ yaml, want string }{
		"timezone":      {"digest:\n  timezone: Mars/Olympus\n", `d.yaml:16: digest.timezone "Mars/Olympus" is not an IANA time zone`},
		"schedule":      {"digest:\n  schedule: daily\n", `d.yaml:16: digest.schedule "daily" is not a valid cron spec`},
		"address":       {"digest:\n  to: [not-an-address]\n", `d.yaml:16: digest.to[0]: "not-an-address" is not a mail address`},
		"topic":         {"digest:\n  to:\n    - {address: a@b.example, topics: [nope]}\n", `d.yaml:17: digest.to[0]: no topic "nope"`},
		"tls":           {"digest:\n  smtp:\n    host: h\n    tls: ssl\n", `d.yaml:18: digest.smtp.tls "ssl": want starttls, implicit or none`},
		"password":      {"digest:\n  smtp:\n    host: h\n    password_env: hunter2!\n", `d.yaml:18: digest.smtp.password_env "hunter2!" must be the name of an environment variable`},
		"unknown key":   {"digest:\n  smtp:\n    hots: h\n", `d.yaml:17: unknown key "hots" in digest.smtp (did you mean "host"?)`},
		"recipient key": {"digest:\n  to:\n    - {adress: a@b.example}\n", `d.yaml:17: unknown key "adress" in a recipient`},
	} {
		_, err := Parse([]byte(good+tt.yaml), "d.yaml")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v\nwant %q", name, err, tt.want)
		}
	}
}

func TestDashboardConfig(t *testing.T) {
	c, _ := Parse([]byte(good), "x.yaml")
	if c.Dashboard.Listen != DefaultListen {
		t.Errorf("default listen %q", c.Dashboard.Listen)
	}
	for _, ok := range []string{"dashboard:\n  listen: off\n", "dashboard:\n  listen: \"[::1]:9000\"\n", "dashboard:\n  listen: 0.0.0.0:8080\n  token_env: NW_TOKEN\n"} {
		if _, err := Parse([]byte(good+ok), "x.yaml"); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for yml, want := range map[string]string{
		"dashboard:\n  listen: 0.0.0.0:8080\n":                          `x.yaml:16: dashboard.listen "0.0.0.0:8080" is not on loopback: set dashboard.token_env`,
		"dashboard:\n  listen: nowhere\n":                               `x.yaml:16: dashboard.listen "nowhere": want host:port`,
		"dashboard:\n  listen: 0.0.0.0:80\n  token_env: \"my token\"\n": `x.yaml:17: dashboard.token_env "my token" must be the name of an environment variable`,
	} {
		if _, err := Parse([]byte(good+yml), "x.yaml"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", yml, err, want)
		}
	}
}

func TestRetention(t *testing.T) {
	c, err := Parse([]byte(strings.Replace(good, "path: data/nw.db", "path: data/nw.db\n  retention: 180d", 1)), "r.yaml")
	if err != nil || c.Storage.Retention != Duration(180*24*time.Hour) {
		t.Errorf("retention: %v %v", c, err)
	}
	_, err = Parse([]byte(strings.Replace(good, "path: data/nw.db", "path: data/nw.db\n  retention: 3d", 1)), "r.yaml")
	if err == nil || !strings.Contains(err.Error(), "r.yaml:15: storage.retention (3d) must be at least poll.max_age (7d)") {
		t.Errorf("retention shorter than max_age: %v", err)
	}
}

// Loading arbitrary bytes never panics, and every refusal names the file.
func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("feeds: [\n"))
	f.Add([]byte("digest:\n  to:\n    - {address: a@b.example, topics: [x]}\n"))
	f.Add([]byte("poll:\n  max_age: 30d\n  max_size: 10MB\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.yaml") {
				t.Fatalf("error %q does not name the file", err)
			}
			return
		}
		if len(c.Feeds) == 0 || len(c.Topics) == 0 || c.Poll.Schedule == "" {
			t.Fatalf("accepted a config without feeds, topics or schedule: %+v", c)
		}
	})
}
