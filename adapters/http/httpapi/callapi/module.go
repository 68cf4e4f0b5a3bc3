// Package callapi serves the built-in video provider's call page and its
// signalling WebSocket (webrtcvideo).
package callapi

import (
	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo"
)

// Module registers the call page and signalling.
type Module struct{ rooms *webrtcvideo.Rooms }

var _ httpapi.Module = (*Module)(nil)

// New builds the module.
func New(rooms *webrtcvideo.Rooms) *Module { return &Module{rooms: rooms} }

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {}
