package ports

import (
	"context"
	"time"
)

// Video providers, as VideoRooms.Provider names them.
const (
	VideoChime  = "chime"
	VideoJitsi  = "jitsi"
	VideoWebRTC = "webrtc"
)

// VideoRoomSpec describes the room of one telemedicine appointment. It holds
// no personal data: providers see an appointment ID and times only.
type VideoRoomSpec struct {
	AppointmentID string
	Start, End    time.Time
}

// VideoRoom is a room as its provider knows it. The caller stores it (with the
// appointment) and hands it back to Join and EndRoom.
type VideoRoom struct {
	Provider string            // VideoChime, VideoJitsi or VideoWebRTC
	RoomID   string            // the provider's ID: Chime's MeetingId, Jitsi's room name, our room ID
	Data     map[string]string // what the provider needs again later (e.g. Chime's media placement)
}

// VideoParticipant is one person joining a room.
type VideoParticipant struct {
	AccountID   string
	DisplayName string // shown to the other participant
	Moderator   bool   // the professional
}

// VideoCredential is what one participant's client needs to join, valid only
// in [NotBefore, ExpiresAt).
type VideoCredential struct {
	Provider  string
	RoomID    string
	JoinURL   string            // a page that joins (Jitsi, the built-in call page); empty for Chime
	Token     string            // Jitsi's JWT, the built-in room's signed token, Chime's JoinToken
	Data      map[string]string // provider specifics the client SDK needs (Chime: meeting and attendee fields)
	NotBefore time.Time
	ExpiresAt time.Time
}

// VideoRooms creates rooms for appointments, issues per-participant join
// credentials and ends rooms.
type VideoRooms interface {
	// Provider names the provider (VideoChime, VideoJitsi or VideoWebRTC).
	Provider() string
	// CreateRoom creates the room of spec.AppointmentID. Creating again for the
	// same appointment returns a room that works (the same one while it lives).
	// kernel.KindInvalid for a bad spec; kernel.KindUnavailable when the
	// provider cannot be reached.
	CreateRoom(ctx context.Context, spec VideoRoomSpec) (VideoRoom, error)
	// Join issues who's credential for room, valid in [notBefore, expiresAt).
	// kernel.KindNotFound when the room no longer exists at the provider (ended
	// or expired: the caller may create it again); kernel.KindInvalid when
	// expiresAt is not after notBefore.
	Join(ctx context.Context, room VideoRoom, who VideoParticipant, notBefore, expiresAt time.Time) (VideoCredential, error)
	// EndRoom ends room and disconnects everyone in it; a credential issued
	// before no longer joins. Ending a room that is already gone returns nil.
	EndRoom(ctx context.Context, room VideoRoom) error
}
