package fhirapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
)

// ContentType is the only format the facade speaks.
const ContentType = "application/fhir+json; charset=utf-8"

// Prefix is where the facade is mounted.
const Prefix = "/fhir/R4"

// Module registers /fhir/R4 on the HTTP API.
type Module struct{ f *Facade }

var _ httpapi.Module = (*Module)(nil)

// NewModule builds the routes over f.
func NewModule(f *Facade) *Module { return &Module{f: f} }

const tag = "fhir"

// fhirJSON is the media type the document gives the facade's answers.
const fhirJSON = "application/fhir+json"

func fhirAnswers(status int, body any, errs ...int) []httpapi.Response {
	out := []httpapi.Response{{Status: status, Body: body, ContentType: fhirJSON}}
	for _, s := range errs {
		out = append(out, httpapi.Response{Status: s, Body: OperationOutcome{}, ContentType: fhirJSON})
	}
	return out
}

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {
	onErr := m.f.answerError
	r.Handle(fiber.MethodGet, Prefix+"/metadata", httpapi.Op{ID: "fhirCapabilities", Tag: tag, Auth: httpapi.Public,
		Summary:     "FHIR R4 CapabilityStatement: the resource types, interactions and search parameters this server supports",
		Description: "Público. Somente JSON (`application/fhir+json`).",
		Responses:   fhirAnswers(200, CapabilityStatement{}, 406), Errors: onErr, ErrorBody: OperationOutcome{}, ErrorType: fhirJSON}, m.metadata)
	searchDoc := "Busca (`searchset`) com os parâmetros que `/fhir/R4/metadata` declara para o tipo, `_id`, `_count` (1 a 100) e `_include` onde declarado; a próxima página vem em `Bundle.link` (`next`). Um parâmetro desconhecido responde 400 com OperationOutcome, nunca uma lista completa. As regras de acesso são as da API REST: o paciente vê só os próprios dados, o profissional os de quem atende, e uma chave de API precisa do escopo `fhir:read`; cada leitura de dado clínico entra no registro de acesso."
	r.Handle(fiber.MethodGet, Prefix+"/:type", httpapi.Op{ID: "fhirSearch", Tag: tag, Auth: httpapi.Public,
		Summary: "FHIR R4 search of one resource type", Description: searchDoc,
		Query:     []httpapi.Param{{Name: "_count", Type: "integer", Minimum: 1, Maximum: kernel.MaxLimit, Description: "page size"}, {Name: "_cursor", MaxLength: maxValueLen, Description: "the next link's position"}},
		Responses: fhirAnswers(200, Bundle{}, 400, 401, 403, 404, 406), Errors: onErr, ErrorBody: OperationOutcome{}, ErrorType: fhirJSON}, m.search)
	r.Handle(fiber.MethodPost, Prefix+"/:type/_search", httpapi.Op{ID: "fhirSearchPost", Tag: tag, Auth: httpapi.Public,
		Summary: "FHIR R4 search of one resource type, parameters in a form body", Description: searchDoc,
		Request: SearchForm{}, RequestType: "application/x-www-form-urlencoded",
		Responses: fhirAnswers(200, Bundle{}, 400, 401, 403, 404, 406), Errors: onErr, ErrorBody: OperationOutcome{}, ErrorType: fhirJSON}, m.search)
	r.Handle(fiber.MethodGet, Prefix+"/:type/:id", httpapi.Op{ID: "fhirRead", Tag: tag, Auth: httpapi.Public,
		Summary:         "FHIR R4 read of one resource",
		Description:     "404 (OperationOutcome) quando o recurso não existe ou o chamador não pode saber que existe.",
		ResponseHeaders: []string{"ETag"},
		Responses:       fhirAnswers(200, map[string]any{}, 401, 403, 404, 406), Errors: onErr, ErrorBody: OperationOutcome{}, ErrorType: fhirJSON}, m.read)
}

// SearchForm documents a POST _search body: the same parameters as a GET search.
type SearchForm struct {
	Count int `json:"_count,omitempty"`
}

// Limits bounds the form body.
func (SearchForm) Limits() {}

func (m *Module) metadata(c *fiber.Ctx) error {
	if err := acceptable(c); err != nil {
		return err
	}
	return write(c, http.StatusOK, m.f.Capabilities(m.base(c)))
}

func (m *Module) read(c *fiber.Ctx) error {
	if err := acceptable(c); err != nil {
		return err
	}
	typ, id := c.Params("type"), c.Params("id")
	rt, err := m.f.typeOf(typ)
	if err != nil {
		return err
	}
	p := httpapi.PrincipalOf(c)
	if err := allow(p, rt); err != nil {
		return err
	}
	if !validID(id) {
		return kernel.NotFound("%s/%s não foi encontrado", rt.Name, id)
	}
	res, err := rt.Read(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	if b := res.base(); b.Meta != nil && b.Meta.VersionID != "" {
		c.Set(fiber.HeaderETag, `W/"`+b.Meta.VersionID+`"`)
	}
	return write(c, http.StatusOK, res)
}

func (m *Module) search(c *fiber.Ctx) error {
	if err := acceptable(c); err != nil {
		return err
	}
	rt, err := m.f.typeOf(c.Params("type"))
	if err != nil {
		return err
	}
	p := httpapi.PrincipalOf(c)
	if err := allow(p, rt); err != nil {
		return err
	}
	values, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return kernel.Invalid("_", "a query string está malformada")
	}
	if c.Method() == fiber.MethodPost {
		if !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationForm) && len(c.Body()) > 0 {
			return notSupported(http.StatusUnsupportedMediaType, "a busca por POST recebe os parâmetros em application/x-www-form-urlencoded")
		}
		form, err := url.ParseQuery(string(c.Body()))
		if err != nil {
			return kernel.Invalid("_", "o corpo do formulário está malformado")
		}
		for k, vs := range form {
			values[k] = append(values[k], vs...)
		}
	}
	b, err := m.f.Search(c.UserContext(), p, rt.Name, values, m.base(c))
	if err != nil {
		return err
	}
	return write(c, http.StatusOK, b)
}

// base is the facade's absolute base URL for this request.
func (m *Module) base(c *fiber.Ctx) string {
	if m.f.d.BaseURL != "" {
		return strings.TrimRight(m.f.d.BaseURL, "/") + Prefix
	}
	return c.BaseURL() + Prefix
}

// acceptable refuses an Accept that admits no JSON (FHIR's XML and Turtle are
// not served).
func acceptable(c *fiber.Ctx) error {
	a := c.Get(fiber.HeaderAccept)
	if a == "" {
		return nil
	}
	for _, part := range strings.Split(a, ",") {
		mt := strings.TrimSpace(strings.SplitN(part, ";", 2)[0])
		switch mt {
		case "*/*", "application/*", "application/json", "application/fhir+json", "application/json+fhir":
			return nil
		}
	}
	return notSupported(http.StatusNotAcceptable, "este servidor responde somente em JSON (application/fhir+json)")
}

// allow is the facade's gate before any use case: public types for anyone,
// the rest for an authenticated caller, an API key only with fhir:read. The
// use cases then decide object by object, as for the REST API.
func allow(p kernel.Principal, rt *resourceType) error {
	if rt.Public {
		return nil
	}
	if p.IsAnonymous() {
		return kernel.Unauthenticated("é necessário autenticar-se para ler %s", rt.Name)
	}
	if p.Kind == kernel.KindAPIKey && !p.HasScope(identity.ScopeFHIRRead) {
		return kernel.Forbidden("a chave de API precisa do escopo %s para ler %s", identity.ScopeFHIRRead, rt.Name)
	}
	return nil
}

func (f *Facade) typeOf(name string) (*resourceType, error) {
	rt := f.types[name]
	if rt == nil {
		return nil, kernel.NotFound("este tipo de recurso não é servido aqui; os tipos servidos estão em /fhir/R4/metadata")
	}
	return rt, nil
}

func write(c *fiber.Ctx, status int, body any) error {
	c.Status(status)
	c.Set(fiber.HeaderContentType, ContentType)
	return c.JSON(body, ContentType)
}

// answerError writes err as an OperationOutcome (the routes' Errors).
func (f *Facade) answerError(c *fiber.Ctx, err error) error {
	oo, status := outcomeOf(err)
	if status >= 500 {
		f.d.Log.Error("fhir request failed", "request_id", httpapi.RequestID(c), "err", err.Error())
	}
	if status == http.StatusUnauthorized {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="multisaude"`)
	}
	return write(c, status, oo)
}
