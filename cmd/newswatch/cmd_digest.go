package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"newswatch/digest"
)

func cmdDigest(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var c common
	flags := newFlagSet("digest", "", `Print the next digest (-dry-run) or send it now (-send). The next digest holds the
matches flagged since the last one sent to the recipient (the last 24 hours before
the first), grouped by topic, with a summary. -dry-run sends nothing and moves no
watermark; -send sends to every recipient as the daemon would, recording it.`, stderr, &c, "warn")
	dry := flags.Bool("dry-run", false, "print the next digest's text; send nothing")
	send := flags.Bool("send", false, "send the digest to every recipient now")
	htmlFile := flags.String("html", "", "with -dry-run, also write the HTML part to `file`")
	to := flags.String("to", "", "with -dry-run, the recipient's `address` (default: the first in digest.to)")
	if code := parseFlags(flags, args); code >= 0 {
		return code
	}
	if *dry == *send {
		fmt.Fprintln(stderr, "newswatch digest: give -dry-run or -send")
		flags.Usage()
		return exitUsage
	}
	m, code := openMain(c, stderr)
	if m == nil {
		return code
	}
	defer m.Close()
	now := m.Now()
	if *send {
		if err := m.Digest.SendPeriod(ctx, now); err != nil {
			fmt.Fprintf(stderr, "newswatch digest: %v\n", err)
			return exitError
		}
		fmt.Fprintf(stdout, "digest sent to %d %s\n", len(m.Digest.Recipients), plural(len(m.Digest.Recipients), "recipient", "recipients"))
		return exitOK
	}
	r := m.Digest.Recipients[0]
	if *to != "" {
		found := false
		for _, rr := range m.Digest.Recipients {
			if rr.Address == *to {
				r, found = rr, true
			}
		}
		if !found {
			fmt.Fprintf(stderr, "newswatch digest: %s is not in digest.to\n", *to)
			return exitUsage
		}
	}
	d, err := m.Digest.Next(r, now)
	if err != nil {
		fmt.Fprintf(stderr, "newswatch: %v\n", err)
		return exitError
	}
	fmt.Fprintf(stdout, "To: %s\nSubject: %s\n\n%s", r.Address, digest.HeaderValue(d.Subject), d.Text)
	if *htmlFile != "" {
		if err := os.WriteFile(*htmlFile, []byte(d.HTML), 0o644); err != nil {
			fmt.Fprintf(stderr, "newswatch digest: %v\n", err)
			return exitError
		}
	}
	return exitOK
}
