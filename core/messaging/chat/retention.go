package chat

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// LGPD and messages (the decisions; the data map in core/consent holds the
// same in its two classes, care_messages and order_messages):
//
//   - A care conversation (patient and professional) is clinical
//     communication: part of the patient's record (CFM 1.821/2007; Lei
//     13.787/2018, art. 6º), kept 20 years after the conversation's last
//     message, under tutela da saúde (LGPD, art. 11, II, f). At the
//     patient's erasure request it is kept and blocked like the record;
//     past retention its text and attachments are erased.
//   - An order conversation (patient and partner company) is the execution
//     of the order's contract (LGPD, art. 7º, V). No law requires keeping
//     the messages themselves (the order's tax data stay with the order), so
//     an erasure request erases them at once; without one, they are erased 5
//     years after the conversation's last message (CDC, art. 27).
//
// Erasing a message removes its text, its attachment's metadata and the
// attachment's sealed bytes, and sets ErasedAt; the message's ID, sender,
// time and Seq stay, so the other participant's thread and every live
// socket's position stay consistent.

// Retention periods of messages, in years after the conversation's last message.
const (
	CareRetentionYears  = 20 // Lei 13.787/2018, art. 6º; Res. CFM 1.821/2007
	OrderRetentionYears = 5  // CDC (Lei 8.078/1990), art. 27
)

// eraseBatch is how many messages one erasure step reads at a time.
const eraseBatch = 100

// ExportFilter selects the messages an export holds: exactly one field is set.
type ExportFilter struct {
	PatientID kernel.ID // every message of the patient's conversations (both sides)
	SenderID  kernel.ID // the messages this account sent
}

// RetentionQuery selects messages not yet erased for erasure or the
// retention purge.
type RetentionQuery struct {
	Kind      ConversationKind // required
	PatientID kernel.ID        // "": every patient's
	// Before: when set, only conversations whose last message is before it.
	Before time.Time
}

// RetentionStore is what LGPD needs of chat's data (export, erasure, retention).
type RetentionStore interface {
	// ExportMessages returns at most limit messages of f with Seq > afterSeq,
	// in Seq order.
	ExportMessages(ctx context.Context, f ExportFilter, afterSeq int64, limit int) ([]Message, error)
	// LastMessageAt is the newest message's time in patientID's conversations
	// of kind; zero when there is none.
	LastMessageAt(ctx context.Context, patientID kernel.ID, kind ConversationKind) (time.Time, error)
	// ErasableMessages returns at most limit messages of q not yet erased, in
	// Seq order.
	ErasableMessages(ctx context.Context, q RetentionQuery, limit int) ([]Message, error)
	// EraseMessages removes the text and attachment of the messages ids and
	// sets their ErasedAt to at; messages already erased are left as they
	// are. It returns how many it changed.
	EraseMessages(ctx context.Context, ids []kernel.ID, at time.Time) (int, error)
}

// ExportMessages returns at most limit (1 to kernel.MaxLimit) of the
// caller's own messages with Seq > afterSeq, in Seq order, for the caller's
// data export: a patient gets every message of their conversations, a
// professional or a company member the messages they sent. Nobody reads
// anyone else's this way.
func (s *Service) ExportMessages(ctx context.Context, p kernel.Principal, afterSeq int64, limit int) ([]Message, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return nil, err
	}
	if limit < 1 || limit > kernel.MaxLimit {
		return nil, kernel.Invalid("limit", "deve estar entre 1 e %d", kernel.MaxLimit)
	}
	var f ExportFilter
	switch p.Kind {
	case kernel.KindPatient:
		f.PatientID = p.AccountID
	case kernel.KindProfessional, kernel.KindCompanyMember:
		f.SenderID = p.AccountID
	default:
		return nil, nil
	}
	return s.d.Store.ExportMessages(ctx, f, afterSeq, limit)
}

// LastMessageAt is the newest message in patientID's conversations of kind
// (the anchor of the messages' retention); zero when none. The platform's call.
func (s *Service) LastMessageAt(ctx context.Context, patientID kernel.ID, kind ConversationKind) (time.Time, error) {
	if !kernel.ValidID(patientID) {
		return time.Time{}, nil
	}
	return s.d.Store.LastMessageAt(ctx, patientID, kind)
}

// EraseOrderMessages erases (see the package's LGPD note) every message of
// patientID's order conversations, both sides: the erasure request's step.
// Attachments' blobs go first, so a failure leaves the messages to be found
// again; running it twice changes nothing more. The platform's call; it
// returns how many messages it erased.
func (s *Service) EraseOrderMessages(ctx context.Context, patientID kernel.ID) (int, error) {
	if !kernel.ValidID(patientID) {
		return 0, nil
	}
	return s.erase(ctx, RetentionQuery{Kind: ConversationOrder, PatientID: patientID}, -1)
}

// PurgeMessages erases the messages of conversations past retention at now:
// care conversations whose last message is more than CareRetentionYears
// old, order conversations more than OrderRetentionYears old. It erases at
// most max messages (the next run goes on) and returns how many. The
// platform's call (the daily retention purge).
func (s *Service) PurgeMessages(ctx context.Context, now time.Time, max int) (int, error) {
	n := 0
	for _, q := range []RetentionQuery{
		{Kind: ConversationCare, Before: now.AddDate(-CareRetentionYears, 0, 0)},
		{Kind: ConversationOrder, Before: now.AddDate(-OrderRetentionYears, 0, 0)},
	} {
		k, err := s.erase(ctx, q, max-n)
		n += k
		if err != nil || n >= max {
			return n, err
		}
	}
	return n, nil
}

// erase erases q's messages batch by batch, at most max (negative: all).
func (s *Service) erase(ctx context.Context, q RetentionQuery, max int) (int, error) {
	n := 0
	for max < 0 || n < max {
		limit := eraseBatch
		if max >= 0 && max-n < limit {
			limit = max - n
		}
		ms, err := s.d.Store.ErasableMessages(ctx, q, limit)
		if err != nil || len(ms) == 0 {
			return n, err
		}
		ids := make([]kernel.ID, 0, len(ms))
		for _, m := range ms {
			if m.Attachment != nil && m.Attachment.Key != "" && s.d.Blobs != nil {
				if err := s.d.Blobs.Delete(ctx, m.Attachment.Key); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
					return n, kernel.Wrap(err, "delete an attachment's file")
				}
			}
			ids = append(ids, m.ID)
		}
		k, err := s.d.Store.EraseMessages(ctx, ids, s.now())
		n += k
		if err != nil {
			return n, err
		}
		s.d.Log.Info("chat messages erased", "kind", string(q.Kind), "patient_id", q.PatientID, "messages", k)
		if len(ms) < limit || k == 0 {
			return n, nil
		}
	}
	return n, nil
}
