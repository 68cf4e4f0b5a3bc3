package pdfdoc

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestRenderIsAValidPDF(t *testing.T) {
	var lines []Line
	for i := 0; i < 120; i++ { // forces a second page
		lines = append(lines, Line{Text: fmt.Sprintf("Linha %d: Losartana potássica (50 mg) \\ ação", i)})
	}
	pdf := Render("Receita", []Page{{Lines: lines}, {Lines: []Line{{Text: "2ª via", Bold: true, Size: 14}}}})
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatal("header or trailer missing")
	}
	// every xref offset points at its "N 0 obj"
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n")) {
		t.Fatal("startxref does not point at the xref table")
	}
	rows := strings.Split(string(pdf[xref:]), "\n")[3:]
	for i, row := range rows {
		if !strings.HasSuffix(row, " n ") {
			break
		}
		off, _ := strconv.Atoi(row[:10])
		if !bytes.HasPrefix(pdf[off:], []byte(fmt.Sprintf("%d 0 obj", i+1))) {
			t.Fatalf("xref entry %d points at %q", i+1, pdf[off:off+10])
		}
	}
	n := bytes.Count(pdf, []byte("/Type /Page "))
	if n != 4 || !bytes.Contains(pdf, []byte(fmt.Sprintf("/Count %d", n))) { // 120 lines of 15.4 pt: 3 pages, then the second copy
		t.Fatalf("pages = %d, want 4", n)
	}
	// non-ASCII in WinAnsi octal escapes; parentheses and backslashes escaped
	if !bytes.Contains(pdf, []byte(`pot\341ssica \(50 mg\) \\ a\347\343o`)) {
		t.Fatal("text not encoded as WinAnsi with escapes")
	}
}
