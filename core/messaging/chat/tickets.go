package chat

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// IssueTicket gives p a single-use ticket (the value to put in the WebSocket
// URL) valid for Config.TicketTTL.
func (s *Service) IssueTicket(ctx context.Context, p kernel.Principal) (value string, t Ticket, err error) {
	return "", Ticket{}, errTODO
}

// RedeemTicket spends a ticket and returns the principal it was issued to;
// kernel.KindUnauthenticated when absent, used or expired.
func (s *Service) RedeemTicket(ctx context.Context, value string) (kernel.Principal, error) {
	return kernel.Principal{}, errTODO
}
