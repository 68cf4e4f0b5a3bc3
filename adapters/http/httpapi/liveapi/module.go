// Package liveapi is the live side of the API: WebSocket tickets and the
// WebSocket (GET /v1/ws) that delivers chat messages as they are sent, with
// resume from the last message a client saw.
package liveapi

import (
	_ "github.com/gofiber/contrib/websocket" // the WebSocket routes (placeholder import until they land)

	"log/slog"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/ports"
)

// Module registers the live routes and holds this instance's sockets.
type Module struct {
	svc *chat.Service
	bus ports.LiveBus
	log *slog.Logger
}

var _ httpapi.Module = (*Module)(nil)

// New builds the module; Close ends its sockets.
func New(svc *chat.Service, bus ports.LiveBus, log *slog.Logger) *Module {
	return &Module{svc: svc, bus: bus, log: log}
}

// Close disconnects every socket (at shutdown).
func (m *Module) Close() {}

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {}
