package fhirapi

import (
	"errors"
	"net/http"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
)

// issueCode is the OperationOutcome issue code of an HTTP status.
func issueCode(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusUnprocessableEntity:
		return "business-rule"
	case http.StatusNotFound:
		return "not-found"
	case http.StatusConflict, http.StatusPreconditionFailed:
		return "conflict"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusUnauthorized:
		return "login"
	case http.StatusTooManyRequests:
		return "throttled"
	case http.StatusGone:
		return "deleted"
	case http.StatusServiceUnavailable:
		return "transient"
	case http.StatusRequestEntityTooLarge:
		return "too-long"
	case http.StatusMethodNotAllowed, http.StatusNotAcceptable, http.StatusUnsupportedMediaType:
		return "not-supported"
	}
	return "exception"
}

// outcomeOf is the OperationOutcome and status of err: the same status and
// pt-BR text the REST API's problem+json gives (httpapi.ProblemOf), one issue
// per field error, each naming its parameter in expression.
func outcomeOf(err error) (OperationOutcome, int) {
	oo := OperationOutcome{Base: Base{ResourceType: "OperationOutcome"}}
	var ns *errNotSupported
	if errors.As(err, &ns) {
		oo.Issue = []Issue{{Severity: "error", Code: "not-supported", Diagnostics: ns.msg}}
		return oo, ns.status
	}
	p := httpapi.ProblemOf(err)
	code := issueCode(p.Status)
	if p.Status >= 500 {
		code = "exception"
		if kernel.KindOf(err) == kernel.KindUnavailable {
			code = "transient"
		}
	}
	for _, f := range p.Errors {
		is := Issue{Severity: "error", Code: code, Diagnostics: f.Message}
		if f.Field != "" && f.Field != kernel.MoreField && f.Field != "_" {
			is.Expression = []string{f.Field}
		}
		oo.Issue = append(oo.Issue, is)
	}
	if len(oo.Issue) == 0 {
		oo.Issue = []Issue{{Severity: "error", Code: code, Diagnostics: p.Detail}}
	}
	return oo, p.Status
}

// errNotSupported is an answer with its own status (406 for a format, 404
// for an unknown resource type, 405 for a write).
type errNotSupported struct {
	status int
	msg    string
}

func (e *errNotSupported) Error() string { return e.msg }

func notSupported(status int, msg string) error { return &errNotSupported{status: status, msg: msg} }
