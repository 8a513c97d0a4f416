package digest

import (
	"bytes"
	"embed"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"

	"newswatch/storage"
)

//go:embed templates
var templates embed.FS

// The templates are parsed once, when the package loads.
var (
	textTmpl = texttemplate.Must(texttemplate.New("digest.txt.tmpl").Funcs(texttemplate.FuncMap{
		"join":        strings.Join,
		"snippetText": func(s storage.Snippet) string { return s.Marked("*", "*", nil) },
	}).ParseFS(templates, "templates/digest.txt.tmpl"))
	htmlTmpl = htmltemplate.Must(htmltemplate.New("digest.html.tmpl").Funcs(htmltemplate.FuncMap{
		"join": strings.Join,
		// Feed text is escaped piece by piece; only the <strong> around
		// the matched words is markup.
		"snippetHTML": func(s storage.Snippet) htmltemplate.HTML {
			return htmltemplate.HTML(s.Marked("<strong>", "</strong>", htmltemplate.HTMLEscapeString))
		},
	}).ParseFS(templates, "templates/digest.html.tmpl"))
)

func renderText(c content) (string, error) {
	var b bytes.Buffer
	err := textTmpl.Execute(&b, c)
	return b.String(), err
}

func renderHTML(c content) (string, error) {
	var b bytes.Buffer
	err := htmlTmpl.Execute(&b, c)
	return b.String(), err
}

// articleSize returns the bytes that listing a among a section's articles
// adds to the two parts.
func articleSize(a Article) (int, error) {
	var n byteCount
	if err := textTmpl.ExecuteTemplate(&n, "article", a); err != nil {
		return 0, err
	}
	if err := htmlTmpl.ExecuteTemplate(&n, "article", a); err != nil {
		return 0, err
	}
	return int(n), nil
}

// byteCount is a writer that counts what it is given.
type byteCount int

// Write counts p.
func (n *byteCount) Write(p []byte) (int, error) {
	*n += byteCount(len(p))
	return len(p), nil
}
