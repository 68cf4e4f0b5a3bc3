// Package pdfdoc writes small text-only PDF 1.4 documents (A4 pages of lines in
// the standard Helvetica font with WinAnsiEncoding), enough for a prescription.
package pdfdoc

import (
	"bytes"
	"fmt"
	"strings"
)

// Line is one line of text.
type Line struct {
	Text string
	Size float64 // points; 0 means 11
	Bold bool
}

// Page is one page of lines, written top to bottom.
type Page struct{ Lines []Line }

const (
	pageW, pageH = 595.28, 841.89 // A4 in points
	margin       = 56.0
	maxChars     = 95 // at 11 pt Helvetica on A4 with margins
)

// Render returns the PDF bytes of the pages, with title as the document title.
// Long lines are wrapped; lines that do not fit on a page continue on the next.
func Render(title string, pages []Page) []byte {
	var laid [][]Line
	for _, p := range pages {
		cur := []Line{}
		y := pageH - margin
		for _, l := range p.Lines {
			size := l.Size
			if size == 0 {
				size = 11
			}
			for _, part := range wrap(l.Text, int(float64(maxChars)*11/size)) {
				if y-size*1.4 < margin {
					laid = append(laid, cur)
					cur, y = []Line{}, pageH-margin
				}
				cur = append(cur, Line{Text: part, Size: size, Bold: l.Bold})
				y -= size * 1.4
			}
		}
		laid = append(laid, cur)
	}
	if len(laid) == 0 {
		laid = [][]Line{{}}
	}

	var objs []string // object i+1
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	catalog := add("") // filled later
	pagesObj := add("")
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	bold := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
	info := add(fmt.Sprintf("<< /Title %s /Producer (multisaude) >>", literal(title)))
	var kids []string
	for _, lines := range laid {
		var c bytes.Buffer
		y := pageH - margin
		for _, l := range lines {
			y -= l.Size * 1.4
			f := "F1"
			if l.Bold {
				f = "F2"
			}
			fmt.Fprintf(&c, "BT /%s %.1f Tf %.2f %.2f Td %s Tj ET\n", f, l.Size, margin, y, literal(l.Text))
		}
		content := add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", c.Len(), c.String()))
		page := add(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> /Contents %d 0 R >>",
			pagesObj, pageW, pageH, font, bold, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", page))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R >>", pagesObj)
	objs[pagesObj-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))

	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, catalog, info, xref)
	return out.Bytes()
}

// literal encodes s as a PDF string in WinAnsi (cp1252), escaping what must be.
func literal(s string) string {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		if r == '\n' || r == '\r' || r == '\t' {
			r = ' '
		}
		c := winAnsi(r)
		switch {
		case c == '(' || c == ')' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 32 || c > 126:
			fmt.Fprintf(&b, "\\%03o", c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte(')')
	return b.String()
}

func wrap(s string, width int) []string {
	if width < 10 {
		width = 10
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		return []string{""}
	}
	var out []string
	cur := ""
	for _, w := range words {
		for len([]rune(w)) > width {
			if cur != "" {
				out, cur = append(out, cur), ""
			}
			r := []rune(w)
			out, w = append(out, string(r[:width])), string(r[width:])
		}
		switch {
		case cur == "":
			cur = w
		case len([]rune(cur))+1+len([]rune(w)) <= width:
			cur += " " + w
		default:
			out, cur = append(out, cur), w
		}
	}
	return append(out, cur)
}

// winAnsi maps a rune to its cp1252 byte ('?' when it has none).
func winAnsi(r rune) byte {
	switch {
	case r < 0x80 || r >= 0xA0 && r <= 0xFF:
		return byte(r)
	}
	switch r {
	case '€':
		return 0x80
	case '‘':
		return 0x91
	case '’':
		return 0x92
	case '“':
		return 0x93
	case '”':
		return 0x94
	case '•':
		return 0x95
	case '–':
		return 0x96
	case '—':
		return 0x97
	}
	return '?'
}
