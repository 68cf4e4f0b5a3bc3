// Package jitsivideo is ports.VideoRooms on a secured Jitsi Meet (token
// authentication): unguessable room names and a JWT per participant.
package jitsivideo

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config is the Jitsi deployment's token settings (prosody's app_id and app_secret).
type Config struct {
	BaseURL string // https://meet.hospital.example
	AppID   string // the token's iss and aud's application
	Secret  []byte // HS256 shared secret, at least 32 bytes
}

// Rooms implements ports.VideoRooms on Jitsi.
type Rooms struct{ cfg Config }

var _ ports.VideoRooms = (*Rooms)(nil)

// New checks cfg and returns the adapter.
func New(cfg Config) (*Rooms, error) { return &Rooms{cfg: cfg}, nil }

func (r *Rooms) Provider() string { return ports.VideoJitsi }

// placeholders until the adapter lands

func (r *Rooms) CreateRoom(ctx context.Context, spec ports.VideoRoomSpec) (ports.VideoRoom, error) {
	return ports.VideoRoom{}, kernel.Unavailable(nil, "em construção")
}
func (r *Rooms) Join(ctx context.Context, room ports.VideoRoom, who ports.VideoParticipant, notBefore, expiresAt time.Time) (ports.VideoCredential, error) {
	return ports.VideoCredential{}, kernel.Unavailable(nil, "em construção")
}
func (r *Rooms) EndRoom(ctx context.Context, room ports.VideoRoom) error { return nil }
