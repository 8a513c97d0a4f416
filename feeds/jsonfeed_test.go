package feeds

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/mmcdole/gofeed"
)

// decode reads JSON Feed's loose fields as gofeed does: an id given as a
// number or as another value, "expired" as a string, a key in another
// case; and it names a value of the wrong type by its path in the feed.
func TestDecodeJSONFeedLoose(t *testing.T) {
	for _, body := range []string{
		`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":42,"title":"a"},{"id":"x","title":"b"},{"id":{"k":1},"title":"c"},{"id":null,"title":"d"},{"id":1.5e3}]}`,
		`{"version":"https://jsonfeed.org/version/1","expired":"true","items":[{"id":"1","content_text":"x"}]}`,
		`{"version":"https://jsonfeed.org/version/1","expired":true,"items":[]}`,
		`{"version":"https://jsonfeed.org/version/1","expired":"no","items":null}`,
		`{"version":"https://jsonfeed.org/version/1","items":[{"id":"1","attachments":[{"url":"u","size_in_bytes":"12"}]}]}`,
		`{"version":"https://jsonfeed.org/version/1","ID":"upper","Items":[{"ID":7,"Title":"case"}]}`,
	} {
		p := gofeed.NewParser()
		want, err := p.Parse(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatalf("gofeed.Parser: %v\n%s", err, body)
		}
		got, _, err := decode([]byte(body))
		if err != nil {
			t.Fatalf("decode: %v\n%s", err, body)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got %+v\nwant %+v", body, got, want)
		}
	}

	for body, want := range map[string]string{
		`{"version":"1","items":[{"id":"1","title":7}]}`:    `json feed: "items.title" is a number, not a string (byte 43)`,
		`{"version":"1","items":[{"id":"1","author":"A"}]}`: `json feed: "items.author" is a string, not an object (byte 46)`,
		`{"version":"1","items":"none"}`:                    `json feed: "items" is a string, not an array (byte 29)`,
		`{"version":"1","items":[3]}`:                       `json feed: "items" is a number, not an object (byte 25)`,
		`{"version":1,"items":[]}`:                          `json feed: "version" is a number, not a string (byte 12)`,
	} {
		if _, err := new(gofeed.Parser).Parse(bytes.NewReader([]byte(body))); err == nil {
			t.Errorf("gofeed.Parser accepts %s", body)
		}
		_, _, err := decode([]byte(body))
		if err == nil || err.Error() != want {
			t.Errorf("decode(%s): error %v, want %s", body, err, want)
		}
	}
}

// decode agrees with gofeed.Parser on any body that starts as JSON: the
// same feed, or both refuse it (in words of their own for a value of the
// wrong type).
func FuzzDecodeJSONFeed(f *testing.F) {
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1.1","title":"t","items":[{"id":42,"title":"a","content_html":"<p>x</p>"},{"id":{"k":1}}]}`))
	f.Add([]byte(`{"version":"1","items":[null]}`))
	f.Add([]byte(`{"version":"1","expired":"true","author":{"name":"A"},"items":[{"id":"1","attachments":[{"url":"u","size_in_bytes":"12.5"}],"tags":["a"]}]}`))
	f.Add([]byte(`{"version":"1","items":[{"id":"1","title":7}]}`))
	f.Add([]byte(`{"Items":[{"ID":1e400}],"EXPIRED":1}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if gofeed.DetectFeedType(bytes.NewReader(body[:min(len(body), detectWindow)])) != gofeed.FeedTypeJSON {
			return
		}
		want, panicked, wantErr := gofeedParse(body)
		got, _, err := decode(body)
		if panicked {
			return // decode's own answer is held by TestDecodeJSONFeedNulls
		}
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("error %v, gofeed.Parser's %v", err, wantErr)
		}
		var te *json.UnmarshalTypeError
		if err != nil && !errors.As(wantErr, &te) && err.Error() != wantErr.Error() {
			t.Fatalf("error %v, gofeed.Parser's %v", err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("\n got %+v\nwant %+v", got, want)
		}
	})
}

// gofeedParse parses body with gofeed.Parser, and reports whether it
// panicked.
func gofeedParse(body []byte) (f *gofeed.Feed, panicked bool, err error) {
	defer func() {
		if recover() != nil {
			f, panicked, err = nil, true, nil
		}
	}()
	f, err = gofeed.NewParser().Parse(bytes.NewReader(body))
	return f, false, err
}

// A JSON Feed's null items and authors, on which gofeed.Parser panics,
// are left out, and the feed is read as gofeed reads it without them.
func TestDecodeJSONFeedNulls(t *testing.T) {
	for body, without := range map[string]string{
		`{"version":"1","items":[null,{"id":"1","title":"a"},null,{"id":"2","title":"b"},null]}`:         `{"version":"1","items":[{"id":"1","title":"a"},{"id":"2","title":"b"}]}`,
		`{"version":"1","authors":[null,{"name":"A"},null],"items":[{"id":"1"}]}`:                        `{"version":"1","authors":[{"name":"A"}],"items":[{"id":"1"}]}`,
		`{"version":"1","authors":[null],"items":[]}`:                                                    `{"version":"1","authors":[],"items":[]}`,
		`{"version":"1","items":[{"id":"1","authors":[null,{"name":"B"}]},{"id":"2","authors":[null]}]}`: `{"version":"1","items":[{"id":"1","authors":[{"name":"B"}]},{"id":"2","authors":[]}]}`,
	} {
		if _, panicked, _ := gofeedParse([]byte(body)); !panicked {
			t.Logf("gofeed.Parser no longer panics on %s", body)
		}
		want, err := gofeed.NewParser().Parse(bytes.NewReader([]byte(without)))
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := decode([]byte(body))
		if err != nil {
			t.Fatalf("decode(%s): %v", body, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s\n got %+v\nwant %+v", body, got, want)
		}
	}
}
