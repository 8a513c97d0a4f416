package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// AddFeeds appends feeds to the feeds list of the configuration file at
// path, leaving every other line (comments included) as it was. Feeds whose
// URL the file lists already are skipped and returned as such. The new file
// is validated before it replaces the old one, atomically, so a failure
// leaves the file untouched.
func AddFeeds(path string, feeds []Feed) (added, skipped []Feed, err error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, fmt.Errorf("read config: %w", err)
	}
	cfg, err := Parse(data, path)
	if err != nil {
		return nil, nil, fmt.Errorf("the config is invalid already, fix it first:\n%w", err)
	}
	have := map[string]bool{}
	for _, f := range cfg.Feeds {
		have[f.URL] = true
	}
	for _, f := range feeds {
		if have[f.URL] {
			skipped = append(skipped, f)
			continue
		}
		have[f.URL] = true
		added = append(added, f)
	}
	if len(added) == 0 {
		return nil, skipped, nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, nil, err
	}
	seq := find(root.Content[0], "feeds")
	if seq == nil || seq.Kind != yaml.SequenceNode || seq.Style&yaml.FlowStyle != 0 || len(seq.Content) == 0 {
		return nil, nil, errors.New("feeds: newswatch adds to a block list of feeds (\"- url: ...\" lines); write the first feed by hand")
	}
	indent := strings.Repeat(" ", max(0, seq.Content[0].Column-3))
	var block bytes.Buffer
	for _, f := range added {
		fmt.Fprintf(&block, "%s- url: %s\n", indent, yamlScalar(f.URL))
		if f.Name != "" {
			fmt.Fprintf(&block, "%s  name: %s\n", indent, yamlScalar(f.Name))
		}
		if len(f.Tags) > 0 {
			tags := make([]string, len(f.Tags))
			for i, t := range f.Tags {
				tags[i] = yamlScalar(t)
			}
			fmt.Fprintf(&block, "%s  tags: [%s]\n", indent, strings.Join(tags, ", "))
		}
	}
	// Insert after the last line of the last feed.
	after := lastLine(seq.Content[len(seq.Content)-1])
	lines := strings.SplitAfter(string(data), "\n")
	if after > len(lines) {
		after = len(lines)
	}
	if after > 0 && !strings.HasSuffix(lines[after-1], "\n") {
		lines[after-1] += "\n"
	}
	out := strings.Join(lines[:after], "") + block.String() + strings.Join(lines[after:], "")
	if _, err := Parse([]byte(out), path); err != nil {
		return nil, nil, fmt.Errorf("adding the feeds would make the config invalid:\n%w", err)
	}
	if err := writeAtomic(path, []byte(out)); err != nil {
		return nil, nil, err
	}
	return added, skipped, nil
}

// yamlScalar writes s as a YAML scalar, quoted when it must be.
func yamlScalar(s string) string {
	b, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSuffix(string(b), "\n")
}

// lastLine returns the last line a node's text occupies.
func lastLine(n *yaml.Node) int {
	last := n.Line
	if n.Kind == yaml.ScalarNode && (n.Style&(yaml.LiteralStyle|yaml.FoldedStyle)) != 0 {
		last += strings.Count(strings.TrimRight(n.Value, "\n"), "\n") + 1
	}
	for _, k := range n.Content {
		last = max(last, lastLine(k))
	}
	return last
}

// writeAtomic replaces path with data through a temporary file in the
// same directory, keeping the file's mode.
func writeAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.yaml")
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	return nil
}
