package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/utils"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// ProblemFieldError is one entry of a problem's "errors" list.
type ProblemFieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []ProblemFieldError `json:"errors,omitempty"`
	// Consent names the term to accept when processing needs a consent the
	// caller has not given (a 409 from ports.Consents.Require).
	Consent *ProblemConsent `json:"consent,omitempty"`
}

// ProblemConsent is the term a 409 asks the caller to accept.
type ProblemConsent struct {
	Purpose     string `json:"purpose"`
	TermVersion string `json:"term_version"`
	TermURL     string `json:"term_url"`
}

const problemTypeBase = "https://multisaude.com.br/problems/"

// StatusOf maps an error kind to its one HTTP status.
func StatusOf(k kernel.Kind) int {
	switch k {
	case kernel.KindInvalid:
		return http.StatusBadRequest
	case kernel.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case kernel.KindNotFound:
		return http.StatusNotFound
	case kernel.KindConflict:
		return http.StatusConflict
	case kernel.KindForbidden:
		return http.StatusForbidden
	case kernel.KindUnauthenticated:
		return http.StatusUnauthorized
	case kernel.KindPrecondition:
		return http.StatusPreconditionFailed
	case kernel.KindTooMany:
		return http.StatusTooManyRequests
	case kernel.KindGone:
		return http.StatusGone
	case kernel.KindUnavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// ProblemOf is the problem+json body and status err answers (the FHIR facade
// writes the same as an OperationOutcome). Internal errors show no detail.
func ProblemOf(err error) Problem { return problemFor(err) }

// problemFor builds the body for err. Internal errors show no detail.
func problemFor(err error) Problem {
	var fe *fiber.Error
	if errors.As(err, &fe) {
		detail := fe.Message
		if pt, ok := frameworkDetail[fe.Code]; ok && detail == utils.StatusMessage(fe.Code) {
			detail = pt // the framework's own English text: a person reads pt-BR
		}
		return Problem{Type: problemTypeBase + slugOf(fe.Code), Title: http.StatusText(fe.Code), Status: fe.Code, Detail: detail}
	}
	var ke *kernel.Error
	if !errors.As(err, &ke) {
		ke = &kernel.Error{Kind: kernel.KindInternal}
	}
	status := StatusOf(ke.Kind)
	p := Problem{Type: problemTypeBase + string(ke.Kind), Title: http.StatusText(status), Status: status}
	switch ke.Kind {
	case kernel.KindUnavailable: // the cause (which dependency, how it failed) is logged, never shown
		p.Detail = unavailableDetail
	case kernel.KindInternal:
		p.Detail = "ocorreu um erro inesperado; informe o ID da requisição ao relatá-lo"
	default:
		p.Detail = ke.Message
		fields := ke.Fields
		if len(fields) > kernel.MaxFieldErrors+1 { // built without kernel.Problems: cap it the same way
			fields = append(fields[:kernel.MaxFieldErrors:kernel.MaxFieldErrors], kernel.FieldError{Field: kernel.MoreField,
				Message: fmt.Sprintf("e mais %d campos inválidos não listados", len(ke.Fields)-kernel.MaxFieldErrors)})
		}
		for _, f := range fields {
			p.Errors = append(p.Errors, ProblemFieldError{Field: f.Field, Message: f.Message})
		}
		var cr *ports.ConsentRequired
		if ke.Kind == kernel.KindConflict && errors.As(ke.Err, &cr) {
			p.Consent = &ProblemConsent{Purpose: cr.Purpose, TermVersion: cr.TermVersion, TermURL: cr.TermURL}
		}
	}
	return p
}

// frameworkDetail is what a person reads for the errors fiber and fasthttp
// raise on their own (before any handler runs), in place of their English text.
var frameworkDetail = map[int]string{
	http.StatusBadRequest:                  "A requisição está malformada.",
	http.StatusNotFound:                    "O recurso não foi encontrado.",
	http.StatusMethodNotAllowed:            "Este método não é aceito nesta rota.",
	http.StatusRequestTimeout:              "A requisição demorou demais para chegar; tente novamente.",
	http.StatusRequestEntityTooLarge:       "O corpo da requisição passa do limite aceito.",
	http.StatusRequestHeaderFieldsTooLarge: "Os cabeçalhos da requisição passam do limite aceito.",
	http.StatusUnsupportedMediaType:        "O tipo de conteúdo enviado não é aceito.",
}

// RetryAfter is what a 503 answer's Retry-After header asks the client to wait.
var RetryAfter = 5 * time.Second

const unavailableDetail = "O serviço está temporariamente indisponível. Tente novamente em alguns segundos."

// retryAfterSeconds is RetryAfter as the header's delay-seconds.
func retryAfterSeconds() string {
	return strconv.Itoa(max(1, int(RetryAfter.Round(time.Second)/time.Second)))
}

func slugOf(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not_found"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusRequestTimeout:
		return "timeout"
	case http.StatusTooManyRequests:
		return "too_many"
	case http.StatusBadRequest:
		return "invalid"
	}
	if status >= 500 {
		return "internal"
	}
	return "http_" + http.StatusText(status)
}

// errorHandler is fiber's error handler: every error becomes problem+json.
func errorHandler(log *slog.Logger, m *metrics) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		p := problemFor(err)
		if p.Status == http.StatusNotFound && isRouteMiss(c, err) {
			p.Detail = "rota inexistente: " + c.Method() + " " + c.Path()
		}
		integrity := errors.Is(err, kernel.ErrIntegrity)
		switch {
		case integrity:
			// Altered stored data or wrong keys: an alert, never the caller's fault.
			p.Type = problemTypeBase + "integrity"
			p.Detail = "O documento armazenado não passou na verificação de integridade e não foi entregue. " +
				"A equipe técnica foi alertada; informe ao suporte o ID da requisição " + RequestID(c) + "."
			m.integrityFailures.Inc()
			log.ErrorContext(c.UserContext(), "integrity check failed", "alert", true, "request_id", RequestID(c), "route", routeOf(c), "err", err.Error())
		case p.Status >= 500:
			log.ErrorContext(c.UserContext(), "request failed", "request_id", RequestID(c), "route", routeOf(c), "err", err.Error())
		}
		if p.Status == http.StatusServiceUnavailable {
			c.Set(fiber.HeaderRetryAfter, retryAfterSeconds())
		}
		if p.Status == http.StatusUnauthorized {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="multisaude"`)
		}
		p.Instance = c.Path()
		p.RequestID = RequestID(c)
		c.Status(p.Status)
		c.Set(fiber.HeaderContentType, "application/problem+json")
		return c.JSON(p, "application/problem+json")
	}
}

func isRouteMiss(c *fiber.Ctx, err error) bool {
	var fe *fiber.Error
	return errors.As(err, &fe) && fe.Code == http.StatusNotFound
}

// Example is a problem as the OpenAPI document shows it.
func (Problem) Example() any {
	return Problem{Type: problemTypeBase + string(kernel.KindInvalid), Title: "Bad Request", Status: 400,
		Detail: "Os dados enviados têm erros; veja errors.", Instance: "/v1/patients",
		RequestID: "01936b2e-4a3b-7c2d-8e1f-0a1b2c3d4e5f",
		Errors:    []ProblemFieldError{{Field: "cpf", Message: "não é um CPF válido"}}}
}
