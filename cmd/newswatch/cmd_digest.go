package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"newswatch/digest"
)

func cmdDigest(_ context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("digest", "", `Print the next digest: the matches flagged since the last one (the last 24 hours
until digests are sent), grouped by topic, with a summary. Sending digests is not
built yet: -dry-run is required.`, stderr, &c, "warn")
	dry := flags.Bool("dry-run", false, "print the digest's text; send nothing")
	htmlFile := flags.String("html", "", "also write the HTML part to `file`")
	tz := flags.String("tz", "Local", "the recipient's time `zone` (an IANA name such as Europe/Kyiv)")
	if code := parseFlags(flags, args); code >= 0 {
		return code
	}
	if !*dry {
		fmt.Fprintln(stderr, "newswatch digest: sending is not built yet; use -dry-run")
		return exitUsage
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch digest: -tz %q: %v\n", *tz, err)
		return exitUsage
	}
	m, code := openMain(c, stderr)
	if m == nil {
		return code
	}
	defer m.Close()
	var topics []digest.Topic
	for _, t := range m.Config.Topics {
		topics = append(topics, digest.Topic{ID: t.ID, Name: t.Name})
	}
	var urls []string
	for _, f := range m.Config.Feeds {
		urls = append(urls, f.URL)
	}
	now := m.Now()
	d, err := digest.Build(m.DB, digest.Options{Topics: topics, Since: now.Add(-24 * time.Hour), Now: now, Location: loc, Feeds: urls})
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "Subject: %s\n\n%s", digest.HeaderValue(d.Subject), d.Text)
	if *htmlFile != "" {
		if err := os.WriteFile(*htmlFile, []byte(d.HTML), 0o644); err != nil {
			fmt.Fprintf(stderr, "newswatch digest: %v\n", err)
			return exitError
		}
	}
	return exitOK
}
