package httpapi

import (
	"strings"
	"unicode/utf8"
)

// ContentDisposition writes a Content-Disposition header value per RFC 6266:
// kind ("attachment" or "inline"), an ASCII filename fallback for old clients
// (accents dropped, any other non-ASCII character, quote or backslash as "_"),
// and filename* with the exact name in UTF-8, percent-encoded (RFC 8187):
//
//	attachment; filename="Exame de sangue - Joao.pdf"; filename*=UTF-8''Exame%20de%20sangue%20-%20Jo%C3%A3o.pdf
//
// name should already be a clean base name (clinical.CleanFileName); control
// characters are dropped here all the same, so the header can never be split.
func ContentDisposition(kind, name string) string {
	var ascii, ext strings.Builder
	for _, r := range strings.ToValidUTF8(name, "") {
		switch {
		case r < 0x20 || r == 0x7f:
			continue
		case r == '"' || r == '\\':
			ascii.WriteByte('_')
		case r < utf8.RuneSelf:
			ascii.WriteRune(r)
		default:
			if b, ok := asciiFold[r]; ok {
				ascii.WriteString(b)
			} else {
				ascii.WriteByte('_')
			}
		}
		var buf [utf8.UTFMax]byte
		for _, c := range buf[:utf8.EncodeRune(buf[:], r)] {
			if isAttrChar(c) {
				ext.WriteByte(c)
			} else {
				const hex = "0123456789ABCDEF"
				ext.WriteByte('%')
				ext.WriteByte(hex[c>>4])
				ext.WriteByte(hex[c&15])
			}
		}
	}
	if ascii.Len() == 0 {
		return kind
	}
	return kind + `; filename="` + ascii.String() + `"; filename*=UTF-8''` + ext.String()
}

// isAttrChar: RFC 8187 attr-char, what filename* may hold unencoded.
func isAttrChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}

// asciiFold spells the Latin letters of Portuguese (and near languages) without accents.
var asciiFold = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'Á': "A", 'À': "A", 'Â': "A", 'Ã': "A", 'Ä': "A", 'Å': "A",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'É': "E", 'È': "E", 'Ê': "E", 'Ë': "E",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'Í': "I", 'Ì': "I", 'Î': "I", 'Ï': "I",
	'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'Ó': "O", 'Ò': "O", 'Ô': "O", 'Õ': "O", 'Ö': "O",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'Ú': "U", 'Ù': "U", 'Û': "U", 'Ü': "U",
	'ç': "c", 'Ç': "C", 'ñ': "n", 'Ñ': "N", 'ý': "y", 'ÿ': "y", 'Ý': "Y",
	'º': "o", 'ª': "a", '–': "-", '—': "-", '‘': "'", '’': "'", '“': "_", '”': "_",
}
