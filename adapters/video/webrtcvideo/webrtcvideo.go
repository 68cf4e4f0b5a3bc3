// Package webrtcvideo is the built-in ports.VideoRooms: two participants'
// browsers connect peer to peer (WebRTC), with signalling over a WebSocket on
// our own server and STUN/TURN servers from configuration.
package webrtcvideo

import (
	"context"
	"log/slog"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// ICEServer is a STUN or TURN server handed to browsers.
type ICEServer struct {
	URLs       []string
	Username   string
	Credential string
}

// Config tunes the built-in rooms.
type Config struct {
	Secret     []byte // signs join tokens; at least 32 bytes
	ICEServers []ICEServer
	PagePath   string // the call page's path; default "/chamada"
}

// Rooms implements ports.VideoRooms with our own signalling.
type Rooms struct {
	cfg Config
	bus ports.LiveBus
	log *slog.Logger
}

var _ ports.VideoRooms = (*Rooms)(nil)

// New returns the rooms; bus carries signalling between API instances.
func New(cfg Config, bus ports.LiveBus, log *slog.Logger) (*Rooms, error) {
	return &Rooms{cfg: cfg, bus: bus, log: log}, nil
}

func (r *Rooms) Provider() string { return ports.VideoWebRTC }

// placeholders until the adapter lands

func (r *Rooms) CreateRoom(ctx context.Context, spec ports.VideoRoomSpec) (ports.VideoRoom, error) {
	return ports.VideoRoom{}, kernel.Unavailable(nil, "em construção")
}
func (r *Rooms) Join(ctx context.Context, room ports.VideoRoom, who ports.VideoParticipant, notBefore, expiresAt time.Time) (ports.VideoCredential, error) {
	return ports.VideoCredential{}, kernel.Unavailable(nil, "em construção")
}
func (r *Rooms) EndRoom(ctx context.Context, room ports.VideoRoom) error { return nil }
