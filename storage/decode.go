package storage

import (
	"encoding/json"
	"time"
)

// Reading matches and their articles is most of what the dashboard's lists
// and a digest do, and the feeds page reads every feed's state: with
// encoding/json's reflection, decoding was half of the time of a page of
// MatchesPage. These decoders read the layout encode.go writes (and, for
// feed states, json.Marshal) — the fields in their order, the strings
// escaped as appendString escapes them — and hand anything else (a record
// another build wrote, say) to json.Unmarshal. What they return is always
// what json.Unmarshal returns for the same bytes (FuzzDecoders holds them
// to it).

// decodeMatchInto decodes a stored match into sm.
func decodeMatchInto(v []byte, sm *storedMatch) error {
	if readMatch(v, sm) {
		return nil
	}
	*sm = storedMatch{}
	return json.Unmarshal(v, sm)
}

// readMatch decodes a match laid out as encodeMatch writes it; false when
// v is not.
func readMatch(v []byte, sm *storedMatch) bool { return readMatchFields(v, sm, true) }

// decodeFlagInto decodes what a flag needs of a stored match.
func decodeFlagInto(v []byte, sf *storedFlag) error {
	if readFlag(v, sf) {
		return nil
	}
	*sf = storedFlag{}
	return json.Unmarshal(v, sf)
}

// readFlag is readMatch for a storedFlag: the terms and the snippet are
// read past without being kept.
func readFlag(v []byte, sf *storedFlag) bool {
	var sm storedMatch
	if !readMatchFields(v, &sm, false) {
		return false
	}
	*sf = storedFlag{ArticleID: sm.ArticleID, Topic: sm.Topic, Score: sm.Score, MatchedAt: sm.MatchedAt, Published: sm.Published}
	return true
}

// readMatchFields reads a match laid out as encodeMatch writes it into sm,
// its terms and snippet only when whole is set.
func readMatchFields(v []byte, sm *storedMatch, whole bool) bool {
	r := jsonReader{b: v, ok: true}
	r.lit(`{"article":`)
	sm.ArticleID = r.uint()
	r.lit(`,"topic":`)
	sm.Topic = r.str()
	r.lit(`,"score":`)
	sm.Score = r.int()
	r.lit(`,"terms":`)
	terms := r.strs(whole)
	r.lit(`,"snippet":{"text":`)
	if whole {
		sm.Terms = terms
		sm.Snippet.Text = r.str()
		sm.Snippet.Marks = r.marks()
	} else {
		r.skipStr()
		r.marks()
	}
	r.lit(`},"matched_at":`)
	sm.MatchedAt = r.time()
	r.lit(`,"published":`)
	sm.Published = r.time()
	r.lit(`}`)
	return r.done()
}

// decodeArticleInto decodes a stored article into a; without its text when
// withText is false, as json.Unmarshal into withoutText does.
func decodeArticleInto(v []byte, a *Article, withText bool) error {
	if readArticle(v, a, withText) {
		return nil
	}
	*a = Article{}
	if withText {
		return json.Unmarshal(v, a)
	}
	return json.Unmarshal(v, &withoutText{Article: a})
}

// withoutText decodes an article but for its text, which the field of the
// same name, shallower than Article's, takes and drops.
type withoutText struct {
	*Article
	Text skipped `json:"text"`
}

// skipped is a JSON value decoding leaves out.
type skipped struct{}

// UnmarshalJSON does nothing.
func (*skipped) UnmarshalJSON([]byte) error { return nil }

// readArticle decodes an article laid out as encodeArticle writes it;
// false when v is not.
func readArticle(v []byte, a *Article, withText bool) bool {
	r := jsonReader{b: v, ok: true}
	r.lit(`{"id":`)
	a.ID = r.uint()
	r.lit(`,"feed":`)
	a.Feed = r.str()
	if r.maybe(`,"feed_name":`) {
		a.FeedName = r.str()
	}
	r.lit(`,"key":`)
	a.Key = r.str()
	r.lit(`,"title":`)
	a.Title = r.str()
	r.lit(`,"url":`)
	a.URL = r.str()
	if r.maybe(`,"text":`) {
		if withText {
			a.Text = r.str()
		} else {
			r.skipStr()
		}
	}
	r.lit(`,"published":`)
	a.Published = r.time()
	r.lit(`,"first_seen":`)
	a.FirstSeen = r.time()
	r.lit(`,"updated":`)
	a.Updated = r.time()
	if r.maybe(`,"topics":`) {
		a.Topics = r.strs(true)
	}
	if r.maybe(`,"sources":[`) {
		a.Sources = []Source{}
		for first := true; r.ok && !r.maybe(`]`); first = false {
			if !first {
				r.lit(`,`)
			}
			var s Source
			r.lit(`{"feed":`)
			s.Feed = r.str()
			if r.maybe(`,"feed_name":`) {
				s.FeedName = r.str()
			}
			r.lit(`}`)
			a.Sources = append(a.Sources, s)
		}
	}
	r.lit(`}`)
	return r.done()
}

// decodeFeedStateInto decodes a stored feed state into st as json.Unmarshal
// does: the fields the record leaves out keep their values.
func decodeFeedStateInto(v []byte, st *FeedState) error {
	read := *st
	if readFeedState(v, &read) {
		*st = read
		return nil
	}
	return json.Unmarshal(v, st)
}

// readFeedState decodes a feed state laid out as json.Marshal writes a
// FeedState; false when v is not.
func readFeedState(v []byte, st *FeedState) bool {
	r := jsonReader{b: v, ok: true}
	r.lit(`{"url":`)
	st.URL = r.str()
	if r.maybe(`,"etag":`) {
		st.ETag = r.str()
	}
	if r.maybe(`,"last_modified":`) {
		st.LastModified = r.str()
	}
	if r.maybe(`,"body_hash":`) {
		st.BodyHash = r.str()
	}
	r.lit(`,"last_poll":`)
	st.LastPoll = r.time()
	r.lit(`,"last_success":`)
	st.LastSuccess = r.time()
	if r.maybe(`,"last_error":`) {
		st.LastError = r.str()
	}
	r.lit(`,"failures":`)
	st.Failures = r.int()
	r.lit(`,"failing_since":`)
	st.FailingSince = r.time()
	r.lit(`,"next_poll":`)
	st.NextPoll = r.time()
	if r.maybe(`,"interval":`) {
		st.Interval = time.Duration(r.int64())
	}
	if r.maybe(`,"moved_to":`) {
		st.MovedTo = r.str()
	}
	if r.maybe(`,"gone":`) {
		st.Gone = r.bool()
	}
	r.lit(`,"items_seen":`)
	st.ItemsSeen = r.int()
	if r.maybe(`,"last_elapsed":`) {
		st.LastElapsed = time.Duration(r.int64())
	}
	r.lit(`}`)
	return r.done()
}
