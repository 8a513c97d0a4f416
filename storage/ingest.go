package storage

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// NewItem is an item of a feed that the poller has not seen before, or
// whose title or text changed since.
type NewItem struct {
	Key string
	// Hash is a hash of the item's title and text, to notice changes.
	Hash uint64
	// Changed marks an item seen before whose Hash differs: its stored
	// article, if any, takes the new title and text, and topics it had
	// not matched before are flagged.
	Changed bool
	// Article is stored, and each of Hits flagged, only when Hits is not
	// empty, or when an article with the same URL is already stored (from
	// another feed), which then records this feed as a source; otherwise
	// the item is only recorded as seen. In the second case the stored
	// article keeps its own title and text, so a new item without Hits is
	// stored the same whether Article has its title and text or not.
	Article Article
	Hits    []TopicHit
}

// FeedUpdate is the outcome of one poll of one feed.
type FeedUpdate struct {
	URL      string
	FeedName string
	Polled   time.Time
	// Err, when not empty, records a failed poll: validators and items are
	// left as they were.
	Err string
	// ETag and LastModified replace the stored validators unless
	// NotModified is set.
	NotModified  bool
	ETag         string
	LastModified string
	// BodyHash, when not empty, replaces the stored hash of the body.
	BodyHash string
	// NextPoll and Interval, when not zero, replace the feed's schedule.
	NextPoll time.Time
	Interval time.Duration
	// MovedTo, when not empty, records a permanent move; Gone a 410.
	MovedTo string
	Gone    bool
	// Elapsed, when not zero, is how long the poll took to fetch and read
	// the feed.
	Elapsed time.Duration
	Items   []NewItem
}

// SaveResult counts what SaveFeed added.
type SaveResult struct {
	NewItems   int
	NewMatches int
	// Updated counts changed items taken in.
	Updated int
	// Topics counts the new matches by topic.
	Topics map[string]int
}

// SaveFeed records one poll of a feed in a single transaction: the feed's
// new state, its new items' keys, their articles and their matches. A crash
// can therefore never keep new validators (which make the next poll a 304)
// without the items they covered. Items already seen are skipped, so saving
// the same update twice adds nothing.
//
// Concurrent calls are grouped into one commit (see committer).
func (db *DB) SaveFeed(u FeedUpdate) (SaveResult, error) {
	var res SaveResult
	err := db.update(func(tx *bolt.Tx) error {
		res = SaveResult{} // update may run this function again
		st, err := getFeedState(tx, u.URL)
		if err != nil {
			return err
		}
		st.LastPoll = u.Polled
		if !u.NextPoll.IsZero() {
			st.NextPoll = u.NextPoll
		}
		if u.Interval > 0 {
			st.Interval = u.Interval
		}
		if u.MovedTo != "" {
			st.MovedTo = u.MovedTo
		}
		if u.Gone {
			st.Gone = true
		}
		if u.Elapsed > 0 {
			st.LastElapsed = u.Elapsed
		}
		if u.Err != "" {
			if st.Failures == 0 {
				st.FailingSince = u.Polled
			}
			st.LastError = u.Err
			st.Failures++
			return putFeedState(tx, st)
		}
		st.LastSuccess, st.LastError, st.Failures, st.FailingSince = u.Polled, "", 0, time.Time{}
		if !u.NotModified {
			st.ETag, st.LastModified = u.ETag, u.LastModified
		}
		if u.BodyHash != "" {
			st.BodyHash = u.BodyHash
		}
		if len(u.Items) > 0 {
			seen, err := tx.Bucket(bucketSeen).CreateBucketIfNotExists([]byte(u.URL))
			if err != nil {
				return err
			}
			for _, k := range sortedBySeenKey(u.Items) {
				if err := putItem(tx, seen, u, u.Items[k.i], k.key, &res); err != nil {
					return fmt.Errorf("item %s: %w", u.Items[k.i].Key, err)
				}
			}
			st.ItemsSeen += res.NewItems
		}
		return putFeedState(tx, st)
	})
	if err != nil {
		return SaveResult{}, fmt.Errorf("save poll of %s: %w", u.URL, err)
	}
	return res, nil
}

// putItem stores one new or changed item, whose seen key is sk, and counts
// it in res. An item
// already seen with the same content is skipped, so that saving an update
// twice changes nothing.
func putItem(tx *bolt.Tx, seen *bolt.Bucket, u FeedUpdate, it NewItem, sk []byte, res *SaveResult) error {
	old := seen.Get(sk)
	sv := seenValue{firstSeen: uint64(u.Polled.UnixNano()), hash: it.Hash}
	if old != nil {
		prev := decodeSeen(old)
		if !it.Changed || prev.hash == it.Hash {
			return nil
		}
		sv.article, sv.firstSeen = prev.article, prev.firstSeen
	}
	articles := tx.Bucket(bucketArticles)
	articles.FillPercent = appendFill
	var a Article
	switch {
	case sv.article != 0:
		// A changed item whose article is stored: take the new text.
		if err := getArticle(articles, sv.article, &a); err != nil {
			return err
		}
		a.Title, a.Text, a.Updated = it.Article.Title, truncate(it.Article.Text, MaxTextBytes), u.Polled
		if it.Article.URL != "" {
			a.URL = it.Article.URL
		}
	default:
		// Another feed may have brought the same story already.
		if id := linkArticle(tx, it.Article.URL); id != 0 {
			if err := getArticle(articles, id, &a); err != nil {
				return err
			}
			sv.article = id
		} else if len(it.Hits) > 0 {
			id, err := articles.NextSequence()
			if err != nil {
				return err
			}
			a = it.Article
			a.ID, a.Feed, a.Key, a.FirstSeen = id, u.URL, it.Key, u.Polled
			if a.FeedName == "" {
				a.FeedName = u.FeedName
			}
			a.Text = truncate(a.Text, MaxTextBytes)
			if err := putLink(tx, a.URL, id); err != nil {
				return err
			}
			sv.article = id
		}
	}
	if sv.article != 0 {
		a.Sources = addSource(a.Sources, Source{Feed: u.URL, FeedName: u.FeedName}, a)
		for _, h := range it.Hits {
			if slices.Contains(a.Topics, h.Topic) {
				continue // flagged before, by this feed or another
			}
			if err := putMatch(tx, a, h, u.Polled); err != nil {
				return err
			}
			a.Topics = append(a.Topics, h.Topic)
			res.NewMatches++
			if res.Topics == nil {
				res.Topics = map[string]int{}
			}
			res.Topics[h.Topic]++
		}
		v, err := encodeArticle(&a)
		if err != nil {
			return err
		}
		if err := articles.Put(u64(a.ID), v); err != nil {
			return err
		}
	}
	if old == nil {
		res.NewItems++
	} else {
		res.Updated++
	}
	return seen.Put(sk, sv.encode())
}

// addSource records that a feed carried the article, once per feed; the
// article's own feed comes first.
func addSource(sources []Source, s Source, a Article) []Source {
	if len(sources) == 0 && a.Feed != "" {
		sources = []Source{{Feed: a.Feed, FeedName: a.FeedName}}
	}
	for _, have := range sources {
		if have.Feed == s.Feed {
			return sources
		}
	}
	return append(sources, s)
}

// linkArticle returns the ID of the stored article with this canonical
// link, or 0.
func linkArticle(tx *bolt.Tx, link string) uint64 {
	if link == "" {
		return 0
	}
	if v := tx.Bucket(bucketLinks).Get([]byte(link)); len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func putLink(tx *bolt.Tx, link string, id uint64) error {
	if link == "" {
		return nil
	}
	return tx.Bucket(bucketLinks).Put([]byte(link), u64(id))
}

// getArticle decodes the stored article id, text included, into a.
func getArticle(articles *bolt.Bucket, id uint64, a *Article) error {
	v := articles.Get(u64(id))
	if v == nil {
		return fmt.Errorf("article %d is missing", id)
	}
	if err := decodeArticleInto(v, a, true); err != nil {
		return fmt.Errorf("article %d: %w", id, err)
	}
	return nil
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
