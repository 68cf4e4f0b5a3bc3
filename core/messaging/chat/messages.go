package chat

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// RateLimited is the cause of the KindTooMany a sender gets past
// Config.SendPerMinute: After says when to try again (Retry-After).
type RateLimited struct{ After time.Duration }

func (r *RateLimited) Error() string { return "rate limited for " + r.After.String() }

// RetryAfter returns the wait of a rate-limited send (false for other errors).
func RetryAfter(err error) (time.Duration, bool) {
	var r *RateLimited
	if errors.As(err, &r) {
		return r.After, true
	}
	return 0, false
}

func attachmentContext(m Message) map[string]string {
	return map[string]string{"message_id": m.ID, "conversation_id": m.ConversationID}
}

// checkText trims text and checks its length and characters.
func (s *Service) checkText(text string, probs *kernel.Problems) string {
	if !utf8.ValidString(text) {
		probs.Add("text", "deve ser texto UTF-8 válido")
		return ""
	}
	t := strings.TrimSpace(text)
	if n := utf8.RuneCountInString(t); n > s.cfg.MaxTextRunes {
		probs.Add("text", "deve ter no máximo %d caracteres (tem %d)", s.cfg.MaxTextRunes, n)
		return ""
	}
	for _, r := range t {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029') {
			probs.Add("text", "não pode ter caracteres de controle (só quebras de linha e tabulações)")
			return ""
		}
	}
	return t
}

// Send appends a message to one of p's conversations: text (trimmed, 1 to
// Config.MaxTextRunes runes, no control characters but newlines and tabs)
// and/or one attachment under the documents' rule (sealed into the blob
// store). A care conversation whose relationship has ended, and an order
// conversation past Config.OrderGrace after the order finished, are read-only
// (KindConflict). Past Config.SendPerMinute messages in the last minute the
// sender gets KindTooMany (see RetryAfter). After the commit the notice is
// published on Deps.Live; a failed publish is logged, not returned.
func (s *Service) Send(ctx context.Context, p kernel.Principal, conversationID kernel.ID, in NewMessage) (Message, error) {
	c, err := s.conversation(ctx, p, conversationID)
	if err != nil {
		return Message{}, err
	}
	var probs kernel.Problems
	text := s.checkText(in.Text, &probs)
	m := Message{ID: kernel.NewID(), ConversationID: c.ID, SenderID: p.AccountID, SenderKind: p.Kind, Text: text}
	var data []byte
	if a := in.Attachment; a != nil {
		if s.d.Files == nil {
			return Message{}, kernel.Unavailable(nil, "anexos indisponíveis")
		}
		ct, problem := s.d.Files.CheckFile(a.Data)
		if problem != "" {
			probs.Add("file", "%s", problem)
		} else {
			sum := sha256.Sum256(a.Data)
			data = a.Data
			m.Attachment = &Attachment{Key: "chat/attachments/" + c.ID + "/" + m.ID, Name: s.d.Files.CleanFileName(a.Name, ct),
				ContentType: ct, Size: int64(len(a.Data)), SHA256: hex.EncodeToString(sum[:])}
		}
	} else if text == "" && probs.Empty() {
		probs.Add("text", "é obrigatório quando a mensagem não tem arquivo")
	}
	if !probs.Empty() {
		return Message{}, kernel.Unprocessable("a mensagem tem campos inválidos", probs.Fields()...)
	}
	if err := s.writable(ctx, c); err != nil {
		return Message{}, err
	}
	now := s.now()
	sent, err := s.d.Store.SentSince(ctx, p.AccountID, now.Add(-time.Minute))
	if err != nil {
		return Message{}, err
	}
	if sent >= s.cfg.SendPerMinute {
		return Message{}, &kernel.Error{Kind: kernel.KindTooMany, Err: &RateLimited{After: time.Minute},
			Message: "muitas mensagens em pouco tempo; aguarde um minuto e tente de novo"}
	}
	m.CreatedAt = now
	if m.Attachment != nil {
		sealed, err := s.d.Sealer.Seal(ctx, bytes.NewReader(data), attachmentContext(m))
		if err != nil {
			return Message{}, kernel.Wrap(err, "seal the attachment")
		}
		if _, err := s.d.Blobs.Put(ctx, m.Attachment.Key, bytes.NewReader(sealed), ports.PutOptions{
			ContentType: "application/octet-stream", Size: int64(len(sealed)), Metadata: map[string]string{"sealed": "1"}}); err != nil {
			return Message{}, kernel.Wrap(err, "store the attachment")
		}
	}
	ev := kernel.NewEvent("chat.message.sent", c.ID, map[string]string{"message_id": m.ID, "conversation_id": c.ID,
		"sender_id": m.SenderID, "sender_kind": string(m.SenderKind), "conversation_kind": string(c.Kind)}, now)
	if err := s.d.Store.AddMessage(ctx, &m, []kernel.Event{ev}); err != nil {
		if m.Attachment != nil {
			_ = s.d.Blobs.Delete(context.WithoutCancel(ctx), m.Attachment.Key)
		}
		return Message{}, err
	}
	s.publish(ctx, c, m)
	s.namer().sender(ctx, &m, c.CompanyID)
	return m, s.logAccess(ctx, p, c, "create")
}

// publish tells every instance about m; best effort (the store has it).
func (s *Service) publish(ctx context.Context, c Conversation, m Message) {
	if s.d.Live == nil {
		return
	}
	if err := s.d.Live.Publish(context.WithoutCancel(ctx), LiveChannel, NoticeOf(c, m.Seq).Encode()); err != nil {
		s.d.Log.Warn("chat notice not published", "conversation_id", c.ID, "message_id", m.ID, "seq", m.Seq, "kind", string(kernel.KindOf(err)))
	}
}

// writable refuses a message in a conversation that has become read-only.
func (s *Service) writable(ctx context.Context, c Conversation) error {
	switch c.Kind {
	case ConversationCare:
		ok, err := s.d.Relations.Care(ctx, c.ProfessionalID, c.PatientID)
		if err != nil {
			return kernel.Wrap(err, "care relation")
		}
		if !ok {
			return kernel.Conflict("a relação de cuidado entre paciente e profissional terminou: a conversa agora é somente leitura")
		}
	case ConversationOrder:
		o, err := s.d.Relations.Order(ctx, c.OrderID)
		if err != nil {
			if kernel.KindOf(err) == kernel.KindNotFound {
				return kernel.Conflict("o pedido desta conversa não existe mais: a conversa é somente leitura")
			}
			return kernel.Wrap(err, "read the order")
		}
		if !o.FinishedAt.IsZero() && !s.now().Before(o.FinishedAt.Add(s.cfg.OrderGrace)) {
			return kernel.Conflict("o pedido foi encerrado há mais de %d dias: a conversa agora é somente leitura", int(s.cfg.OrderGrace/(24*time.Hour)))
		}
	}
	return nil
}

// Messages lists a conversation's messages, newest first (cursor paging).
func (s *Service) Messages(ctx context.Context, p kernel.Principal, conversationID kernel.ID, page kernel.Page) (kernel.List[Message], error) {
	c, err := s.conversation(ctx, p, conversationID)
	if err != nil {
		return kernel.List[Message]{}, err
	}
	if page, err = page.Normalize(); err != nil {
		return kernel.List[Message]{}, err
	}
	l, err := s.d.Store.ListMessages(ctx, c.ID, page)
	if err != nil {
		return l, err
	}
	if err := s.logAccess(ctx, p, c, "list"); err != nil {
		return kernel.List[Message]{}, err
	}
	s.WithNames(ctx, c, l.Items)
	return l, nil
}

// MarkRead moves p's read marker to messageID (a message of the
// conversation); it never moves back.
func (s *Service) MarkRead(ctx context.Context, p kernel.Principal, conversationID, messageID kernel.ID) (ConversationView, error) {
	c, err := s.conversation(ctx, p, conversationID)
	if err != nil {
		return ConversationView{}, err
	}
	if !kernel.ValidID(messageID) {
		return ConversationView{}, kernel.Unprocessable("a requisição tem campos inválidos", kernel.FieldError{Field: "message_id", Message: "deve ser o ID de uma mensagem desta conversa"})
	}
	m, err := s.d.Store.GetMessage(ctx, messageID)
	if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return ConversationView{}, err
	}
	if err != nil || m.ConversationID != c.ID {
		return ConversationView{}, kernel.Unprocessable("a requisição tem campos inválidos", kernel.FieldError{Field: "message_id", Message: "deve ser o ID de uma mensagem desta conversa"})
	}
	if err := s.d.Store.MarkRead(ctx, ReadMarker{ConversationID: c.ID, AccountID: p.AccountID, LastReadSeq: m.Seq, At: s.now()}); err != nil {
		return ConversationView{}, err
	}
	if err := s.logAccess(ctx, p, c, "read"); err != nil {
		return ConversationView{}, err
	}
	return s.view(ctx, p, c)
}

// Attachment returns a message's attachment, decrypted and checked against
// its digest: altered bytes are an integrity failure, never returned.
func (s *Service) Attachment(ctx context.Context, p kernel.Principal, messageID kernel.ID) (Message, []byte, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Message{}, nil, err
	}
	if !kernel.ValidID(messageID) {
		return Message{}, nil, errNoMessage
	}
	m, err := s.d.Store.GetMessage(ctx, messageID)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return Message{}, nil, errNoMessage
		}
		return Message{}, nil, err
	}
	c, err := s.conversation(ctx, p, m.ConversationID)
	if err != nil {
		return Message{}, nil, errNoMessage
	}
	if m.Attachment == nil || m.ErasedAt != nil {
		return Message{}, nil, kernel.NotFound("a mensagem não tem anexo")
	}
	rc, _, err := s.d.Blobs.Get(ctx, m.Attachment.Key)
	if err != nil {
		return Message{}, nil, kernel.Wrap(err, "read the attachment")
	}
	defer rc.Close()
	plain, err := s.d.Sealer.Open(ctx, rc, attachmentContext(m))
	if err != nil {
		switch kernel.KindOf(err) {
		case kernel.KindUnavailable:
			return Message{}, nil, err
		case kernel.KindForbidden: // the ciphertext or wrapped key does not authenticate
			s.d.Log.Error("chat attachment failed its integrity check", "alert", true, "message_id", m.ID, "reason", "decrypt")
			return Message{}, nil, kernel.IntegrityFailure(err, "attachment of message %s failed to decrypt", m.ID)
		}
		return Message{}, nil, kernel.Internal(err, "attachment of message %s could not be opened", m.ID)
	}
	sum := sha256.Sum256(plain)
	if hex.EncodeToString(sum[:]) != m.Attachment.SHA256 || int64(len(plain)) != m.Attachment.Size {
		s.d.Log.Error("chat attachment failed its integrity check", "alert", true, "message_id", m.ID, "reason", "checksum")
		return Message{}, nil, kernel.IntegrityFailure(nil, "attachment of message %s does not match its checksum", m.ID)
	}
	if err := s.logAccess(ctx, p, c, "download"); err != nil {
		return Message{}, nil, err
	}
	s.namer().sender(ctx, &m, c.CompanyID)
	return m, plain, nil
}
