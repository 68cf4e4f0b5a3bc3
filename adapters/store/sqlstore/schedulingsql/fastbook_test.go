package schedulingsql

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/test/testdb"
)

// Book validates against the availability it read last; the store checks that it
// is still current in the booking statement. A change made elsewhere (another
// server: here the store directly, which the service does not see) must decide.
func TestBookAgainstChangedAvailability(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e := setup(t, db)
		p := e.patient("a")
		fri := time.Date(2026, 12, 4, 11, 0, 0, 0, time.UTC) // Friday 08:00 in São Paulo
		if _, err := e.svc.Book(ctx, p, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: fri}); err != nil {
			t.Fatal(err) // reads and remembers the availability
		}
		if _, err := e.svc.Book(ctx, p, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: fri.Add(30 * time.Minute)}); err != nil {
			t.Fatal(err) // the remembered availability is current: booked
		}
		if _, err := e.svc.Book(ctx, e.patient("b"), scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: fri}); kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("a taken slot: %v", err)
		}
		if got := len(outbox(t, db, scheduling.TopicBooked)); got != 2 {
			t.Fatalf("booked events = %d, want 2 (one per booking, none for the conflict)", got)
		}
		av, err := e.st.GetAvailability(ctx, e.pro.AccountID)
		if err != nil {
			t.Fatal(err)
		}
		var weekly []scheduling.Rule
		for _, r := range av.Weekly {
			if r.Weekday != time.Friday {
				weekly = append(weekly, r)
			}
		}
		av.Weekly = weekly
		if _, err := e.st.PutAvailability(ctx, av, av.Version); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Book(ctx, p, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: fri.Add(time.Hour)})
		var ke *kernel.Error
		if kernel.KindOf(err) != kernel.KindConflict || !errors.As(err, &ke) || len(ke.Fields) == 0 || ke.Fields[0].Message != "este horário não está disponível" {
			t.Fatalf("a Friday slot after Fridays were removed elsewhere: %v", err)
		}
		if got := len(outbox(t, db, scheduling.TopicBooked)); got != 2 {
			t.Fatalf("booked events = %d, want still 2", got)
		}
		mon := time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)
		if _, err := e.svc.Book(ctx, p, scheduling.BookRequest{ProfessionalID: e.pro.AccountID, Start: mon}); err != nil {
			t.Fatal(err) // the fresh availability is remembered again
		}
	})
}
