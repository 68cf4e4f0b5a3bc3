package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"runtime/debug"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/cors"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/multisaude/multisaude/core/kernel"
)

// Config is the HTTP server's configuration.
type Config struct {
	Addr            string        // listen address, ":8080"
	BodyLimit       int           // bytes for a JSON body; default 1 MiB
	UploadLimit     int           // bytes for a multipart upload; default 20 MiB
	ReadTimeout     time.Duration // default 15s
	WriteTimeout    time.Duration // default 30s
	CORSOrigins     []string      // allowed origins; empty: no CORS headers
	TrustedProxies  []string      // proxies whose X-Forwarded-For is believed
	ShutdownTimeout time.Duration // default 15s
	Version         string
	PublicURL       string // the API's external base URL, the OpenAPI document's server
	// Portal, when set, answers what no route took (the web portal's pages and
	// assets: webportal.Portal.Handler); it calls Next for what is not its own.
	Portal fiber.Handler
	// Tracer, when set, puts a server span on each request (see traceRequests),
	// continuing a caller's traceparent read with Propagator.
	Tracer     trace.TracerProvider
	Propagator propagation.TextMapPropagator
}

// Module is one context's set of routes.
type Module interface {
	Register(r *Router)
}

// Authenticator turns a bearer credential (a token or a partner API key) into a
// principal; any bad credential is kernel.KindUnauthenticated.
type Authenticator interface {
	Authenticate(ctx context.Context, credential string) (kernel.Principal, error)
}

// Check is a readiness probe of one dependency.
type Check struct {
	Name string
	Fn   func(ctx context.Context) error
	// Explain: /readyz shows the failing check's kernel.Error message (meant for
	// operators, e.g. "the database schema is behind this binary") rather than
	// "unreachable".
	Explain bool
}

// Server is the HTTP API.
type Server struct {
	app     *fiber.App
	cfg     Config
	log     *slog.Logger
	spec    *Spec
	metrics *metrics
	auth    Authenticator
	checks  []Check
}

// New builds the server with its middleware and the platform routes
// (/healthz, /readyz, /openapi.json), then registers each module. /metrics is
// served apart, by ServeMetrics.
func New(cfg Config, log *slog.Logger, auth Authenticator, checks []Check, modules ...Module) *Server {
	if cfg.BodyLimit <= 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.UploadLimit <= 0 {
		cfg.UploadLimit = 20 << 20
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 15 * time.Second
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = 30 * time.Second
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 15 * time.Second
	}
	if cfg.Version == "" {
		cfg.Version = "dev" // OpenAPI requires a non-empty info.version
	}
	s := &Server{cfg: cfg, log: log, spec: newSpec(cfg.Version, cfg.PublicURL), metrics: newMetrics(), auth: auth, checks: checks}
	s.app = fiber.New(fiber.Config{
		AppName: "multisaude",
		// Every string and byte slice the Ctx hands out (params, headers, method,
		// query, body) is a copy the caller owns. Without it they alias fasthttp's
		// reused buffers and anything kept past the handler (a cache key, a metric
		// label, a claim, a goroutine) silently changes under a later request: that
		// is how a booking of one professional was confirmed with another.
		Immutable:               true,
		BodyLimit:               max(cfg.BodyLimit, cfg.UploadLimit), // per-route limits are checked in limitBody
		ReadTimeout:             cfg.ReadTimeout,
		WriteTimeout:            cfg.WriteTimeout,
		IdleTimeout:             60 * time.Second,
		ErrorHandler:            errorHandler(log, s.metrics),
		DisableStartupMessage:   true,
		EnableTrustedProxyCheck: len(cfg.TrustedProxies) > 0,
		TrustedProxies:          cfg.TrustedProxies,
		ProxyHeader:             proxyHeader(cfg.TrustedProxies),
		StrictRouting:           false,
		CaseSensitive:           true,
	})
	s.app.Use(s.requestID)
	if cfg.Tracer != nil && cfg.Propagator != nil {
		// before the access log, which logs inside the span with its trace_id
		s.app.Use(traceRequests(cfg.Tracer.Tracer("github.com/multisaude/multisaude/adapters/http/httpapi"), cfg.Propagator))
	}
	s.app.Use(s.recoverer, s.accessLog, s.securityHeaders)
	if len(cfg.CORSOrigins) > 0 {
		s.app.Use(cors.New(cors.Config{
			AllowOrigins:  strings.Join(cfg.CORSOrigins, ","),
			AllowHeaders:  "Authorization, Content-Type, Idempotency-Key, If-Match, X-Request-ID",
			ExposeHeaders: "ETag, X-Request-ID, Location",
			MaxAge:        600,
		}))
	}

	r := &Router{server: s, group: s.app}
	s.platformRoutes(r)
	for _, m := range modules {
		m.Register(r)
	}
	if cfg.Portal != nil {
		s.app.Use(cfg.Portal)
	}
	s.app.Use(func(c *fiber.Ctx) error { return fiber.ErrNotFound })
	return s
}

func proxyHeader(trusted []string) string {
	if len(trusted) > 0 {
		return fiber.HeaderXForwardedFor
	}
	return ""
}

// App exposes the fiber app, for tests (app.Test) and the Lambda adapter.
func (s *Server) App() *fiber.App { return s.app }

// Spec returns the OpenAPI document built from the registered routes.
func (s *Server) Spec() *Spec { return s.spec }

// Serve listens until ctx ends, then drains in-flight requests for at most the
// shutdown timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- s.app.Listener(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down HTTP server", "timeout", s.cfg.ShutdownTimeout.String())
	shutdownErr := s.app.ShutdownWithTimeout(s.cfg.ShutdownTimeout)
	// If ctx ended before the listener was serving, Shutdown had nothing to stop:
	// closing the listener makes a late start return at once.
	_ = ln.Close()
	err := <-errc
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

const localsRequestID = "request_id"
const localsPrincipal = "principal"

// RequestID returns the request's ID.
func RequestID(c *fiber.Ctx) string {
	if v, ok := c.Locals(localsRequestID).(string); ok {
		return v
	}
	return ""
}

func (s *Server) requestID(c *fiber.Ctx) error {
	id := c.Get(fiber.HeaderXRequestID)
	if !usableRequestID(id) {
		id = kernel.NewID()
	}
	c.Locals(localsRequestID, id)
	c.Set(fiber.HeaderXRequestID, id)
	return c.Next()
}

// usableRequestID accepts a caller's request ID of at most 128 characters of
// the sets trace IDs use (UUIDs, ULIDs, W3C traceparent, X-Amzn-Trace-Id). Each
// request's log line carries it: an ID with an @ or a space (an e-mail or a
// name sent as a correlation ID) is replaced by our own.
func usableRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		switch c := id[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("-_.:;=/+", c) >= 0:
		default:
			return false
		}
	}
	return true
}

func (s *Server) recoverer(c *fiber.Ctx) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.ErrorContext(c.UserContext(), "panic in handler", "request_id", RequestID(c), "route", routeOf(c),
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = kernel.Internal(fmt.Errorf("panic: %v", r), "panic")
		}
	}()
	return c.Next()
}

func routeOf(c *fiber.Ctx) string {
	if r := c.Route(); r != nil && r.Path != "" && r.Path != "/" {
		return r.Path
	}
	return "unmatched"
}

func (s *Server) accessLog(c *fiber.Ctx) error {
	start := time.Now()
	err := c.Next()
	if err != nil {
		if herr := s.app.ErrorHandler(c, err); herr != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	status := c.Response().StatusCode()
	elapsed := time.Since(start)
	route := routeOf(c)
	s.metrics.observe(c.Method(), route, status, elapsed)
	// No query string, body, name, CPF or e-mail is ever logged.
	// A streamed body (a file download) is not read here: Body() would buffer it whole.
	size := c.Response().Header.ContentLength()
	if !c.Response().IsBodyStream() {
		size = len(c.Response().Body())
	}
	s.log.InfoContext(c.UserContext(), "request", "request_id", RequestID(c), "method", c.Method(), "route", route,
		"status", status, "duration_ms", float64(elapsed.Microseconds())/1000, "bytes", size)
	return nil
}

func (s *Server) securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	c.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	c.Set("Cache-Control", "no-store")
	return c.Next()
}

// authenticate resolves the Authorization header, if any, into a principal.
// A request without one is anonymous; a bad one is refused at once. It runs in
// each route's handler (see Router.Handle), after routing, so that a failure here
// (a 401, or a 503 when the accounts cannot be read) is logged and counted on
// the route asked for.
func (s *Server) authenticate(c *fiber.Ctx) error {
	h := c.Get(fiber.HeaderAuthorization)
	if h == "" || s.auth == nil {
		c.Locals(localsPrincipal, kernel.Anonymous)
		return nil
	}
	scheme, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(cred) == "" {
		return kernel.Unauthenticated("o cabeçalho Authorization deve ser \"Bearer <token>\"")
	}
	p, err := s.auth.Authenticate(c.UserContext(), strings.TrimSpace(cred))
	if err != nil {
		switch kernel.KindOf(err) {
		case kernel.KindInternal, kernel.KindUnavailable, kernel.KindForbidden: // a valid credential that may not be used (yet) says why
			return err
		}
		return kernel.Unauthenticated("a credencial é inválida ou expirou")
	}
	c.Locals(localsPrincipal, p)
	return nil
}

// PrincipalOf returns who is calling (kernel.Anonymous when nobody authenticated).
func PrincipalOf(c *fiber.Ctx) kernel.Principal {
	if p, ok := c.Locals(localsPrincipal).(kernel.Principal); ok {
		return p
	}
	return kernel.Anonymous
}

// ClientIP returns the caller's address (honouring trusted proxies only).
func ClientIP(c *fiber.Ctx) string { return c.IP() }
