package feeds

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/mmcdole/gofeed"
)

// decode reads JSON Feed's loose fields as gofeed does: an id given as a
// number or as another value, "expired" as a string, a null item; and it
// names a value of the wrong type by its path in the feed.
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
