package liveapi

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	fws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// Close codes the server sends (with a short pt-BR reason).
const (
	CloseShutdown = websocket.CloseGoingAway         // 1001: the instance stops; reconnect with after=
	CloseInternal = websocket.CloseInternalServerErr // 1011
	CloseTooSlow  = 4008                             // the client did not read in time; reconnect with after=
	CloseLifetime = 4001                             // MaxSocketLife reached; ask for a new ticket
)

var socketQuery = []httpapi.Param{
	{Name: "ticket", Required: true, MaxLength: chat.MaxTicketLen, Description: "a ticket from POST /v1/ws/tickets (single use)"},
	{Name: "after", Format: "uuid", Description: "the ID of the last message the client holds: every later message of its conversations is sent first, in order, then {\"type\":\"ready\"}"},
}

const socketDescription = "Upgrades to a WebSocket (RFC 6455) that carries the caller's chat messages as they are sent, " +
	"in every conversation the caller takes part in. Authenticated by `ticket` (POST /v1/ws/tickets), never by a " +
	"header. The server sends JSON text frames: `{\"type\":\"message\",\"message\":{...}}` for each message, once " +
	"and in order (field `seq` increases), and `{\"type\":\"ready\"}` once the messages after `after` have been sent. " +
	"To resume after a disconnect, reconnect with a new ticket and `after` = the last message ID received: nothing " +
	"is lost in between. The server pings every 25 s; a client that does not answer, or reads too slowly, is " +
	"disconnected (close code 4008) and resumes the same way. Close code 1001 means the server is restarting; " +
	"4001 that the connection reached its maximum age (ask for a new ticket). A request that is not a WebSocket " +
	"upgrade answers 426; a missing, used or expired ticket 401, before any upgrade."

func (m *Module) registerSocket(r *httpapi.Router) {
	r.Handle(fiber.MethodGet, "/v1/ws", httpapi.Op{ID: "openWebSocket", Tag: tag, Auth: httpapi.Public,
		Summary:     "The live WebSocket: chat messages as they are sent, with resume from the last one seen",
		Description: socketDescription, Query: socketQuery,
		Responses: append([]httpapi.Response{{Status: fiber.StatusSwitchingProtocols,
			Description: "the connection is now a WebSocket (see the description for its frames)"}},
			httpapi.ProblemResponses(400, 401, 404, 426)...)}, m.openSocket)
}

// upgradeRequired answers a plain HTTP request to the WebSocket route.
func upgradeRequired(c *fiber.Ctx) error {
	c.Set(fiber.HeaderUpgrade, "websocket")
	c.Set(fiber.HeaderConnection, "Upgrade")
	p := httpapi.Problem{Type: "https://multisaude.com.br/problems/upgrade_required", Title: "Upgrade Required",
		Status: fiber.StatusUpgradeRequired, Detail: "esta rota só aceita WebSocket: abra-a com um cliente WebSocket",
		Instance: c.Path(), RequestID: httpapi.RequestID(c)}
	return c.Status(fiber.StatusUpgradeRequired).JSON(p, "application/problem+json")
}

func (m *Module) openSocket(c *fiber.Ctx) error {
	if !fws.IsWebSocketUpgrade(c) {
		return upgradeRequired(c)
	}
	// Checked before the ticket is spent: a malformed request keeps it.
	after := strings.Clone(c.Query("after"))
	if after != "" && !kernel.ValidID(after) {
		return kernel.Invalid("after", "deve ser o ID de uma mensagem (UUID)")
	}
	ticket := c.Query("ticket")
	if ticket == "" {
		return kernel.Unauthenticated("informe o ticket (peça um em POST /v1/ws/tickets)")
	}
	ctx := c.UserContext()
	p, err := m.svc.RedeemTicket(ctx, strings.Clone(ticket))
	if err != nil {
		return err
	}
	s := &socket{m: m, p: p, wakeCh: make(chan struct{}, 1), done: make(chan struct{})}
	if after != "" {
		if s.pos, err = m.svc.FeedPosition(ctx, p, after); err != nil {
			return err
		}
		s.resumed = true
	}
	return fws.New(s.run, fws.Config{HandshakeTimeout: 10 * time.Second})(c)
}

// socket is one client's WebSocket: its principal (a copy from the ticket
// store, never fiber's memory), its position in the feed, and the signal
// that wakes its writer.
type socket struct {
	m       *Module
	p       kernel.Principal
	conn    *fws.Conn
	pos     int64 // Seq of the last message sent (or the start); the writer's only
	resumed bool
	wakeCh  chan struct{} // capacity 1: wake-ups coalesce, the store says what is new
	done    chan struct{} // closed when the reader ends
	once    sync.Once
}

func (s *socket) wake() {
	select {
	case s.wakeCh <- struct{}{}:
	default:
	}
}

// run owns the connection until it ends: the writer runs in its own
// goroutine (the only one writing), this one reads (pongs, and frames that
// are ignored) so that a dead client is noticed.
func (s *socket) run(conn *fws.Conn) {
	s.conn = conn
	if !s.m.add(s) {
		_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseTryAgainLater, "servidor indisponível; tente de novo"),
			time.Now().Add(time.Second))
		return
	}
	defer s.m.wg.Done()
	defer s.m.remove(s)
	start := time.Now()
	s.m.log.Info("live: socket opened", "account_id", s.p.AccountID, "account_kind", string(s.p.Kind), "resumed", s.resumed)
	conn.SetReadLimit(ReadLimit)
	_ = conn.SetReadDeadline(time.Now().Add(PongWait))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(PongWait)) })
	writerDone := make(chan int)
	go func() { writerDone <- s.write() }()
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			break
		}
	}
	s.once.Do(func() { close(s.done) })
	code := <-writerDone
	s.m.log.Info("live: socket closed", "account_id", s.p.AccountID, "close_code", code,
		"duration_ms", time.Since(start).Milliseconds())
}

// write sends the missed messages, then "ready", then whatever each wake-up
// finds, until the socket or the module ends. It returns the close code.
func (s *socket) write() int {
	m := s.m
	select { // a socket opened while the instance subscribes waits for it, so no notice is missed
	case <-m.subscribed:
	case <-time.After(10 * time.Second):
	case <-m.ctx.Done():
		return s.close(CloseShutdown, "servidor reiniciando; reconecte com after")
	case <-s.done:
		return 0
	}
	if !s.resumed {
		ctx, cancel := context.WithTimeout(m.ctx, 30*time.Second)
		head, err := m.svc.FeedHead(ctx, s.p)
		cancel()
		if err != nil {
			m.log.Warn("live: cannot read the feed's head", "account_id", s.p.AccountID, "error", err.Error())
			return s.close(CloseInternal, "erro interno; reconecte")
		}
		s.pos = head
	}
	if code, ok := s.flush(); !ok {
		return code
	}
	if code, ok := s.send(Frame{Type: "ready"}); !ok {
		return code
	}
	ping := time.NewTicker(PingEvery)
	defer ping.Stop()
	life := time.NewTimer(MaxSocketLife)
	defer life.Stop()
	for {
		select {
		case <-s.done:
			return websocket.CloseNormalClosure
		case <-m.ctx.Done():
			return s.close(CloseShutdown, "servidor reiniciando; reconecte com after")
		case <-life.C:
			return s.close(CloseLifetime, "conexão no tempo máximo; peça novo ticket")
		case <-ping.C:
			if err := s.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(WriteWait)); err != nil {
				return s.closeAfterWriteError(err)
			}
		case <-s.wakeCh:
			if code, ok := s.flush(); !ok {
				return code
			}
		}
	}
}

// flush sends every message after the socket's position, batch by batch.
// A store failure is logged and left for the next wake-up.
func (s *socket) flush() (int, bool) {
	m := s.m
	for {
		select {
		case <-s.done:
			return websocket.CloseNormalClosure, false
		case <-m.ctx.Done():
			return s.close(CloseShutdown, "servidor reiniciando; reconecte com after"), false
		default:
		}
		ctx, cancel := context.WithTimeout(m.ctx, 30*time.Second)
		page, err := m.svc.FeedBatch(ctx, s.p, s.pos, 0)
		cancel()
		if err != nil {
			if m.ctx.Err() == nil {
				m.log.Warn("live: feed read failed; retrying at the next wake-up", "account_id", s.p.AccountID, "error", err.Error())
			}
			return 0, true
		}
		for _, msg := range page.Messages {
			if msg.Seq <= s.pos {
				continue
			}
			if code, ok := s.send(Frame{Type: "message", Message: messageOf(msg)}); !ok {
				return code, false
			}
			s.pos = msg.Seq
		}
		s.pos = max(s.pos, page.Next)
		if !page.More {
			return 0, true
		}
	}
}

// send writes one frame within WriteWait; a client too slow to take it is
// disconnected (it resumes with after=).
func (s *socket) send(f Frame) (int, bool) {
	_ = s.conn.SetWriteDeadline(time.Now().Add(WriteWait))
	if err := s.conn.WriteJSON(f); err != nil {
		return s.closeAfterWriteError(err), false
	}
	return 0, true
}

func (s *socket) closeAfterWriteError(err error) int {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return s.close(CloseTooSlow, "conexão lenta; reconecte com after")
	}
	_ = s.conn.Close()
	return websocket.CloseAbnormalClosure
}

// close sends a close frame with code and reason, then closes the
// connection (which ends the reader).
func (s *socket) close(code int, reason string) int {
	_ = s.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = s.conn.Close()
	return code
}
