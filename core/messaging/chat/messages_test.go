package chat

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

func TestTextRule(t *testing.T) {
	s := NewService(Deps{}, Config{MaxTextRunes: 10})
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"  olá  ", "olá", true},
		{"a\nb\tc", "a\nb\tc", true},
		{strings.Repeat("é", 10), strings.Repeat("é", 10), true},
		{" " + strings.Repeat("é", 10) + "\n", strings.Repeat("é", 10), true}, // trimmed before counting
		{strings.Repeat("é", 11), "", false},
		{"sino\a", "", false},
		{"nulo\x00", "", false},
		{"del\u007f", "", false},
		{"sep\u2028x", "", false},
		{"\xff\xfe", "", false},
		{"", "", true}, // emptiness is Send's rule (text or a file)
	} {
		var p kernel.Problems
		got := s.checkText(tc.in, &p)
		if p.Empty() != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("checkText(%q) = %q, problems %v; want %q ok %v", tc.in, got, p.Fields(), tc.want, tc.ok)
		}
	}
}

func FuzzTextRule(f *testing.F) {
	s := NewService(Deps{}, Config{MaxTextRunes: 50})
	for _, seed := range []string{"olá", " \n", "a\x00", strings.Repeat("x", 60)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var p kernel.Problems
		out := s.checkText(in, &p)
		if p.Empty() && (utf8.RuneCountInString(out) > 50 || out != strings.TrimSpace(out) || !utf8.ValidString(out)) {
			t.Fatalf("accepted %q as %q", in, out)
		}
	})
}

func TestParticipant(t *testing.T) {
	pat, pro, co := kernel.NewID(), kernel.NewID(), kernel.NewID()
	care := Conversation{Kind: ConversationCare, PatientID: pat, ProfessionalID: pro}
	order := Conversation{Kind: ConversationOrder, PatientID: pat, CompanyID: co, OrderID: kernel.NewID()}
	member := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: co}
	for _, tc := range []struct {
		p    kernel.Principal
		c    Conversation
		want bool
	}{
		{kernel.Principal{AccountID: pat, Kind: kernel.KindPatient}, care, true},
		{kernel.Principal{AccountID: pat, Kind: kernel.KindPatient}, order, true},
		{kernel.Principal{AccountID: pro, Kind: kernel.KindProfessional}, care, true},
		{kernel.Principal{AccountID: pro, Kind: kernel.KindProfessional}, order, false},
		{member, order, true},
		{member, care, false},
		{kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember}, Conversation{Kind: ConversationOrder}, false}, // no company on either
		{kernel.Principal{AccountID: pat, Kind: kernel.KindAdmin}, care, false},
		{kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey, CompanyID: co}, order, false},
		{kernel.Anonymous, Conversation{}, false},
	} {
		if got := Participant(tc.p, tc.c); got != tc.want {
			t.Errorf("Participant(%s, %s) = %v", tc.p.Kind, tc.c.Kind, got)
		}
	}
}
