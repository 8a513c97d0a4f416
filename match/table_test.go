package match

import (
	"fmt"
	"strings"
	"testing"
	"unsafe"
)

// A slot is one cache line: what a word costs to find.
func TestTableSlotIsACacheLine(t *testing.T) {
	if got := unsafe.Sizeof(tableSlot{}); got != 64 {
		t.Errorf("a tableSlot is %d bytes, want 64", got)
	}
}

// The word table finds every word it was built with, long ones (past a
// slot's bytes) included, and nothing else: not a word's prefix, not a
// word one byte longer, not a long word that differs only past the bytes
// its slot holds. A hash that is the same for every word makes every
// lookup probe and compare.
func TestWordTable(t *testing.T) {
	ids := map[string]int32{}
	words := []string{"ukraine", "гарантії", "ceasefire", "a", "sixteen-bytes-ab",
		"seventeen-bytes-a", strings.Repeat("x", 200), "peacekeepingforce"}
	for i := range 3000 {
		words = append(words, fmt.Sprintf("w%d", i))
	}
	for i, w := range words {
		ids[w] = int32(i)
	}
	for name, hash := range map[string]func(string) uint64{
		"hashWord": hashWord, "hashPrefix": hashPrefix, "constant": func(string) uint64 { return 1 << 40 },
	} {
		tab := newWordTable(ids, hash)
		for _, w := range words {
			if got := tab.find(w, hash(w)); got == nil || got.id != ids[w] {
				t.Errorf("%s: find(%q) = %v; want id %d", name, w, got, ids[w])
			}
		}
		absent := []string{"ukrain", "ukrainee", "гаранті", "seventeen-bytes-b", "sixteen-bytes-a",
			strings.Repeat("x", 199) + "y", "peacekeepingforcE", "w3000", "w", ""}
		for _, w := range absent {
			if got := tab.find(w, hash(w)); got != nil {
				t.Errorf("%s: find(%q) = %v; want nil", name, w, got)
			}
		}
	}
	var empty wordTable
	if empty.find("x", hashWord("x")) != nil {
		t.Error("empty table found a word")
	}
}

// The prefixes of a word are found in one pass, shortest first, whatever
// their lengths.
func TestPrefixesOf(t *testing.T) {
	d := newDict()
	prefixes := map[int32]string{}
	for _, p := range []string{"sanction", "sanc", "sa", "гара", strings.Repeat("z", 70)} {
		prefixes[d.id(p, true, true)] = p
	}
	sanctions := d.id("sanctions", false, true)
	d.finish()
	for _, c := range []struct {
		word string
		want []string
	}{
		{"sanctions", []string{"sa", "sanc", "sanction"}},
		{"sanctioned", []string{"sa", "sanc", "sanction"}},
		{"sand", []string{"sa"}},
		{"s", nil},
		{"гарантії", []string{"гара"}},
		{strings.Repeat("z", 80), []string{strings.Repeat("z", 70)}},
		{strings.Repeat("z", 69), nil},
	} {
		var got []string
		for _, r := range d.prefixesOf(c.word, nil) {
			got = append(got, prefixes[r.id])
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("prefixesOf(%q) = %q; want %q", c.word, got, c.want)
		}
	}
	if got := len(d.startsWith[d.startsAt[sanctions]:d.startsAt[sanctions+1]]); got != 3 {
		t.Errorf("startsWith(sanctions) holds %d prefixes; want 3", got)
	}
}
