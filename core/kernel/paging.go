package kernel

import (
	"encoding/base64"
	"encoding/json"
)

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Limit  int
	Cursor string
}

// DefaultLimit and MaxLimit bound a page's size.
const (
	DefaultLimit = 20
	MaxLimit     = 100
	MaxCursorLen = 1024 // characters of a cursor; longer ones were not given by this API
)

// Normalize applies the default and the maximum and validates the cursor's form.
func (p Page) Normalize() (Page, error) {
	var probs Problems
	if p.Limit == 0 {
		p.Limit = DefaultLimit
	}
	if p.Limit < 1 || p.Limit > MaxLimit {
		probs.Add("limit", "deve estar entre 1 e %d", MaxLimit)
	}
	if len(p.Cursor) > MaxCursorLen {
		probs.Add("cursor", "não é um cursor fornecido por esta API")
	} else if p.Cursor != "" {
		if _, err := base64.RawURLEncoding.DecodeString(p.Cursor); err != nil {
			probs.Add("cursor", "não é um cursor fornecido por esta API")
		}
	}
	return p, probs.Err()
}

// EncodeCursor turns any small JSON-able position (the last item's sort keys) into an opaque cursor.
func EncodeCursor(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

// DecodeCursor reads a cursor made by EncodeCursor into v; a bad cursor is KindInvalid.
func DecodeCursor(c string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil {
		err = json.Unmarshal(b, v)
	}
	if err != nil {
		return Invalid("cursor", "não é um cursor fornecido por esta API")
	}
	return nil
}

// List is one page of results and the cursor of the next, empty at the end.
type List[T any] struct {
	Items      []T
	NextCursor string
}
