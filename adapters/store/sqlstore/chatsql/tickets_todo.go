package chatsql

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/messaging/chat"
)

// placeholders until the ticket store lands (this file is deleted then)

func (s *Store) CreateTicket(ctx context.Context, t chat.Ticket) error { return errTODO }
func (s *Store) RedeemTicket(ctx context.Context, hash string, now time.Time) (chat.Ticket, error) {
	return chat.Ticket{}, errTODO
}
func (s *Store) PurgeTickets(ctx context.Context, before time.Time) (int, error) { return 0, errTODO }
