package storage

import (
	"bytes"
	"encoding/json"
	"iter"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// checkEncoders fails unless encodeArticle and encodeMatch write what
// json.Marshal writes, or fail where it fails.
func checkEncoders(t *testing.T, a Article, m storedMatch) {
	t.Helper()
	got, gotErr := encodeArticle(&a)
	want, wantErr := json.Marshal(a)
	if (gotErr != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("article %#v:\n got %s (%v)\nwant %s (%v)", a, got, gotErr, want, wantErr)
	}
	got, gotErr = encodeMatch(&m)
	want, wantErr = json.Marshal(m)
	if (gotErr != nil) != (wantErr != nil) || !bytes.Equal(got, want) {
		t.Fatalf("match %#v:\n got %s (%v)\nwant %s (%v)", m, got, gotErr, want, wantErr)
	}
}

// awkward holds strings that json.Marshal escapes, each its own way.
var awkward = []string{
	"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "tab\tnew\nline\rcr\bbs\fff",
	"\x00\x01\x1f\x7f", "Zelensky\u2019s \u201cpeace\u201d", "line\u2028para\u2029",
	"bad \xff\xfe utf8 \xe2\x82", "Київ — Москва", "emoji 🇺🇦", strings.Repeat("long text ", 400),
}

// randomRecords yields n articles and matches made of awkward strings,
// times in several zones and at the ends of their range, and empty, nil
// and full slices: the same ones on every run.
func randomRecords(n int) iter.Seq2[Article, storedMatch] {
	return func(yield func(Article, storedMatch) bool) {
		r := rand.New(rand.NewPCG(3, 4))
		pick := func() string { return awkward[r.IntN(len(awkward))] }
		kyiv := time.FixedZone("EET", 2*3600)
		times := []time.Time{
			{}, t0, t0.Add(123456789 * time.Nanosecond), t0.In(kyiv), time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC),
			time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), time.Date(2025, 6, 1, 3, 4, 5, 0, time.FixedZone("", -(3*3600+30*60))),
		}
		tm := func() time.Time { return times[r.IntN(len(times))] }
		strs := func() []string {
			switch n := r.IntN(4); n {
			case 0:
				return nil
			case 1:
				return []string{}
			default:
				s := make([]string, n)
				for i := range s {
					s[i] = pick()
				}
				return s
			}
		}
		for range n {
			a := Article{
				ID: r.Uint64N(1 << 40), Feed: pick(), FeedName: pick(), Key: pick(), Title: pick(), URL: pick(), Text: pick(),
				Published: tm(), FirstSeen: tm(), Updated: tm(), Topics: strs(),
			}
			for range r.IntN(3) {
				a.Sources = append(a.Sources, Source{Feed: pick(), FeedName: pick()})
			}
			if r.IntN(4) == 0 {
				a.Sources = []Source{}
			}
			m := storedMatch{ArticleID: a.ID, Topic: pick(), Score: r.IntN(200) - 20, Terms: strs(), Snippet: Snippet{Text: pick()},
				MatchedAt: tm(), Published: tm()}
			for range r.IntN(3) {
				m.Snippet.Marks = append(m.Snippet.Marks, [2]int{r.IntN(100), -r.IntN(5)})
			}
			if r.IntN(4) == 0 {
				m.Snippet.Marks = [][2]int{}
			}
			if !yield(a, m) {
				return
			}
		}
	}
}

func TestEncodersAgreeWithJSON(t *testing.T) {
	for a, m := range randomRecords(3000) {
		checkEncoders(t, a, m)
	}
	// Times json.Marshal refuses are refused too.
	for _, bad := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)} {
		checkEncoders(t, Article{Published: bad}, storedMatch{MatchedAt: bad})
		checkEncoders(t, Article{Updated: bad}, storedMatch{Published: bad})
	}
}

// FuzzEncoders holds the encoders to json.Marshal on any strings.
func FuzzEncoders(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, s, int64(7), 3)
	}
	f.Fuzz(func(t *testing.T, s1, s2 string, ns int64, n int) {
		at := time.Unix(0, ns).UTC()
		a := Article{ID: uint64(ns), Feed: s1, FeedName: s2, Key: s2, Title: s1 + s2, URL: s2, Text: s1,
			Published: at, FirstSeen: at, Topics: []string{s1, s2}, Sources: []Source{{Feed: s2, FeedName: s1}}}
		m := storedMatch{ArticleID: uint64(n), Topic: s1, Score: n, Terms: []string{s2}, Snippet: Snippet{Text: s1, Marks: [][2]int{{n, n + 1}}},
			MatchedAt: at, Published: at}
		checkEncoders(t, a, m)
	})
}
