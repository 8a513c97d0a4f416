package digest

import (
	"sync"
	"time"
)

// fit renders c with each section cut to its k strongest articles, for the
// largest k up to l.most for which the two parts take at most maxBytes,
// and returns k; with k = 0 still too large, it renders that. More than
// l.most never fit, unless that is every article.
//
// A digest's size is that of its frame (see lister.frame) plus that of
// each article it lists: the "article" templates render an article alike
// wherever it stands. So fit takes the sections' articles a rank at a
// time, each rendered once to count its bytes, until the next rank would
// not fit, and then renders the digest once. A large digest costs about
// two renders of what it sends, where probing with whole renders took
// five, the first of them of every article loaded.
func (l *lister) fit(c content, maxBytes int) (text, html string, k int, err error) {
	// The frame only shrinks as k grows (fewer left out, fewer digits),
	// so its size at k = 0 bounds it for every k: the frame needs
	// rendering again only for a rank that fits no other way.
	bound, err := l.frameSize(c, 0)
	if err != nil {
		return "", "", 0, err
	}
	articles := 0 // the bytes of the articles of ranks below k
	for ; k < l.most; k++ {
		rank, err := l.rankSize(k)
		if err != nil {
			return "", "", 0, err
		}
		if bound+articles+rank > maxBytes {
			frame, err := l.frameSize(c, k+1)
			if err != nil {
				return "", "", 0, err
			}
			if frame+articles+rank > maxBytes {
				break
			}
		}
		articles += rank
	}
	if err := l.need(k); err != nil {
		return "", "", 0, err
	}
	text, html, err = render(l.cut(c, k))
	return text, html, k, err
}

// frameSize returns the bytes of the two parts of c's frame when each
// section lists its k strongest articles.
func (l *lister) frameSize(c content, k int) (int, error) {
	text, html, err := render(l.frame(c, k))
	return len(text) + len(html), err
}

// rankSize returns the bytes that the articles of rank k (0 for each
// section's strongest) add to the two parts; an article pruned since the
// digest counted it is not listed and adds none.
func (l *lister) rankSize(k int) (int, error) {
	if err := l.need(k + 1); err != nil {
		return 0, err
	}
	n := 0
	for _, list := range l.lists {
		if k >= len(list) {
			continue
		}
		a, ok := l.loaded[list[k]]
		if !ok {
			continue
		}
		size, err := articleSize(a)
		if err != nil {
			return 0, err
		}
		n += size
	}
	return n, nil
}

// articleBytes is a lower bound of what one listed article adds to a
// digest's two parts: an article whose every field is empty, published in
// a zone whose name is one letter (zones print at least that). A digest of
// at most n bytes therefore lists at most n/articleBytes() articles, and
// no more need be read.
var articleBytes = sync.OnceValue(func() int {
	size, err := articleSize(Article{Published: time.Date(2000, 1, 1, 0, 0, 0, 0, time.FixedZone("Z", 0))})
	if err != nil {
		return 1 // read every article
	}
	return max(1, size)
})
