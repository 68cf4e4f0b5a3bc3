package httpapi

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/core/kernel"
)

// Auth says who may call a route at all; the use case decides the rest.
type Auth int

const (
	Public Auth = iota // anyone; a principal is still resolved when a token is sent
	User               // any authenticated account (not an API key)
	APIKey             // a partner API key (or a company member)
	Any                // any authenticated caller, account or API key
)

// Param documents a query parameter.
type Param struct {
	Name        string
	Type        string // "string", "integer", "number", "boolean"
	Format      string // "date-time", "date", "uuid", ...
	Description string
	Required    bool
	Minimum     int      // documented when Maximum is set
	Maximum     int      // an integer's largest value, 0 for none
	MaxLength   int      // a string's longest length in characters, 0 for none
	Enum        []string // the closed set of values, when there is one
	Pattern     string   // a regular expression the value matches
}

// DateOrTime documents a parameter Query.Time reads: a date (2026-12-01, at
// midnight in the route's time zone) or an RFC 3339 time with offset. It is one
// string with a pattern, not an anyOf of two formats: client generators turn
// such a union into a type a caller cannot fill in.
func DateOrTime(name, description string, required bool) Param {
	return Param{Name: name, Pattern: DateOrTimePattern, Description: description, Required: required}
}

// DateOrTimePattern matches a date or an RFC 3339 time with offset.
const DateOrTimePattern = `^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2}))?$`

// PageParams documents ?limit= and ?cursor= with the bounds kernel.Page.Normalize applies.
var PageParams = []Param{
	{Name: "limit", Type: "integer", Minimum: 1, Maximum: kernel.MaxLimit, Description: fmt.Sprintf("page size, 1 to %d (%d)", kernel.MaxLimit, kernel.DefaultLimit)},
	{Name: "cursor", MaxLength: kernel.MaxCursorLen, Description: "next_cursor of the previous page"},
}

// Response documents one answer of an operation.
type Response struct {
	Status      int
	Description string
	Body        any    // a value of the response type, nil for none
	ContentType string // default application/json
}

// Op describes a route for the OpenAPI document and for the router.
type Op struct {
	ID          string // operationId, unique
	Summary     string
	Tag         string
	Auth        Auth
	Request     any // a value of the request body type, nil for none
	RequestType string
	Query       []Param
	Headers     []Param // request headers such as Idempotency-Key, If-Match
	Responses   []Response
	Upload      bool // multipart body; the upload limit applies instead of the JSON limit
	// Description is the operation's longer text (CommonMark), when the summary is not enough.
	Description string
	// ResponseHeaders names headers of the success answers beyond those implied
	// (X-Request-ID always, ETag with If-Match, Location on a 201, ...): e.g.
	// "ETag", "Content-Disposition", "Cache-Control".
	ResponseHeaders []string

	// MoreRequests documents further media types of the body whose schema
	// differs from Request's (media type -> a value of its type), e.g. a
	// route taking JSON or a multipart upload.
	MoreRequests map[string]any

	// Errors, when set, answers the route's errors (its own and the
	// router's: a bad credential, a body too large) instead of problem+json:
	// the FHIR facade answers an OperationOutcome.
	Errors func(c *fiber.Ctx, err error) error
	// ErrorBody and ErrorType document what Errors writes (a value of its
	// type, and its media type) for the answers the document implies (a bad
	// credential, a body too large, a dependency down, the default); without
	// them those are problem+json.
	ErrorBody any
	ErrorType string
}

// Router registers routes on the server and documents them.
type Router struct {
	server *Server
	group  fiber.Router
}

var pathParam = regexp.MustCompile(`(^|[^\\]):([a-zA-Z_]+)`)

// Handle registers h for method and path (fiber syntax, ":id" parameters).
func (r *Router) Handle(method, path string, op Op, h fiber.Handler) {
	if op.ID == "" {
		panic(fmt.Sprintf("httpapi: route %s %s has no operation ID", method, path))
	}
	r.server.spec.add(method, path, op)
	limit := r.server.cfg.BodyLimit
	if op.Upload {
		limit = r.server.cfg.UploadLimit
	}
	auth := op.Auth
	route := func(c *fiber.Ctx) error {
		if err := r.server.authenticate(c); err != nil {
			return err
		}
		if len(c.Body()) > limit {
			return fiber.NewError(fiber.StatusRequestEntityTooLarge, fmt.Sprintf("o corpo tem mais de %d bytes", limit))
		}
		p := PrincipalOf(c)
		switch auth {
		case User:
			if p.IsAnonymous() || p.Kind == kernel.KindAPIKey {
				return kernel.Unauthenticated("entre para usar esta rota")
			}
		case APIKey, Any:
			if p.IsAnonymous() {
				return kernel.Unauthenticated("é necessário autenticar-se")
			}
		}
		return h(c)
	}
	if op.Errors == nil {
		r.group.Add(method, path, route)
		return
	}
	r.group.Add(method, path, func(c *fiber.Ctx) error {
		if err := route(c); err != nil {
			return op.Errors(c, err)
		}
		return nil
	})
}

// openAPIPath turns "/v1/x/:id" into "/v1/x/{id}", and fiber's escaped colon
// (a literal, "/v1/x/:id/catalog\\:import") into a plain one.
func openAPIPath(path string) (string, []string) {
	var names []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		names = append(names, m[2])
	}
	return strings.ReplaceAll(pathParam.ReplaceAllString(path, "$1{$2}"), `\:`, ":"), names
}

// Created answers 201 with a Location header and body.
func Created(c *fiber.Ctx, location string, body any) error {
	if location != "" {
		c.Location(location)
	}
	return c.Status(fiber.StatusCreated).JSON(body)
}

// OK answers 200 with body.
func OK(c *fiber.Ctx, body any) error { return c.Status(fiber.StatusOK).JSON(body) }

// NoContent answers 204.
func NoContent(c *fiber.Ctx) error { return c.SendStatus(fiber.StatusNoContent) }
