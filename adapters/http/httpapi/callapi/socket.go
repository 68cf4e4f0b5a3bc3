package callapi

import (
	"errors"
	"sync"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/multisaude/multisaude/adapters/video/webrtcvideo"
)

const (
	joinWait   = 10 * time.Second // for the first (join) message
	idleWait   = 3 * webrtcvideo.PingEvery
	writeWait  = 10 * time.Second
	closeWait  = time.Second
	maxReasonB = 120
)

// socket adapts a WebSocket connection to webrtcvideo.Socket. Writes, pings
// and Close come from the hub's one writer goroutine (or before it starts).
type socket struct {
	c      *websocket.Conn
	joined bool
	once   sync.Once
}

var errNotText = errors.New("callapi: not a text message")

func newSocket(c *websocket.Conn) *socket {
	c.SetReadLimit(webrtcvideo.MaxSignalMessage)
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(idleWait)) })
	return &socket{c: c}
}

func (s *socket) Read() ([]byte, error) {
	wait := idleWait
	if !s.joined {
		wait, s.joined = joinWait, true
	}
	if err := s.c.SetReadDeadline(time.Now().Add(wait)); err != nil {
		return nil, err
	}
	t, msg, err := s.c.ReadMessage()
	if err != nil {
		return nil, err
	}
	if t != websocket.TextMessage {
		return nil, errNotText
	}
	return msg, nil
}

func (s *socket) Write(msg []byte) error {
	if err := s.c.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	return s.c.WriteMessage(websocket.TextMessage, msg)
}

func (s *socket) Ping() error {
	return s.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait))
}

func (s *socket) Close(code int, reason string) {
	s.once.Do(func() {
		if len(reason) > maxReasonB {
			reason = reason[:maxReasonB]
		}
		_ = s.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(closeWait))
		_ = s.c.Close()
	})
}
