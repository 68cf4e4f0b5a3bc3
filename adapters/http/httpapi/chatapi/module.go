// Package chatapi is chat's HTTP routes: conversations, messages, read
// markers and attachments.
package chatapi

import (
	"io"
	"mime"
	"net/http"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// Module registers chat's routes.
type Module struct{ svc *chat.Service }

var _ httpapi.Module = (*Module)(nil)

// New builds the module.
func New(svc *chat.Service) *Module { return &Module{svc: svc} }

const tag = "chat"

var ok = httpapi.Answers

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {
	type L[T any] = httpapi.ListResponse[T]
	r.Handle(fiber.MethodPost, "/v1/conversations", httpapi.Op{ID: "startConversation", Tag: tag, Auth: httpapi.User,
		Summary: "Open (or find) a conversation: a patient with a professional who attends them or about an order; a professional with a patient; a partner about an order",
		Request: StartRequest{}, Responses: append(ok(201, ConversationResponse{}, 400), httpapi.Response{Status: 200, Description: "the conversation already existed", Body: ConversationResponse{}})},
		m.start)
	r.Handle(fiber.MethodGet, "/v1/conversations", httpapi.Op{ID: "listConversations", Summary: "My conversations, the most recently active first, with unread counts", Tag: tag,
		Auth: httpapi.User, Query: httpapi.PageParams, Responses: ok(200, L[ConversationResponse]{})}, m.list)
	r.Handle(fiber.MethodGet, "/v1/conversations/:id", httpapi.Op{ID: "getConversation", Summary: "One of my conversations", Tag: tag, Auth: httpapi.User,
		Responses: ok(200, ConversationResponse{})}, m.get)
	r.Handle(fiber.MethodGet, "/v1/conversations/:id/messages", httpapi.Op{ID: "listMessages", Summary: "A conversation's messages, newest first", Tag: tag,
		Auth: httpapi.User, Query: httpapi.PageParams, Responses: ok(200, L[MessageResponse]{})}, m.messages)
	r.Handle(fiber.MethodPost, "/v1/conversations/:id/messages", httpapi.Op{ID: "sendMessage", Tag: tag, Auth: httpapi.User, Upload: true,
		Summary:     "Send a message: JSON {text}, or multipart/form-data with text and file (one attachment: PDF, JPEG, PNG, WebP or DICOM)",
		Description: "A care conversation whose relationship has ended, or an order conversation 30 days after the order finished, is read-only (409). Past the per-sender rate limit the answer is 429 with Retry-After.",
		Request:     SendRequest{}, RequestType: "application/json, multipart/form-data", Responses: ok(201, MessageResponse{}, 409, 422, 429)}, m.send)
	r.Handle(fiber.MethodPost, "/v1/conversations/:id/read", httpapi.Op{ID: "markConversationRead", Summary: "Move my read marker to a message (never backwards)", Tag: tag,
		Auth: httpapi.User, Request: ReadRequest{}, Responses: ok(200, ConversationResponse{}, 422)}, m.read)
	r.Handle(fiber.MethodGet, "/v1/conversations/:id/messages/:message_id/attachment", httpapi.Op{ID: "downloadMessageAttachment", Tag: tag, Auth: httpapi.User,
		Summary: "A message's attachment (decrypted, checksum verified)", ResponseHeaders: []string{"Content-Disposition", "Cache-Control"},
		Responses: []httpapi.Response{{Status: 200, Body: []byte{}, ContentType: "application/pdf, image/jpeg, image/png, image/webp, application/dicom"}}}, m.attachment)
}

func (m *Module) start(c *fiber.Ctx) error {
	var req StartRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	v, created, err := m.svc.StartConversation(c.UserContext(), httpapi.PrincipalOf(c),
		chat.NewConversation{ProfessionalID: req.ProfessionalID, PatientID: req.PatientID, OrderID: req.OrderID})
	if err != nil {
		return err
	}
	if !created {
		c.Location("/v1/conversations/" + v.ID)
		return httpapi.OK(c, ConversationOut(v))
	}
	return httpapi.Created(c, "/v1/conversations/"+v.ID, ConversationOut(v))
}

func (m *Module) list(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	pg := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.Conversations(c.UserContext(), httpapi.PrincipalOf(c), pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, ConversationOut))
}

func (m *Module) get(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	v, err := m.svc.Conversation(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, ConversationOut(v))
}

func (m *Module) messages(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	q := httpapi.NewQuery(c)
	pg := q.Page()
	if err := q.Err(); err != nil {
		return err
	}
	l, err := m.svc.Messages(c.UserContext(), httpapi.PrincipalOf(c), id, pg)
	if err != nil {
		return err
	}
	return httpapi.OK(c, httpapi.NewList(l, MessageOut))
}

func (m *Module) send(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	in, err := m.sendInput(c)
	if err != nil {
		return err
	}
	msg, err := m.svc.Send(c.UserContext(), httpapi.PrincipalOf(c), id, in)
	if err != nil {
		if wait, limited := chat.RetryAfter(err); limited {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(max(1, int(wait.Seconds()))))
		}
		return err
	}
	return httpapi.Created(c, "/v1/conversations/"+id+"/messages", MessageOut(msg))
}

// sendInput reads a JSON or multipart message. The handler's copies (text,
// file bytes, name) do not outlive the request.
func (m *Module) sendInput(c *fiber.Ctx) (chat.NewMessage, error) {
	ct, _, _ := mime.ParseMediaType(c.Get(fiber.HeaderContentType))
	if ct != "multipart/form-data" {
		var req SendRequest
		if err := httpapi.Bind(c, &req); err != nil {
			return chat.NewMessage{}, err
		}
		if req.File != nil {
			return chat.NewMessage{}, kernel.Invalid("file", "envie arquivos como multipart/form-data")
		}
		return chat.NewMessage{Text: req.Text}, nil
	}
	form, err := c.MultipartForm()
	if err != nil {
		return chat.NewMessage{}, kernel.Invalid("body", "deve ser multipart/form-data com os campos text e file")
	}
	for name := range form.Value {
		if name != "text" {
			return chat.NewMessage{}, kernel.Invalid(name, "campo desconhecido")
		}
	}
	if len(form.Value["text"]) > 1 {
		return chat.NewMessage{}, kernel.Invalid("text", "deve aparecer uma vez")
	}
	in := chat.NewMessage{}
	if v := form.Value["text"]; len(v) == 1 {
		in.Text = v[0] // its length is the use case's rule (the upload limit bounds it)
	}
	for name, fs := range form.File {
		if name != "file" || len(fs) > 1 {
			return chat.NewMessage{}, kernel.Invalid(name, "envie um único arquivo no campo file")
		}
	}
	fhs := form.File["file"]
	if len(fhs) == 0 {
		return in, nil
	}
	f, err := fhs[0].Open()
	if err != nil {
		return chat.NewMessage{}, kernel.Invalid("file", "não pôde ser lido")
	}
	defer f.Close()
	limit := m.svc.Config().MaxAttachment
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return chat.NewMessage{}, kernel.Invalid("file", "não pôde ser lido")
	}
	if int64(len(data)) > limit {
		return chat.NewMessage{}, kernel.Unprocessable("a mensagem tem campos inválidos", kernel.FieldError{Field: "file",
			Message: "deve ter no máximo " + strconv.FormatInt(limit, 10) + " bytes"})
	}
	in.Attachment = &chat.NewAttachment{Name: fhs[0].Filename, ContentType: fhs[0].Header.Get(fiber.HeaderContentType), Data: data}
	return in, nil
}

func (m *Module) read(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req ReadRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	v, err := m.svc.MarkRead(c.UserContext(), httpapi.PrincipalOf(c), id, req.MessageID)
	if err != nil {
		return err
	}
	return httpapi.OK(c, ConversationOut(v))
}

func (m *Module) attachment(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	mid, err := httpapi.PathID(c, "message_id")
	if err != nil {
		return err
	}
	msg, data, err := m.svc.Attachment(c.UserContext(), httpapi.PrincipalOf(c), mid)
	if err != nil {
		return err
	}
	if msg.ConversationID != id {
		return kernel.NotFound("mensagem não encontrada")
	}
	c.Set(fiber.HeaderContentType, msg.Attachment.ContentType)
	c.Set(fiber.HeaderContentLength, strconv.Itoa(len(data)))
	c.Set(fiber.HeaderContentDisposition, httpapi.ContentDisposition("attachment", msg.Attachment.Name))
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set("X-Checksum-SHA256", msg.Attachment.SHA256)
	return c.Status(http.StatusOK).Send(data)
}
