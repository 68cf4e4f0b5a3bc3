package chatsql

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

var _ chat.TicketStore = (*Store)(nil)

type ticketRow struct {
	bun.BaseModel `bun:"table:chat_tickets"`
	Hash          string     `bun:"hash,pk"`
	Principal     string     `bun:"principal"` // JSON of ticketPrincipal
	CreatedAt     time.Time  `bun:"created_at"`
	ExpiresAt     time.Time  `bun:"expires_at"`
	UsedAt        *time.Time `bun:"used_at"`
}

// ticketPrincipal is the stored principal: IDs, kind, roles and the session
// it was issued under (no name or e-mail).
type ticketPrincipal struct {
	AccountID string    `json:"account_id"`
	Kind      string    `json:"kind"`
	Roles     []string  `json:"roles,omitempty"`
	CompanyID string    `json:"company_id,omitempty"`
	Scopes    []string  `json:"scopes,omitempty"`
	IssuedAt  time.Time `json:"issued_at,omitzero"`
	SessionID string    `json:"session_id,omitempty"`
}

func tUTC(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func ticketToRow(t chat.Ticket) (ticketRow, error) {
	p := t.Principal
	b, err := json.Marshal(ticketPrincipal{AccountID: p.AccountID, Kind: string(p.Kind), Roles: p.Roles, CompanyID: p.CompanyID,
		Scopes: p.Scopes, IssuedAt: p.IssuedAt, SessionID: p.SessionID})
	if err != nil {
		return ticketRow{}, kernel.Internal(err, "encode ticket principal")
	}
	return ticketRow{Hash: t.Hash, Principal: string(b), CreatedAt: tUTC(t.CreatedAt), ExpiresAt: tUTC(t.ExpiresAt)}, nil
}

func (r ticketRow) toDomain() (chat.Ticket, error) {
	var p ticketPrincipal
	if err := json.Unmarshal([]byte(r.Principal), &p); err != nil {
		return chat.Ticket{}, kernel.Internal(err, "decode ticket principal")
	}
	return chat.Ticket{Hash: r.Hash, Principal: kernel.Principal{AccountID: p.AccountID, Kind: kernel.AccountKind(p.Kind), Roles: p.Roles,
		CompanyID: p.CompanyID, Scopes: p.Scopes, IssuedAt: p.IssuedAt, SessionID: p.SessionID},
		CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC()}, nil
}

// CreateTicket: see chat.TicketStore.
func (s *Store) CreateTicket(ctx context.Context, t chat.Ticket) error {
	row, err := ticketToRow(t)
	if err != nil {
		return err
	}
	_, err = s.db.NewInsert().Model(&row).Exec(ctx)
	return sqlstore.Translate(err)
}

// RedeemTicket: see chat.TicketStore. One conditional UPDATE decides who
// wins when two redeem the same ticket at once.
func (s *Store) RedeemTicket(ctx context.Context, hash string, now time.Time) (chat.Ticket, error) {
	notFound := kernel.NotFound("ticket não encontrado")
	if hash == "" || len(hash) > 128 {
		return chat.Ticket{}, notFound
	}
	now = tUTC(now)
	res, err := s.db.NewUpdate().Model((*ticketRow)(nil)).Set("used_at = ?", now).
		Where("hash = ?", hash).Where("used_at IS NULL").Where("expires_at > ?", now).Exec(ctx)
	if err != nil {
		return chat.Ticket{}, sqlstore.Translate(err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return chat.Ticket{}, notFound
	}
	var row ticketRow
	if err := s.db.NewSelect().Model(&row).Where("hash = ?", hash).Scan(ctx); err != nil {
		err = sqlstore.Translate(err)
		if kernel.KindOf(err) == kernel.KindNotFound {
			return chat.Ticket{}, notFound // purged in between
		}
		return chat.Ticket{}, err
	}
	return row.toDomain()
}

// PurgeTickets: see chat.TicketStore.
func (s *Store) PurgeTickets(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.NewDelete().Model((*ticketRow)(nil)).Where("expires_at < ?", tUTC(before)).Exec(ctx)
	if err != nil {
		return 0, sqlstore.Translate(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
