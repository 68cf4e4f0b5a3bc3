package webrtcvideo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"sync"
	"time"
)

// Socket is one client's WebSocket as the hub sees it; callapi adapts the
// real one. Read enforces the read limit and deadlines, Write a write deadline.
type Socket interface {
	Read() ([]byte, error)  // the next text message
	Write(msg []byte) error // one text message
	Ping() error            // a ping control frame
	Close(code int, reason string)
}

// Limits of the signalling protocol.
const (
	MaxSignalMessage = 64 << 10 // bytes of one client message (an SDP with its candidates)
	maxSDP           = 48 << 10
	maxCandidate     = 2 << 10
	queueLen         = 64 // messages waiting for one socket; a client this slow is disconnected
	PingEvery        = 20 * time.Second
	rateWindow       = 10 * time.Second
	rateMax          = 300 // client messages per window
)

// WebSocket close codes the hub uses (4000-4999 are the application's).
const (
	CloseNormal   = 1000
	CloseGoingOut = 1001
	ClosePolicy   = 1008
	CloseRefused  = 4001 // the token does not admit, or the room is full
	CloseEnded    = 4004 // the room was ended, or the token expired
	CloseReplaced = 4009 // the same participant joined from another window
)

type member struct {
	sid, inst, acct, name string
	mod                   bool
	exp                   time.Time
	local                 *peer // nil when the socket is on another instance
}

type roomState struct{ members map[string]*member }

type hub struct {
	r     *Rooms
	mu    sync.Mutex
	rooms map[string]*roomState
	asm   map[string]*assembly
	seq   uint64
}

func newHub(r *Rooms) *hub {
	return &hub{r: r, rooms: map[string]*roomState{}, asm: map[string]*assembly{}}
}

// peer is a socket admitted on this instance.
type peer struct {
	sid    string
	room   string
	adm    Admission
	sock   Socket
	out    chan []byte
	done   chan struct{}
	wdone  chan struct{}
	once   sync.Once
	code   int
	reason string
	told   map[string]bool // other members this socket was told about (under hub.mu)
}

func newSID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// send queues msg; a full queue disconnects the socket (it does not keep up).
func (p *peer) send(msg []byte) {
	select {
	case <-p.done:
	case p.out <- msg:
	default:
		p.close(ClosePolicy, "fila cheia")
	}
}

// finish queues a last message, then closes.
func (p *peer) finish(msg []byte, code int, reason string) {
	p.send(msg)
	p.close(code, reason)
}

func (p *peer) close(code int, reason string) {
	p.once.Do(func() {
		p.code, p.reason = code, reason
		close(p.done)
	})
}

func (p *peer) writeLoop() {
	defer close(p.wdone)
	tick := time.NewTicker(PingEvery)
	defer tick.Stop()
	for {
		select {
		case m := <-p.out:
			if err := p.sock.Write(m); err != nil {
				p.close(CloseGoingOut, "")
			}
		case <-tick.C:
			if err := p.sock.Ping(); err != nil {
				p.close(CloseGoingOut, "")
			}
		case <-p.done:
			for {
				select {
				case m := <-p.out:
					if p.sock.Write(m) != nil {
						p.sock.Close(p.code, p.reason)
						return
					}
				default:
					p.sock.Close(p.code, p.reason)
					return
				}
			}
		}
	}
}

// messages to the client

type peerInfo struct {
	Name      string `json:"name"`
	Moderator bool   `json:"moderator"`
}

type iceServerOut struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

type joinedMsg struct {
	Type       string         `json:"type"`
	You        peerInfo       `json:"you"`
	Peer       *peerInfo      `json:"peer,omitempty"`
	Offerer    bool           `json:"offerer"`
	ICEServers []iceServerOut `json:"ice_servers"`
	ExpiresAt  time.Time      `json:"expires_at"`
}

type peerMsg struct {
	Type    string    `json:"type"` // peer-joined, peer-left
	Peer    *peerInfo `json:"peer,omitempty"`
	Offerer bool      `json:"offerer,omitempty"`
}

type noticeMsg struct {
	Type    string `json:"type"` // error, ended, expired, replaced
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func errorMsg(code, message string) []byte {
	return mustJSON(noticeMsg{Type: "error", Code: code, Message: message})
}

// offerer decides which of two participants sends the offer: the moderator
// (the professional), else the smaller account ID. Both sides agree without
// talking, whichever instance each is on.
func offerer(me, other *member) bool {
	if me.mod != other.mod {
		return me.mod
	}
	return me.acct < other.acct
}

// messages from the client

type iceCandidate struct {
	Candidate        string  `json:"candidate"`
	SDPMid           *string `json:"sdpMid,omitempty"`
	SDPMLineIndex    *int    `json:"sdpMLineIndex,omitempty"`
	UsernameFragment *string `json:"usernameFragment,omitempty"`
}

type clientMsg struct {
	Type      string        `json:"type"`
	Token     string        `json:"token,omitempty"`
	SDP       string        `json:"sdp,omitempty"`
	Candidate *iceCandidate `json:"candidate,omitempty"`
}

var errBadMessage = errors.New("bad message")

// relayable checks a client's signalling message and returns what the other
// peer gets: only the known fields, re-encoded.
func relayable(raw []byte) (msgType string, out []byte, err error) {
	var m clientMsg
	if err := json.Unmarshal(raw, &m); err != nil {
		return "", nil, errBadMessage
	}
	switch m.Type {
	case "offer", "answer":
		if m.SDP == "" || len(m.SDP) > maxSDP {
			return m.Type, nil, errBadMessage
		}
		return m.Type, mustJSON(clientMsg{Type: m.Type, SDP: m.SDP}), nil
	case "candidate":
		c := m.Candidate
		if c == nil || len(c.Candidate) > maxCandidate || (c.SDPMid != nil && len(*c.SDPMid) > 64) ||
			(c.UsernameFragment != nil && len(*c.UsernameFragment) > 256) || (c.SDPMLineIndex != nil && (*c.SDPMLineIndex < 0 || *c.SDPMLineIndex > 64)) {
			return m.Type, nil, errBadMessage
		}
		return m.Type, mustJSON(clientMsg{Type: m.Type, Candidate: c}), nil
	case "hangup":
		return m.Type, nil, nil
	}
	return "", nil, errBadMessage
}

// Serve runs one signalling socket until it closes: the first message is
// {"type":"join","token":"..."}; then offers, answers and candidates are
// relayed to the other participant.
func (r *Rooms) Serve(ctx context.Context, sock Socket) {
	h := r.hub
	raw, err := sock.Read()
	if err != nil {
		sock.Close(CloseNormal, "")
		return
	}
	var j clientMsg
	if json.Unmarshal(raw, &j) != nil || j.Type != "join" || j.Token == "" {
		_ = sock.Write(errorMsg("join_esperado", "a primeira mensagem deve ser {\"type\":\"join\",\"token\":...}"))
		sock.Close(ClosePolicy, "join esperado")
		return
	}
	adm, err := r.Admit(j.Token)
	if err != nil {
		code := CodeBadToken
		var re *RefusedError
		if errors.As(err, &re) {
			code = re.Code
		}
		_ = sock.Write(errorMsg(code, err.Error()))
		sock.Close(CloseRefused, code)
		return
	}
	p := &peer{sid: newSID(), room: adm.RoomID, adm: adm, sock: sock, out: make(chan []byte, queueLen),
		done: make(chan struct{}), wdone: make(chan struct{}), told: map[string]bool{}}
	if !h.join(ctx, p) {
		_ = sock.Write(errorMsg(CodeFull, "a chamada já tem dois participantes"))
		sock.Close(CloseRefused, CodeFull)
		return
	}
	go p.writeLoop()
	r.log.Info("video socket joined", "room", p.room, "sid", p.sid, "account_id", adm.AccountID, "moderator", adm.Moderator)
	timer := time.AfterFunc(adm.ExpiresAt.Sub(r.now()), func() {
		p.finish(mustJSON(noticeMsg{Type: "expired", Message: "O horário desta consulta terminou."}), CloseEnded, CodeExpired)
	})
	defer func() {
		timer.Stop()
		p.close(CloseNormal, "")
		<-p.wdone
		h.leave(p)
		r.log.Info("video socket left", "room", p.room, "sid", p.sid)
	}()

	windowStart, count := time.Now(), 0
	for {
		raw, err := sock.Read()
		if err != nil {
			return
		}
		select {
		case <-p.done:
			return
		default:
		}
		if now := time.Now(); now.Sub(windowStart) > rateWindow {
			windowStart, count = now, 0
		}
		if count++; count > rateMax {
			p.finish(errorMsg("muitas_mensagens", "mensagens demais em pouco tempo"), ClosePolicy, "muitas mensagens")
			return
		}
		typ, out, err := relayable(raw)
		if err != nil {
			p.finish(errorMsg("mensagem_invalida", "mensagem de sinalização inválida ou de tipo desconhecido"), ClosePolicy, "mensagem invalida")
			return
		}
		if typ == "hangup" {
			return
		}
		h.relay(ctx, p, out)
	}
}

// join admits p into its room (at most two distinct accounts; the same
// account again replaces its earlier socket) and tells everyone concerned.
func (h *hub) join(ctx context.Context, p *peer) bool {
	me := &member{sid: p.sid, inst: h.r.inst, acct: p.adm.AccountID, name: p.adm.DisplayName, mod: p.adm.Moderator,
		exp: p.adm.ExpiresAt, local: p}
	h.mu.Lock()
	rs := h.room(p.room)
	h.prune(rs)
	for _, m := range rs.members {
		if m.acct == me.acct {
			h.remove(rs, m, true)
			if m.local != nil {
				m.local.finish(mustJSON(noticeMsg{Type: "replaced", Message: "Você entrou nesta chamada em outra janela."}), CloseReplaced, "substituida")
			}
		}
	}
	if len(rs.members) >= 2 {
		h.mu.Unlock()
		return false
	}
	joined := joinedMsg{Type: "joined", You: peerInfo{Name: me.name, Moderator: me.mod}, ExpiresAt: p.adm.ExpiresAt,
		ICEServers: make([]iceServerOut, 0, len(h.r.cfg.ICEServers))}
	for _, s := range h.r.cfg.ICEServers {
		joined.ICEServers = append(joined.ICEServers, iceServerOut{URLs: s.URLs, Username: s.Username, Credential: s.Credential})
	}
	for _, m := range rs.members {
		joined.Peer = &peerInfo{Name: m.name, Moderator: m.mod}
		joined.Offerer = offerer(me, m)
		p.told[m.sid] = true
		if m.local != nil {
			h.tell(m, me)
		}
	}
	rs.members[me.sid] = me
	p.out <- mustJSON(joined) // the queue is empty: this never blocks
	h.mu.Unlock()
	h.publish(ctx, notice{K: "join", Room: p.room, SID: me.sid, Acct: me.acct, Name: me.name, Mod: me.mod, At: me.exp.UnixMilli()})
	return true
}

// tell says to local member m that other is in the room (once per socket).
// Called with h.mu held.
func (h *hub) tell(m, other *member) {
	if m.local == nil || m.local.told[other.sid] {
		return
	}
	m.local.told[other.sid] = true
	m.local.send(mustJSON(peerMsg{Type: "peer-joined", Peer: &peerInfo{Name: other.name, Moderator: other.mod}, Offerer: offerer(m, other)}))
}

func (h *hub) room(id string) *roomState {
	rs := h.rooms[id]
	if rs == nil {
		rs = &roomState{members: map[string]*member{}}
		h.rooms[id] = rs
	}
	return rs
}

// prune forgets remote members past their token's expiry (their instance may
// have died without saying so).
func (h *hub) prune(rs *roomState) {
	now := h.r.now()
	for _, m := range rs.members {
		if m.local == nil && !now.Before(m.exp) {
			h.remove(rs, m, true)
		}
	}
}

// remove drops m and, when notify, tells the room's local sockets it left.
// Called with h.mu held.
func (h *hub) remove(rs *roomState, m *member, notify bool) {
	if _, ok := rs.members[m.sid]; !ok {
		return
	}
	delete(rs.members, m.sid)
	if !notify {
		return
	}
	for _, o := range rs.members {
		if o.local != nil && o.local.told[m.sid] {
			delete(o.local.told, m.sid)
			o.local.send(mustJSON(peerMsg{Type: "peer-left"}))
		}
	}
}

func (h *hub) leave(p *peer) {
	h.mu.Lock()
	rs := h.rooms[p.room]
	present := false
	if rs != nil {
		if m, ok := rs.members[p.sid]; ok && m.local == p {
			present = true
			h.remove(rs, m, true)
		}
		if len(rs.members) == 0 {
			delete(h.rooms, p.room)
		}
	}
	h.mu.Unlock()
	if present {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		h.publish(ctx, notice{K: "leave", Room: p.room, SID: p.sid})
	}
}

// relay hands msg from p to the other participant, here or on another instance.
func (h *hub) relay(ctx context.Context, p *peer, msg []byte) {
	h.mu.Lock()
	rs := h.rooms[p.room]
	var to *member
	if rs != nil {
		if _, ok := rs.members[p.sid]; !ok {
			h.mu.Unlock()
			return // replaced meanwhile
		}
		for _, m := range rs.members {
			if m.sid != p.sid {
				to = m
			}
		}
	}
	if to != nil && to.local != nil {
		to.local.send(msg)
		h.mu.Unlock()
		return
	}
	h.seq++
	seq := h.seq
	h.mu.Unlock()
	if to == nil {
		return // nobody to talk to yet: the offerer offers again when the peer joins
	}
	h.publishSignal(ctx, p.room, p.sid, to.sid, seq, msg)
}

// endLocal closes this instance's sockets of room and forgets its members.
func (h *hub) endLocal(room string) {
	h.mu.Lock()
	rs := h.rooms[room]
	delete(h.rooms, room)
	h.mu.Unlock()
	if rs == nil {
		return
	}
	for _, m := range rs.members {
		if m.local != nil {
			m.local.finish(mustJSON(noticeMsg{Type: "ended", Message: "A consulta foi encerrada."}), CloseEnded, CodeEnded)
		}
	}
}

func (h *hub) closeAll() {
	h.mu.Lock()
	var ps []*peer
	for _, rs := range h.rooms {
		for _, m := range rs.members {
			if m.local != nil {
				ps = append(ps, m.local)
			}
		}
	}
	h.mu.Unlock()
	for _, p := range ps {
		p.close(CloseGoingOut, "servidor reiniciando")
	}
}

// Participants is how many sockets this instance holds in room (tests, metrics).
func (r *Rooms) Participants(room string) int {
	r.hub.mu.Lock()
	defer r.hub.mu.Unlock()
	n := 0
	if rs := r.hub.rooms[room]; rs != nil {
		for _, m := range rs.members {
			if m.local != nil {
				n++
			}
		}
	}
	return n
}
