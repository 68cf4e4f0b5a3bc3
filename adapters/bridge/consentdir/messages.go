package consentdir

import (
	"bytes"
	"context"
	"io"
	"strconv"
	"time"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// messagesSection writes messages.json: a patient's conversations and every
// message of them (both sides, text and attachment metadata; the bytes are
// under attachments/); a professional's or a company member's messages they
// sent. Read through chat's use cases with the owner's principal, one page at
// a time.
func (d *Directory) messagesSection(ctx context.Context, p kernel.Principal, s *stream) error {
	if d.chats == nil {
		s.note("Não há mensagens nesta instalação.")
		return s.err
	}
	switch p.Kind {
	case kernel.KindPatient:
		if err := s.list("conversations", func(pg kernel.Page) (any, string, error) {
			l, err := d.chats.Conversations(ctx, p, pg)
			return conversationRows(l.Items), l.NextCursor, err
		}); err != nil {
			return err
		}
		s.note("Todas as mensagens das suas conversas, suas e dos profissionais e empresas, das mais antigas às mais novas. " +
			"O conteúdo de cada anexo está na pasta attachments/ do arquivo (nome: id da mensagem, sublinhado, nome do arquivo). " +
			"Mensagens com erased_at preenchido tiveram texto e anexo apagados.")
	case kernel.KindProfessional, kernel.KindCompanyMember:
		s.note("As mensagens que você enviou. As mensagens dos pacientes são dados deles e não fazem parte desta exportação.")
	default:
		s.note("Não há mensagens em nome deste tipo de conta.")
		return s.err
	}
	return s.list("messages", func(pg kernel.Page) (any, string, error) {
		after, _ := strconv.ParseInt(pg.Cursor, 10, 64)
		ms, err := d.chats.ExportMessages(ctx, p, after, kernel.MaxLimit)
		if err != nil || len(ms) < kernel.MaxLimit {
			return messageRows(ms), "", err
		}
		return messageRows(ms), strconv.FormatInt(ms[len(ms)-1].Seq, 10), nil
	})
}

func conversationRows(cs []chat.ConversationView) []map[string]any {
	out := make([]map[string]any, len(cs))
	for i, c := range cs {
		out[i] = map[string]any{"id": c.ID, "kind": string(c.Kind), "patient_id": c.PatientID, "professional_id": c.ProfessionalID,
			"company_id": c.CompanyID, "order_id": c.OrderID, "created_at": timeOrNil(c.CreatedAt), "last_message_at": timeOrNil(c.LastMessageAt)}
		// the other side's public name, so the patient knows who they talked to
		if c.ProfessionalName != "" {
			out[i]["professional_name"] = c.ProfessionalName
		}
		if c.CompanyName != "" {
			out[i]["company_name"] = c.CompanyName
		}
	}
	return out
}

func messageRows(ms []chat.Message) []map[string]any {
	out := make([]map[string]any, len(ms))
	for i, m := range ms {
		row := map[string]any{"id": m.ID, "conversation_id": m.ConversationID, "sender_id": m.SenderID, "sender_kind": string(m.SenderKind),
			"text": m.Text, "created_at": timeOrNil(m.CreatedAt), "erased_at": nil}
		if m.ErasedAt != nil {
			row["erased_at"] = *m.ErasedAt
		}
		if a := m.Attachment; a != nil {
			row["attachment"] = map[string]any{"name": a.Name, "content_type": a.ContentType, "size": a.Size, "sha256": a.SHA256}
		}
		out[i] = row
	}
	return out
}

// timeOrNil keeps a zero time out of the archive (reshape shows the rest in São Paulo time).
func timeOrNil(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// attachments appends the attachments of the patient's messages to docs, up
// to limit files in all, and says whether there were more.
func (d *Directory) attachments(ctx context.Context, p kernel.Principal, docs []consent.ExportDocument, limit int) ([]consent.ExportDocument, bool, error) {
	if d.chats == nil {
		return docs, false, nil
	}
	after := int64(0)
	for range consent.MaxExportPages {
		ms, err := d.chats.ExportMessages(ctx, p, after, kernel.MaxLimit)
		if err != nil {
			return nil, false, err
		}
		for _, m := range ms {
			if m.Attachment == nil || m.ErasedAt != nil {
				continue
			}
			if len(docs) == limit {
				return docs, true, nil
			}
			docs = append(docs, consent.ExportDocument{ID: m.ID, FileName: m.Attachment.Name, Size: m.Attachment.Size, Folder: consent.FolderAttachments})
		}
		if len(ms) < kernel.MaxLimit {
			return docs, false, nil
		}
		after = ms[len(ms)-1].Seq
	}
	return docs, true, nil
}

// openAttachment is a message's attachment, decrypted and checked by chat's
// own use case (the owner's principal decides whether they may read it).
func (d *Directory) openAttachment(ctx context.Context, p kernel.Principal, messageID kernel.ID) (io.ReadCloser, error) {
	if d.chats == nil {
		return nil, kernel.NotFound("anexo não encontrado")
	}
	_, content, err := d.chats.Attachment(ctx, p, messageID)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(content)), nil
}

// messageFacts adds the anchors of the messages' retention to f (patients).
func (d *Directory) messageFacts(ctx context.Context, patientID kernel.ID, f *consent.ErasureFacts) error {
	if d.chats == nil {
		return nil
	}
	var err error
	if f.LastCareMessageAt, err = d.chats.LastMessageAt(ctx, patientID, chat.ConversationCare); err != nil {
		return err
	}
	f.LastOrderMessageAt, err = d.chats.LastMessageAt(ctx, patientID, chat.ConversationOrder)
	return err
}

// eraseMessages carries out the messages' decisions: order conversations
// erased now (both sides); care conversations stay, blocked with the record
// (clinical refuses a professional's conversation access once the record is
// blocked, and the patient can no longer sign in); those past retention go
// with the purge.
func (d *Directory) eraseMessages(ctx context.Context, subjectID kernel.ID, kind consent.SubjectKind, dec consent.ErasureDecision) error {
	if d.chats == nil || kind != consent.SubjectPatient || dec.Class != consent.ClassOrderMessages {
		return nil
	}
	_, err := d.chats.EraseOrderMessages(ctx, subjectID)
	return err
}

// PurgeMessages: see consent.Eraser.
func (d *Directory) PurgeMessages(ctx context.Context, now time.Time, limit int) (int, error) {
	if d.chats == nil {
		return 0, nil
	}
	return d.chats.PurgeMessages(ctx, now, limit)
}
