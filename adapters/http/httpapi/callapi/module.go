// Package callapi serves the built-in video provider's call page and its
// signalling WebSocket (webrtcvideo).
package callapi

import (
	"context"
	"net/url"
	"strings"
	"time"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo"
	"github.com/multisaude/multisaude/core/kernel"
)

// Module registers the call page and signalling.
type Module struct{ rooms *webrtcvideo.Rooms }

var _ httpapi.Module = (*Module)(nil)

// New builds the module.
func New(rooms *webrtcvideo.Rooms) *Module { return &Module{rooms: rooms} }

const tag = "video"

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {
	page := m.rooms.PagePath()
	for _, a := range assets {
		r.Handle(fiber.MethodGet, page+"/static/"+a.name, httpapi.Op{ID: a.opID, Tag: tag, Auth: httpapi.Public,
			Summary:   a.summary,
			Responses: []httpapi.Response{{Status: 200, Description: a.summary, Body: []byte{}, ContentType: a.contentType}}}, m.asset(a))
	}
	r.Handle(fiber.MethodGet, page+"/:room", httpapi.Op{ID: "getCallPage", Tag: tag, Auth: httpapi.Public,
		Summary: "A página da chamada de vídeo do provedor embutido (WebRTC)",
		Description: "Uma página HTML pequena (sem CDN, sem script inline) que entra na sala com o convite do participante. " +
			"O convite vai no fragmento da URL (`#t=...`), que o navegador não envia ao servidor, e é entregue pela página " +
			"como primeira mensagem do WebSocket de sinalização. A sala é o `room_id` da credencial de vídeo.",
		Responses: []httpapi.Response{{Status: 200, Description: "a página", Body: []byte{}, ContentType: "text/html"},
			{Status: 404, Description: "sala com formato inválido", Body: httpapi.Problem{}, ContentType: "application/problem+json"}}}, m.page)
	r.Handle(fiber.MethodGet, webrtcvideo.SignalPath, httpapi.Op{ID: "videoSignal", Tag: tag, Auth: httpapi.Public,
		Summary: "WebSocket de sinalização das chamadas do provedor embutido (WebRTC)",
		Description: "Um WebSocket (`Upgrade: websocket`). A autenticação é a primeira mensagem, nunca a URL: " +
			"`{\"type\":\"join\",\"token\":\"<token da credencial>\"}`. O servidor responde `joined` (servidores ICE, o outro " +
			"participante, quem faz a oferta) ou `error` (`token_invalido`, `ainda_nao`, `expirado`, `encerrada`, `sala_cheia`) e fecha. " +
			"Depois, `offer`, `answer` e `candidate` (JSON, no máximo 64 KiB) são repassados ao outro participante; `hangup` sai. " +
			"O servidor avisa `peer-joined`, `peer-left`, `ended`, `expired` e `replaced`. No máximo dois participantes por sala.",
		Responses: []httpapi.Response{{Status: 101, Description: "protocolo trocado para WebSocket"},
			{Status: 403, Description: "origem diferente da do servidor", Body: httpapi.Problem{}, ContentType: "application/problem+json"},
			{Status: 426, Description: "não é um pedido de WebSocket", Body: httpapi.Problem{}, ContentType: "application/problem+json"}}}, m.signal())
}

// pageCSP lets the page run its own script and style, open the signalling
// socket and play camera streams; nothing else (no inline script, no CDN).
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob: mediastream:; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (m *Module) page(c *fiber.Ctx) error {
	if !webrtcvideo.ValidRoomID(c.Params("room")) {
		return kernel.NotFound("sala de vídeo não encontrada")
	}
	c.Set("Content-Security-Policy", pageCSP)
	c.Set("Permissions-Policy", "camera=(self), microphone=(self), display-capture=(), geolocation=()")
	c.Set(fiber.HeaderContentType, "text/html; charset=utf-8")
	return c.Status(fiber.StatusOK).Send(pageHTML)
}

func (m *Module) asset(a asset) fiber.Handler {
	return func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, a.contentType+"; charset=utf-8")
		return c.Status(fiber.StatusOK).Send(a.body)
	}
}

func (m *Module) signal() fiber.Handler {
	ws := websocket.New(func(c *websocket.Conn) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		m.rooms.Serve(ctx, newSocket(c.Conn))
	}, websocket.Config{HandshakeTimeout: 10 * time.Second, ReadBufferSize: 4096, WriteBufferSize: 4096})
	return func(c *fiber.Ctx) error {
		if !websocket.IsWebSocketUpgrade(c) {
			return fiber.NewError(fiber.StatusUpgradeRequired, "esta rota é um WebSocket: use Upgrade: websocket")
		}
		if !sameOrigin(c.Get(fiber.HeaderOrigin), c.Hostname()) {
			return kernel.Forbidden("a sinalização só aceita conexões da página de chamada deste servidor")
		}
		return ws(c)
	}
}

// sameOrigin accepts no Origin (not a browser) or one whose host is the
// request's. The token in the first message is what authenticates; this only
// keeps other sites' pages from opening sockets here.
func sameOrigin(origin, host string) bool {
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	return strings.EqualFold(u.Host, host)
}
