package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"
	"go.yaml.in/yaml/v3"

	"newswatch/internal/feedfarm"
)

// bench measures poll cycles of the newswatch binary against a farm.
type bench struct {
	cfg       feedfarm.Config
	workers   int
	newswatch string
	topics    string
	runs      int
	profile   string
	dir       string
	out       io.Writer
}

// cycle is one measured "newswatch poll".
type cycle struct {
	wall, cpu time.Duration
	rssMiB    float64
	newItems  int
	dbMiB     float64
	commits   uint64
	written   float64 // MiB written to storage
}

func (b *bench) run(ctx context.Context) error {
	if b.dir == "" {
		dir, err := os.MkdirTemp("", "feedfarm")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		b.dir = dir
	}
	fmt.Fprintf(b.out, "farm: %d feeds on %d hosts, seed %d; %d workers; newswatch %s\n\n", b.cfg.Feeds, b.cfg.Hosts, b.cfg.Seed, b.workers, b.newswatch)
	fmt.Fprintln(b.out, "| run | floor | cold | cold/floor | warm | warm/floor | changed | floor CPU | farm CPU in cold | cold CPU | cold work/floor | cold peak RSS | cold items/s | warm peak RSS | DB after cold | written cold | commits cold/warm/changed |")
	fmt.Fprintln(b.out, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	// Ratios are taken within a run, against the floor measured in it, and
	// their median reported: the machine's speed drifts between runs. The
	// work ratio, (cold CPU + farm CPU in cold) / floor CPU, compares the
	// work done, whatever the speed of the moment; a cold/floor above it
	// says the cycle kept the cores less busy than the floor did.
	var floors, colds, warms, coldRatios, warmRatios, workRatios []float64
	for r := range b.runs {
		// A new farm each run, so that every run starts at generation 0.
		f, err := start(b.cfg)
		if err != nil {
			return err
		}
		cpu0 := selfCPU()
		floor := feedfarm.Floor(ctx, f.URLs(), b.workers)
		floorCPU := selfCPU() - cpu0
		conf := filepath.Join(b.dir, "farm.yaml")
		if err := writeConfig(conf, b.topics, f.URLs(), b.workers); err != nil {
			f.Close()
			return err
		}
		db := filepath.Join(b.dir, fmt.Sprintf("run%d.db", r))
		profile := ""
		if r == 0 {
			profile = b.profile
		}
		cpu0 = selfCPU()
		cold, err := b.poll(ctx, conf, db, profile)
		farmCPU := selfCPU() - cpu0
		if err != nil {
			f.Close()
			return err
		}
		// The machine's speed drifts within minutes: a second floor right
		// after the cold cycle, and the cycles are measured against the
		// mean of the two that bracket it.
		cpu0 = selfCPU()
		after := feedfarm.Floor(ctx, f.URLs(), b.workers)
		floorCPU = (floorCPU + selfCPU() - cpu0) / 2
		floor.Elapsed = (floor.Elapsed + after.Elapsed) / 2
		warm, err := b.poll(ctx, conf, db, "")
		if err != nil {
			f.Close()
			return err
		}
		f.Advance()
		changed, err := b.poll(ctx, conf, db, "")
		f.Close()
		if err != nil {
			return err
		}
		fs, cs, ws := floor.Elapsed.Seconds(), cold.wall.Seconds(), warm.wall.Seconds()
		floors, colds, warms = append(floors, fs), append(colds, cs), append(warms, ws)
		coldRatios, warmRatios = append(coldRatios, cs/fs), append(warmRatios, ws/fs)
		work := (cold.cpu + farmCPU).Seconds() / floorCPU.Seconds()
		workRatios = append(workRatios, work)
		fmt.Fprintf(b.out, "| %d | %.2f s | %.2f s | %.2f× | %.2f s | %.2f× | %.2f s (%d new) | %.1f s | %.1f s | %.1f s | %.2f | %.0f MiB | %.0f | %.0f MiB | %.0f MiB | %.0f MiB | %d / %d / %d |\n",
			r+1, fs, cs, cs/fs, ws, ws/fs, changed.wall.Seconds(), changed.newItems, floorCPU.Seconds(), farmCPU.Seconds(), cold.cpu.Seconds(), work, cold.rssMiB,
			float64(cold.newItems)/cs, warm.rssMiB, cold.dbMiB, cold.written, cold.commits, warm.commits, changed.commits)
		if r == 0 {
			defer fmt.Fprintf(b.out, "\nfloor: %d feeds fetched and parsed (%d failed), %d items, %.1f MB; cold cycle stored %d new items\n",
				floor.Feeds, floor.Failed, floor.Items, float64(floor.Bytes)/1e6, cold.newItems)
		}
	}
	fmt.Fprintf(b.out, "| median | %.2f s | %.2f s | %.2f× | %.2f s | %.2f× | | | | | %.2f | | | | | | |\n",
		median(floors), median(colds), median(coldRatios), median(warms), median(warmRatios), median(workRatios))
	return nil
}

var (
	newItemsRE = regexp.MustCompile(`; (\d+) new items`)
	rusageRE   = regexp.MustCompile(`rusage: wall_ns=(\d+) cpu_ns=(\d+) maxrss_kib=(\d+) written_bytes=(\d+)`)
)

// poll runs one "newswatch poll" and measures it.
func (b *bench) poll(ctx context.Context, conf, db, profile string) (cycle, error) {
	before := txid(db)
	args := []string{"poll", "-config", conf, "-db", db, "-log-level", "error"}
	if profile != "" {
		args = append(args, "-cpuprofile", profile)
	}
	self, err := os.Executable()
	if err != nil {
		return cycle{}, err
	}
	cmd := exec.CommandContext(ctx, self, append([]string{"rusage", b.newswatch}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return cycle{}, fmt.Errorf("%s: %w\n%s", cmd, err, errOut.Bytes())
	}
	var c cycle
	ru := rusageRE.FindSubmatch(errOut.Bytes())
	if ru == nil {
		return cycle{}, fmt.Errorf("%s printed no rusage line:\n%s", cmd, lastLines(errOut.Bytes(), 5))
	}
	wall, _ := strconv.ParseInt(string(ru[1]), 10, 64)
	cpu, _ := strconv.ParseInt(string(ru[2]), 10, 64)
	rss, _ := strconv.ParseInt(string(ru[3]), 10, 64)
	written, _ := strconv.ParseInt(string(ru[4]), 10, 64)
	c.written = float64(written) / (1 << 20)
	c.wall, c.cpu, c.rssMiB = time.Duration(wall), time.Duration(cpu), float64(rss)/1024
	m := newItemsRE.FindSubmatch(out.Bytes())
	if m == nil {
		return cycle{}, fmt.Errorf("%s printed no total line:\n%s", cmd, lastLines(out.Bytes(), 5))
	}
	c.newItems, _ = strconv.Atoi(string(m[1]))
	if fi, err := os.Stat(db); err == nil {
		c.dbMiB = float64(fi.Size()) / (1 << 20)
	}
	c.commits = txid(db) - before
	return c, nil
}

// txid returns the id of the database's last committed write transaction:
// the difference across a cycle is the number of commits it made. 0 when
// the file does not exist yet.
func txid(path string) uint64 {
	if _, err := os.Stat(path); err != nil {
		return 0
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return 0
	}
	defer db.Close()
	var id int
	db.View(func(tx *bolt.Tx) error { id = tx.ID(); return nil })
	return uint64(id)
}

// writeConfig writes a newswatch config that lists the farm's feeds and
// carries the topics of the config at topicsFrom.
func writeConfig(path, topicsFrom string, urls []string, workers int) error {
	src, err := os.ReadFile(topicsFrom)
	if err != nil {
		return fmt.Errorf("read topics: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 {
		return fmt.Errorf("%s: not a YAML document: %v", topicsFrom, err)
	}
	var topics *yaml.Node
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "topics" {
			topics = root.Content[i+1]
		}
	}
	if topics == nil {
		return fmt.Errorf("%s has no topics", topicsFrom)
	}
	quoteBlocks(topics)
	type feed struct {
		URL  string `yaml:"url"`
		Name string `yaml:"name"`
	}
	feeds := make([]feed, len(urls))
	for i, u := range urls {
		feeds[i] = feed{URL: u, Name: fmt.Sprintf("farm %d", i)}
	}
	out, err := yaml.Marshal(map[string]any{
		"feeds":  feeds,
		"topics": topics,
		"poll":   map[string]any{"workers": workers, "per_host": 2},
	})
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// quoteBlocks turns folded and literal block scalars into quoted ones:
// yaml.v3 does not write a folded scalar back as it read it.
func quoteBlocks(n *yaml.Node) {
	if n.Kind == yaml.ScalarNode && n.Style&(yaml.FoldedStyle|yaml.LiteralStyle) != 0 {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, k := range n.Content {
		quoteBlocks(k)
	}
}

// median returns the middle value, or the mean of the two middle ones.
func median[T ~int64 | ~float64](xs []T) T {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func lastLines(b []byte, n int) []byte {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return bytes.Join(lines[max(0, len(lines)-n):], []byte("\n"))
}
