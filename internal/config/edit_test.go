package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAddFeeds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	orig := strings.Replace(good, "topics:", "  # the last feed above\n\n# Topics follow.\ntopics:", 1)
	if err := os.WriteFile(path, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	added, skipped, err := AddFeeds(path, []Feed{
		{URL: "https://example.org/rss"}, // listed already
		{URL: "https://kyiv.example/feed.xml", Name: "Kyiv: Daily", Tags: []string{"ukraine", "daily news"}},
		{URL: "https://plain.example/atom"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(added) != 2 || len(skipped) != 1 {
		t.Fatalf("added %v, skipped %v", added, skipped)
	}
	b, _ := os.ReadFile(path)
	want := strings.Replace(orig, "  # the last feed above\n", `  - url: https://kyiv.example/feed.xml
    name: 'Kyiv: Daily'
    tags: [ukraine, daily news]
  - url: https://plain.example/atom
  # the last feed above
`, 1)
	if string(b) != want {
		t.Errorf("config after AddFeeds:\n%s\nwant:\n%s", b, want)
	}
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Feeds) != 4 || c.Feeds[2].Name != "Kyiv: Daily" || strings.Join(c.Feeds[2].Tags, "|") != "ukraine|daily news" {
		t.Errorf("feeds = %+v", c.Feeds)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode = %v, want 0640 kept", fi.Mode().Perm())
	}
}

func TestAddFeedsRefuses(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("feeds: [\n"), 0o644)
	if _, _, err := AddFeeds(bad, []Feed{{URL: "https://a.example/"}}); err == nil || !strings.Contains(err.Error(), "invalid already") {
		t.Errorf("invalid config: %v", err)
	}
	flow := filepath.Join(dir, "flow.yaml")
	body := "feeds: [{url: https://a.example/}]\ntopics:\n  - id: x\n    query: x\n"
	os.WriteFile(flow, []byte(body), 0o644)
	if _, _, err := AddFeeds(flow, []Feed{{URL: "https://b.example/"}}); err == nil || !strings.Contains(err.Error(), "block list") {
		t.Errorf("flow list: %v", err)
	}
	if b, _ := os.ReadFile(flow); string(b) != body {
		t.Error("a refused add changed the file")
	}
}
