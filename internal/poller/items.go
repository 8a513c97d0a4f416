package poller

import (
	"time"

	"newswatch/feeds"
	"newswatch/match"
	"newswatch/storage"
)

// newItems keeps the items the feed has not carried before, and those whose
// title or text changed since, and matches those recent enough to flag.
func (p *Poller) newItems(f Feed, items []feeds.Item, now time.Time) ([]storage.NewItem, error) {
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	seen, err := p.Store.Seen(f.URL, keys)
	if err != nil {
		return nil, err
	}
	cutoff := now.Add(-p.MaxAge)
	var out []storage.NewItem
	inBatch := make(map[string]bool, len(items))
	for i, it := range items {
		if inBatch[it.Key] {
			continue // a feed may repeat an item; the first copy wins
		}
		inBatch[it.Key] = true
		hash := contentHash(it)
		changed := seen[i].Seen && seen[i].Hash != 0 && seen[i].Hash != hash
		if seen[i].Seen && !changed {
			continue
		}
		ni := storage.NewItem{Key: it.Key, Hash: hash, Changed: changed, Article: storage.Article{
			FeedName: f.Name, Title: it.Title, URL: it.URL, Text: it.Text,
			Published: it.Published, FirstSeen: now,
		}}
		if p.MaxAge <= 0 || !it.Published.Before(cutoff) {
			for _, h := range p.Matcher.Match(match.Document{Title: it.Title, Text: it.Text}) {
				ni.Hits = append(ni.Hits, topicHit(h))
			}
		}
		if !changed && len(ni.Hits) == 0 {
			// Storage keeps nothing of a new item that matched nothing
			// but its key, its hash and, when its link names an article
			// stored from another feed, its feed as a source: its text,
			// most of its size, need not wait for the commit.
			ni.Article.Title, ni.Article.Text = "", ""
		}
		if out == nil {
			// Room for this item and every one after it: a feed's new
			// items usually come together, and a NewItem is large
			// enough that growing the slice by doubling was 4% of
			// BenchmarkIngest's allocations.
			out = make([]storage.NewItem, 0, len(items)-i)
		}
		out = append(out, ni)
	}
	return out, nil
}

// contentHash identifies what an item says: its title and text (64-bit
// FNV-1a, computed over the strings in place: hash/fnv would take a copy
// of each text as a []byte).
func contentHash(it feeds.Item) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(it.Title); i++ {
		h = (h ^ uint64(it.Title[i])) * prime
	}
	h *= prime // the 0 byte between title and text
	for i := 0; i < len(it.Text); i++ {
		h = (h ^ uint64(it.Text[i])) * prime
	}
	if h != 0 {
		return h
	}
	return 1 // 0 means "unknown"
}

// topicHit converts a matcher's hit for storage.
func topicHit(h match.Hit) storage.TopicHit {
	sn := storage.Snippet{Text: h.Snippet.Text}
	for _, m := range h.Snippet.Marks {
		sn.Marks = append(sn.Marks, [2]int{m.Start, m.End})
	}
	return storage.TopicHit{Topic: h.Topic, Score: h.Score, Terms: h.Terms, Snippet: sn}
}
