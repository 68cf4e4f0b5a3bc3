package clinical

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxFileNameBytes is the longest stored file name, in bytes of UTF-8.
const MaxFileNameBytes = 255

// CleanFileName turns the name a client sent with a file into the name we keep
// and hand back: the last element of a path written with / or \ separators, with
// invalid UTF-8, control and formatting characters (bidirectional overrides
// among them) and double quotes removed, spaces and dots trimmed from both ends,
// at most MaxFileNameBytes long on a rune boundary (keeping the extension). A
// name left empty becomes "documento" with the extension of contentType.
// Names stored before this rule are cleaned again when shown.
func CleanFileName(name, contentType string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if r == '"' || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == utf8.RuneError {
			return -1
		}
		return r
	}, name)
	name = strings.Trim(name, " .\u00a0")
	if name == "" {
		return "documento" + extensionOf(contentType)
	}
	if len(name) > MaxFileNameBytes {
		ext := ""
		if i := strings.LastIndexByte(name, '.'); i > 0 && len(name)-i <= 16 {
			ext = name[i:]
		}
		stem := name[:len(name)-len(ext)]
		stem = truncateRunes(stem, MaxFileNameBytes-len(ext))
		name = strings.TrimRight(stem, " .") + ext
	}
	return name
}

// truncateRunes cuts s to at most n bytes without splitting a rune.
func truncateRunes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func extensionOf(contentType string) string {
	switch contentType {
	case "application/pdf":
		return ".pdf"
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/webp":
		return ".webp"
	case "application/dicom":
		return ".dcm"
	}
	return ""
}
