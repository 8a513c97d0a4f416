package feeds

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	jsonfeed "github.com/mmcdole/gofeed/json"
)

// jsonFeedDoc decodes a JSON Feed into gofeed's jsonfeed.Feed in one call
// of json.Unmarshal, with the loose fields that gofeed coerces (a feed's
// "expired", an item's "id") kept raw and coerced as gofeed does.
//
// gofeed's own jsonfeed.Feed and jsonfeed.Item each decode themselves
// with an UnmarshalJSON that calls json.Unmarshal again, so each item is
// checked with the whole feed, skipped over to find its end, and checked
// again by its own json.Unmarshal before it is decoded. Here an item is a
// plain struct, decoded in the pass that decodes the feed: Parse takes a
// third less time over the farm's JSON feeds (BenchmarkParseFarm,
// BENCHMARKS.md).
//
// TestDecodeAgreesWithGofeed and FuzzDecodeJSONFeed hold it to
// gofeed.Parser's feeds, and to its errors but for their wording: a value
// of the wrong type is named by its path in the feed ("items.image"), not
// by gofeed's Go types.
type jsonFeedDoc struct {
	Expired json.RawMessage `json:"expired"`
	Items   []*jsonItemDoc  `json:"items"`
	jsonFeedFields
}

// jsonItemDoc is one item of a jsonFeedDoc.
type jsonItemDoc struct {
	ID json.RawMessage `json:"id"`
	jsonItemFields
}

// jsonFeedFields and jsonItemFields have gofeed's fields without its
// UnmarshalJSON methods. Embedded in the docs, their fields are decoded
// as the docs' own, except those the docs name at a shallower depth.
type (
	jsonFeedFields jsonfeed.Feed
	jsonItemFields jsonfeed.Item
)

// decodeJSONFeed decodes body, a JSON Feed, as (*jsonfeed.Feed).UnmarshalJSON
// does, but leaves out null items and authors: gofeed keeps each as a nil
// pointer, on which its translator panics (gofeed issue 355).
func decodeJSONFeed(body []byte) (*jsonfeed.Feed, error) {
	var doc jsonFeedDoc
	if err := json.Unmarshal(body, &doc); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("json feed: %s is %s, not %s (byte %d)", jsonPath(te.Field), article(te.Value), article(jsonKind(te.Type)), te.Offset)
		}
		return nil, err
	}
	jf := (*jsonfeed.Feed)(&doc.jsonFeedFields)
	jf.Expired = coerceBool(doc.Expired)
	jf.Authors = slices.DeleteFunc(jf.Authors, isNull)
	if doc.Items != nil {
		jf.Items = make([]*jsonfeed.Item, 0, len(doc.Items))
	}
	for _, d := range doc.Items {
		if d == nil {
			continue // null
		}
		it := (*jsonfeed.Item)(&d.jsonItemFields)
		it.ID = coerceString(d.ID)
		it.Authors = slices.DeleteFunc(it.Authors, isNull)
		jf.Items = append(jf.Items, it)
	}
	return jf, nil
}

// isNull reports whether a JSON Feed author was null.
func isNull(a *jsonfeed.Author) bool { return a == nil }

// coerceString is gofeed's: a JSON string, a number as written, or any
// other value's text.
func coerceString(raw json.RawMessage) string {
	if isEmptyJSON(raw) {
		return ""
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String()
	}
	return strings.TrimSpace(string(raw))
}

// coerceBool is gofeed's: a JSON boolean, or a string that
// strconv.ParseBool reads as one.
func coerceBool(raw json.RawMessage) bool {
	if isEmptyJSON(raw) {
		return false
	}
	var b bool
	if err := json.Unmarshal(raw, &b); err == nil {
		return b
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		b, _ := strconv.ParseBool(strings.TrimSpace(s))
		return b
	}
	return false
}

// isEmptyJSON reports whether raw is absent or null.
func isEmptyJSON(raw json.RawMessage) bool {
	s := strings.TrimSpace(string(raw))
	return s == "" || s == "null"
}

// jsonPath is the path to a field as encoding/json names it, without the
// embedded structs that only carry gofeed's fields: "items.image".
func jsonPath(field string) string {
	if field == "" {
		return "the feed"
	}
	parts := strings.Split(field, ".")
	kept := parts[:0]
	for _, p := range parts {
		if p != "jsonFeedFields" && p != "jsonItemFields" {
			kept = append(kept, p)
		}
	}
	return strconv.Quote(strings.Join(kept, "."))
}

// jsonKind names the JSON value that decodes into t.
func jsonKind(t reflect.Type) string {
	if t == nil {
		return "value"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Slice, reflect.Array:
		return "array"
	case reflect.Struct, reflect.Map:
		return "object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64,
		reflect.Float32, reflect.Float64:
		return "number"
	}
	return "value"
}

// article puts "a" or "an" before a JSON kind: "an object".
func article(kind string) string {
	if strings.IndexByte("aeiou", kind[0]) >= 0 {
		return "an " + kind
	}
	return "a " + kind
}
