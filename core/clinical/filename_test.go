package clinical

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestCleanFileName(t *testing.T) {
	long := strings.Repeat("ã", 200) + ".pdf" // 404 bytes
	for _, tc := range []struct{ in, ct, want string }{
		{"exame.pdf", "application/pdf", "exame.pdf"},
		{"Exame de sangue - João.pdf", "application/pdf", "Exame de sangue - João.pdf"},
		{`..\..\windows\evil.pdf`, "application/pdf", "evil.pdf"},
		{"../x.pdf", "application/pdf", "x.pdf"},
		{"/etc/passwd", "application/pdf", "passwd"},
		{`C:\Users\ana\Raio-X tórax.png`, "image/png", "Raio-X tórax.png"},
		{"a\x00b\x1fc\x7f.pdf", "application/pdf", "abc.pdf"},
		{"line\r\nX-Injected: 1.pdf", "application/pdf", "lineX-Injected: 1.pdf"},
		{`say "hi".pdf`, "application/pdf", "say hi.pdf"},
		{"D'Ávila.pdf", "application/pdf", "D'Ávila.pdf"},
		{"evil\u202Efdp.exe", "application/pdf", "evilfdp.exe"},
		{"bad\xffbyte.pdf", "application/pdf", "badbyte.pdf"},
		{"..", "application/pdf", "documento.pdf"},
		{"", "image/jpeg", "documento.jpg"},
		{`dir\`, "image/webp", "documento.webp"},
		{"\x01\x02", "application/dicom", "documento.dcm"},
		{" . ", "", "documento"},
		{".hidden.pdf", "application/pdf", "hidden.pdf"},
		{long, "application/pdf", strings.Repeat("ã", 125) + ".pdf"},
	} {
		if got := CleanFileName(tc.in, tc.ct); got != tc.want {
			t.Errorf("CleanFileName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzCleanFileName(f *testing.F) {
	for _, s := range []string{"exame.pdf", `..\..\windows\evil.pdf`, "João.pdf", "\x00", strings.Repeat("é", 300), "a/b\\c", "\"\"", "x.\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := CleanFileName(in, "application/pdf")
		if got == "" || len(got) > MaxFileNameBytes || !utf8.ValidString(got) || strings.ContainsAny(got, "/\\\"") {
			t.Fatalf("CleanFileName(%q) = %q", in, got)
		}
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
				t.Fatalf("CleanFileName(%q) = %q keeps %U", in, got, r)
			}
		}
		if again := CleanFileName(got, "application/pdf"); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, got, again)
		}
	})
}
