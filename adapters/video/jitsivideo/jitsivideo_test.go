package jitsivideo_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/multisaude/multisaude/adapters/video/jitsivideo"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

const (
	testBase  = "https://meet.hospital.example"
	testAppID = "multisaude"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

// verify parses cred's token as the Jitsi server would: HS256 with the secret,
// aud "jitsi", iss the app, sub the domain, inside [nbf, exp), for cred's room.
func verify(cred ports.VideoCredential, secret []byte) (*jitsivideo.Claims, error) {
	var claims jitsivideo.Claims
	_, err := jwt.ParseWithClaims(cred.Token, &claims, func(*jwt.Token) (any, error) { return secret, nil },
		jwt.WithValidMethods([]string{"HS256"}), jwt.WithAudience("jitsi"), jwt.WithIssuer(testAppID),
		jwt.WithSubject("meet.hospital.example"), jwt.WithExpirationRequired())
	if err != nil {
		return nil, err
	}
	if claims.NotBefore == nil {
		return nil, errors.New("token has no nbf")
	}
	if claims.Room != cred.RoomID || claims.Room == "" {
		return nil, fmt.Errorf("token names room %q, credential %q", claims.Room, cred.RoomID)
	}
	if claims.Context.User.ID == "" {
		return nil, errors.New("token has no context.user.id")
	}
	if !claims.NotBefore.Time.Equal(cred.NotBefore) || !claims.ExpiresAt.Time.Equal(cred.ExpiresAt) {
		return nil, fmt.Errorf("token window [%v, %v), credential [%v, %v)", claims.NotBefore.Time, claims.ExpiresAt.Time, cred.NotBefore, cred.ExpiresAt)
	}
	want := testBase + "/" + cred.RoomID + "?jwt=" + url.QueryEscape(cred.Token)
	if cred.JoinURL != want {
		return nil, fmt.Errorf("JoinURL %q, want %q", cred.JoinURL, want)
	}
	return &claims, nil
}

func newRooms(t *testing.T) *jitsivideo.Rooms {
	t.Helper()
	r, err := jitsivideo.New(jitsivideo.Config{BaseURL: testBase + "/", AppID: testAppID, Secret: testSecret})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestConformance(t *testing.T) {
	conformance.RunVideoRooms(t, func(t *testing.T) conformance.VideoHarness {
		return conformance.VideoHarness{
			Rooms: newRooms(t),
			Admits: func(t *testing.T, cred ports.VideoCredential) error {
				_, err := verify(cred, testSecret)
				return err
			},
			Moderator: func(t *testing.T, cred ports.VideoCredential) (bool, error) {
				c, err := verify(cred, testSecret)
				if err != nil {
					return false, err
				}
				return c.Context.User.Moderator, nil
			},
		}
	})
}

func TestRoomNames(t *testing.T) {
	r := newRooms(t)
	a, b := r.RoomName("appt-1"), r.RoomName("appt-2")
	if a == b || a != r.RoomName("appt-1") {
		t.Fatalf("room names not stable and distinct: %q %q", a, b)
	}
	if a != strings.ToLower(a) || len(a) != 52 || strings.Contains(a, "appt") {
		t.Errorf("room name %q: want 52 lower-case base32 characters with no trace of the appointment", a)
	}
	other, err := jitsivideo.New(jitsivideo.Config{BaseURL: testBase, AppID: testAppID, Secret: []byte(strings.Repeat("x", 32))})
	if err != nil {
		t.Fatal(err)
	}
	if other.RoomName("appt-1") == a {
		t.Error("room name does not depend on the secret: guessable")
	}
}

func TestTokenRefusedWithOtherSecretOrOutsideWindow(t *testing.T) {
	r := newRooms(t)
	room, err := r.CreateRoom(t.Context(), ports.VideoRoomSpec{AppointmentID: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	who := ports.VideoParticipant{AccountID: "acc-1", DisplayName: "Paciente"}
	cred, err := r.Join(t.Context(), room, who, now.Add(-time.Minute), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify(cred, []byte(strings.Repeat("y", 32))); err == nil {
		t.Error("token verifies with another secret")
	}
	c, err := verify(cred, testSecret)
	if err != nil {
		t.Fatal(err)
	}
	if c.Context.User.Name != "Paciente" || c.Context.User.ID != "acc-1" || c.Context.User.Moderator {
		t.Errorf("context.user = %+v", c.Context.User)
	}
	early, err := r.Join(t.Context(), room, who, now.Add(time.Hour), now.Add(2*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify(early, testSecret); !errors.Is(err, jwt.ErrTokenNotValidYet) {
		t.Errorf("token before its window: %v, want not valid yet", err)
	}
	late, err := r.Join(t.Context(), room, who, now.Add(-2*time.Hour), now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verify(late, testSecret); !errors.Is(err, jwt.ErrTokenExpired) {
		t.Errorf("token after its window: %v, want expired", err)
	}
	if _, err := r.Join(t.Context(), ports.VideoRoom{Provider: ports.VideoChime, RoomID: "x"}, who, now, now.Add(time.Hour)); err == nil {
		t.Error("Join accepted another provider's room")
	}
	long := strings.Repeat("Á", 500)
	cred, err = r.Join(t.Context(), room, ports.VideoParticipant{AccountID: "acc-2", DisplayName: long}, now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(cred.Token) > 2000 {
		t.Errorf("a long display name makes a %d-byte token", len(cred.Token))
	}
}

func TestDomainIsTheTokensSubject(t *testing.T) {
	r, err := jitsivideo.New(jitsivideo.Config{BaseURL: testBase, AppID: testAppID, Secret: testSecret, Domain: "meet.jitsi"})
	if err != nil {
		t.Fatal(err)
	}
	room, _ := r.CreateRoom(t.Context(), ports.VideoRoomSpec{AppointmentID: "a1"})
	now := time.Now()
	cred, err := r.Join(t.Context(), room, ports.VideoParticipant{AccountID: "acc-1"}, now, now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var c jitsivideo.Claims
	if _, err := jwt.ParseWithClaims(cred.Token, &c, func(*jwt.Token) (any, error) { return testSecret, nil }, jwt.WithSubject("meet.jitsi")); err != nil {
		t.Errorf("sub: %v", err)
	}
	if !strings.HasPrefix(cred.JoinURL, testBase+"/") {
		t.Errorf("JoinURL %q is not on BaseURL", cred.JoinURL)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	good := jitsivideo.Config{BaseURL: testBase, AppID: testAppID, Secret: testSecret}
	cases := []struct {
		name string
		edit func(*jitsivideo.Config)
		ok   bool
	}{
		{"good", func(*jitsivideo.Config) {}, true},
		{"localhost http", func(c *jitsivideo.Config) { c.BaseURL = "http://localhost:8443" }, true},
		{"loopback http", func(c *jitsivideo.Config) { c.BaseURL = "http://127.0.0.1:8000" }, true},
		{"plain http", func(c *jitsivideo.Config) { c.BaseURL = "http://meet.example" }, false},
		{"no url", func(c *jitsivideo.Config) { c.BaseURL = "" }, false},
		{"not a url", func(c *jitsivideo.Config) { c.BaseURL = "meet.example" }, false},
		{"ftp", func(c *jitsivideo.Config) { c.BaseURL = "ftp://meet.example" }, false},
		{"short secret", func(c *jitsivideo.Config) { c.Secret = []byte("short") }, false},
		{"no app", func(c *jitsivideo.Config) { c.AppID = " " }, false},
	}
	for _, c := range cases {
		cfg := good
		c.edit(&cfg)
		_, err := jitsivideo.New(cfg)
		if (err == nil) != c.ok {
			t.Errorf("%s: New error %v, want ok=%v", c.name, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "deve") && !strings.Contains(err.Error(), "obrigatório") && !strings.Contains(err.Error(), "válido") {
			t.Errorf("%s: error not in Portuguese: %v", c.name, err)
		}
	}
}
