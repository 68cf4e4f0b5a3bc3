package webrtcvideo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/video/webrtcvideo"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo/webrtcvideotest"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func newRooms(t *testing.T, cfg webrtcvideo.Config) *webrtcvideo.Rooms {
	t.Helper()
	if cfg.Secret == nil {
		cfg.Secret = secret
	}
	r, err := webrtcvideo.New(cfg, webrtcvideotest.NewBus(), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// The built-in hub keeps room state: after EndRoom, Join answers KindNotFound
// and earlier tokens are refused (the suite checks both).
func TestConformance(t *testing.T) {
	conformance.RunVideoRooms(t, func(t *testing.T) conformance.VideoHarness {
		r := newRooms(t, webrtcvideo.Config{})
		return conformance.VideoHarness{Rooms: r,
			Admits: func(t *testing.T, cred ports.VideoCredential) error {
				a, err := r.Admit(cred.Token)
				if err == nil && a.RoomID != cred.RoomID {
					return errors.New("the token names another room")
				}
				return err
			},
			Moderator: func(t *testing.T, cred ports.VideoCredential) (bool, error) {
				a, err := r.Admit(cred.Token)
				return a.Moderator, err
			}}
	})
}

func TestConfigChecked(t *testing.T) {
	bus := webrtcvideotest.NewBus()
	for _, tc := range []struct {
		name  string
		cfg   webrtcvideo.Config
		field string
	}{
		{"short secret", webrtcvideo.Config{Secret: []byte("curta")}, "secret"},
		{"page under /v1", webrtcvideo.Config{Secret: secret, PagePath: "/v1/chamada"}, "page_path"},
		{"page path with a slash at the end", webrtcvideo.Config{Secret: secret, PagePath: "/chamada/"}, "page_path"},
		{"ICE server without URL", webrtcvideo.Config{Secret: secret, ICEServers: []webrtcvideo.ICEServer{{}}}, "ice_servers[0].urls"},
		{"ICE server of an http URL", webrtcvideo.Config{Secret: secret, ICEServers: []webrtcvideo.ICEServer{{URLs: []string{"http://x"}}}}, "ice_servers[0].urls"},
		{"TURN without credentials", webrtcvideo.Config{Secret: secret, ICEServers: []webrtcvideo.ICEServer{{URLs: []string{"turn:turn.example.org"}}}}, "ice_servers[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := webrtcvideo.New(tc.cfg, bus, nil)
			var ke *kernel.Error
			if !errors.As(err, &ke) || ke.Kind != kernel.KindInvalid {
				t.Fatalf("err = %v, want KindInvalid", err)
			}
			found := false
			for _, f := range ke.Fields {
				found = found || f.Field == tc.field
			}
			if !found {
				t.Fatalf("no error on %s: %v", tc.field, ke.Fields)
			}
		})
	}
	if _, err := webrtcvideo.New(webrtcvideo.Config{Secret: secret}, nil, nil); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("no bus: %v", err)
	}
	ok := webrtcvideo.Config{Secret: secret, PagePath: "/consulta-video", ICEServers: []webrtcvideo.ICEServer{
		{URLs: []string{"stun:stun.example.org:3478"}}, {URLs: []string{"turns:turn.example.org:5349"}, Username: "u", Credential: "c"}}}
	if _, err := webrtcvideo.New(ok, bus, nil); err != nil {
		t.Fatal(err)
	}
}

func TestRoomIDsAndTokens(t *testing.T) {
	r := newRooms(t, webrtcvideo.Config{})
	other := newRooms(t, webrtcvideo.Config{Secret: []byte("another secret of at least 32 bytes!")})
	id := r.RoomID("appt-1")
	if !webrtcvideo.ValidRoomID(id) || id != r.RoomID("appt-1") || id == r.RoomID("appt-2") || id == other.RoomID("appt-1") {
		t.Fatalf("room IDs must be stable per appointment and depend on the secret: %s", id)
	}
	room, _ := r.CreateRoom(context.Background(), ports.VideoRoomSpec{AppointmentID: "appt-1"})
	now := time.Now()
	cred, err := r.Join(context.Background(), room, ports.VideoParticipant{AccountID: "a1", DisplayName: "Zé"}, now.Add(-time.Minute), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if cred.JoinURL != "/chamada/"+id+"#t="+cred.Token {
		t.Fatalf("JoinURL = %s", cred.JoinURL)
	}
	for _, c := range cred.Token {
		if !strings.ContainsRune("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.", c) {
			t.Fatalf("token is not URL-safe: %q", cred.Token)
		}
	}
	if _, err := other.Admit(cred.Token); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Fatalf("another secret admits: %v", err)
	}
	// flip each byte of the token: never admitted
	for i := range cred.Token {
		b := []byte(cred.Token)
		b[i] ^= 1
		if _, err := r.Admit(string(b)); err == nil {
			t.Fatalf("a token altered at byte %d is admitted", i)
		}
	}
	long := strings.Repeat("x", 101)
	if _, err := r.Join(context.Background(), room, ports.VideoParticipant{AccountID: "a1", DisplayName: long}, now, now.Add(time.Hour)); kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("a 101-character name: %v", err)
	}
	if _, err := r.Join(context.Background(), ports.VideoRoom{Provider: ports.VideoJitsi, RoomID: id}, ports.VideoParticipant{AccountID: "a1"}, now, now.Add(time.Hour)); kernel.KindOf(err) != kernel.KindNotFound {
		t.Fatalf("another provider's room: %v", err)
	}
}

func TestWindowFollowsTheClock(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	clock := now
	r := newRooms(t, webrtcvideo.Config{Now: func() time.Time { return clock }})
	room, _ := r.CreateRoom(context.Background(), ports.VideoRoomSpec{AppointmentID: "appt-w"})
	cred, err := r.Join(context.Background(), room, ports.VideoParticipant{AccountID: "a"}, now.Add(10*time.Minute+300*time.Millisecond), now.Add(time.Hour+700*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if !cred.NotBefore.Equal(now.Add(10*time.Minute+time.Second)) || !cred.ExpiresAt.Equal(now.Add(time.Hour)) {
		t.Fatalf("window rounded outwards: %s %s", cred.NotBefore, cred.ExpiresAt)
	}
	for _, tc := range []struct {
		at   time.Duration
		code string
	}{{0, webrtcvideo.CodeNotYet}, {10*time.Minute + time.Second, ""}, {59 * time.Minute, ""}, {time.Hour, webrtcvideo.CodeExpired}} {
		clock = now.Add(tc.at)
		_, err := r.Admit(cred.Token)
		var re *webrtcvideo.RefusedError
		switch {
		case tc.code == "" && err != nil:
			t.Errorf("at +%s: %v", tc.at, err)
		case tc.code != "" && (!errors.As(err, &re) || re.Code != tc.code):
			t.Errorf("at +%s: %v, want %s", tc.at, err, tc.code)
		}
	}
}
