package chat

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// HeadStore is implemented by a store that can say the newest Seq
// committed; the live socket starts there when the client resumes from
// nothing. (A separate interface, so stores written before it still build.)
type HeadStore interface {
	// NewestSeq is the largest Seq of any committed message (0 for none).
	NewestSeq(ctx context.Context) (int64, error)
}

// feedFilterOf is the set of conversations p's feed reads (filterOf, for
// an authenticated caller only).
func feedFilterOf(p kernel.Principal) (ConversationFilter, bool) {
	if p.IsAnonymous() {
		return ConversationFilter{}, false
	}
	return filterOf(p)
}

// Feed returns at most limit of p's messages (all conversations) committed
// after the message afterID (which p must be able to see, else
// kernel.KindNotFound), in Seq order; an empty afterID starts after the
// newest, returning nothing. For resuming a WebSocket.
func (s *Service) Feed(ctx context.Context, p kernel.Principal, afterID kernel.ID, limit int) ([]Message, error) {
	if _, ok := feedFilterOf(p); !ok {
		return nil, kernel.Forbidden("só pacientes, profissionais e membros de empresas parceiras têm conversas")
	}
	if afterID == "" {
		return []Message{}, nil
	}
	seq, err := s.FeedPosition(ctx, p, afterID)
	if err != nil {
		return nil, err
	}
	return s.FeedAfter(ctx, p, seq, limit)
}

// FeedPosition is the Seq of message afterID, which p must be able to see
// (else kernel.KindNotFound): where a resumed socket starts.
func (s *Service) FeedPosition(ctx context.Context, p kernel.Principal, afterID kernel.ID) (int64, error) {
	if _, ok := feedFilterOf(p); !ok {
		return 0, kernel.Forbidden("só pacientes, profissionais e membros de empresas parceiras têm conversas")
	}
	notFound := kernel.NotFound("mensagem não encontrada")
	if !kernel.ValidID(afterID) {
		return 0, notFound
	}
	m, err := s.d.Store.GetMessage(ctx, afterID)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return 0, notFound
		}
		return 0, err
	}
	c, err := s.d.Store.GetConversation(ctx, m.ConversationID)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return 0, notFound
		}
		return 0, err
	}
	if !Participant(p, c) {
		return 0, notFound
	}
	if p.Kind == kernel.KindProfessional {
		ok, err := s.d.Relations.Care(ctx, p.AccountID, c.PatientID)
		if err != nil {
			return 0, err
		}
		if !ok {
			return 0, notFound
		}
	}
	return m.Seq, nil
}

// FeedAfter is Feed from a Seq the caller already holds (a live socket's
// position). limit is capped at Config.FeedLimit. A professional's messages
// of a care conversation are kept only while the care relationship holds,
// and each conversation read goes into the clinical access log.
func (s *Service) FeedAfter(ctx context.Context, p kernel.Principal, afterSeq int64, limit int) ([]Message, error) {
	b, err := s.FeedBatch(ctx, p, afterSeq, limit)
	return b.Messages, err
}

// FeedPage is one batch of a feed.
type FeedPage struct {
	Messages []Message
	// Next is the position to read from next: the Seq of the last message
	// read, including one left out (a professional's care conversation that
	// ended), so a reader never reads the same left-out batch again.
	Next int64
	// More is true when the batch was full: read again from Next.
	More bool
}

// FeedBatch is FeedAfter with the position to continue from.
func (s *Service) FeedBatch(ctx context.Context, p kernel.Principal, afterSeq int64, limit int) (FeedPage, error) {
	f, ok := feedFilterOf(p)
	if !ok {
		return FeedPage{}, kernel.Forbidden("só pacientes, profissionais e membros de empresas parceiras têm conversas")
	}
	if limit <= 0 || limit > s.cfg.FeedLimit {
		limit = s.cfg.FeedLimit
	}
	if afterSeq < 0 {
		afterSeq = 0
	}
	msgs, err := s.d.Store.MessagesAfter(ctx, f, afterSeq, limit)
	if err != nil {
		return FeedPage{}, err
	}
	page := FeedPage{Messages: msgs, Next: afterSeq, More: len(msgs) >= limit}
	if len(msgs) > 0 {
		page.Next = msgs[len(msgs)-1].Seq
	}
	if page.Messages, err = s.feedCheck(ctx, p, msgs); err != nil {
		return FeedPage{}, err
	}
	return page, nil
}

// feedCheck re-checks each conversation of a batch as the routes do (a
// professional keeps a care conversation only while the care relationship
// holds, and each one read goes into the clinical access log) and fills the
// senders' names.
func (s *Service) feedCheck(ctx context.Context, p kernel.Principal, msgs []Message) ([]Message, error) {
	type conv struct {
		c  Conversation
		ok bool
	}
	convs := map[kernel.ID]conv{}
	names := s.namer()
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		cv, seen := convs[m.ConversationID]
		if !seen {
			c, err := s.d.Store.GetConversation(ctx, m.ConversationID)
			if err != nil {
				return nil, err
			}
			cv = conv{c: c, ok: Participant(p, c)}
			if cv.ok && p.Kind == kernel.KindProfessional {
				if cv.ok, err = s.d.Relations.Care(ctx, p.AccountID, c.PatientID); err != nil {
					return nil, kernel.Wrap(err, "care relation")
				}
				if cv.ok {
					if err := s.logAccess(ctx, p, c, "read"); err != nil {
						return nil, err
					}
				}
			}
			convs[m.ConversationID] = cv
		}
		if cv.ok {
			names.sender(ctx, &m, cv.c.CompanyID)
			out = append(out, m)
		}
	}
	return out, nil
}

// FeedHead is where a socket that resumes from nothing starts: the newest
// Seq committed now (messages after it are new to the socket).
func (s *Service) FeedHead(ctx context.Context, p kernel.Principal) (int64, error) {
	if _, ok := feedFilterOf(p); !ok {
		return 0, kernel.Forbidden("só pacientes, profissionais e membros de empresas parceiras têm conversas")
	}
	if h, ok := s.d.Store.(HeadStore); ok {
		return h.NewestSeq(ctx)
	}
	return 0, kernel.Unavailable(nil, "o armazenamento não informa a posição das mensagens")
}
