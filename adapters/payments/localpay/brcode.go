package localpay

import (
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// pixGUI is the globally unique identifier of the Pix arrangement in a BR Code.
const pixGUI = "br.gov.bcb.pix"

// brCode is what a dynamic Pix BR Code ("copia e cola") carries.
type brCode struct {
	Key      string // a Pix key (EVP, e-mail, phone, CPF/CNPJ); or
	URL      string // a payload location, without the scheme
	Amount   int64  // centavos
	Merchant string
	City     string
	TxID     string // up to 25 letters and digits
}

// tlv writes one EMV field: ID, two-digit length, value.
func tlv(b *strings.Builder, id, value string) {
	fmt.Fprintf(b, "%s%02d%s", id, len(value), value)
}

// String renders the payload as EMV QRCPS-MPM with its CRC16 (field 63).
func (c brCode) String() string {
	var acct strings.Builder
	tlv(&acct, "00", pixGUI)
	if c.URL != "" {
		tlv(&acct, "25", c.URL)
	} else {
		tlv(&acct, "01", c.Key)
	}
	var add strings.Builder
	tlv(&add, "05", c.TxID)

	var b strings.Builder
	tlv(&b, "00", "01")
	tlv(&b, "01", "12") // dynamic: one payment
	tlv(&b, "26", acct.String())
	tlv(&b, "52", "0000")
	tlv(&b, "53", "986")
	tlv(&b, "54", fmt.Sprintf("%d.%02d", c.Amount/100, c.Amount%100))
	tlv(&b, "58", "BR")
	tlv(&b, "59", emvText(c.Merchant, 25, "MULTISAUDE"))
	tlv(&b, "60", emvText(c.City, 15, "SAO PAULO"))
	tlv(&b, "62", add.String())
	b.WriteString("6304")
	return b.String() + fmt.Sprintf("%04X", crc16CCITT([]byte(b.String())))
}

// emvText keeps the printable ASCII of s (accents dropped: "São Paulo" is
// "Sao Paulo"), upper-cased and cut to max characters; fallback when nothing is left.
func emvText(s string, max int, fallback string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		if r >= 0x20 && r < 0x7f {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	out := strings.TrimSpace(b.String())
	if len(out) > max {
		out = strings.TrimSpace(out[:max])
	}
	if out == "" {
		return fallback
	}
	return out
}

// crc16CCITT is CRC-16/CCITT-FALSE: polynomial 0x1021, initial value 0xFFFF,
// no reflection, no final XOR ("123456789" gives 0x29B1).
func crc16CCITT(data []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range data {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}
