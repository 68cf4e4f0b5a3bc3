// Package chimevideo is ports.VideoRooms on Amazon Chime SDK Meetings: REST
// calls (CreateMeeting, CreateAttendee, DeleteMeeting) signed with SigV4.
package chimevideo

import (
	"context"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config says where and how to call Chime.
type Config struct {
	Region      string // the API's region, for the endpoint and the signature (e.g. us-east-1)
	MediaRegion string // where media flows (e.g. sa-east-1)
	Endpoint    string // "" is https://meetings-chime.<Region>.amazonaws.com (tests point it elsewhere)
	Credentials aws.CredentialsProvider
	HTTPClient  *http.Client // nil: a client with a timeout
}

// Rooms implements ports.VideoRooms on Chime.
type Rooms struct{ cfg Config }

var _ ports.VideoRooms = (*Rooms)(nil)

// New checks cfg and returns the adapter.
func New(cfg Config) (*Rooms, error) { return &Rooms{cfg: cfg}, nil }

func (r *Rooms) Provider() string { return ports.VideoChime }

// placeholders until the adapter lands

func (r *Rooms) CreateRoom(ctx context.Context, spec ports.VideoRoomSpec) (ports.VideoRoom, error) {
	return ports.VideoRoom{}, kernel.Unavailable(nil, "em construção")
}
func (r *Rooms) Join(ctx context.Context, room ports.VideoRoom, who ports.VideoParticipant, notBefore, expiresAt time.Time) (ports.VideoCredential, error) {
	return ports.VideoCredential{}, kernel.Unavailable(nil, "em construção")
}
func (r *Rooms) EndRoom(ctx context.Context, room ports.VideoRoom) error {
	return kernel.Unavailable(nil, "em construção")
}
