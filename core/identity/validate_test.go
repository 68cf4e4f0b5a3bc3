package identity

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

func TestNormalizeCPF(t *testing.T) {
	cases := []struct {
		in   string
		want string // "" = invalid
	}{
		{"52998224725", "52998224725"},
		{"529.982.247-25", "52998224725"},
		{" 111.444.777-35 ", "11144477735"},
		{"52998224724", ""}, // wrong second digit
		{"52998224715", ""}, // wrong first digit
		{"11111111111", ""}, // all equal digits pass the arithmetic but are refused
		{"00000000000", ""},
		{"5299822472", ""},   // short
		{"529982247250", ""}, // long
		{"5299822472a", ""},
		{"", ""},
		{"529,982,247-25", ""},
	}
	for _, c := range cases {
		got, ok := NormalizeCPF(c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("NormalizeCPF(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestNormalizeCNPJ(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"11.222.333/0001-81", "11222333000181"},
		{"11222333000181", "11222333000181"},
		{"12.ABC.345/01DE-35", "12ABC34501DE35"}, // the Receita Federal's alphanumeric example
		{"12abc34501de35", "12ABC34501DE35"},
		{"12ABC34501DE36", ""},
		{"11222333000182", ""},
		{"12ABC34501DEA5", ""}, // check digits must be digits
		{"00000000000000", ""},
		{"AAAAAAAAAAAA00", ""},
		{"1122233300018", ""},
		{"12ABC34501D#35", ""},
		{"", ""},
	}
	for _, c := range cases {
		got, ok := NormalizeCNPJ(c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("NormalizeCNPJ(%q) = %q, %v; want %q", c.in, got, ok, c.want)
		}
	}
}

func TestNormalizeCouncilNumber(t *testing.T) {
	cases := []struct {
		council, in, want string
	}{
		{"CRM", "123456", "123456"},
		{"CRM", "12.345", "12345"},
		{"CRM", "0", ""},
		{"CRM", "123456789", ""},
		{"CRM", "12345-F", ""},
		{"CRM", "ABC", ""},
		{"CREF", "012345-G", "012345-G"},
		{"CREF", "012345-g", "012345-G"},
		{"CREF", "012345-X", ""},
		{"CREFITO", "123456-F", "123456-F"},
		{"CREFITO", "123456-TO", "123456-TO"},
		{"CRP", "06/123456", "06/123456"},
		{"CRP", "6/123456", ""},
		{"CRN", "", ""},
	}
	for _, c := range cases {
		got, ok := NormalizeCouncilNumber(c.council, c.in)
		if ok != (c.want != "") || got != c.want {
			t.Errorf("NormalizeCouncilNumber(%q, %q) = %q, %v; want %q", c.council, c.in, got, ok, c.want)
		}
	}
}

func TestSmallValidators(t *testing.T) {
	for in, ok := range map[string]bool{"a@b.co": true, "Maria@Example.COM": true, "no-at": false, "a@b": false,
		"Maria <m@x.com>": false, "": false, strings.Repeat("a", 250) + "@x.com": false} {
		if _, got := NormalizeEmail(in); got != ok {
			t.Errorf("NormalizeEmail(%q) ok = %v", in, got)
		}
	}
	for in, ok := range map[string]bool{"+5511987654321": true, "(11) 98765-4321": true, "123": false, "+55 11 9876x4321": false} {
		if _, got := NormalizePhone(in); got != ok {
			t.Errorf("NormalizePhone(%q) ok = %v", in, got)
		}
	}
	for in, ok := range map[string]bool{"01310-100": true, "01310100": true, "0131010": false, "ABCDE-123": false} {
		if _, got := NormalizeCEP(in); got != ok {
			t.Errorf("NormalizeCEP(%q) ok = %v", in, got)
		}
	}
	for in, ok := range map[string]bool{"SP": true, "sp": true, "XX": false, "": false} {
		if _, got := NormalizeUF(in); got != ok {
			t.Errorf("NormalizeUF(%q) ok = %v", in, got)
		}
	}
}

func TestPasswordPolicy(t *testing.T) {
	for pw, field := range map[string]bool{
		"Correct-Horse-42": false, "short": true, "": true, "aaaaaaaaaaaa": true, "1234567890": true,
		strings.Repeat("ab", 65): true, "maria@example.com": true,
	} {
		var p kernel.Problems
		CheckPassword("password", pw, "maria@example.com", &p)
		if p.Empty() == field {
			t.Errorf("CheckPassword(%q) problems = %v, want problem %v", pw, p.Fields(), field)
		}
		if !p.Empty() && p.Fields()[0].Field != "password" {
			t.Errorf("CheckPassword names %q", p.Fields()[0].Field)
		}
	}
}

func TestBirthDate(t *testing.T) {
	now := time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)
	for in, bad := range map[string]bool{"1990-04-12": false, "2027-01-01": true, "12/04/1990": true, "1800-01-01": true, "": true} {
		var p kernel.Problems
		ParseBirthDate("birth_date", in, now, &p)
		if p.Empty() == bad {
			t.Errorf("ParseBirthDate(%q) problems = %v", in, p.Fields())
		}
	}
}

// Properties: every base completed with its check digits is valid, survives
// punctuation and normalizes to itself; changing a check digit always breaks it.

func randDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func TestCPFProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 5000; i++ {
		base := randDigits(r, 9)
		if strings.Trim(base, base[:1]) == "" {
			continue
		}
		cpf := base + CPFCheckDigits(base)
		got, ok := NormalizeCPF(cpf)
		if !ok || got != cpf {
			t.Fatalf("generated CPF %s refused", cpf)
		}
		formatted := cpf[:3] + "." + cpf[3:6] + "." + cpf[6:9] + "-" + cpf[9:]
		if got, ok := NormalizeCPF(formatted); !ok || got != cpf {
			t.Fatalf("formatted CPF %s refused", formatted)
		}
		pos := 9 + r.IntN(2)
		bad := []byte(cpf)
		bad[pos] = byte('0' + (int(bad[pos]-'0')+1+r.IntN(9))%10)
		if _, ok := NormalizeCPF(string(bad)); ok {
			t.Fatalf("CPF %s with a changed check digit accepted", bad)
		}
	}
}

func TestCNPJProperties(t *testing.T) {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 5000; i++ {
		b := make([]byte, 12)
		for j := range b {
			if i%2 == 0 {
				b[j] = alnum[r.IntN(10)] // the classic numeric form
			} else {
				b[j] = alnum[r.IntN(len(alnum))]
			}
		}
		base := string(b)
		if strings.Trim(base, base[:1]) == "" {
			continue
		}
		cnpj := base + CNPJCheckDigits(base)
		if got, ok := NormalizeCNPJ(cnpj); !ok || got != cnpj {
			t.Fatalf("generated CNPJ %s refused", cnpj)
		}
		formatted := strings.ToLower(cnpj[:2] + "." + cnpj[2:5] + "." + cnpj[5:8] + "/" + cnpj[8:12] + "-" + cnpj[12:])
		if got, ok := NormalizeCNPJ(formatted); !ok || got != cnpj {
			t.Fatalf("formatted CNPJ %s refused", formatted)
		}
		pos := 12 + r.IntN(2)
		bad := []byte(cnpj)
		bad[pos] = byte('0' + (int(bad[pos]-'0')+1+r.IntN(9))%10)
		if _, ok := NormalizeCNPJ(string(bad)); ok {
			t.Fatalf("CNPJ %s with a changed check digit accepted", bad)
		}
	}
}

func FuzzNormalizeCPF(f *testing.F) {
	for _, s := range []string{"52998224725", "529.982.247-25", "11111111111", "", "abc", "５２９９８２２４７２５"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeCPF(s)
		if !ok {
			if got != "" {
				t.Fatalf("invalid input %q gave %q", s, got)
			}
			return
		}
		if len(got) != 11 || strings.Trim(got, "0123456789") != "" || CPFCheckDigits(got[:9]) != got[9:] {
			t.Fatalf("NormalizeCPF(%q) = %q is not a valid CPF", s, got)
		}
		if again, ok := NormalizeCPF(got); !ok || again != got {
			t.Fatalf("not idempotent: %q -> %q", got, again)
		}
	})
}

func FuzzNormalizeCNPJ(f *testing.F) {
	for _, s := range []string{"11.222.333/0001-81", "12ABC34501DE35", "12abc34501de35", "", "00000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizeCNPJ(s)
		if !ok {
			return
		}
		if len(got) != 14 || strings.ToUpper(got) != got || CNPJCheckDigits(got[:12]) != got[12:] {
			t.Fatalf("NormalizeCNPJ(%q) = %q is not a valid CNPJ", s, got)
		}
		if again, ok := NormalizeCNPJ(got); !ok || again != got {
			t.Fatalf("not idempotent: %q -> %q", got, again)
		}
	})
}

func FuzzNormalizeCouncilNumber(f *testing.F) {
	for _, s := range []string{"123456", "012345-G", "06/123456", "123456-TO", "", "-", "/"} {
		f.Add("CREF", s)
		f.Add("CRP", s)
		f.Add("CRM", s)
	}
	f.Fuzz(func(t *testing.T, council, s string) {
		got, ok := NormalizeCouncilNumber(council, s)
		if !ok {
			return
		}
		if got == "" || len(got) > 14 || strings.ContainsAny(got, " .") {
			t.Fatalf("NormalizeCouncilNumber(%q, %q) = %q", council, s, got)
		}
		if again, ok := NormalizeCouncilNumber(council, got); !ok || again != got {
			t.Fatalf("not idempotent: %q -> %q", got, again)
		}
	})
}
