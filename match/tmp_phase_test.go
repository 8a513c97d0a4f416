package match

import "testing"

func BenchmarkTmpPhases(b *testing.B) {
	docs, vocab := CorpusDocs(b)
	m, _ := Compile(GenerateTopics(10000, vocab, 7))
	d := newDoc(m)
	b.Run("load", func(b *testing.B) {
		for b.Loop() {
			for _, in := range docs {
				d.load(in)
			}
		}
	})
	b.Run("load+cand", func(b *testing.B) {
		for b.Loop() {
			for _, in := range docs {
				d.load(in)
				m.candidates(d, func(int32) {})
			}
		}
	})
	b.Run("load+holds", func(b *testing.B) {
		for b.Loop() {
			for _, in := range docs {
				d.load(in)
				m.candidates(d, func(t int32) { m.prog.holds(d, t) })
			}
		}
	})
	b.Run("load+holds+eval", func(b *testing.B) {
		for b.Loop() {
			for _, in := range docs {
				d.load(in)
				m.candidates(d, func(t int32) {
					if m.prog.holds(d, t) {
						d.spans = d.spans[:0]
						m.topics[t].root.eval(d, &d.spans)
					}
				})
			}
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			for _, in := range docs {
				m.Match(in)
			}
		}
	})
}
