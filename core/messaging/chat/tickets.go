package chat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"

	"github.com/multisaude/multisaude/core/kernel"
)

// TicketBytes is the random size of a ticket's value (base64url: 43 characters).
const TicketBytes = 32

// MaxTicketLen bounds a ticket value read from a URL.
const MaxTicketLen = 64

// liveKinds are the accounts that may hold a WebSocket: those who take part
// in conversations.
func liveKind(k kernel.AccountKind) bool {
	return k == kernel.KindPatient || k == kernel.KindProfessional || k == kernel.KindCompanyMember
}

// TicketHash is the stored form of a ticket value: hex SHA-256.
func TicketHash(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:])
}

// IssueTicket gives p a single-use ticket (the value to put in the WebSocket
// URL) valid for Config.TicketTTL. Only patients, professionals and company
// members get one (kernel.KindForbidden for others).
func (s *Service) IssueTicket(ctx context.Context, p kernel.Principal) (value string, t Ticket, err error) {
	if err := p.RequireAuthenticated(); err != nil {
		return "", Ticket{}, kernel.Unauthenticated("entre para abrir a conexão em tempo real")
	}
	if !liveKind(p.Kind) {
		return "", Ticket{}, kernel.Forbidden("só pacientes, profissionais e membros de empresas parceiras usam a conexão em tempo real")
	}
	var raw [TicketBytes]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", Ticket{}, kernel.Internal(err, "ticket randomness")
	}
	value = base64.RawURLEncoding.EncodeToString(raw[:])
	now := s.now()
	t = Ticket{Hash: TicketHash(value), Principal: p, CreatedAt: now, ExpiresAt: now.Add(s.cfg.TicketTTL)}
	if err := s.d.Store.CreateTicket(ctx, t); err != nil {
		return "", Ticket{}, err
	}
	return value, t, nil
}

// RedeemTicket spends a ticket and returns the principal it was issued to;
// kernel.KindUnauthenticated when absent, used or expired.
func (s *Service) RedeemTicket(ctx context.Context, value string) (kernel.Principal, error) {
	bad := kernel.Unauthenticated("ticket ausente, inválido, já usado ou expirado: peça outro em POST /v1/ws/tickets")
	if value == "" || len(value) > MaxTicketLen {
		return kernel.Principal{}, bad
	}
	t, err := s.d.Store.RedeemTicket(ctx, TicketHash(value), s.now())
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return kernel.Principal{}, bad
		}
		return kernel.Principal{}, err
	}
	if t.Principal.IsAnonymous() || !liveKind(t.Principal.Kind) {
		return kernel.Principal{}, bad
	}
	return t.Principal, nil
}

// PurgeTickets deletes tickets that expired before now and says how many.
func (s *Service) PurgeTickets(ctx context.Context) (int, error) {
	return s.d.Store.PurgeTickets(ctx, s.now())
}
