package digest

import (
	"slices"
	"sort"
	"time"

	"newswatch/storage"
)

// flagPage is how many flags one read of the period returns. Reading a
// page at a time keeps each read transaction short: bbolt cannot grow its
// file while a read is open, so one long read would hold up the poller's
// writes.
const flagPage = 10_000

// loadPage is how many matches one MatchesByID call reads, for the same
// reason.
const loadPage = 1_000

// period is what the first pass learns of the matches after the
// watermark: enough to count them and to choose, for each article, the
// topic it is listed under, in about 100 bytes an article.
type period struct {
	upTo     uint64
	matches  int
	perTopic map[string]int
	articles []listed // in the order of their first match
}

// listed is an article of the period: listed once, under the topic of its
// strongest match.
type listed struct {
	best      uint64 // the ID of its strongest match
	score     int
	topic     int // the strongest match's topic, an index of Options.Topics
	published time.Time
	matched   []int // the topics of all its matches, in flagging order
}

// readPeriod reads the flags after the match with ID after and at or after
// since, a page at a time, and keeps those of the topics in order (by ID,
// their place in config order). Each article's strongest match is the one
// with the highest score, ties going to the topic first in config order.
func readPeriod(src Source, after uint64, since time.Time, order map[string]int) (period, error) {
	p := period{upTo: after, perTopic: map[string]int{}}
	byArticle := map[uint64]int{}
	for {
		flags, err := src.Flags(after, since, flagPage)
		if err != nil {
			return period{}, err
		}
		for _, f := range flags {
			p.upTo = max(p.upTo, f.ID)
			t, ok := order[f.Topic]
			if !ok {
				continue
			}
			p.perTopic[f.Topic]++
			p.matches++
			i, ok := byArticle[f.ArticleID]
			if !ok {
				i = len(p.articles)
				byArticle[f.ArticleID] = i
				p.articles = append(p.articles, listed{best: f.ID, score: f.Score, topic: t, published: f.Published})
			} else if a := &p.articles[i]; f.Score > a.score || f.Score == a.score && t < a.topic {
				a.best, a.score, a.topic = f.ID, f.Score, t
			}
			p.articles[i].matched = append(p.articles[i].matched, t)
		}
		if len(flags) < flagPage {
			return p, nil
		}
		after = flags[len(flags)-1].ID
	}
}

// sections returns, for each of n topics, its articles (indexes of
// p.articles), strongest first: by score, then the newest, then the first
// flagged.
func (p *period) sections(n int) [][]int {
	s := make([][]int, n)
	for i, a := range p.articles {
		s[a.topic] = append(s[a.topic], i)
	}
	for _, l := range s {
		sort.SliceStable(l, func(x, y int) bool {
			a, b := &p.articles[l[x]], &p.articles[l[y]]
			return a.score > b.score || a.score == b.score && a.published.After(b.published)
		})
	}
	return s
}

// lister chooses which articles of each section a digest lists.
type lister struct {
	p      *period
	lists  [][]int // each kept section's articles, strongest first
	topics []Topic
	loc    *time.Location
	// most is how many of each section's strongest articles a digest may
	// list, given the bound on its size.
	most int
	src  Source
	// loaded holds the listings of the articles of the ranks below
	// ranks, by index of p.articles; read as fit needs them.
	loaded map[int]Article
	ranks  int
}

// bound sets how many of each section's strongest articles a digest may
// list, given that it can list at most limit articles in all (the largest
// k that lists at most limit), and src, where need reads their matches.
func (l *lister) bound(src Source, limit int) {
	longest := 0
	for _, list := range l.lists {
		longest = max(longest, len(list))
	}
	lo, hi := 0, longest // the largest k with listed(k) <= limit is in [lo, hi]
	for lo < hi {
		if mid := (lo + hi + 1) / 2; l.listed(mid) <= limit {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	l.most, l.src, l.loaded, l.ranks = lo, src, map[int]Article{}, 0
}

// need reads the matches of the articles of every rank below k (rank 0 is
// each section's strongest), a page of them at a time.
func (l *lister) need(k int) error {
	k = min(k, l.most)
	if l.ranks >= k {
		return nil
	}
	// Every rank below k, and then whole ranks as long as a page has
	// room: fit asks for one rank more at a time.
	to := k
	for to < l.most && l.listed(to+1)-l.listed(l.ranks) <= loadPage {
		to++
	}
	var want []int
	for _, list := range l.lists {
		if l.ranks < len(list) {
			want = append(want, list[l.ranks:min(to, len(list))]...)
		}
	}
	for len(want) > 0 {
		page := want[:min(loadPage, len(want))]
		want = want[len(page):]
		ids := make([]uint64, len(page))
		index := make(map[uint64]int, len(page))
		for j, i := range page {
			ids[j] = l.p.articles[i].best
			index[ids[j]] = i
		}
		ms, err := l.src.MatchesByID(ids)
		if err != nil {
			return err
		}
		for _, m := range ms {
			l.loaded[index[m.ID]] = l.article(index[m.ID], m)
		}
	}
	l.ranks = to
	return nil
}

// article is the listing of article i, whose strongest match is m.
func (l *lister) article(i int, m storage.Match) Article {
	a := Article{
		// One line each: a title cannot break the text part's layout.
		Title: oneLine(m.Article.Title), URL: m.Article.URL, Outlet: oneLine(m.Article.FeedName),
		Published: m.Article.Published.In(l.loc), Snippet: m.Snippet, Score: m.Score,
	}
	best := l.p.articles[i].topic
	for _, t := range l.p.articles[i].matched {
		if t != best {
			a.Also = append(a.Also, l.topics[t].Name)
		}
	}
	return a
}

// cut returns c with each section listing its k strongest articles (of
// those loaded), newest first, ties in the order first flagged.
func (l *lister) cut(c content, k int) content {
	c = l.frame(c, k)
	for s := range c.Sections {
		shown := slices.Clone(l.lists[s][:min(k, len(l.lists[s]))])
		sort.Slice(shown, func(x, y int) bool {
			a, b := &l.p.articles[shown[x]], &l.p.articles[shown[y]]
			return a.published.After(b.published) || a.published.Equal(b.published) && shown[x] < shown[y]
		})
		var arts []Article
		for _, i := range shown {
			if a, ok := l.loaded[i]; ok { // not when pruned since it was read
				arts = append(arts, a)
			}
		}
		c.Sections[s].Articles = arts
	}
	return c
}

// frame returns c with each section listing no article, and saying how
// many of its articles a digest listing the k strongest leaves out.
func (l *lister) frame(c content, k int) content {
	c.Sections = slices.Clone(c.Sections)
	for s := range c.Sections {
		c.Sections[s].Articles = nil
		c.Sections[s].Omitted = c.Sections[s].Total - min(k, len(l.lists[s]))
	}
	return c
}

// listed returns how many articles the sections list when each lists its
// k strongest.
func (l *lister) listed(k int) int {
	n := 0
	for _, list := range l.lists {
		n += min(k, len(list))
	}
	return n
}
