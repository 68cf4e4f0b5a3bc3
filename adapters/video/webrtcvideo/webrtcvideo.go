// Package webrtcvideo is the built-in ports.VideoRooms: two participants'
// browsers connect peer to peer (WebRTC), with signalling over a WebSocket on
// our own server and STUN/TURN servers from configuration.
//
// Rooms are ours: a room ID is an HMAC of the appointment ID, a join token is
// an HMAC-signed claim set (room, account, display name, moderator, window),
// and the signalling hub (hub.go) relays offers, answers and ICE candidates
// between the two participants, through ports.LiveBus when they are connected
// to different API instances (bus.go).
package webrtcvideo

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	// Now is the clock; nil means time.Now (tests move it).
	Now func() time.Time
}

// DefaultPagePath is the call page's path when Config.PagePath is empty.
const DefaultPagePath = "/chamada"

// SignalPath is the signalling WebSocket's path (callapi serves it).
const SignalPath = "/v1/video/signal"

// BusChannel is the ports.LiveBus channel the hubs of all instances share.
const BusChannel = "video"

const (
	maxAppointmentID = 200
	maxAccountID     = 200
	maxDisplayName   = 100 // characters
	roomIDLen        = 32  // base32 characters of the room HMAC
	endedMemory      = 7 * 24 * time.Hour
)

var (
	roomIDPattern   = regexp.MustCompile(`^[a-z2-7]{32}$`)
	pagePathPattern = regexp.MustCompile(`^(/[a-z0-9_-]{1,40}){1,3}$`)
	roomEncoding    = base32.StdEncoding.WithPadding(base32.NoPadding)
)

// ValidRoomID reports whether id has the shape of our room IDs.
func ValidRoomID(id string) bool { return roomIDPattern.MatchString(id) }

// Rooms implements ports.VideoRooms with our own signalling.
type Rooms struct {
	cfg      Config
	bus      ports.LiveBus
	log      *slog.Logger
	roomKey  []byte
	tokenKey []byte
	inst     string // this instance's ID on the bus

	mu    sync.Mutex
	ended map[string]endState // room → when it was ended (tokens issued before are refused)
	hub   *hub
	stop  func()
}

type endState struct {
	at       time.Time
	reopened bool // CreateRoom ran again after the end: new tokens work
}

var _ ports.VideoRooms = (*Rooms)(nil)

// New returns the rooms; bus carries signalling between API instances.
func New(cfg Config, bus ports.LiveBus, log *slog.Logger) (*Rooms, error) {
	var p kernel.Problems
	if len(cfg.Secret) < 32 {
		p.Add("secret", "a chave das salas de vídeo deve ter pelo menos 32 bytes")
	}
	if cfg.PagePath == "" {
		cfg.PagePath = DefaultPagePath
	}
	if !pagePathPattern.MatchString(cfg.PagePath) || strings.HasPrefix(cfg.PagePath, "/v1/") || cfg.PagePath == "/v1" {
		p.Add("page_path", "o caminho da página de chamada deve ser como /chamada (letras minúsculas, dígitos, - e _), fora de /v1")
	}
	for i, s := range cfg.ICEServers {
		if len(s.URLs) == 0 {
			p.Add("ice_servers["+itoa(i)+"].urls", "informe ao menos um endereço STUN ou TURN")
		}
		turn := false
		for _, u := range s.URLs {
			scheme, _, _ := strings.Cut(u, ":")
			switch scheme {
			case "stun", "stuns":
			case "turn", "turns":
				turn = true
			default:
				p.Add("ice_servers["+itoa(i)+"].urls", "o endereço deve começar com stun:, stuns:, turn: ou turns:")
			}
		}
		if turn && (s.Username == "" || s.Credential == "") {
			p.Add("ice_servers["+itoa(i)+"]", "um servidor TURN precisa de usuário e senha")
		}
	}
	if bus == nil {
		p.Add("bus", "o barramento entre instâncias é obrigatório")
	}
	if err := p.Err(); err != nil {
		return nil, err
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var id [8]byte
	_, _ = rand.Read(id[:])
	r := &Rooms{cfg: cfg, bus: bus, log: log, roomKey: derive(cfg.Secret, "room"), tokenKey: derive(cfg.Secret, "token"),
		inst: hex.EncodeToString(id[:]), ended: map[string]endState{}}
	r.hub = newHub(r)
	stop, err := bus.Subscribe(context.Background(), BusChannel, r.hub.onNotice, r.hub.onGap)
	if err != nil {
		return nil, kernel.Unavailable(err, "não foi possível assinar o canal de sinalização de vídeo")
	}
	r.stop = stop
	return r, nil
}

// Close stops listening to the bus and disconnects this instance's sockets.
func (r *Rooms) Close() {
	if r.stop != nil {
		r.stop()
	}
	r.hub.closeAll()
}

func derive(secret []byte, purpose string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("multisaude webrtcvideo " + purpose))
	return m.Sum(nil)
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// Provider names the provider.
func (r *Rooms) Provider() string { return ports.VideoWebRTC }

// PagePath is the call page's path.
func (r *Rooms) PagePath() string { return r.cfg.PagePath }

// ICEServers are the STUN/TURN servers browsers use.
func (r *Rooms) ICEServers() []ICEServer { return r.cfg.ICEServers }

func (r *Rooms) now() time.Time { return r.cfg.Now() }

// RoomID is appointmentID's room: stable, unguessable without the secret, and
// free of personal data.
func (r *Rooms) RoomID(appointmentID string) string {
	m := hmac.New(sha256.New, r.roomKey)
	m.Write([]byte(appointmentID))
	return strings.ToLower(roomEncoding.EncodeToString(m.Sum(nil)[:20]))
}

// CreateRoom returns appointment's room. After EndRoom it opens the same room
// again: credentials issued before the end stay refused.
func (r *Rooms) CreateRoom(ctx context.Context, spec ports.VideoRoomSpec) (ports.VideoRoom, error) {
	var p kernel.Problems
	switch {
	case strings.TrimSpace(spec.AppointmentID) == "":
		p.Add("appointment_id", "informe a consulta")
	case len(spec.AppointmentID) > maxAppointmentID:
		p.Add("appointment_id", "o identificador da consulta é longo demais")
	}
	if !spec.Start.IsZero() && !spec.End.IsZero() && !spec.End.After(spec.Start) {
		p.Add("end", "o fim da consulta deve ser depois do início")
	}
	if err := p.Err(); err != nil {
		return ports.VideoRoom{}, err
	}
	id := r.RoomID(spec.AppointmentID)
	r.mu.Lock()
	st, ended := r.ended[id]
	wasEnded := ended && !st.reopened
	if wasEnded {
		st.reopened = true
		r.ended[id] = st
	}
	r.mu.Unlock()
	if wasEnded {
		r.hub.publish(ctx, notice{K: "open", Room: id})
	}
	return ports.VideoRoom{Provider: ports.VideoWebRTC, RoomID: id, Data: map[string]string{}}, nil
}

func (r *Rooms) checkRoom(room ports.VideoRoom) error {
	if room.Provider != ports.VideoWebRTC || !ValidRoomID(room.RoomID) {
		return kernel.NotFound("sala de vídeo não encontrada")
	}
	return nil
}

// Join issues who's credential for room, valid in [notBefore, expiresAt)
// rounded inwards to whole seconds.
func (r *Rooms) Join(ctx context.Context, room ports.VideoRoom, who ports.VideoParticipant, notBefore, expiresAt time.Time) (ports.VideoCredential, error) {
	if err := r.checkRoom(room); err != nil {
		return ports.VideoCredential{}, err
	}
	var p kernel.Problems
	name := strings.TrimSpace(who.DisplayName)
	switch {
	case strings.TrimSpace(who.AccountID) == "":
		p.Add("account_id", "informe o participante")
	case len(who.AccountID) > maxAccountID:
		p.Add("account_id", "o identificador do participante é longo demais")
	}
	if !utf8.ValidString(name) || utf8.RuneCountInString(name) > maxDisplayName {
		p.Add("display_name", "o nome exibido deve ter no máximo %d caracteres", maxDisplayName)
	}
	nbf := notBefore.Truncate(time.Second)
	if nbf.Before(notBefore) {
		nbf = nbf.Add(time.Second)
	}
	exp := expiresAt.Truncate(time.Second)
	if notBefore.IsZero() || expiresAt.IsZero() || !exp.After(nbf) {
		p.Add("expires_at", "o fim da validade deve ser depois do início")
	}
	if err := p.Err(); err != nil {
		return ports.VideoCredential{}, err
	}
	r.mu.Lock()
	st, ended := r.ended[room.RoomID]
	r.mu.Unlock()
	if ended && !st.reopened {
		return ports.VideoCredential{}, kernel.NotFound("a sala de vídeo foi encerrada")
	}
	c := claims{Room: room.RoomID, Account: who.AccountID, Name: name, Moderator: who.Moderator,
		NotBefore: nbf.Unix(), Expires: exp.Unix(), Issued: r.now().UnixMilli()}
	tok := r.sign(c)
	return ports.VideoCredential{Provider: ports.VideoWebRTC, RoomID: room.RoomID,
		JoinURL: r.cfg.PagePath + "/" + room.RoomID + "#t=" + tok, Token: tok,
		Data:      map[string]string{"signal_path": SignalPath},
		NotBefore: time.Unix(c.NotBefore, 0).UTC(), ExpiresAt: time.Unix(c.Expires, 0).UTC()}, nil
}

// EndRoom ends room on every instance: its sockets close and the tokens issued
// so far are refused.
func (r *Rooms) EndRoom(ctx context.Context, room ports.VideoRoom) error {
	if room.Provider != ports.VideoWebRTC || !ValidRoomID(room.RoomID) {
		return nil // not ours, or never a room: nothing to end
	}
	at := r.now()
	r.markEnded(room.RoomID, at)
	r.hub.endLocal(room.RoomID)
	if err := r.hub.publish(ctx, notice{K: "end", Room: room.RoomID, At: at.UnixMilli()}); err != nil {
		return kernel.Unavailable(err, "não foi possível avisar as outras instâncias do fim da sala")
	}
	return nil
}

func (r *Rooms) markEnded(room string, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.ended[room]; ok && !st.at.Before(at) && !st.reopened {
		return
	}
	r.ended[room] = endState{at: at}
	for id, st := range r.ended { // forget ends older than any token's useful life
		if at.Sub(st.at) > endedMemory {
			delete(r.ended, id)
		}
	}
}

func (r *Rooms) reopen(room string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.ended[room]; ok {
		st.reopened = true
		r.ended[room] = st
	}
}
