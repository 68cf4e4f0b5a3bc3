package callapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/callapi"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo/webrtcvideotest"
	"github.com/multisaude/multisaude/ports"
)

var secret = []byte("0123456789abcdef0123456789abcdef-test")

// logBuf collects the servers' logs, to check they hold no names.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

type instance struct {
	host  string
	rooms *webrtcvideo.Rooms
}

// start runs an API server with callapi over real rooms on bus, on 127.0.0.1.
func start(t *testing.T, bus ports.LiveBus, logs io.Writer) *instance {
	t.Helper()
	if logs == nil {
		logs = io.Discard
	}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	rooms, err := webrtcvideo.New(webrtcvideo.Config{Secret: secret,
		ICEServers: []webrtcvideo.ICEServer{{URLs: []string{"stun:stun.example.org:3478"}}}}, bus, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.Config{}, log, nil, nil, callapi.New(rooms))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		rooms.Close()
		cancel()
		<-done
	})
	return &instance{host: ln.Addr().String(), rooms: rooms}
}

type creds struct {
	room          ports.VideoRoom
	pro, patient  ports.VideoCredential
	third         ports.VideoCredential
	appointmentID string
}

func issue(t *testing.T, r *webrtcvideo.Rooms, appointment string, nbf, exp time.Time) creds {
	t.Helper()
	ctx := context.Background()
	room, err := r.CreateRoom(ctx, ports.VideoRoomSpec{AppointmentID: appointment, Start: nbf, End: exp})
	if err != nil {
		t.Fatal(err)
	}
	c := creds{room: room, appointmentID: appointment}
	for _, x := range []struct {
		who ports.VideoParticipant
		out *ports.VideoCredential
	}{
		{ports.VideoParticipant{AccountID: "acct-pro", DisplayName: "Dra. Ana Souza", Moderator: true}, &c.pro},
		{ports.VideoParticipant{AccountID: "acct-patient", DisplayName: "João da Silva"}, &c.patient},
		{ports.VideoParticipant{AccountID: "acct-intruder", DisplayName: "Terceiro"}, &c.third},
	} {
		if *x.out, err = r.Join(ctx, room, x.who, nbf, exp); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func issueNow(t *testing.T, r *webrtcvideo.Rooms, appointment string) creds {
	now := time.Now()
	return issue(t, r, appointment, now.Add(-time.Minute), now.Add(time.Hour))
}

type client struct {
	t *testing.T
	c *websocket.Conn
}

func dial(t *testing.T, host string) *client {
	t.Helper()
	c, resp, err := websocket.DefaultDialer.Dial("ws://"+host+webrtcvideo.SignalPath, nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if resp.Body != nil {
		resp.Body.Close()
	}
	t.Cleanup(func() { c.Close() })
	return &client{t: t, c: c}
}

func (c *client) send(v any) {
	c.t.Helper()
	if err := c.c.WriteJSON(v); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *client) join(tok string) map[string]any {
	c.t.Helper()
	c.send(map[string]string{"type": "join", "token": tok})
	return c.read()
}

type msg = map[string]any

// read returns the next message, failing after 5 s.
func (c *client) read() msg {
	c.t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, raw, err := c.c.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	var m msg
	if err := json.Unmarshal(raw, &m); err != nil {
		c.t.Fatalf("bad JSON %q: %v", raw, err)
	}
	return m
}

// expect reads until a message of type typ arrives (skipping others) and returns it.
func (c *client) expect(typ string) msg {
	c.t.Helper()
	for i := 0; i < 10; i++ {
		m := c.read()
		if m["type"] == typ {
			return m
		}
	}
	c.t.Fatalf("no %q message", typ)
	return nil
}

// closed waits for the server to close the socket and returns the close code.
func (c *client) closed() int {
	c.t.Helper()
	_ = c.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		_, _, err := c.c.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if ok := asClose(err, &ce); ok {
			return ce.Code
		}
		c.t.Fatalf("not closed by the server: %v", err)
	}
}

func asClose(err error, out **websocket.CloseError) bool {
	ce, ok := err.(*websocket.CloseError)
	if ok {
		*out = ce
	}
	return ok
}

func bigSDP(n int) string {
	var b strings.Builder
	b.WriteString("v=0\r\n")
	for b.Len() < n {
		b.WriteString("a=candidate:1 1 udp 2122260223 192.0.2.1 50000 typ host généré\r\n")
	}
	return b.String()
}

// handshake joins the professional on a and the patient on b and checks who offers.
func handshake(t *testing.T, a, b *instance, c creds) (*client, *client) {
	t.Helper()
	pro := dial(t, a.host)
	j := pro.join(c.pro.Token)
	if j["type"] != "joined" || j["peer"] != nil {
		t.Fatalf("first joiner got %v", j)
	}
	if ice, _ := j["ice_servers"].([]any); len(ice) != 1 {
		t.Fatalf("ice_servers = %v", j["ice_servers"])
	}
	pat := dial(t, b.host)
	j = pat.join(c.patient.Token)
	if j["type"] != "joined" {
		t.Fatalf("second joiner got %v", j)
	}
	pj := pro.expect("peer-joined")
	if pj["offerer"] != true {
		t.Fatalf("the professional should offer: %v", pj)
	}
	if a == b { // the second joiner learns of the first in its joined message; across instances from a later peer-joined
		if j["offerer"] == true || j["peer"] == nil {
			t.Fatalf("patient's joined = %v", j)
		}
	} else if j["peer"] == nil {
		if pj2 := pat.expect("peer-joined"); pj2["offerer"] == true {
			t.Fatalf("patient must not offer: %v", pj2)
		}
	}
	return pro, pat
}

func exchange(t *testing.T, pro, pat *client) {
	t.Helper()
	offer := bigSDP(20 << 10) // several LiveBus notices
	pro.send(msg{"type": "offer", "sdp": offer})
	if got := pat.expect("offer"); got["sdp"] != offer {
		t.Fatalf("offer changed in transit (%d bytes)", len(got["sdp"].(string)))
	}
	pat.send(msg{"type": "answer", "sdp": "v=0\r\nanswer\r\n"})
	if got := pro.expect("answer"); got["sdp"] != "v=0\r\nanswer\r\n" {
		t.Fatalf("answer = %v", got)
	}
	cand := msg{"candidate": "candidate:1 1 udp 1 192.0.2.1 5000 typ host", "sdpMid": "0", "sdpMLineIndex": 0, "extra": "dropped"}
	pat.send(msg{"type": "candidate", "candidate": cand})
	got := pro.expect("candidate")["candidate"].(map[string]any)
	if got["candidate"] != cand["candidate"] || got["sdpMid"] != "0" || got["extra"] != nil {
		t.Fatalf("candidate = %v", got)
	}
}

func TestRelayBetweenTwoPeers(t *testing.T) {
	logs := &logBuf{}
	s := start(t, webrtcvideotest.NewBus(), logs)
	c := issueNow(t, s.rooms, "appt-relay")
	pro, pat := handshake(t, s, s, c)
	exchange(t, pro, pat)
	pat.send(msg{"type": "hangup"})
	pro.expect("peer-left")
	if pat.closed() != websocket.CloseNormalClosure {
		t.Fatal("hangup should close normally")
	}
	for _, name := range []string{"Ana", "João", "Silva"} {
		if strings.Contains(logs.String(), name) {
			t.Fatalf("logs hold a display name: %s", logs.String())
		}
	}
}

func TestThirdParticipantRefusedAndSameAccountReplaces(t *testing.T) {
	s := start(t, webrtcvideotest.NewBus(), nil)
	c := issueNow(t, s.rooms, "appt-third")
	pro, pat := handshake(t, s, s, c)
	third := dial(t, s.host)
	if m := third.join(c.third.Token); m["type"] != "error" || m["code"] != webrtcvideo.CodeFull {
		t.Fatalf("third got %v", m)
	}
	if code := third.closed(); code != webrtcvideo.CloseRefused {
		t.Fatalf("third closed with %d", code)
	}
	// the patient again from another window takes over the place
	again := dial(t, s.host)
	if m := again.join(c.patient.Token); m["type"] != "joined" || m["peer"] == nil {
		t.Fatalf("patient's second window got %v", m)
	}
	pat.expect("replaced")
	if code := pat.closed(); code != webrtcvideo.CloseReplaced {
		t.Fatalf("replaced socket closed with %d", code)
	}
	pro.expect("peer-left")
	pro.expect("peer-joined")
	exchange(t, pro, again)
}

func TestBadTokensRefused(t *testing.T) {
	s := start(t, webrtcvideotest.NewBus(), nil)
	now := time.Now()
	ok := issueNow(t, s.rooms, "appt-bad").pro.Token
	late := issue(t, s.rooms, "appt-late", now.Add(-2*time.Hour), now.Add(-time.Hour)).pro.Token
	early := issue(t, s.rooms, "appt-early", now.Add(time.Hour), now.Add(2*time.Hour)).pro.Token
	p, sig, _ := strings.Cut(ok, ".")
	forged := p + "." + strings.Repeat("A", len(sig))
	other, err := webrtcvideo.New(webrtcvideo.Config{Secret: bytes.Repeat([]byte("x"), 32)}, webrtcvideotest.NewBus(), nil)
	if err != nil {
		t.Fatal(err)
	}
	otherTok := issueNow(t, other, "appt-bad").pro.Token
	for _, tc := range []struct{ name, token, code string }{
		{"garbage", "not-a-token", webrtcvideo.CodeBadToken},
		{"forged signature", forged, webrtcvideo.CodeBadToken},
		{"other secret", otherTok, webrtcvideo.CodeBadToken},
		{"huge", strings.Repeat("a", 10000), webrtcvideo.CodeBadToken},
		{"expired", late, webrtcvideo.CodeExpired},
		{"not yet", early, webrtcvideo.CodeNotYet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cl := dial(t, s.host)
			m := cl.join(tc.token)
			if m["type"] != "error" || m["code"] != tc.code || m["message"] == "" {
				t.Fatalf("got %v, want error %s", m, tc.code)
			}
			if code := cl.closed(); code != webrtcvideo.CloseRefused {
				t.Fatalf("closed with %d", code)
			}
		})
	}
	t.Run("first message not a join", func(t *testing.T) {
		cl := dial(t, s.host)
		cl.send(msg{"type": "offer", "sdp": "v=0"})
		if m := cl.read(); m["type"] != "error" || m["code"] != "join_esperado" {
			t.Fatalf("got %v", m)
		}
		if code := cl.closed(); code != webrtcvideo.ClosePolicy {
			t.Fatalf("closed with %d", code)
		}
	})
	t.Run("unknown type after join", func(t *testing.T) {
		cl := dial(t, s.host)
		cl.join(ok)
		cl.send(msg{"type": "chat", "text": "olá"})
		if m := cl.expect("error"); m["code"] != "mensagem_invalida" {
			t.Fatalf("got %v", m)
		}
		if code := cl.closed(); code != webrtcvideo.ClosePolicy {
			t.Fatalf("closed with %d", code)
		}
	})
	t.Run("message over the read limit", func(t *testing.T) {
		cl := dial(t, s.host)
		cl.join(ok)
		cl.send(msg{"type": "offer", "sdp": strings.Repeat("a", webrtcvideo.MaxSignalMessage+1)})
		if code := cl.closed(); code != websocket.CloseMessageTooBig {
			t.Fatalf("closed with %d", code)
		}
	})
}

func TestEndRoomClosesSocketsAndRefusesTokens(t *testing.T) {
	s := start(t, webrtcvideotest.NewBus(), nil)
	c := issueNow(t, s.rooms, "appt-end")
	pro, pat := handshake(t, s, s, c)
	if err := s.rooms.EndRoom(context.Background(), c.room); err != nil {
		t.Fatal(err)
	}
	for _, cl := range []*client{pro, pat} {
		cl.expect("ended")
		if code := cl.closed(); code != webrtcvideo.CloseEnded {
			t.Fatalf("closed with %d", code)
		}
	}
	cl := dial(t, s.host)
	if m := cl.join(c.pro.Token); m["code"] != webrtcvideo.CodeEnded {
		t.Fatalf("old token after the end: %v", m)
	}
	// created again: new credentials work, old ones stay refused
	c2 := issueNow(t, s.rooms, "appt-end")
	if c2.room.RoomID != c.room.RoomID {
		t.Fatal("the room ID should be stable per appointment")
	}
	if m := dial(t, s.host).join(c2.pro.Token); m["type"] != "joined" {
		t.Fatalf("new token after re-creating: %v", m)
	}
	if m := dial(t, s.host).join(c.patient.Token); m["code"] != webrtcvideo.CodeEnded {
		t.Fatalf("old patient token after re-creating: %v", m)
	}
}

func TestClosesAtExpiry(t *testing.T) {
	s := start(t, webrtcvideotest.NewBus(), nil)
	now := time.Now()
	c := issue(t, s.rooms, "appt-exp", now.Add(-time.Minute), now.Add(2*time.Second))
	cl := dial(t, s.host)
	if m := cl.join(c.pro.Token); m["type"] != "joined" {
		t.Fatalf("got %v", m)
	}
	start := time.Now()
	cl.expect("expired")
	if code := cl.closed(); code != webrtcvideo.CloseEnded {
		t.Fatalf("closed with %d", code)
	}
	if time.Since(start) > 4*time.Second {
		t.Fatal("closed too late")
	}
}

func TestTwoInstancesOnOneBus(t *testing.T) {
	bus := webrtcvideotest.NewBus()
	a, b := start(t, bus, nil), start(t, bus, nil)
	c := issueNow(t, a.rooms, "appt-two")
	pro, pat := handshake(t, a, b, c)
	exchange(t, pro, pat)
	if a.rooms.Participants(c.room.RoomID) != 1 || b.rooms.Participants(c.room.RoomID) != 1 {
		t.Fatal("each instance should hold one socket")
	}
	third := dial(t, b.host)
	if m := third.join(c.third.Token); m["code"] != webrtcvideo.CodeFull {
		t.Fatalf("third on the second instance got %v", m)
	}
	third2 := dial(t, a.host)
	if m := third2.join(c.third.Token); m["code"] != webrtcvideo.CodeFull {
		t.Fatalf("third on the first instance got %v", m)
	}
	// the end, asked on A, closes the patient's socket on B
	if err := a.rooms.EndRoom(context.Background(), c.room); err != nil {
		t.Fatal(err)
	}
	pat.expect("ended")
	pro.expect("ended")
	late := dial(t, b.host)
	if m := late.join(c.patient.Token); m["code"] != webrtcvideo.CodeEnded {
		t.Fatalf("B should refuse tokens of a room ended on A: %v", m)
	}
}

func TestPeerLeftAcrossInstances(t *testing.T) {
	bus := webrtcvideotest.NewBus()
	a, b := start(t, bus, nil), start(t, bus, nil)
	c := issueNow(t, a.rooms, "appt-left")
	pro, pat := handshake(t, a, b, c)
	pat.c.Close() // the browser tab closes
	pro.expect("peer-left")
	again := dial(t, b.host)
	again.join(c.patient.Token)
	if m := pro.expect("peer-joined"); m["offerer"] != true {
		t.Fatalf("got %v", m)
	}
	exchange(t, pro, again)
}

func TestPageAndSocketOverHTTP(t *testing.T) {
	s := start(t, webrtcvideotest.NewBus(), nil)
	room := s.rooms.RoomID("appt-page")
	get := func(path string, hdr map[string]string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, "http://"+s.host+path, nil)
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("/chamada/"+room, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Fatalf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Fatalf("CSP allows unsafe code: %s", csp)
	}
	if !strings.Contains(body, `lang="pt-BR"`) || !strings.Contains(body, "Entrar na chamada") {
		t.Fatal("the page is not the Portuguese call page")
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, " onclick=") || strings.Contains(body, "http") {
		t.Fatal("the page has inline script or an external address")
	}
	for _, a := range []struct{ path, ct string }{{"/chamada/static/call.js", "text/javascript"}, {"/chamada/static/call.css", "text/css"}} {
		resp, body := get(a.path, nil)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), a.ct) || len(body) == 0 {
			t.Fatalf("%s: %d %s", a.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	for _, bad := range []string{"/chamada/NOT-A-ROOM", "/chamada/" + strings.Repeat("a", 31), "/chamada/" + room + "x"} {
		if resp, body := get(bad, nil); resp.StatusCode != 404 || !strings.Contains(resp.Header.Get("Content-Type"), "problem+json") || !strings.Contains(body, "sala") {
			t.Fatalf("%s: %d %s", bad, resp.StatusCode, body)
		}
	}
	if resp, body := get(webrtcvideo.SignalPath, nil); resp.StatusCode != 426 || !strings.Contains(body, "WebSocket") {
		t.Fatalf("plain GET of the socket: %d %s", resp.StatusCode, body)
	}
	hdr := http.Header{"Origin": {"https://evil.example"}}
	_, resp2, err := websocket.DefaultDialer.Dial("ws://"+s.host+webrtcvideo.SignalPath, hdr)
	if err == nil || resp2 == nil || resp2.StatusCode != 403 {
		t.Fatalf("a foreign origin must be refused: %v %v", err, resp2)
	}
	hdr = http.Header{"Origin": {"http://" + s.host}}
	c, _, err := websocket.DefaultDialer.Dial("ws://"+s.host+webrtcvideo.SignalPath, hdr)
	if err != nil {
		t.Fatalf("same origin refused: %v", err)
	}
	c.Close()
}

func TestManyRoomsConcurrently(t *testing.T) {
	bus := webrtcvideotest.NewBus()
	a, b := start(t, bus, nil), start(t, bus, nil)
	t.Run("rooms", func(t *testing.T) {
		for i := 0; i < 10; i++ {
			t.Run(string(rune('a'+i)), func(t *testing.T) {
				t.Parallel()
				c := issueNow(t, a.rooms, "appt-many-"+t.Name())
				pro, pat := handshake(t, a, b, c)
				exchange(t, pro, pat)
			})
		}
	})
}
