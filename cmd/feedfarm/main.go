// Command feedfarm serves thousands of synthetic news feeds on loopback and
// measures newswatch against them (see internal/feedfarm for the feeds).
//
//	feedfarm serve -feeds 2000 -config farm.yaml   serve until interrupted; SIGUSR1 advances
//	feedfarm floor -feeds 10000                    fetch and parse every feed once with 16 workers
//	feedfarm bench -feeds 10000 -newswatch ./nw    floor, cold, floor, warm and changed cycles of "newswatch poll"
//	feedfarm grow -feeds 10000 -days 90 -db big.db 90 days of 10,000 feeds, then open and dashboard times
//
// Everything stays on 127.0.0.1. The figures go in BENCHMARKS.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"newswatch/internal/corpus"
	"newswatch/internal/feedfarm"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `Usage: feedfarm serve|floor|bench|grow [flags]

  serve   serve the farm until interrupted; SIGUSR1 advances it one interval
  floor   fetch and parse every feed once with -workers workers, print the time
  bench   "newswatch poll" cold between two floors, then warm (nothing
          changed) and after an advance, -runs times; print a table
  grow    store -days days of -feeds feeds publishing -per-day items a day
          into a new database, then time opening it and the dashboard's pages

Run "feedfarm COMMAND -h" for a command's flags.
`

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, args := args[0], args[1:]
	if cmd == "rusage" {
		return rusage(args, stdout, stderr)
	}
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg feedfarm.Config
	fs.IntVar(&cfg.Feeds, "feeds", 1000, "number of feeds")
	fs.IntVar(&cfg.Hosts, "hosts", 50, "number of hosts (loopback listeners)")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed: the same seed gives the same feeds")
	workers := fs.Int("workers", 16, "floor: feeds fetched at once; bench: also poll.workers of newswatch")
	var b bench
	switch cmd {
	case "serve":
		fs.StringVar(&b.topics, "topics", "config.yaml", "serve: newswatch config whose topics the written config carries")
		out := fs.String("config", "", "serve: write a newswatch config listing the farm's feeds to this `file`")
		if !parse(fs, args) {
			return 2
		}
		return serve(cfg, b.topics, *out, *workers, stdout, stderr)
	case "floor":
		if !parse(fs, args) {
			return 2
		}
		f, err := start(cfg)
		if err != nil {
			fmt.Fprintln(stderr, "feedfarm:", err)
			return 1
		}
		defer f.Close()
		r := feedfarm.Floor(context.Background(), f.URLs(), *workers)
		fmt.Fprintf(stdout, "floor: %d feeds (%d failed), %d items, %.1f MB in %s\n", r.Feeds, r.Failed, r.Items, float64(r.Bytes)/1e6, r.Elapsed.Round(time.Millisecond))
		return 0
	case "grow":
		g := grower{out: stdout}
		fs.IntVar(&g.days, "days", 90, "grow: days to store")
		fs.IntVar(&g.perDay, "per-day", 10, "grow: items each feed publishes a day")
		fs.StringVar(&g.topics, "topics", "config.yaml", "grow: newswatch config whose topics match the items")
		fs.StringVar(&g.db, "db", "", "grow: database `file` to create (required; must not exist unless -measure)")
		fs.BoolVar(&g.measureOnly, "measure", false, "grow: only measure an existing database grown before")
		if !parse(fs, args) {
			return 2
		}
		if g.db == "" {
			fmt.Fprintln(stderr, "feedfarm grow: -db is required")
			return 2
		}
		if _, err := os.Stat(g.db); (err == nil) != g.measureOnly {
			fmt.Fprintf(stderr, "feedfarm grow: %s: give a new file to grow, or an existing one with -measure\n", g.db)
			return 2
		}
		g.feeds = cfg.Feeds
		if err := g.run(); err != nil {
			fmt.Fprintln(stderr, "feedfarm:", err)
			return 1
		}
		return 0
	case "bench":
		fs.StringVar(&b.newswatch, "newswatch", "newswatch", "the newswatch `binary` to measure")
		fs.StringVar(&b.topics, "topics", "config.yaml", "newswatch config whose topics the cycles match")
		fs.IntVar(&b.runs, "runs", 3, "runs of floor and cycles; each on a new database")
		fs.StringVar(&b.profile, "cpuprofile", "", "write a CPU profile of the first cold cycle to this `file`")
		fs.StringVar(&b.dir, "dir", "", "`directory` for the config and databases (default: a new temporary one)")
		if !parse(fs, args) {
			return 2
		}
		b.cfg, b.workers, b.out = cfg, *workers, stdout
		// Interrupted, it stops the cycle in flight and removes its
		// temporary directory (databases of hundreds of MB) on the way out.
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
		defer stop()
		if err := b.run(ctx); err != nil {
			fmt.Fprintln(stderr, "feedfarm:", err)
			return 1
		}
		return 0
	}
	fmt.Fprint(stderr, usage)
	return 2
}

func parse(fs *flag.FlagSet, args []string) bool {
	if err := fs.Parse(args); err != nil {
		return false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "feedfarm %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return false
	}
	return true
}

// start builds the farm from the corpus and starts serving it.
func start(cfg feedfarm.Config) (*feedfarm.Farm, error) {
	items, err := corpus.News()
	if err != nil {
		return nil, err
	}
	f, err := feedfarm.New(cfg, items)
	if err != nil {
		return nil, err
	}
	return f, f.Start()
}

func serve(cfg feedfarm.Config, topics, out string, workers int, stdout, stderr io.Writer) int {
	f, err := start(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "feedfarm:", err)
		return 1
	}
	defer f.Close()
	if out != "" {
		if err := writeConfig(out, topics, f.URLs(), workers); err != nil {
			fmt.Fprintln(stderr, "feedfarm:", err)
			return 1
		}
	}
	st := f.Stats()
	fmt.Fprintf(stdout, "serving %d feeds (%d items, %d failing, %d slow, %d changing) on %d hosts; first %s\n",
		st.Feeds, st.Items, st.Failing, st.Slow, st.Changing, cfg.Hosts, f.URLs()[0])
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sig)
	for s := range sig {
		if s != syscall.SIGUSR1 {
			return 0
		}
		fmt.Fprintf(stdout, "advanced: %d new items\n", f.Advance())
	}
	return 0
}
