package identity

import (
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

// NormalizeCPF strips the usual punctuation (dots, hyphen, spaces) and returns
// the 11 digits, or ok=false when what is left is not a valid CPF: wrong length,
// a non-digit, all digits equal, or wrong check digits.
func NormalizeCPF(s string) (string, bool) {
	d := stripPunct(s, ".-/ ")
	if len(d) != 11 {
		return "", false
	}
	allEqual := true
	for i := 0; i < 11; i++ {
		if d[i] < '0' || d[i] > '9' {
			return "", false
		}
		if d[i] != d[0] {
			allEqual = false
		}
	}
	if allEqual {
		return "", false
	}
	if cpfDigit(d[:9], 10) != d[9] || cpfDigit(d[:10], 11) != d[10] {
		return "", false
	}
	return d, true
}

func cpfDigit(s string, weight int) byte {
	sum := 0
	for i := 0; i < len(s); i++ {
		sum += int(s[i]-'0') * (weight - i)
	}
	r := sum * 10 % 11
	if r == 10 {
		r = 0
	}
	return byte('0' + r)
}

// CPFCheckDigits computes the two check digits for nine base digits, for tests
// and demo data. It returns "" when base is not nine digits.
func CPFCheckDigits(base string) string {
	if len(base) != 9 || strings.Trim(base, "0123456789") != "" {
		return ""
	}
	d1 := cpfDigit(base, 10)
	d2 := cpfDigit(base+string(d1), 11)
	return string([]byte{d1, d2})
}

// NormalizeCNPJ accepts the classic numeric CNPJ and the alphanumeric form
// (twelve characters 0-9/A-Z, then two check digits), with or without the
// punctuation "./-", letters in either case. It returns the 14 upper-case
// characters, or ok=false when the check digits are wrong or all characters are equal.
func NormalizeCNPJ(s string) (string, bool) {
	d := strings.ToUpper(stripPunct(s, "./- "))
	if len(d) != 14 {
		return "", false
	}
	allEqual := true
	for i := 0; i < 14; i++ {
		c := d[i]
		isDigit := c >= '0' && c <= '9'
		if i >= 12 && !isDigit {
			return "", false
		}
		if !isDigit && !(c >= 'A' && c <= 'Z') {
			return "", false
		}
		if c != d[0] {
			allEqual = false
		}
	}
	if allEqual {
		return "", false
	}
	if cnpjDigit(d[:12]) != d[12] || cnpjDigit(d[:13]) != d[13] {
		return "", false
	}
	return d, true
}

// cnpjDigit computes one CNPJ check digit: each character's value is its ASCII
// code minus 48 (so digits keep their value and 'A' is 17), weights cycle 2..9
// from the right, and the digit is 0 when the remainder mod 11 is below 2.
func cnpjDigit(s string) byte {
	sum, w := 0, 2
	for i := len(s) - 1; i >= 0; i-- {
		sum += int(s[i]-'0') * w
		w++
		if w > 9 {
			w = 2
		}
	}
	r := sum % 11
	if r < 2 {
		return '0'
	}
	return byte('0' + 11 - r)
}

// CNPJCheckDigits computes the two check digits for a 12-character base
// (digits or upper-case letters); "" when base is malformed.
func CNPJCheckDigits(base string) string {
	if len(base) != 12 {
		return ""
	}
	for i := 0; i < 12; i++ {
		c := base[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
			return ""
		}
	}
	d1 := cnpjDigit(base)
	d2 := cnpjDigit(base + string(d1))
	return string([]byte{d1, d2})
}

func stripPunct(s, punct string) string {
	var b strings.Builder
	for _, r := range s {
		if !strings.ContainsRune(punct, r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// UFs are the 27 federative units.
var UFs = map[string]bool{
	"AC": true, "AL": true, "AP": true, "AM": true, "BA": true, "CE": true, "DF": true, "ES": true, "GO": true,
	"MA": true, "MT": true, "MS": true, "MG": true, "PA": true, "PB": true, "PR": true, "PE": true, "PI": true,
	"RJ": true, "RN": true, "RS": true, "RO": true, "RR": true, "SC": true, "SP": true, "SE": true, "TO": true,
}

// NormalizeUF upper-cases s and reports whether it is a federative unit.
func NormalizeUF(s string) (string, bool) {
	u := strings.ToUpper(strings.TrimSpace(s))
	return u, UFs[u]
}

// NormalizeCEP returns the eight digits of a CEP written "01310-100" or "01310100".
func NormalizeCEP(s string) (string, bool) {
	d := stripPunct(strings.TrimSpace(s), "-. ")
	if len(d) != 8 || strings.Trim(d, "0123456789") != "" {
		return "", false
	}
	return d, true
}

// NormalizeEmail lower-cases and checks an address (a bare address, no display name).
func NormalizeEmail(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > MaxEmailLen {
		return "", false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s || !strings.Contains(a.Address[strings.LastIndexByte(a.Address, '@')+1:], ".") {
		return "", false
	}
	return strings.ToLower(a.Address), true
}

// NormalizePhone keeps the digits of a phone number (and a leading +); it must
// hold 10 to 15 digits.
func NormalizePhone(s string) (string, bool) {
	s = strings.TrimSpace(s)
	plus := strings.HasPrefix(s, "+")
	d := stripPunct(strings.TrimPrefix(s, "+"), " ()-.")
	if len(d) < 10 || len(d) > 15 || strings.Trim(d, "0123456789") != "" {
		return "", false
	}
	if plus {
		return "+" + d, true
	}
	return d, true
}

// Password policy.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

var commonPasswords = map[string]bool{
	"1234567890": true, "0123456789": true, "qwertyuiop": true, "password123": true, "senha12345": true,
	"1234567890a": true, "abcdefghij": true, "passwordpassword": true, "senhasenha": true, "12345678910": true,
}

// CheckPassword applies the password policy: 10 to 128 characters, more than
// one distinct character, not a well-known password, not the e-mail itself.
func CheckPassword(field, pw, email string, p *kernel.Problems) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		p.Add(field, "é obrigatório")
	case !utf8.ValidString(pw):
		p.Add(field, "deve ser texto UTF-8 válido")
	case n < MinPasswordLen:
		p.Add(field, "deve ter pelo menos %d caracteres", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		p.Add(field, "deve ter no máximo %d bytes", MaxPasswordLen)
	case strings.Count(pw, string([]rune(pw)[0])) == n:
		p.Add(field, "não deve repetir um único caractere")
	case commonPasswords[strings.ToLower(pw)]:
		p.Add(field, "é comum demais; escolha outra")
	case email != "" && strings.EqualFold(pw, email):
		p.Add(field, "não deve ser o endereço de e-mail")
	}
}

// Professions and the council each one registers with.
var professionCouncil = map[string]string{
	"physician":              "CRM",
	"nutritionist":           "CRN",
	"physiotherapist":        "CREFITO",
	"occupational_therapist": "CREFITO",
	"psychologist":           "CRP",
	"physical_educator":      "CREF",
	"dentist":                "CRO",
	"nurse":                  "COREN",
	"speech_therapist":       "CREFONO",
	"pharmacist":             "CRF",
}

// CouncilFor returns the council a profession registers with, "" for an unknown profession.
func CouncilFor(profession string) string { return professionCouncil[profession] }

// Professions lists the known professions.
func Professions() []string {
	out := make([]string, 0, len(professionCouncil))
	for p := range professionCouncil {
		out = append(out, p)
	}
	return sortStrings(out)
}

// NormalizeCouncilNumber checks a registration number for a council: one to
// eight digits (leading zeros kept), and for CREF and CREFITO an optional
// category suffix ("-G", "-P", "-F", "-TO"). CRP numbers may carry the region
// ("06/123456"). It returns the number upper-cased without spaces.
func NormalizeCouncilNumber(council, number string) (string, bool) {
	n := strings.ToUpper(stripPunct(strings.TrimSpace(number), " ."))
	base, suffix, hasSuffix := strings.Cut(n, "-")
	if council == "CRP" {
		if region, rest, ok := strings.Cut(base, "/"); ok {
			if len(region) != 2 || !allDigits(region) {
				return "", false
			}
			base = rest
		}
	}
	if len(base) < 1 || len(base) > 8 || !allDigits(base) || strings.Trim(base, "0") == "" {
		return "", false
	}
	if hasSuffix {
		switch council {
		case "CREF":
			if suffix != "G" && suffix != "P" {
				return "", false
			}
		case "CREFITO":
			if suffix != "F" && suffix != "TO" {
				return "", false
			}
		default:
			return "", false
		}
	}
	return n, true
}

func allDigits(s string) bool { return s != "" && strings.Trim(s, "0123456789") == "" }

// ParseBirthDate reads YYYY-MM-DD and checks the date is in the past and not
// more than 130 years ago.
func ParseBirthDate(field, s string, now time.Time, p *kernel.Problems) time.Time {
	if strings.TrimSpace(s) == "" {
		p.Add(field, "é obrigatório")
		return time.Time{}
	}
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		p.Add(field, "deve ser uma data no formato AAAA-MM-DD")
		return time.Time{}
	}
	if !d.Before(now) {
		p.Add(field, "deve estar no passado")
	} else if d.Before(now.AddDate(-130, 0, 0)) {
		p.Add(field, "está muito distante no passado")
	}
	return d
}

// checkText requires a value of at most max characters without control characters.
func checkText(p *kernel.Problems, field, v string, required bool, max int) string {
	v = strings.TrimSpace(v)
	if v == "" {
		if required {
			p.Add(field, "é obrigatório")
		}
		return v
	}
	if !utf8.ValidString(v) {
		p.Add(field, "deve ser texto UTF-8 válido")
		return v
	}
	if utf8.RuneCountInString(v) > max {
		p.Add(field, "deve ter no máximo %d caracteres", max)
		return v
	}
	for _, r := range v {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			p.Add(field, "não deve conter caracteres de controle")
			break
		}
	}
	return v
}
