package httpapi

import (
	"context"
	"errors"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/core/kernel"
)

// HealthResponse answers /healthz and /readyz.
type HealthResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks,omitempty"`
}

func (s *Server) platformRoutes(r *Router) {
	r.Handle(fiber.MethodGet, "/healthz", Op{ID: "healthz", Summary: "The process is alive", Tag: "platform",
		Responses: []Response{{Status: 200, Body: HealthResponse{}}}},
		func(c *fiber.Ctx) error { return OK(c, HealthResponse{Status: "ok"}) })

	r.Handle(fiber.MethodGet, "/readyz", Op{ID: "readyz", Summary: "Database, blob store and queue are reachable and the database schema is current", Tag: "platform",
		Responses: []Response{{Status: 200, Body: HealthResponse{}}, {Status: 503, Body: HealthResponse{}}}},
		s.ready)

	r.Handle(fiber.MethodGet, "/openapi.json", Op{ID: "openapi", Summary: "This API's OpenAPI 3.1 document", Tag: "platform",
		ResponseHeaders: []string{"Cache-Control"}, Responses: []Response{{Status: 200, Body: map[string]any{}}}},
		func(c *fiber.Ctx) error {
			c.Set("Cache-Control", "public, max-age=60")
			return c.JSON(s.spec.Document())
		})
	// /metrics is not served here but on its own listener (metricsserver.go).
}

func (s *Server) ready(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 3*time.Second)
	defer cancel()
	resp := HealthResponse{Status: "ok", Checks: map[string]string{}}
	type result struct {
		name    string
		err     error
		explain bool
	}
	results := make(chan result, len(s.checks))
	for _, ch := range s.checks {
		go func() { results <- result{ch.Name, ch.Fn(ctx), ch.Explain} }()
	}
	for range s.checks {
		r := <-results
		if r.err != nil {
			resp.Status = "unavailable"
			resp.Checks[r.name] = "unreachable"
			var ke *kernel.Error
			if r.explain && errors.As(r.err, &ke) && ke.Kind != kernel.KindInternal && ke.Message != "" {
				resp.Checks[r.name] = ke.Message
			}
			s.log.Warn("readiness check failed", "check", r.name, "err", r.err.Error())
		} else {
			resp.Checks[r.name] = "ok"
		}
	}
	if resp.Status != "ok" {
		return c.Status(fiber.StatusServiceUnavailable).JSON(resp)
	}
	return OK(c, resp)
}
