package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Spec is the OpenAPI 3.1 document, built as routes register.
type Spec struct {
	mu      sync.Mutex
	version string
	server  string                    // the API's public base URL, the document's one server
	paths   map[string]map[string]any // path -> method -> operation
	schemas map[string]any
	// schemaTypes is the Go type each schema was built from (see schemaName).
	schemaTypes map[string]reflect.Type
	opIDs       map[string]bool
	routes      []string // "METHOD /path" in OpenAPI syntax
}

func newSpec(version, server string) *Spec {
	if server == "" {
		server = "http://localhost:8080"
	}
	return &Spec{version: version, server: server, paths: map[string]map[string]any{}, schemas: map[string]any{}, schemaTypes: map[string]reflect.Type{}, opIDs: map[string]bool{}}
}

// Routes lists every documented route as "METHOD /path/{param}".
func (s *Spec) Routes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.routes...)
}

func (s *Spec) add(method, path string, op Op) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opIDs[op.ID] {
		panic("httpapi: duplicate operation ID " + op.ID)
	}
	s.opIDs[op.ID] = true
	p, names := openAPIPath(path)
	s.routes = append(s.routes, method+" "+p)
	o := map[string]any{"operationId": op.ID, "summary": op.Summary}
	if op.Description != "" {
		o["description"] = op.Description
	}
	if op.Tag != "" {
		o["tags"] = []string{op.Tag}
	}
	var params []any
	for _, n := range names {
		sch := map[string]any{"type": "string"}
		if n == "id" || strings.HasSuffix(n, "_id") { // read by PathID: an ID is a UUID
			sch["format"] = "uuid"
		}
		params = append(params, map[string]any{"name": n, "in": "path", "required": true, "schema": sch})
	}
	for _, q := range op.Query {
		params = append(params, paramDoc(q, "query"))
	}
	for _, h := range op.Headers {
		params = append(params, paramDoc(h, "header"))
	}
	if len(params) > 0 {
		o["parameters"] = params
	}
	o["security"] = securityOf(op.Auth)
	if op.Request != nil {
		ct := op.RequestType
		if ct == "" {
			ct = "application/json"
		}
		media := map[string]any{"schema": s.schemaOf(reflect.TypeOf(op.Request))}
		content := map[string]any{}
		for _, t := range strings.Split(ct, ",") { // several media types of one schema: "text/csv, application/x-ndjson"
			content[strings.TrimSpace(t)] = media
		}
		for t, v := range op.MoreRequests {
			content[t] = map[string]any{"schema": s.schemaOf(reflect.TypeOf(v))}
		}
		o["requestBody"] = map[string]any{"required": true, "content": content}
	}
	resps := map[string]any{}
	for _, r := range op.Responses {
		d := r.Description
		if d == "" {
			d = http.StatusText(r.Status)
		}
		rd := map[string]any{"description": d}
		if r.Body != nil {
			rd["content"] = s.responseContent(r)
		}
		// a second answer of one status adds its media types (JSON or CSV, by Accept)
		if prev, ok := resps[strconv.Itoa(r.Status)].(map[string]any); ok && r.Body != nil {
			if pc, ok := prev["content"].(map[string]any); ok {
				for k, v := range rd["content"].(map[string]any) {
					pc[k] = v
				}
				continue
			}
		}
		resps[strconv.Itoa(r.Status)] = rd
	}
	problem := map[string]any{"application/problem+json": map[string]any{"schema": s.schemaOf(reflect.TypeOf(Problem{}))}}
	retryRequired := true
	if op.ErrorBody != nil { // the route answers its errors in its own format (Op.Errors)
		problem = map[string]any{op.ErrorType: map[string]any{"schema": s.schemaOf(reflect.TypeOf(op.ErrorBody))}}
		retryRequired = false
	}
	for _, st := range impliedStatuses(op, len(names) > 0) {
		if _, ok := resps[strconv.Itoa(st.status)]; !ok {
			resps[strconv.Itoa(st.status)] = map[string]any{"description": st.why, "content": problem}
		}
	}
	for code, r := range resps {
		addResponseHeaders(code, r.(map[string]any), op)
	}
	if _, ok := resps["503"]; !ok { // every route may find a dependency (the database, at least to authenticate) down
		resps["503"] = map[string]any{"description": "a dependency is unavailable; retry after the Retry-After header's seconds",
			"headers": map[string]any{"Retry-After": map[string]any{"required": retryRequired, "description": "seconds to wait before retrying",
				"schema": map[string]any{"type": "integer", "minimum": 1}}},
			"content": problem}
	}
	resps["default"] = map[string]any{"description": "an error", "content": problem}
	o["responses"] = resps
	if s.paths[p] == nil {
		s.paths[p] = map[string]any{}
	}
	s.paths[p][strings.ToLower(method)] = o
}

// responseContent documents a response body under each of its media types
// (ContentType may list several, comma-separated). A []byte body is raw bytes:
// its media types carry no schema.
func (s *Spec) responseContent(r Response) map[string]any {
	ct := r.ContentType
	if ct == "" {
		ct = "application/json"
	}
	media := map[string]any{}
	if _, raw := r.Body.([]byte); !raw {
		media["schema"] = s.schemaOf(reflect.TypeOf(r.Body))
	}
	content := map[string]any{}
	for _, t := range strings.Split(ct, ",") {
		content[strings.TrimSpace(t)] = media
	}
	return content
}

func paramDoc(q Param, in string) map[string]any {
	t := q.Type
	if t == "" {
		t = "string"
	}
	sch := map[string]any{"type": t}
	if q.Format != "" {
		sch["format"] = q.Format
	}
	if q.Maximum != 0 {
		sch["minimum"], sch["maximum"] = q.Minimum, q.Maximum
	}
	if q.MaxLength != 0 {
		sch["maxLength"] = q.MaxLength
	}
	if len(q.Enum) > 0 {
		sch["enum"] = q.Enum
	}
	if q.Pattern != "" {
		sch["pattern"] = q.Pattern
	}
	d := map[string]any{"name": q.Name, "in": in, "schema": sch}
	if q.Required {
		d["required"] = true
	}
	if q.Description != "" {
		d["description"] = q.Description
	}
	return d
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf returns a JSON Schema for t, registering named structs under components.
func (s *Spec) schemaOf(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		nullable = true
	}
	var sch map[string]any
	switch {
	case t == timeType:
		sch = map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.String:
		sch = map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		sch = map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		sch = map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		sch = map[string]any{"type": "number"}
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		// raw bytes: only a multipart part (an upload's file) is one
		sch = map[string]any{"type": "string", "format": "binary", "contentMediaType": "application/octet-stream"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		sch = map[string]any{"type": "array", "items": s.schemaOf(t.Elem())}
	case t.Kind() == reflect.Map:
		sch = map[string]any{"type": "object", "additionalProperties": s.schemaOf(t.Elem())}
	case t.Kind() == reflect.Interface:
		sch = map[string]any{}
	case t.Kind() == reflect.Struct:
		name := schemaName(t)
		if prev, ok := s.schemaTypes[name]; !ok {
			s.schemaTypes[name] = t
			s.schemas[name] = map[string]any{} // placeholder against recursion
			s.schemas[name] = s.exampled(t, s.structSchema(t))
		} else if prev != t && !sameJSON(s.schemas[name], s.exampled(t, s.structSchema(t))) {
			// Two types, one name: share it only when their shapes are the same.
			panic(fmt.Sprintf("httpapi: schema %s is both %v and %v, of different shapes: rename one (Named)", name, prev, t))
		}
		sch = map[string]any{"$ref": "#/components/schemas/" + name}
	default:
		sch = map[string]any{}
	}
	if nullable {
		if ref, ok := sch["$ref"]; ok {
			return map[string]any{"oneOf": []any{map[string]any{"$ref": ref}, map[string]any{"type": "null"}}}
		}
		if tp, ok := sch["type"].(string); ok {
			sch["type"] = []string{tp, "null"}
		}
	}
	return sch
}

// Exemplified is implemented by a type whose schema shows an example value
// (text in Portuguese, as a user would write it).
type Exemplified interface{ Example() any }

var exemplifiedType = reflect.TypeOf((*Exemplified)(nil)).Elem()

// exampled adds t's own example (not one promoted from an embedded type) to sch.
func (s *Spec) exampled(t reflect.Type, sch map[string]any) map[string]any {
	if !t.Implements(exemplifiedType) {
		return sch
	}
	ex := reflect.Zero(t).Interface().(Exemplified).Example()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Implements(exemplifiedType) && reflect.DeepEqual(reflect.Zero(f.Type).Interface().(Exemplified).Example(), ex) {
			return sch // promoted: the embedding type is another shape
		}
	}
	sch["examples"] = []any{ex}
	return sch
}

func sameJSON(a, b any) bool {
	ja, err1 := json.Marshal(a)
	jb, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(ja, jb)
}

// ReasonExample is the example of every body that is only a reason (one
// schema, ReasonRequest, serves them all).
const ReasonExample = "Imprevisto de agenda; peço desculpas pelo transtorno."

// Named is implemented by a body type whose schema is not named after its Go
// type: one shape shared by several types (a reason, an amount of money) takes
// one name, and the document holds it once.
type Named interface{ SchemaName() string }

var namedType = reflect.TypeOf((*Named)(nil)).Elem()

// promotesName reports whether t's SchemaName is an embedded field's, promoted:
// a type that extends a named one (PlanItemResponse embedding PlanItemBody)
// keeps its own name.
func promotesName(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	own := reflect.Zero(t).Interface().(Named).SchemaName()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type.Implements(namedType) && reflect.Zero(f.Type).Interface().(Named).SchemaName() == own {
			return true
		}
	}
	return false
}

// schemaName is t's name in components/schemas: a product name, never a Go
// package path. A paged list of X is "XList" (X without its Response suffix).
func schemaName(t reflect.Type) string {
	if t.Implements(namedType) && !promotesName(t) {
		return reflect.Zero(t).Interface().(Named).SchemaName()
	}
	n := t.Name()
	if i := strings.Index(n, "["); i >= 0 { // generic instance: ListResponse[pkg.Type]
		if f, ok := t.FieldByName("Items"); ok && f.Type.Kind() == reflect.Slice {
			return strings.TrimSuffix(schemaName(f.Type.Elem()), "Response") + "List"
		}
		args := n[i+1 : len(n)-1]
		if j := strings.LastIndex(args, "."); j >= 0 {
			args = args[j+1:]
		}
		n = n[:i] + "_" + args
	}
	return n
}

func (s *Spec) structSchema(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	lims := limitsOf(t)
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			emb := f.Type
			if emb.Kind() == reflect.Pointer {
				emb = emb.Elem()
			}
			if emb.Kind() == reflect.Struct {
				inner := s.structSchema(emb)
				for k, v := range inner["properties"].(map[string]any) {
					props[k] = v
				}
				if r, ok := inner["required"].([]string); ok {
					required = append(required, r...)
				}
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = s.schemaOf(f.Type)
		if lim, ok := lims.limit(name, f.Type); ok {
			documentLimit(props[name].(map[string]any), lim)
		}
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			required = append(required, name)
		}
	}
	sort.Strings(required)
	out := map[string]any{"type": "object", "properties": props}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// Document returns the OpenAPI 3.1 document.
func (s *Spec) Document() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "multisaude API",
			"version": s.version,
			"description": "Pacientes, profissionais de saúde e empresas parceiras numa só plataforma. " +
				"Erros são problem+json (RFC 9457); listas são paginadas por cursor (?limit=&cursor=, resposta {items, next_cursor}); " +
				"POSTs que agendam aceitam Idempotency-Key; atualizações concorrentes usam ETag e If-Match.",
			"license": map[string]any{"name": "Proprietary", "identifier": "LicenseRef-multisaude-proprietary"},
		},
		"servers": []any{map[string]any{"url": s.server, "description": "this deployment"}},
		"tags":    tags,
		"paths":   s.paths,
		"components": map[string]any{
			"schemas": s.schemas,
			"headers": responseHeaders,
			"securitySchemes": map[string]any{
				schemeAccessToken: map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
					"description": "an access token from POST /v1/auth/token (or from the configured identity provider), sent as Authorization: Bearer <token>"},
				schemeAPIKey: map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "msk_<12 hex>_<secret>",
					"description": "a partner company's API key (POST /v1/companies/{id}/api-keys), sent as Authorization: Bearer <key>; its scopes decide what it may do"},
			},
		},
	}
}

// Security scheme names. Both are sent the same way, "Authorization: Bearer
// <credential>"; the credential's form tells them apart (see Server.authenticate).
const (
	schemeAccessToken = "accessToken"
	schemeAPIKey      = "partnerApiKey"
)

// securityOf lists the schemes an operation accepts. A public route needs
// none, yet a credential sent to it is still checked (and used, e.g. to show
// an admin more): the empty requirement comes first.
func securityOf(a Auth) []any {
	token := map[string]any{schemeAccessToken: []string{}}
	key := map[string]any{schemeAPIKey: []string{}}
	switch a {
	case User:
		return []any{token}
	case APIKey:
		return []any{key, token}
	case Any:
		return []any{token, key}
	}
	return []any{map[string]any{}, token, key}
}

type impliedStatus struct {
	status int
	why    string
}

// impliedStatuses are the answers the router and the binding helpers give an
// operation whatever its handler does: Router.Handle authenticates every
// request (401, and 403 for the key of a company not verified), PathID answers
// 404 for an ID that cannot exist, Bind refuses a body (400, 413, 415), IfMatch
// and the idempotency middleware add theirs.
func impliedStatuses(op Op, pathParams bool) []impliedStatus {
	var out []impliedStatus
	if op.Auth == Public {
		out = append(out, impliedStatus{401, "a credential was sent and is invalid, expired or revoked (none is needed)"})
	} else {
		out = append(out, impliedStatus{401, "no credential, or one that is invalid, expired or revoked"},
			impliedStatus{403, "the caller may not do this"})
	}
	if pathParams {
		out = append(out, impliedStatus{404, "no such resource, or not one the caller may see"})
	}
	if op.Request != nil || len(op.Query) > 0 || len(op.Headers) > 0 {
		out = append(out, impliedStatus{400, "invalid input; errors names each field"})
	}
	if op.Request != nil {
		out = append(out, impliedStatus{413, "the body is larger than the limit"},
			impliedStatus{415, "the body is not of the documented media type"})
	}
	for _, h := range op.Headers {
		switch h.Name {
		case "If-Match":
			out = append(out, impliedStatus{412, "the resource changed since the ETag sent in If-Match was read"})
		case "Idempotency-Key":
			out = append(out, impliedStatus{409, "a request with this Idempotency-Key is still in progress"},
				impliedStatus{422, "this Idempotency-Key was used with a different request"})
		}
	}
	return out
}

// addResponseHeaders declares the headers every answer carries (X-Request-ID),
// and those of its kind: Location on a 201, ETag where the operation takes
// If-Match, Idempotent-Replayed where it takes an Idempotency-Key, the
// challenge of a 401.
func addResponseHeaders(code string, r map[string]any, op Op) {
	h, _ := r["headers"].(map[string]any)
	if h == nil {
		h = map[string]any{}
	}
	h["X-Request-ID"] = map[string]any{"$ref": "#/components/headers/X-Request-ID"}
	ok := strings.HasPrefix(code, "2")
	for _, p := range op.Headers {
		switch {
		case p.Name == "If-Match" && ok:
			h["ETag"] = map[string]any{"$ref": "#/components/headers/ETag"}
		case p.Name == "Idempotency-Key" && code != "default":
			h["Idempotent-Replayed"] = map[string]any{"$ref": "#/components/headers/Idempotent-Replayed"}
		}
	}
	for _, name := range op.ResponseHeaders {
		if ok {
			h[name] = map[string]any{"$ref": "#/components/headers/" + name}
		}
	}
	switch code {
	case "201":
		if _, declared := h["Location"]; !declared {
			h["Location"] = map[string]any{"$ref": "#/components/headers/Location"}
		}
	case "401":
		h["WWW-Authenticate"] = map[string]any{"description": "the scheme to authenticate with", "schema": map[string]any{"type": "string", "examples": []string{`Bearer realm="multisaude"`}}}
	}
	r["headers"] = h
}

// responseHeaders are the headers declared once and referenced by the answers.
var responseHeaders = map[string]any{
	"X-Request-ID": map[string]any{"description": "this request's ID (the caller's own when it sent a usable one); quote it to support",
		"schema": map[string]any{"type": "string", "maxLength": 128}},
	"ETag": map[string]any{"description": "the version read; send it back in If-Match to update",
		"schema": map[string]any{"type": "string", "examples": []string{`"3"`}}},
	"Location": map[string]any{"description": "where the created resource is read",
		"schema": map[string]any{"type": "string", "format": "uri-reference"}},
	"Idempotent-Replayed": map[string]any{"description": "true when this is the stored first answer to the same Idempotency-Key",
		"schema": map[string]any{"type": "string", "enum": []string{"true"}}},
	"Content-Disposition": map[string]any{"description": "attachment, with the file's name",
		"schema": map[string]any{"type": "string", "examples": []string{`attachment; filename="receita.pdf"`}}},
	"Cache-Control": map[string]any{"description": "how long the answer may be cached",
		"schema": map[string]any{"type": "string"}},
}

// tags are the groups of operations, in the order a reader meets them.
var tags = []any{
	map[string]any{"name": "identity", "description": "Contas, cadastro de pacientes, profissionais e empresas parceiras, tokens, membros e chaves de API"},
	map[string]any{"name": "addresses", "description": "Consulta pública de CEP (endereço e localização) para os cadastros"},
	map[string]any{"name": "scheduling", "description": "Disponibilidade, horários livres, busca, agendamentos, exames, lista de espera, notificações e painel"},
	map[string]any{"name": "clinical", "description": "Avaliações, planos de tratamento, receitas, documentos, histórico, compartilhamentos e registro de acesso"},
	map[string]any{"name": "commerce", "description": "Catálogos de parceiros, opções de compra dos planos, pedidos, pagamentos (Pix e cartão), reembolsos, extratos e webhooks de parceiros"},
	map[string]any{"name": "consent", "description": "LGPD: termos e consentimentos, exportação dos dados, relatório de compartilhamento, eliminação, incidentes e registro das operações de tratamento"},
	map[string]any{"name": "chat", "description": "Conversas entre pacientes e profissionais (com relação de cuidado) e entre pacientes e parceiros sobre um pedido: mensagens, anexos cifrados e marcadores de leitura"},
	map[string]any{"name": "live", "description": "Tempo real: tickets e o WebSocket que entrega as mensagens das conversas assim que são enviadas, com retomada"},
	map[string]any{"name": "video", "description": "Página de chamada e WebSocket de sinalização do provedor de vídeo embutido (WebRTC)"},
	map[string]any{"name": "fhir", "description": "Fachada FHIR R4 (application/fhir+json): leitura e busca dos dados da plataforma como recursos padrão, com as mesmas regras de acesso da API REST"},
	map[string]any{"name": "dev", "description": "Rotas de desenvolvimento do perfil local (simulador de pagamentos); não existem em aws nem onprem"},
	map[string]any{"name": "blobs", "description": "Download de arquivos por link assinado e com prazo"},
	map[string]any{"name": "platform", "description": "Saúde do processo, prontidão e este documento"},
}

// ProblemResponses documents problem+json answers with the given statuses.
func ProblemResponses(statuses ...int) []Response {
	out := make([]Response, 0, len(statuses))
	for _, s := range statuses {
		out = append(out, Response{Status: s, Body: Problem{}, ContentType: "application/problem+json"})
	}
	return out
}

// Answers documents a success answer and the problems the use case may answer
// besides those every route implies (401, 403, 404 for a path ID, 400/413/415
// for a body, 412 with If-Match).
func Answers(status int, body any, errs ...int) []Response {
	return append([]Response{{Status: status, Body: body}}, ProblemResponses(errs...)...)
}
