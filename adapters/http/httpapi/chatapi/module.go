// Package chatapi is chat's HTTP routes: conversations, messages, read
// markers and attachments.
package chatapi

import (
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// Module registers chat's routes.
type Module struct{ svc *chat.Service }

var _ httpapi.Module = (*Module)(nil)

// New builds the module.
func New(svc *chat.Service) *Module { return &Module{svc: svc} }

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {}
