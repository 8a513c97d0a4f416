package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"newswatch/internal/config"
	"newswatch/internal/feedfarm"
)

// bench runs newswatch through "feedfarm rusage"; in tests the executable
// is the test binary, which then acts as feedfarm.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "rusage" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// The config bench writes loads in newswatch, with the farm's feeds and the
// shipped topics.
func TestWriteConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "farm.yaml")
	urls := []string{"http://127.0.0.1:1/feeds/0.xml", "http://127.0.0.1:2/feeds/1.atom"}
	if err := writeConfig(path, filepath.Join("..", "..", "config.yaml"), urls, 16); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	shipped, err := config.Load(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Feeds) != 2 || c.Feeds[1].URL != urls[1] || len(c.Topics) != len(shipped.Topics) || c.Poll.Workers != 16 {
		t.Errorf("feeds %+v, %d topics (want %d), workers %d", c.Feeds, len(c.Topics), len(shipped.Topics), c.Poll.Workers)
	}
	for i, tp := range c.Topics {
		if tp.Query != shipped.Topics[i].Query {
			t.Errorf("topic %s: query %q, want %q", tp.ID, tp.Query, shipped.Topics[i].Query)
		}
	}
}

// bench measures real cycles of the newswatch binary against a small farm
// and prints a row per run with the cold cycle's new items.
func TestBenchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds newswatch")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "newswatch")
	if out, err := exec.Command("go", "build", "-o", bin, "../newswatch").CombinedOutput(); err != nil {
		t.Fatalf("build newswatch: %v\n%s", err, out)
	}
	var out bytes.Buffer
	b := bench{
		cfg:     feedfarm.Config{Feeds: 24, Hosts: 4, Seed: 5, Failing: -1, Slow: -1, Changing: 1},
		workers: 4, newswatch: bin, topics: filepath.Join("..", "..", "config.yaml"),
		runs: 2, dir: dir, out: &out,
	}
	if err := b.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	rows := regexp.MustCompile(`(?m)^\| [12] \| .* \| \d+ / \d+ / \d+ \|$`).FindAllString(out.String(), -1)
	if len(rows) != 2 || !strings.Contains(out.String(), "| median |") {
		t.Fatalf("want two rows and a median:\n%s", out.String())
	}
	// Every row has the header's cells, and a work ratio, the cold
	// cycle's CPU and the farm's over the floor's, that is a number.
	header := strings.Split(regexp.MustCompile(`(?m)^\| run \|.*$`).FindString(out.String()), " | ")
	work := slices.Index(header, "cold work/floor")
	if work < 0 {
		t.Fatalf("no work ratio column in %q", header)
	}
	for _, row := range rows {
		cells := strings.Split(row, " | ")
		if len(cells) != len(header) {
			t.Fatalf("row %q has %d cells, the header %d", row, len(cells), len(header))
		}
		if ratio, err := strconv.ParseFloat(cells[work], 64); err != nil || ratio <= 0 {
			t.Errorf("row %q: work ratio %q is not a positive number", row, cells[work])
		}
	}
	// Every item of the farm was new in the cold cycle, and every changing
	// feed (all of them) brought new items in the changed cycle.
	m := regexp.MustCompile(`cold cycle stored (\d+) new items`).FindStringSubmatch(out.String())
	items := regexp.MustCompile(`(\d+) items, [\d.]+ MB;`).FindStringSubmatch(out.String())
	if m == nil || items == nil || m[1] != items[1] || m[1] == "0" {
		t.Errorf("cold cycle stored %v new items of the farm's %v:\n%s", m, items, out.String())
	}
	if regexp.MustCompile(`\(0 new\)`).MatchString(out.String()) {
		t.Errorf("a changed cycle found nothing new:\n%s", out.String())
	}
}
