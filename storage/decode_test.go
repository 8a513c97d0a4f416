package storage

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// checkDecoders fails unless each decoder's own reading (not the fallback)
// takes what the encoders wrote, and reads what json.Unmarshal reads.
func checkDecoders(t *testing.T, a Article, m storedMatch) {
	t.Helper()
	av, err := encodeArticle(&a)
	if err != nil {
		return // a time json.Marshal refuses: nothing is stored
	}
	mv, err := encodeMatch(&m)
	if err != nil {
		return
	}
	agreeWithJSON(t, av, true)
	agreeWithJSON(t, mv, true)
}

// agreeWithJSON fails if a decoder's own reading of v differs from what
// json.Unmarshal reads (when readOwn is set, also if it refuses v), or if
// a decode*Into call, fallback included, does.
func agreeWithJSON(t *testing.T, v []byte, readOwn bool) {
	t.Helper()
	check := func(kind string, own bool, got, want any, gotErr, wantErr error, ownable bool) {
		t.Helper()
		if readOwn && ownable && !own {
			t.Errorf("%s: own reading refused what the encoder wrote: %s", kind, v)
		}
		if (gotErr != nil) != (wantErr != nil) {
			t.Fatalf("%s of %q: error %v, json.Unmarshal's %v", kind, v, gotErr, wantErr)
		}
		if gotErr == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("%s of %q:\n got %#v\nwant %#v", kind, v, got, want)
		}
	}
	isMatch := len(v) > 10 && string(v[:10]) == `{"article"`

	var sm, smWant storedMatch
	own := readMatch(v, &sm)
	if own {
		err := json.Unmarshal(v, &smWant)
		check("readMatch", own, sm, smWant, nil, err, isMatch)
	}
	sm, smWant = storedMatch{}, storedMatch{}
	err := decodeMatchInto(v, &sm)
	check("decodeMatchInto", own, sm, smWant, err, json.Unmarshal(v, &smWant), isMatch)

	var sf, sfWant storedFlag
	own = readFlag(v, &sf)
	if own {
		err := json.Unmarshal(v, &sfWant)
		check("readFlag", own, sf, sfWant, nil, err, isMatch)
	}
	sf, sfWant = storedFlag{}, storedFlag{}
	err = decodeFlagInto(v, &sf)
	check("decodeFlagInto", own, sf, sfWant, err, json.Unmarshal(v, &sfWant), isMatch)

	for _, withText := range []bool{true, false} {
		var a, aWant Article
		unmarshal := func() error {
			if withText {
				return json.Unmarshal(v, &aWant)
			}
			return json.Unmarshal(v, &withoutText{Article: &aWant})
		}
		own := readArticle(v, &a, withText)
		if own {
			check("readArticle", own, a, aWant, nil, unmarshal(), !isMatch)
		}
		a, aWant = Article{}, Article{}
		err := decodeArticleInto(v, &a, withText)
		check("decodeArticleInto", own, a, aWant, err, unmarshal(), !isMatch)
	}
}

func TestDecodersReadWhatEncodersWrite(t *testing.T) {
	// A thousand: each record is decoded eight ways, twice, and the
	// awkward strings are few.
	for a, m := range randomRecords(1000) {
		checkDecoders(t, a, m)
	}
}

// TestDecodersFallBack gives the decoders records laid out otherwise than
// the encoders write them — as another build or a hand might — and
// malformed ones: each reads as json.Unmarshal reads it, or fails as it
// fails.
func TestDecodersFallBack(t *testing.T) {
	for _, v := range []string{
		// Other layouts of valid records.
		`{"topic":"t","article":1,"score":2,"terms":["a"],"snippet":{"text":"x"},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{ "article": 1, "topic": "t", "score": 2, "terms": null, "snippet": {"text": "x"}, "matched_at": "2025-01-02T03:04:05Z", "published": "2025-01-02T03:04:05Z" }`,
		`{"article":1,"topic":"t","score":2,"terms":[],"snippet":{"text":"x","marks":[]},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z","extra":true}`,
		`{"article":1,"topic":"\ud83c\uddfa\ud83c\udde6 \u00e9\/","score":-0,"terms":["a"],"snippet":{"text":"x"},"matched_at":"2025-01-02T03:04:05+02:00","published":"0001-01-01T00:00:00Z"}`,
		`{"article":1,"topic":"bad utf-8 ` + "\xff" + `","score":2,"terms":null,"snippet":{"text":""},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{"article":1,"topic":"t","score":2,"terms":[],"snippet":{"text":"x","marks":[]},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{"id":3,"feed":"f","key":"k","title":"t","url":"u","text":"body","published":"2025-01-02T03:04:05Z","first_seen":"2025-01-02T03:04:05Z","updated":"0001-01-01T00:00:00Z","topics":null,"sources":[]}`,
		`{"feed":"f","id":3,"key":"k","title":"t","url":"u","published":"2025-01-02T03:04:05Z","first_seen":"2025-01-02T03:04:05Z"}`,
		// Malformed: each is an error, whichever way it is read.
		`{"article":01,"topic":"t","score":2,"terms":null,"snippet":{"text":""},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{"article":1,"topic":"t","score":1e3,"terms":null,"snippet":{"text":""},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{"article":1,"topic":"tab	raw","score":2,"terms":null,"snippet":{"text":""},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{"article":1,"topic":"t","score":2,"terms":null,"snippet":{"text":""},"matched_at":"2025-13-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{"article":18446744073709551616,"topic":"t","score":2,"terms":null,"snippet":{"text":""},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{"article":1,"topic":"t\x","score":2,"terms":null,"snippet":{"text":""},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		`{"article":1,"topic":"t","score":2,"terms":null,"snippet":{"text":""},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}x`,
		`{"id":3,"feed":"f"`, ``, `null`,
	} {
		agreeWithJSON(t, []byte(v), false)
	}
	// The first three are valid: their fields must have been read.
	var sm storedMatch
	if err := decodeMatchInto([]byte(`{"topic":"t","article":1,"score":2,"terms":["a"],"snippet":{"text":"x"},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`), &sm); err != nil || sm.Topic != "t" || sm.ArticleID != 1 || sm.Score != 2 {
		t.Errorf("a match in another order: %+v, %v", sm, err)
	}
}

// FuzzDecoders holds the decoders to json.Unmarshal on any bytes, and on
// any record the encoders write.
func FuzzDecoders(f *testing.F) {
	for a, m := range randomRecords(20) {
		for _, enc := range []func() ([]byte, error){func() ([]byte, error) { return encodeArticle(&a) }, func() ([]byte, error) { return encodeMatch(&m) }} {
			if v, err := enc(); err == nil {
				f.Add(v, "", int64(0))
			}
		}
	}
	f.Add([]byte(`{"article":1,"topic":"\u00e9\ud83c\uddfa","score":-0,"terms":[],"snippet":{"text":"x","marks":[[1,2]]},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05+02:00"}`), "s", int64(1))
	f.Fuzz(func(t *testing.T, v []byte, s string, ns int64) {
		agreeWithJSON(t, v, false)
		at := time.Unix(0, ns).UTC()
		checkDecoders(t,
			Article{ID: uint64(ns), Feed: s, FeedName: s, Key: s, Title: s, URL: s, Text: s, Published: at, FirstSeen: at, Topics: []string{s}, Sources: []Source{{Feed: s}}},
			storedMatch{ArticleID: uint64(ns), Topic: s, Score: int(ns), Terms: []string{s}, Snippet: Snippet{Text: s, Marks: [][2]int{{int(ns), 1}}}, MatchedAt: at, Published: at})
	})
}
