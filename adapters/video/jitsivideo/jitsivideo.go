// Package jitsivideo is ports.VideoRooms on a secured Jitsi Meet (token
// authentication): unguessable room names and a JWT per participant.
//
// Jitsi keeps no room state we can query or end: a room exists while someone is
// in it. EndRoom is therefore nil, and ending is enforced by our use case, which
// refuses new credentials for an ended appointment, and by each token's exp,
// which is never later than the window the use case asks for.
package jitsivideo

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golang-jwt/jwt/v5"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Config is the Jitsi deployment's token settings (prosody's app_id and app_secret).
type Config struct {
	BaseURL string // https://meet.hospital.example
	AppID   string // the token's iss and aud's application
	Secret  []byte // HS256 shared secret, at least 32 bytes
	// Domain is the tokens' sub: the Jitsi (XMPP) domain prosody expects, which
	// differs from the web host in some deployments (docker's "meet.jitsi").
	// "" is BaseURL's host.
	Domain string
}

// MinSecretLen is the shortest secret New accepts.
const MinSecretLen = 32

// Limits on what a token carries.
const (
	maxAppointmentID = 128
	maxAccountID     = 128
	maxDisplayName   = 120 // runes; longer names are cut
)

// Rooms implements ports.VideoRooms on Jitsi.
type Rooms struct {
	cfg    Config
	base   string // BaseURL without a trailing slash
	domain string // the token's sub: the Jitsi host
}

var _ ports.VideoRooms = (*Rooms)(nil)

// New checks cfg and returns the adapter.
func New(cfg Config) (*Rooms, error) {
	var errs []error
	u, err := url.Parse(strings.TrimSpace(cfg.BaseURL))
	switch {
	case cfg.BaseURL == "":
		errs = append(errs, errors.New("jitsivideo: o endereço do Jitsi (BaseURL) é obrigatório"))
	case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
		errs = append(errs, errors.New("jitsivideo: o endereço do Jitsi (BaseURL) não é um URL válido"))
	case u.Scheme == "https":
	case u.Scheme == "http" && isLocal(u.Hostname()):
	default:
		errs = append(errs, errors.New("jitsivideo: o endereço do Jitsi (BaseURL) deve usar https (http só para localhost)"))
	}
	if strings.TrimSpace(cfg.AppID) == "" {
		errs = append(errs, errors.New("jitsivideo: o identificador da aplicação (AppID) é obrigatório"))
	}
	if len(cfg.Secret) < MinSecretLen {
		errs = append(errs, errors.New("jitsivideo: o segredo (Secret) deve ter pelo menos 32 bytes"))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	cfg.Secret = append([]byte(nil), cfg.Secret...)
	domain := strings.TrimSpace(cfg.Domain)
	if domain == "" {
		domain = u.Hostname()
	}
	return &Rooms{cfg: cfg, base: strings.TrimRight(u.String(), "/"), domain: domain}, nil
}

func isLocal(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (r *Rooms) Provider() string { return ports.VideoJitsi }

// Domain is the Jitsi host, the tokens' sub.
func (r *Rooms) Domain() string { return r.domain }

// RoomName is the room of an appointment: HMAC-SHA256 of its ID with the
// secret, base32, lower case. Stable per appointment, unguessable without the
// secret, and free of personal data.
func (r *Rooms) RoomName(appointmentID string) string {
	mac := hmac.New(sha256.New, r.cfg.Secret)
	mac.Write([]byte("multisaude/jitsi-room/v1\x00"))
	mac.Write([]byte(appointmentID))
	return strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(mac.Sum(nil)))
}

// CreateRoom names the appointment's room; Jitsi creates it when the first
// participant arrives.
func (r *Rooms) CreateRoom(ctx context.Context, spec ports.VideoRoomSpec) (ports.VideoRoom, error) {
	var p kernel.Problems
	switch {
	case strings.TrimSpace(spec.AppointmentID) == "":
		p.Add("appointment_id", "o identificador da consulta é obrigatório")
	case len(spec.AppointmentID) > maxAppointmentID:
		p.Add("appointment_id", "o identificador da consulta é longo demais")
	}
	if !spec.Start.IsZero() && !spec.End.IsZero() && !spec.End.After(spec.Start) {
		p.Add("end", "o fim deve ser depois do início")
	}
	if err := p.Err(); err != nil {
		return ports.VideoRoom{}, err
	}
	if err := ctx.Err(); err != nil {
		return ports.VideoRoom{}, kernel.Unavailable(err, "a criação da sala foi cancelada")
	}
	return ports.VideoRoom{Provider: ports.VideoJitsi, RoomID: r.RoomName(spec.AppointmentID)}, nil
}

// Claims is the token Jitsi's prosody token plugin checks.
type Claims struct {
	jwt.RegisteredClaims
	Room    string  `json:"room"`
	Context Context `json:"context"`
}

// Context is the token's context claim.
type Context struct {
	User User `json:"user"`
}

// User is the token's context.user claim.
type User struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Moderator bool   `json:"moderator"`
}

// Join signs who's token for room, valid in [notBefore, expiresAt) (rounded
// down to whole seconds).
func (r *Rooms) Join(ctx context.Context, room ports.VideoRoom, who ports.VideoParticipant, notBefore, expiresAt time.Time) (ports.VideoCredential, error) {
	var p kernel.Problems
	if room.RoomID == "" || len(room.RoomID) > 128 || (room.Provider != "" && room.Provider != ports.VideoJitsi) {
		p.Add("room", "a sala não é uma sala do Jitsi")
	}
	switch {
	case strings.TrimSpace(who.AccountID) == "":
		p.Add("account_id", "o identificador da conta é obrigatório")
	case len(who.AccountID) > maxAccountID:
		p.Add("account_id", "o identificador da conta é longo demais")
	}
	if notBefore.IsZero() || expiresAt.IsZero() {
		p.Add("expires_at", "a janela de acesso é obrigatória")
	} else if !expiresAt.Truncate(time.Second).After(notBefore.Truncate(time.Second)) {
		p.Add("expires_at", "a validade deve terminar depois de começar")
	}
	if err := p.Err(); err != nil {
		return ports.VideoCredential{}, err
	}
	nb := jwt.NewNumericDate(notBefore)
	exp := jwt.NewNumericDate(expiresAt)
	claims := Claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    r.cfg.AppID,
			Subject:   r.domain,
			Audience:  jwt.ClaimStrings{"jitsi"},
			NotBefore: nb,
			IssuedAt:  jwt.NewNumericDate(time.Now()),
			ExpiresAt: exp,
			ID:        tokenID(),
		},
		Room:    room.RoomID,
		Context: Context{User: User{ID: who.AccountID, Name: cutName(who.DisplayName), Moderator: who.Moderator}},
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(r.cfg.Secret)
	if err != nil {
		return ports.VideoCredential{}, kernel.Internal(err, "não foi possível assinar o token do Jitsi")
	}
	return ports.VideoCredential{
		Provider:  ports.VideoJitsi,
		RoomID:    room.RoomID,
		JoinURL:   r.base + "/" + url.PathEscape(room.RoomID) + "?jwt=" + url.QueryEscape(token),
		Token:     token,
		NotBefore: nb.Time.UTC(),
		ExpiresAt: exp.Time.UTC(),
	}, nil
}

// EndRoom is nil: Jitsi keeps no room state we can end (see the package comment).
func (r *Rooms) EndRoom(ctx context.Context, room ports.VideoRoom) error { return nil }

func tokenID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// cutName trims name to maxDisplayName runes, dropping invalid UTF-8.
func cutName(name string) string {
	name = strings.ToValidUTF8(strings.TrimSpace(name), "")
	if utf8.RuneCountInString(name) <= maxDisplayName {
		return name
	}
	return string([]rune(name)[:maxDisplayName])
}
