package chatsql_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/chatsql"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/test/testdb"
)

func TestTickets(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		s := chatsql.New(db)
		now := time.Now().UTC().Truncate(time.Microsecond)
		p := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: kernel.NewID(),
			Roles: []string{"staff"}, SessionID: kernel.NewID(), IssuedAt: now.Add(-time.Minute)}
		tk := chat.Ticket{Hash: chat.TicketHash("valor-1"), Principal: p, CreatedAt: now, ExpiresAt: now.Add(30 * time.Second)}
		if err := s.CreateTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
		got, err := s.RedeemTicket(ctx, tk.Hash, now.Add(time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if got.Principal.AccountID != p.AccountID || got.Principal.Kind != p.Kind || got.Principal.CompanyID != p.CompanyID ||
			got.Principal.SessionID != p.SessionID || !got.Principal.IssuedAt.Equal(p.IssuedAt) || !got.Principal.HasRole("staff") {
			t.Errorf("principal round trip: got %+v, want %+v", got.Principal, p)
		}
		if _, err := s.RedeemTicket(ctx, tk.Hash, now.Add(2*time.Second)); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("second redeem: %v, want not found", err)
		}
		if _, err := s.RedeemTicket(ctx, chat.TicketHash("nunca-emitido"), now); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("unknown ticket: %v, want not found", err)
		}
		// Expired: not redeemable at or after its expiry.
		old := chat.Ticket{Hash: chat.TicketHash("valor-2"), Principal: p, CreatedAt: now, ExpiresAt: now.Add(30 * time.Second)}
		if err := s.CreateTicket(ctx, old); err != nil {
			t.Fatal(err)
		}
		if _, err := s.RedeemTicket(ctx, old.Hash, now.Add(30*time.Second)); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("expired ticket: %v, want not found", err)
		}
		// Twenty concurrent redeems of one ticket: exactly one wins.
		race := chat.Ticket{Hash: chat.TicketHash("valor-3"), Principal: p, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
		if err := s.CreateTicket(ctx, race); err != nil {
			t.Fatal(err)
		}
		var wins, losses atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.RedeemTicket(ctx, race.Hash, now.Add(time.Second))
				switch {
				case err == nil:
					wins.Add(1)
				case kernel.KindOf(err) == kernel.KindNotFound:
					losses.Add(1)
				default:
					t.Errorf("concurrent redeem: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || losses.Load() != 19 {
			t.Errorf("concurrent redeems: %d won, %d lost; want 1 and 19", wins.Load(), losses.Load())
		}
		// Purge removes what expired before the instant, and only that.
		n, err := s.PurgeTickets(ctx, now.Add(45*time.Second))
		if err != nil || n != 2 {
			t.Errorf("purge: %d, %v; want 2 (the two 30 s tickets)", n, err)
		}
		if _, err := s.RedeemTicket(ctx, old.Hash, now); kernel.KindOf(err) != kernel.KindNotFound {
			t.Errorf("purged ticket: %v", err)
		}
	})
}
