package conformance

import (
	"bufio"
	"bytes"
	"mime"
	"regexp"
	"strings"
	"testing"
)

// PortugueseSubjects are subjects a notifier must carry intact: accents, a
// cedilla, a tilde and a subject long enough to need several encoded words.
var PortugueseSubjects = []string{
	"Redefinição de senha",
	"Seu prontuário foi aberto em uma emergência",
	"Lembrete: consulta em 04/12/2026 às 08:30 com a Dra. Conceição Gonçalves, São João da Boa Vista",
}

var encodedWord = regexp.MustCompile(`=\?[^?]+\?[qQbB]\?[^?]*\?=`)

// CheckSubjectHeader checks the raw message's header per RFC 5322 and RFC
// 2047: every header line (From with an accented display name included) is
// seven-bit ASCII of at most 998 characters, and the Subject's encoded words
// are at most 75 characters each and decode to want.
func CheckSubjectHeader(t *testing.T, raw []byte, want string) {
	t.Helper()
	head, _, _ := bytes.Cut(raw, []byte("\r\n\r\n"))
	if len(head) == len(raw) {
		head, _, _ = bytes.Cut(raw, []byte("\n\n"))
	}
	var subject []string // the header's physical lines (folded)
	sc := bufio.NewScanner(bytes.NewReader(head))
	in := false
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		for _, r := range line {
			if r > 126 {
				t.Errorf("header line with a non-ASCII character %q: %q", r, line)
				break
			}
		}
		switch {
		case strings.HasPrefix(strings.ToLower(line), "subject:"):
			in = true
			subject = append(subject, line)
		case in && (strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t")):
			subject = append(subject, line)
		default:
			in = false
		}
	}
	if len(subject) == 0 {
		t.Fatalf("no Subject header in\n%s", head)
	}
	for _, l := range subject {
		if len(l) > 998 {
			t.Errorf("Subject line of %d characters", len(l))
		}
		for _, r := range l {
			if r > 126 || r < 32 && r != '\t' {
				t.Errorf("Subject line has a non-ASCII character %q: %q", r, l)
				break
			}
		}
	}
	value := strings.TrimSpace(strings.Join(subject, "")[len("subject:"):])
	for _, w := range encodedWord.FindAllString(value, -1) {
		if len(w) > 75 {
			t.Errorf("encoded word of %d characters (RFC 2047 allows 75): %s", len(w), w)
		}
	}
	var dec mime.WordDecoder
	got, err := dec.DecodeHeader(value)
	if err != nil || got != want {
		t.Errorf("Subject %q decodes to %q (%v), want %q", value, got, err, want)
	}
}
