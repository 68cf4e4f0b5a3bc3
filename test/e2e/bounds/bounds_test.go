// Package bounds_test proves that no request costs more than its size allows:
// every route that takes a JSON body (found in the server's own OpenAPI
// document, so a new route is covered without touching this test) receives the
// largest bodies its documented limits allow, built from repeated items, and
// must answer a short problem+json 4xx with bounded allocation, the server
// still healthy afterwards.
package bounds_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
)

const (
	bodyLimit    = 1 << 20  // MULTISAUDE_BODY_LIMIT's default
	maxProblem   = 64 << 10 // bytes of a problem answer
	allocPerByte = 50       // bytes allocated per byte of body, at most
	allocFloor   = 2 << 20  // what any request may allocate, however small its body
)

// values make generated items look like real ones, so that validation goes as
// deep as it can (identical weekly rules overlap, for one).
var values = map[string]any{
	"weekday": "monday", "start": "08:00", "end": "12:00", "mode": "in_person", "date": "2027-01-04",
	"time_zone": "America/Sao_Paulo", "currency": "BRL", "kind": "medication", "type": "simple",
	"slot_minutes": 30, "horizon_days": 30, "duration_minutes": 30, "capacity": 1, "amount": 1000,
	"email": "someone@example.com", "grant_type": "password", "uf": "SP", "cep": "01310-100",
	"specialties": "cardiology", "modes": "telemedicine", "scopes": "orders:read", "icd10": "I10", "tags": "drug:losartan",
	"goals": "walk", "from": "2027-01-04", "to": "2027-01-05", "until": "2027-01-04T08:00:00-03:00",
}

type step struct {
	key   string // object key, or "" for the first item of an array
	array bool
}

type field struct {
	path   []step
	schema map[string]any
}

type spec struct{ doc map[string]any }

func (s spec) resolve(sch map[string]any) map[string]any {
	for {
		if ref, ok := sch["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/components/schemas/")
			sch = s.doc["components"].(map[string]any)["schemas"].(map[string]any)[name].(map[string]any)
			continue
		}
		if alts, ok := sch["oneOf"].([]any); ok {
			for _, a := range alts {
				if m := a.(map[string]any); m["type"] != "null" {
					sch = m
					break
				}
			}
			continue
		}
		return sch
	}
}

func typeOf(sch map[string]any) string {
	switch t := sch["type"].(type) {
	case string:
		return t
	case []any:
		for _, x := range t {
			if x != "null" {
				return x.(string)
			}
		}
	}
	if _, ok := sch["properties"]; ok {
		return "object"
	}
	return ""
}

// gen builds a value of sch; name is the property it fills.
func (s spec) gen(sch map[string]any, name string) any {
	sch = s.resolve(sch)
	switch typeOf(sch) {
	case "object":
		out := map[string]any{}
		props, _ := sch["properties"].(map[string]any)
		for k, p := range props {
			out[k] = s.gen(p.(map[string]any), k)
		}
		return out
	case "array":
		return []any{s.gen(sch["items"].(map[string]any), name)}
	case "string":
		if v, ok := values[name].(string); ok {
			return v
		}
		return "x"
	case "integer", "number":
		if v, ok := values[name].(int); ok {
			return v
		}
		return 1
	case "boolean":
		return false
	}
	return nil
}

// walk lists every array and string reachable in sch (arrays through their first item).
func (s spec) walk(sch map[string]any, path []step, visit func(field)) {
	sch = s.resolve(sch)
	switch typeOf(sch) {
	case "object":
		props, _ := sch["properties"].(map[string]any)
		keys := make([]string, 0, len(props))
		for k := range props {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.walk(props[k].(map[string]any), append(append([]step{}, path...), step{key: k}), visit)
		}
	case "array":
		visit(field{path: path, schema: sch})
		s.walk(sch["items"].(map[string]any), append(append([]step{}, path...), step{array: true}), visit)
	case "string":
		visit(field{path: path, schema: sch})
	}
}

func pathString(p []step) string {
	var b strings.Builder
	for _, s := range p {
		if s.array {
			b.WriteString("[0]")
		} else {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		}
	}
	return b.String()
}

// set replaces the value at path in root (a generated body) by v.
func set(root any, path []step, v any) any {
	if len(path) == 0 {
		return v
	}
	switch n := root.(type) {
	case map[string]any:
		n[path[0].key] = set(n[path[0].key], path[1:], v)
		return n
	case []any:
		n[0] = set(n[0], path[1:], v)
		return n
	}
	return root
}

func get(root any, path []step) any {
	for _, s := range path {
		switch n := root.(type) {
		case map[string]any:
			root = n[s.key]
		case []any:
			root = n[0]
		}
	}
	return root
}

func intOf(v any) int {
	f, _ := v.(float64)
	return int(f)
}

type variant struct {
	name string
	body []byte
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// variants builds, for one request schema, the bodies to try: each list at its
// maximum + 1 and filled to the body limit, every string one past its maximum,
// and one string filled to the body limit.
func (s spec) variants(t *testing.T, op string, sch map[string]any) []variant {
	var fields []field
	s.walk(sch, nil, func(f field) { fields = append(fields, f) })
	var out []variant
	allLong := s.gen(sch, "")
	longString := false
	for _, f := range fields {
		name := pathString(f.path)
		if typeOf(f.schema) == "string" {
			n := intOf(f.schema["maxLength"])
			if n == 0 {
				t.Errorf("%s: string %s has no documented maxLength", op, name)
				continue
			}
			allLong = set(allLong, f.path, strings.Repeat("é", n+1))
			if !longString {
				longString = true
				base := s.gen(sch, "")
				size := len(mustJSON(t, base))
				out = append(out, variant{name + " filling the body", mustJSON(t, set(base, f.path, strings.Repeat("a", bodyLimit-size-64)))})
			}
			continue
		}
		n := intOf(f.schema["maxItems"])
		if n == 0 {
			t.Errorf("%s: list %s has no documented maxItems", op, name)
			continue
		}
		base := s.gen(sch, "")
		item := get(base, f.path).([]any)[0]
		over := make([]any, n+1)
		for i := range over {
			over[i] = item
		}
		out = append(out, variant{fmt.Sprintf("%s × %d", name, n+1), mustJSON(t, set(base, f.path, over))})
		// filled with the same item up to the body limit
		itemSize := len(mustJSON(t, item)) + 1
		room := bodyLimit - len(mustJSON(t, base)) - 64
		full := make([]any, room/itemSize)
		for i := range full {
			full[i] = item
		}
		out = append(out, variant{fmt.Sprintf("%s × %d (body limit)", name, len(full)), mustJSON(t, set(s.gen(sch, ""), f.path, full))})
	}
	if longString {
		out = append(out, variant{"every string one past its maximum", mustJSON(t, allLong)})
	}
	return out
}

type result struct {
	route, variant string
	bytes, status  int
	alloc          uint64
}

func TestEveryJSONBodyIsBounded(t *testing.T) {
	h := harness.Start(t, testdb.Dialects()[0])

	// Callers who may use the routes, so that requests reach validation.
	patient := harness.SignUpPatient(t, h)
	pending := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Pending: true})
	pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
	hospital := harness.SignUpVerifiedCompany(t, h, "hospital")
	admin := harness.AdminLogin(t, h)
	h.Post(t, "/v1/me/record-shares", patient.Token, map[string]any{"professional_id": pro.ID,
		"until": time.Now().Add(48 * time.Hour).Format(time.RFC3339)}).Want(t, http.StatusCreated)

	var doc map[string]any
	if err := json.Unmarshal(mustJSON(t, h.App.Server.Spec().Document()), &doc); err != nil {
		t.Fatal(err)
	}
	s := spec{doc: doc}
	paths := doc["paths"].(map[string]any)
	var routes []string
	for p := range paths {
		routes = append(routes, p)
	}
	sort.Strings(routes)

	var results []result
	tried := 0
	for _, p := range routes {
		methods := paths[p].(map[string]any)
		for _, method := range []string{"post", "put", "patch"} {
			op, ok := methods[method].(map[string]any)
			if !ok {
				continue
			}
			rb, ok := op["requestBody"].(map[string]any)
			if !ok {
				continue
			}
			media, ok := rb["content"].(map[string]any)["application/json"].(map[string]any)
			if !ok {
				continue // multipart uploads have their own limit
			}
			tried++
			route := strings.ToUpper(method) + " " + p
			path, token := target(p, patient, pending, pro, hospital, admin)
			for _, v := range s.variants(t, route, media["schema"].(map[string]any)) {
				if len(v.body) > bodyLimit {
					t.Errorf("%s %s: built %d bytes, over the body limit", route, v.name, len(v.body))
					continue
				}
				results = append(results, send(t, h, strings.ToUpper(method), path, token, route, v))
			}
			if r := h.Get(t, "/healthz", ""); r.Status != http.StatusOK {
				t.Fatalf("after %s: /healthz answered %d", route, r.Status)
			}
		}
	}
	if tried < 25 {
		t.Fatalf("only %d routes with a JSON body found in the document", tried)
	}

	results = append(results, queries(t, h, patient, pending, pro)...)

	// One line per route: the variant that allocated most.
	worst := map[string]result{}
	largest := map[string]int{}
	var order []string
	for _, r := range results {
		w, seen := worst[r.route]
		if !seen {
			order = append(order, r.route)
		}
		if !seen || r.alloc > w.alloc {
			worst[r.route] = r
		}
		largest[r.route] = max(largest[r.route], r.bytes)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d routes with a JSON body, %d bodies sent\n", tried, len(results))
	fmt.Fprintf(&b, "%-52s %12s %6s %9s  %s\n", "route", "worst bytes", "status", "MB alloc", "variant that allocated most")
	for _, route := range order {
		r := worst[route]
		fmt.Fprintf(&b, "%-52s %12d %6d %9.1f  %s (%d bytes)\n", route, largest[route], r.status, float64(r.alloc)/(1<<20), r.variant, r.bytes)
	}
	t.Logf("\n%s", b.String())
}

// queries sends the query parameters that drive work past their maxima (and,
// for slots, at them: the largest expansion a request may ask for).
func queries(t *testing.T, h *harness.H, patient, pending, pro harness.Account) []result {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
	}
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token,
		Body: map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 5, "buffer_minutes": 0, "min_notice_hours": 0,
			"horizon_days": 366, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}}).Want(t, http.StatusOK)
	today := time.Now().Format("2006-01-02")
	in := func(days int) string { return time.Now().AddDate(0, 0, days).Format("2006-01-02") }
	var out []result
	for _, q := range []struct {
		label, path, token string
		want               int
	}{
		{"GET slots, 91 days of 5-minute slots", "/v1/professionals/" + pro.ID + "/slots?from=" + today + "&to=" + in(91), "", http.StatusOK},
		{"GET slots, 200 years", "/v1/professionals/" + pro.ID + "/slots?from=2000-01-01&to=2199-12-31", "", http.StatusBadRequest},
		{"GET agenda, 200 years (unverified)", "/v1/professionals/" + pending.ID + "/agenda?from=2000-01-01&to=2199-12-31", pending.Token, http.StatusBadRequest},
		{"GET appointments?limit=1000000", "/v1/appointments?limit=1000000", patient.Token, http.StatusBadRequest},
		{"GET professionals?limit=1000000", "/v1/professionals?limit=1000000", "", http.StatusBadRequest},
		{"GET professionals?cursor=<2000 chars>", "/v1/professionals?cursor=" + strings.Repeat("A", 2000), "", http.StatusBadRequest},
	} {
		req, err := http.NewRequest(http.MethodGet, h.URL+q.path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if q.token != "" {
			req.Header.Set("Authorization", "Bearer "+q.token)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		res, err := h.Client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(res.Body)
		res.Body.Close()
		runtime.ReadMemStats(&after)
		route := q.label
		r := result{route: route, variant: "query", bytes: len(q.path), status: res.StatusCode, alloc: after.TotalAlloc - before.TotalAlloc}
		if res.StatusCode != q.want {
			t.Errorf("%s: status %d, want %d: %.300s", route, res.StatusCode, q.want, answer)
		}
		// the largest answer allowed: 92 days of 5-minute slots
		if limit := uint64(64 << 20); r.alloc > limit {
			t.Errorf("%s: allocated %.1f MB (%d-byte answer), more than %d MB", route, float64(r.alloc)/(1<<20), len(answer), limit>>20)
		}
		if q.want == http.StatusOK {
			r.variant = fmt.Sprintf("query, %d-byte answer", len(answer))
		}
		out = append(out, r)
	}
	if r := h.Get(t, "/healthz", ""); r.Status != http.StatusOK {
		t.Fatalf("after the queries: /healthz answered %d", r.Status)
	}
	return out
}

// target fills a route's path parameters and picks the caller likely to use it.
func target(p string, patient, pending, pro, hospital, admin harness.Account) (string, string) {
	token := patient.Token
	id := kernel.NewID()
	switch {
	case strings.HasPrefix(p, "/v1/professionals/{id}"):
		id, token = pending.ID, pending.Token // an unverified professional preparing availability
	case strings.HasPrefix(p, "/v1/patients/{id}"):
		id, token = patient.ID, pro.Token
	case strings.HasPrefix(p, "/v1/evaluations/"), strings.HasPrefix(p, "/v1/prescriptions/{id}"):
		token = pro.Token
	case strings.HasPrefix(p, "/v1/companies/{id}"):
		id, token = hospital.CompanyID, hospital.Token
	case strings.HasPrefix(p, "/v1/exams/"), strings.HasPrefix(p, "/v1/prescription-verifications/"):
		token = hospital.Token
	case strings.HasPrefix(p, "/v1/admin/"):
		token = admin.Token
	case p == "/v1/me":
		token = pro.Token // professionals have the most to patch
	}
	p = strings.ReplaceAll(p, "{id}", id)
	p = strings.ReplaceAll(p, "{code}", "ABCDEFGHJKLM")
	p = strings.ReplaceAll(p, "{sku}", "SKU-1")
	return p, token
}

// send posts one body, measuring what the process allocates while it is answered.
func send(t *testing.T, h *harness.H, method, path, token, route string, v variant) result {
	t.Helper()
	req, err := http.NewRequest(method, h.URL+path, bytes.NewReader(v.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("If-Match", `"1"`)
	req.Header.Set("Idempotency-Key", kernel.NewID())
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := h.Client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", route, v.name, err)
	}
	answer, err := io.ReadAll(res.Body)
	res.Body.Close()
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	r := result{route: route, variant: v.name, bytes: len(v.body), status: res.StatusCode, alloc: after.TotalAlloc - before.TotalAlloc}
	if res.StatusCode < 400 || res.StatusCode > 499 {
		t.Errorf("%s with %s (%d bytes): status %d, want a 4xx: %.300s", route, v.name, len(v.body), res.StatusCode, answer)
	}
	if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/problem+json") {
		t.Errorf("%s with %s: content type %q, want problem+json", route, v.name, ct)
	}
	if len(answer) > maxProblem {
		t.Errorf("%s with %s: a %d-byte answer (at most %d)", route, v.name, len(answer), maxProblem)
	}
	if limit := uint64(max(allocPerByte*len(v.body), allocFloor)); r.alloc > limit {
		t.Errorf("%s with %s (%d bytes): allocated %.1f MB, more than %.1f MB", route, v.name, len(v.body),
			float64(r.alloc)/(1<<20), float64(limit)/(1<<20))
	}
	return r
}
