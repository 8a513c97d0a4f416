package storage

import (
	"encoding/json"
	"math/rand/v2"
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
		`{"article":1,"topic":"a\/b \"c\" \u00e9","score":2,"terms":null,"snippet":{"text":""},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
		// Bad escapes in strings that some decoders only read past.
		`{"id":3,"feed":"f","key":"k","title":"t","url":"u","text":"a \x b","published":"2025-01-02T03:04:05Z","first_seen":"2025-01-02T03:04:05Z","updated":"0001-01-01T00:00:00Z"}`,
		`{"article":1,"topic":"t","score":2,"terms":["\ud800"],"snippet":{"text":"\u12"},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05Z"}`,
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

// agreeFeedState fails if decodeFeedStateInto reads v otherwise than
// json.Unmarshal into the same state (when readOwn is set, also if its own
// reading refuses v). Both start from a state with every field set, so
// that a field the record leaves out must keep its value.
func agreeFeedState(t *testing.T, v []byte, readOwn bool) {
	t.Helper()
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	before := FeedState{URL: "before", ETag: "e", LastModified: "lm", BodyHash: "h", LastPoll: at, LastSuccess: at,
		LastError: "x", Failures: 9, FailingSince: at, NextPoll: at, Interval: time.Hour, MovedTo: "m", Gone: true, ItemsSeen: 4,
		LastElapsed: time.Second}
	own := before
	if readOwn && !readFeedState(v, &own) {
		t.Errorf("readFeedState refused what json.Marshal wrote: %s", v)
	}
	got, want := before, before
	gotErr, wantErr := decodeFeedStateInto(v, &got), json.Unmarshal(v, &want)
	if (gotErr != nil) != (wantErr != nil) {
		t.Fatalf("feed state %q: error %v, json.Unmarshal's %v", v, gotErr, wantErr)
	}
	if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("feed state %q:\n got %#v\nwant %#v", v, got, want)
	}
}

func TestFeedStateDecoderReadsWhatMarshalWrites(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	pick := func() string { return awkward[r.IntN(len(awkward))] }
	times := []time.Time{{}, t0, t0.Add(123456789 * time.Nanosecond), t0.In(time.FixedZone("EET", 2*3600))}
	tm := func() time.Time { return times[r.IntN(len(times))] }
	for range 1000 {
		st := FeedState{URL: pick(), LastPoll: tm(), LastSuccess: tm(), Failures: r.IntN(5), FailingSince: tm(), NextPoll: tm(), ItemsSeen: r.IntN(1000)}
		if r.IntN(2) == 0 {
			st.ETag, st.LastModified, st.BodyHash, st.LastError, st.MovedTo = pick(), pick(), pick(), pick(), pick()
			st.Interval, st.Gone = time.Duration(r.Int64N(1<<40)-1<<39), true
			st.LastElapsed = time.Duration(r.Int64N(1 << 40))
		}
		v, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		agreeFeedState(t, v, true)
	}
	for _, v := range []string{
		`{"url":"u","last_poll":"0001-01-01T00:00:00Z","last_success":"0001-01-01T00:00:00Z","failures":0,"failing_since":"0001-01-01T00:00:00Z","next_poll":"0001-01-01T00:00:00Z","items_seen":0}`,
		`{"items_seen":3,"url":"u"}`,
		`{"url":"u","gone":false,"items_seen":1}`,
		`{"url":"u","last_poll":"0001-01-01T00:00:00Z","last_success":"0001-01-01T00:00:00Z","failures":0,"failing_since":"0001-01-01T00:00:00Z","next_poll":"0001-01-01T00:00:00Z","gone":false,"items_seen":0}`,
		`{"url":"u","last_poll":"0001-01-01T00:00:00Z","last_success":"0001-01-01T00:00:00Z","failures":0,"failing_since":"0001-01-01T00:00:00Z","next_poll":"0001-01-01T00:00:00Z","interval":1.5,"items_seen":0}`,
		`{"url":"u","last_poll":"0001-01-01T00:00:00Z","last_success":"0001-01-01T00:00:00Z","failures":0,"failing_since":"0001-01-01T00:00:00Z","next_poll":"0001-01-01T00:00:00Z","gone":nope,"items_seen":0}`,
		`{"url":"u"`, `null`, ``,
	} {
		agreeFeedState(t, []byte(v), false)
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
	f.Add([]byte(`{"url":"u","etag":"\"e\"","last_poll":"2025-01-02T03:04:05Z","last_success":"0001-01-01T00:00:00Z","last_error":"x","failures":2,"failing_since":"2025-01-02T03:04:05Z","next_poll":"2025-01-02T03:04:05Z","interval":-60000000000,"gone":true,"items_seen":7}`), "", int64(0))
	f.Add([]byte(`{"article":1,"topic":"\u00e9\ud83c\uddfa","score":-0,"terms":[],"snippet":{"text":"x","marks":[[1,2]]},"matched_at":"2025-01-02T03:04:05Z","published":"2025-01-02T03:04:05+02:00"}`), "s", int64(1))
	f.Fuzz(func(t *testing.T, v []byte, s string, ns int64) {
		agreeWithJSON(t, v, false)
		agreeFeedState(t, v, false)
		at := time.Unix(0, ns).UTC()
		checkDecoders(t,
			Article{ID: uint64(ns), Feed: s, FeedName: s, Key: s, Title: s, URL: s, Text: s, Published: at, FirstSeen: at, Topics: []string{s}, Sources: []Source{{Feed: s}}},
			storedMatch{ArticleID: uint64(ns), Topic: s, Score: int(ns), Terms: []string{s}, Snippet: Snippet{Text: s, Marks: [][2]int{{int(ns), 1}}}, MatchedAt: at, Published: at})
	})
}
