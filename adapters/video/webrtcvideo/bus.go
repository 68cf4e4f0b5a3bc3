package webrtcvideo

import (
	"bytes"
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/multisaude/multisaude/ports"
)

// notice is one message between the hubs of different instances, on
// BusChannel: a JSON header, then for "sig" a newline and a chunk of the
// relayed message (an SDP can be larger than one ports.MaxLiveNotice).
//
//	join   a socket joined (room, sid, account, name, moderator, expiry)
//	here   answer to join: a socket already in the room (To: the joiner; "" after a gap)
//	full   answer to join: the room already has two participants (To: the joiner)
//	leave  a socket left
//	sig    part Part of Parts of relayed message ID from SID to To
//	end    the room was ended at At (ms): close its sockets, refuse older tokens
//	open   the room was created again after its end
type notice struct {
	K     string `json:"k"`
	Inst  string `json:"i"`
	Room  string `json:"r"`
	SID   string `json:"s,omitempty"`
	To    string `json:"to,omitempty"`
	Acct  string `json:"a,omitempty"`
	Name  string `json:"n,omitempty"`
	Mod   bool   `json:"m,omitempty"`
	At    int64  `json:"at,omitempty"`
	ID    uint64 `json:"id,omitempty"`
	Part  int    `json:"p,omitempty"`
	Parts int    `json:"ps,omitempty"`
}

const (
	chunkSize     = 3000 // bytes of a relayed message per notice, under ports.MaxLiveNotice with the header
	maxAssemblies = 256
	assemblyTTL   = 30 * time.Second
)

type assembly struct {
	buf     []byte
	next    int
	started time.Time
}

func (h *hub) publish(ctx context.Context, n notice) error {
	n.Inst = h.r.inst
	b, _ := json.Marshal(n)
	err := h.r.bus.Publish(ctx, BusChannel, b)
	if err != nil {
		h.r.log.Warn("video bus publish failed", "kind", n.K, "room", n.Room, "error", err.Error())
	}
	return err
}

func (h *hub) publishSignal(ctx context.Context, room, from, to string, id uint64, msg []byte) {
	parts := (len(msg) + chunkSize - 1) / chunkSize
	for i := 0; i < parts; i++ {
		chunk := msg[i*chunkSize : min(len(msg), (i+1)*chunkSize)]
		hdr, _ := json.Marshal(notice{K: "sig", Inst: h.r.inst, Room: room, SID: from, To: to, ID: id, Part: i, Parts: parts})
		payload := make([]byte, 0, len(hdr)+1+len(chunk))
		payload = append(append(append(payload, hdr...), '\n'), chunk...)
		if len(payload) > ports.MaxLiveNotice {
			return
		}
		if err := h.r.bus.Publish(ctx, BusChannel, payload); err != nil {
			h.r.log.Warn("video bus publish failed", "kind", "sig", "room", room, "error", err.Error())
			return
		}
	}
}

// onNotice handles another instance's notice; it returns quickly (queues only).
func (h *hub) onNotice(payload []byte) {
	hdr, body, _ := bytes.Cut(payload, []byte{'\n'})
	var n notice
	if json.Unmarshal(hdr, &n) != nil || n.Inst == h.r.inst || !ValidRoomID(n.Room) {
		return
	}
	switch n.K {
	case "join":
		h.remoteJoin(n)
	case "here":
		h.remoteHere(n)
	case "full":
		h.remoteFull(n)
	case "leave":
		h.mu.Lock()
		if rs := h.rooms[n.Room]; rs != nil {
			if m := rs.members[n.SID]; m != nil && m.local == nil {
				h.remove(rs, m, true)
			}
			if len(rs.members) == 0 {
				delete(h.rooms, n.Room)
			}
		}
		h.mu.Unlock()
	case "sig":
		h.remoteSignal(n, body)
	case "end":
		h.r.markEnded(n.Room, time.UnixMilli(n.At))
		h.endLocal(n.Room)
	case "open":
		h.r.reopen(n.Room)
	}
}

func remoteMember(n notice) *member {
	return &member{sid: n.SID, inst: n.Inst, acct: n.Acct, name: n.Name, mod: n.Mod, exp: time.UnixMilli(n.At)}
}

// remoteJoin records a socket that joined on another instance and answers
// with this instance's sockets in the room (or "full").
func (h *hub) remoteJoin(n notice) {
	if n.SID == "" || n.Acct == "" {
		return
	}
	var replies []notice
	h.mu.Lock()
	rs := h.room(n.Room)
	h.prune(rs)
	for _, m := range rs.members {
		if m.acct == n.Acct && m.sid != n.SID {
			h.remove(rs, m, true)
			if m.local != nil {
				m.local.finish(mustJSON(noticeMsg{Type: "replaced", Message: "Você entrou nesta chamada em outra janela."}), CloseReplaced, "substituida")
			}
		}
	}
	hasLocal := false
	for _, m := range rs.members {
		hasLocal = hasLocal || m.local != nil
	}
	if len(rs.members) >= 2 {
		if hasLocal {
			replies = append(replies, notice{K: "full", Room: n.Room, To: n.SID})
		}
	} else {
		nm := remoteMember(n)
		for _, m := range rs.members {
			if m.local != nil {
				h.tell(m, nm)
				replies = append(replies, notice{K: "here", Room: n.Room, SID: m.sid, To: n.SID, Acct: m.acct, Name: m.name, Mod: m.mod, At: m.exp.UnixMilli()})
			}
		}
		rs.members[nm.sid] = nm
	}
	if len(rs.members) == 0 {
		delete(h.rooms, n.Room)
	}
	h.mu.Unlock()
	h.reply(replies)
}

func (h *hub) reply(ns []notice) {
	if len(ns) == 0 {
		return
	}
	go func() { // the bus's callback must return quickly
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for _, n := range ns {
			_ = h.publish(ctx, n)
		}
	}()
}

// remoteHere records a socket another instance already has in the room and
// tells this instance's sockets about it.
func (h *hub) remoteHere(n notice) {
	if n.SID == "" || n.Acct == "" {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	rs := h.rooms[n.Room]
	if rs == nil {
		return // nobody here cares
	}
	nm := rs.members[n.SID]
	if nm == nil {
		if len(rs.members) >= 2 {
			return
		}
		nm = remoteMember(n)
		rs.members[nm.sid] = nm
	}
	for _, m := range rs.members {
		if m.local != nil && m.sid != nm.sid {
			h.tell(m, nm)
		}
	}
}

// remoteFull refuses this instance's socket that joined a room another
// instance knows to be full.
func (h *hub) remoteFull(n notice) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rs := h.rooms[n.Room]
	if rs == nil {
		return
	}
	if m := rs.members[n.To]; m != nil && m.local != nil {
		h.remove(rs, m, true)
		m.local.finish(errorMsg(CodeFull, "a chamada já tem dois participantes"), CloseRefused, CodeFull)
	}
}

// remoteSignal reassembles a relayed message and queues it for its local addressee.
func (h *hub) remoteSignal(n notice, chunk []byte) {
	if n.Parts < 1 || n.Parts*chunkSize > MaxSignalMessage || n.Part < 0 || n.Part >= n.Parts {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	rs := h.rooms[n.Room]
	if rs == nil {
		return
	}
	to := rs.members[n.To]
	if to == nil || to.local == nil {
		return
	}
	if n.Parts == 1 {
		to.local.send(bytes.Clone(chunk))
		return
	}
	key := n.Inst + "/" + n.SID + "/" + strconv.FormatUint(n.ID, 10)
	a := h.asm[key]
	if n.Part == 0 {
		now := time.Now()
		for k, old := range h.asm {
			if now.Sub(old.started) > assemblyTTL {
				delete(h.asm, k)
			}
		}
		if len(h.asm) >= maxAssemblies {
			return
		}
		a = &assembly{started: now}
		h.asm[key] = a
	}
	if a == nil || a.next != n.Part {
		delete(h.asm, key)
		return
	}
	a.buf = append(a.buf, chunk...)
	a.next++
	if a.next == n.Parts {
		delete(h.asm, key)
		to.local.send(a.buf)
	}
}

// onGap re-announces this instance's sockets: notices may have been lost.
func (h *hub) onGap() {
	var ns []notice
	h.mu.Lock()
	for room, rs := range h.rooms {
		for _, m := range rs.members {
			if m.local != nil {
				ns = append(ns, notice{K: "here", Room: room, SID: m.sid, Acct: m.acct, Name: m.name, Mod: m.mod, At: m.exp.UnixMilli()})
			}
		}
	}
	h.mu.Unlock()
	h.reply(ns)
}
