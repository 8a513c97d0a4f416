package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"newswatch/storage"
)

func cmdBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("backup", " FILE", `Write a consistent copy of the database to FILE. While the daemon runs (it holds
the database) the copy comes through its dashboard, at dashboard.listen or -from:
the daemon first copies the database into a temporary file beside it, so that
polling goes on however slowly the copy is read.`, stderr, &c, "warn")
	from := flags.String("from", "", "the running dashboard's `URL` (default: from dashboard.listen)")
	file, code := parseArgFlags(flags, args, "file to write")
	if code >= 0 {
		return code
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	write := func(w io.Writer) (int64, error) {
		db, err := storage.Open(cfg.Storage.Path, 200*time.Millisecond)
		if err == nil {
			defer db.Close()
			return db.WriteTo(w)
		}
		if !errors.Is(err, storage.ErrInUse) {
			return 0, err
		}
		return fetchBackup(ctx, cfg.Dashboard.Listen, cfg.Dashboard.TokenEnv, *from, w)
	}
	n, err := writeVerified(file, write)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch backup: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "backed up %d bytes to %s\n", n, file)
	return exitOK
}

// fetchBackup streams a backup from the running daemon's dashboard.
func fetchBackup(ctx context.Context, listen, tokenEnv, from string, w io.Writer) (int64, error) {
	if from == "" {
		if listen == "off" {
			return 0, errors.New("the database is in use and dashboard.listen is off: stop the daemon, or give -from")
		}
		host, port, err := net.SplitHostPort(listen)
		if err != nil {
			return 0, err
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		from = "http://" + net.JoinHostPort(host, port) + "/"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(from, "/")+"/api/backup", nil)
	if err != nil {
		return 0, err
	}
	if tokenEnv != "" {
		req.Header.Set("Authorization", "Bearer "+os.Getenv(tokenEnv))
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, fmt.Errorf("the database is in use; asking the daemon for it: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		// -from may name any server: no control characters reach the terminal.
		printable := strings.Map(func(r rune) rune {
			if unicode.IsControl(r) {
				return ' '
			}
			return r
		}, string(bytes.TrimSpace(msg)))
		return 0, fmt.Errorf("the daemon's dashboard answered %s: %s", resp.Status, printable)
	}
	return io.Copy(w, resp.Body)
}

// writeVerified writes a database through write into a temporary file
// beside path, checks that it opens as a newswatch database, and only then
// moves it to path.
func writeVerified(path string, write func(io.Writer) (int64, error)) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".newswatch-*.db")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name())
	n, err := write(tmp)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	db, err := storage.Open(tmp.Name(), 200*time.Millisecond)
	if err != nil {
		return 0, fmt.Errorf("the copy does not open: %w", err)
	}
	if _, err := db.Feeds(); err != nil {
		db.Close()
		return 0, fmt.Errorf("the copy does not read: %w", err)
	}
	db.Close()
	return n, os.Rename(tmp.Name(), path)
}

func cmdRestore(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("restore", " FILE", `Replace the database with the backup FILE, after checking that it opens. The
daemon must be stopped. The database replaced is kept as <storage.path>.before-restore.`, stderr, &c, "warn")
	file, code := parseArgFlags(flags, args, "backup file")
	if code >= 0 {
		return code
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	path := cfg.Storage.Path
	if db, err := storage.Open(path, 200*time.Millisecond); err != nil {
		if errors.Is(err, storage.ErrInUse) {
			fmt.Fprintln(stderr, "newswatch restore: the database is in use: stop the daemon first")
			return exitError
		}
	} else {
		db.Close()
	}
	src, err := os.Open(file)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch restore: %v\n", err)
		return exitError
	}
	defer src.Close()
	if _, err := writeVerified(path+".restoring", func(w io.Writer) (int64, error) { return io.Copy(w, src) }); err != nil {
		fmt.Fprintf(stderr, "newswatch restore: %s: %v\n", file, err)
		return exitError
	}
	if _, err := os.Stat(path); err == nil {
		if err := os.Rename(path, path+".before-restore"); err != nil {
			fmt.Fprintf(stderr, "newswatch restore: %v\n", err)
			return exitError
		}
	}
	if err := os.Rename(path+".restoring", path); err != nil {
		fmt.Fprintf(stderr, "newswatch restore: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "restored %s from %s (the previous database is %s.before-restore)\n", path, file, path)
	return exitOK
}

func cmdCompact(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("compact", "", "Rewrite the database without its free pages, reclaiming the space that pruning\n(storage.retention) leaves. The daemon must be stopped.", stderr, &c, "warn")
	if code := parseFlags(flags, args); code >= 0 {
		return code
	}
	cfg, code := configOrExit(c, stderr)
	if cfg == nil {
		return code
	}
	path := cfg.Storage.Path
	before, err := os.Stat(path)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch compact: %v\n", err)
		return exitError
	}
	tmp := path + ".compacting"
	os.Remove(tmp)
	if err := storage.Compact(path, tmp); err != nil {
		os.Remove(tmp)
		if errors.Is(err, storage.ErrInUse) {
			fmt.Fprintln(stderr, "newswatch compact: the database is in use: stop the daemon first")
		} else {
			fmt.Fprintf(stderr, "newswatch compact: %v\n", err)
		}
		return exitError
	}
	if _, err := writeVerified(path, func(w io.Writer) (int64, error) {
		f, err := os.Open(tmp)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		return io.Copy(w, f)
	}); err != nil {
		os.Remove(tmp)
		fmt.Fprintf(stderr, "newswatch compact: %v\n", err)
		return exitError
	}
	os.Remove(tmp)
	after, _ := os.Stat(path)
	fmt.Fprintf(stdout, "compacted %s: %d → %d bytes\n", path, before.Size(), after.Size())
	return exitOK
}
