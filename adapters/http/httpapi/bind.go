package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/core/kernel"
)

// Bind decodes a JSON body into dst strictly: the content type must be JSON,
// unknown fields and wrong types are KindInvalid errors naming the field, and
// so is any value past the maxima dst's types declare (see Bounded).
func Bind(c *fiber.Ctx, dst any) error {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	if ct != "application/json" && !strings.HasSuffix(ct, "+json") {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "o corpo deve ser application/json")
	}
	if err := DecodeJSON(c.Body(), dst); err != nil {
		return err
	}
	return CheckLimits(dst)
}

// DecodeJSON decodes body into dst with the same strictness as Bind. Before
// decoding, checkJSON refuses invalid UTF-8, lone surrogate escapes, repeated
// keys and deep nesting, naming the field.
func DecodeJSON(body []byte, dst any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return kernel.Invalid("body", "é obrigatório um corpo JSON")
	}
	if err := checkJSON(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return kernel.Invalid("body", "deve conter exatamente um valor JSON")
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tp *time.ParseError
	switch {
	case errors.As(err, &syn):
		return kernel.Invalid("body", "JSON malformado no byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return kernel.Invalid(field, "deve ser %s", jsonTypeName(typ.Type.Kind().String()))
	case errors.As(err, &tp):
		return kernel.Invalid("body", "um horário deve estar no formato RFC 3339 com fuso, por exemplo 2026-12-01T08:00:00-03:00")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return kernel.Invalid("body", "JSON malformado: fim inesperado")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return kernel.Invalid(name, "não é um campo conhecido")
	}
	var ke *kernel.Error
	if errors.As(err, &ke) {
		return err
	}
	return kernel.Invalid("body", "JSON malformado: %s", err.Error())
}

func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "um número inteiro"
	case strings.HasPrefix(kind, "float"):
		return "um número"
	case kind == "string":
		return "um texto"
	case kind == "bool":
		return "true ou false"
	case kind == "slice", kind == "array":
		return "uma lista"
	case kind == "map", kind == "struct":
		return "um objeto"
	}
	return "de outro tipo"
}

// Query reads query parameters with field-named errors. Collect several reads,
// then call Err once.
type Query struct {
	c     *fiber.Ctx
	probs kernel.Problems
}

// NewQuery starts reading c's query parameters.
func NewQuery(c *fiber.Ctx) *Query { return &Query{c: c} }

// String returns the parameter or "".
func (q *Query) String(name string) string { return q.c.Query(name) }

// Int returns the parameter as an integer, def when absent.
func (q *Query) Int(name string, def int) int {
	v := q.c.Query(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		q.probs.Add(name, "deve ser um número inteiro")
	}
	return n
}

// Float returns the parameter as a number, def when absent.
func (q *Query) Float(name string, def float64) float64 {
	v := q.c.Query(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		q.probs.Add(name, "deve ser um número")
	}
	return f
}

// Time returns an RFC 3339 instant, or a date (YYYY-MM-DD) at midnight in loc; zero when absent.
func (q *Query) Time(name string, loc *time.Location) time.Time {
	v := q.c.Query(name)
	if v == "" {
		return time.Time{}
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t
	}
	if loc == nil {
		loc = time.UTC
	}
	if t, err := time.ParseInLocation("2006-01-02", v, loc); err == nil {
		return t
	}
	q.probs.Add(name, "deve ser uma data (2026-12-01) ou um horário RFC 3339 com fuso")
	return time.Time{}
}

// Page returns the limit and cursor parameters.
func (q *Query) Page() kernel.Page {
	return kernel.Page{Limit: q.Int("limit", 0), Cursor: q.c.Query("cursor")}
}

// Fail records a problem with a parameter found by the caller.
func (q *Query) Fail(name, format string, a ...any) { q.probs.Add(name, format, a...) }

// Err returns the collected problems, nil if none.
func (q *Query) Err() error { return q.probs.Err() }

// ListResponse is the JSON shape of every paged list.
type ListResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// NewList converts a page of domain objects with conv.
func NewList[D, T any](l kernel.List[D], conv func(D) T) ListResponse[T] {
	out := ListResponse[T]{Items: make([]T, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, d := range l.Items {
		out.Items = append(out.Items, conv(d))
	}
	return out
}

// PathID returns the path parameter name as an ID, KindNotFound when it is not one
// (a malformed ID names no object).
func PathID(c *fiber.Ctx, name string) (string, error) {
	v := c.Params(name)
	if !kernel.ValidID(v) {
		return "", kernel.NotFound("%s", pathNotFound(strings.TrimSuffix(name, "_id")))
	}
	return v, nil
}

// pathNotFound is the pt-BR message for a malformed path ID.
func pathNotFound(what string) string {
	switch what {
	case "account":
		return "conta não encontrada"
	case "key":
		return "chave de API não encontrada"
	}
	return "recurso não encontrado"
}

// ETag formats a version number as a strong entity tag.
func ETag(version int64) string { return fmt.Sprintf(`"%d"`, version) }

// IfMatch parses an If-Match header holding an ETag made by ETag; ok is false when
// the header is absent. A malformed header is KindInvalid.
func IfMatch(c *fiber.Ctx) (version int64, ok bool, err error) {
	h := strings.TrimSpace(c.Get(fiber.HeaderIfMatch))
	if h == "" {
		return 0, false, nil
	}
	h = strings.TrimPrefix(h, "W/")
	v, perr := strconv.ParseInt(strings.Trim(h, `"`), 10, 64)
	if perr != nil {
		return 0, false, kernel.Invalid("If-Match", "deve ser um ETag fornecido por esta API")
	}
	return v, true, nil
}
