package httpapi

import (
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
	paths   map[string]map[string]any // path -> method -> operation
	schemas map[string]any
	opIDs   map[string]bool
	routes  []string // "METHOD /path" in OpenAPI syntax
}

func newSpec(version string) *Spec {
	return &Spec{version: version, paths: map[string]map[string]any{}, schemas: map[string]any{}, opIDs: map[string]bool{}}
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
	if op.Tag != "" {
		o["tags"] = []string{op.Tag}
	}
	var params []any
	for _, n := range names {
		params = append(params, map[string]any{"name": n, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
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
	if op.Auth != Public {
		o["security"] = []any{map[string]any{"bearer": []string{}}}
	}
	if op.Request != nil {
		ct := op.RequestType
		if ct == "" {
			ct = "application/json"
		}
		o["requestBody"] = map[string]any{"required": true, "content": map[string]any{ct: map[string]any{"schema": s.schemaOf(reflect.TypeOf(op.Request))}}}
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
		resps[strconv.Itoa(r.Status)] = rd
	}
	problem := map[string]any{"application/problem+json": map[string]any{"schema": s.schemaOf(reflect.TypeOf(Problem{}))}}
	if _, ok := resps["503"]; !ok { // every route may find a dependency (the database, at least to authenticate) down
		resps["503"] = map[string]any{"description": "a dependency is unavailable; retry after the Retry-After header's seconds",
			"headers": map[string]any{"Retry-After": map[string]any{"required": true, "description": "seconds to wait before retrying",
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
		sch = map[string]any{"type": "string", "contentEncoding": "base64"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		sch = map[string]any{"type": "array", "items": s.schemaOf(t.Elem())}
	case t.Kind() == reflect.Map:
		sch = map[string]any{"type": "object", "additionalProperties": s.schemaOf(t.Elem())}
	case t.Kind() == reflect.Interface:
		sch = map[string]any{}
	case t.Kind() == reflect.Struct:
		name := schemaName(t)
		if _, ok := s.schemas[name]; !ok {
			s.schemas[name] = map[string]any{} // placeholder against recursion
			s.schemas[name] = s.structSchema(t)
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

func schemaName(t reflect.Type) string {
	n := t.Name()
	if i := strings.Index(n, "["); i >= 0 { // generic instance: ListResponse[pkg.Type]
		args := n[i+1 : len(n)-1]
		if j := strings.LastIndex(args, "."); j >= 0 {
			args = args[j+1:]
		}
		n = n[:i] + "_" + args
	}
	pkg := t.PkgPath()
	if j := strings.LastIndex(pkg, "/"); j >= 0 {
		pkg = pkg[j+1:]
	}
	if pkg == "httpapi" || pkg == "" {
		return n
	}
	return strings.TrimSuffix(pkg, "api") + "." + n
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
			"title":       "multisaude API",
			"version":     s.version,
			"description": "Patients, health professionals and partner companies on one platform. Errors are RFC 9457 problem+json.",
		},
		"paths": s.paths,
		"components": map[string]any{
			"schemas":         s.schemas,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "description": "an access token from /v1/auth/token, or a partner API key"}},
		},
	}
}
