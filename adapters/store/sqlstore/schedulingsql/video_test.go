package schedulingsql_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/schedulingsql"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

func room(appointmentID, roomID string) scheduling.VideoRoom {
	return scheduling.VideoRoom{AppointmentID: appointmentID, CreatedAt: t0,
		Room: ports.VideoRoom{Provider: ports.VideoChime, RoomID: roomID, Data: map[string]string{"media_region": "sa-east-1"}}}
}

func TestVideoRooms(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		st := schedulingsql.New(db)
		a := appt(kernel.NewID(), 1, t0.Add(72*time.Hour))
		if err := st.Book(ctx, &a, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := st.VideoRoom(ctx, a.ID); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("no room yet: %v", err)
		}
		if err := st.EndVideoRoom(ctx, a.ID, t0); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("ending no room: %v", err)
		}

		// Twenty first joins at once: one room is stored, everyone reads it.
		var wg sync.WaitGroup
		got := make([]string, 20)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := st.AddVideoRoom(ctx, room(a.ID, "room-"+kernel.NewID()))
				if err != nil {
					t.Error(err)
					return
				}
				got[i] = r.Room.RoomID
			}()
		}
		wg.Wait()
		for _, id := range got {
			if id != got[0] {
				t.Fatalf("rooms differ: %v", got)
			}
		}
		r, err := st.VideoRoom(ctx, a.ID)
		if err != nil || r.Room.RoomID != got[0] || r.Room.Data["media_region"] != "sa-east-1" || r.Ended() || !r.CreatedAt.Equal(t0) {
			t.Fatalf("stored %+v, %v", r, err)
		}

		// Replacing is a compare-and-swap on the room ID.
		stale, err := st.ReplaceVideoRoom(ctx, room(a.ID, "other"), "not-the-room")
		if err != nil || stale.Room.RoomID != got[0] {
			t.Fatalf("replace with a stale ID: %+v, %v", stale, err)
		}
		fresh, err := st.ReplaceVideoRoom(ctx, room(a.ID, "fresh"), got[0])
		if err != nil || fresh.Room.RoomID != "fresh" {
			t.Fatalf("replace: %+v, %v", fresh, err)
		}

		// Ending keeps its first time; an ended room is not replaced.
		if err := st.EndVideoRoom(ctx, a.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := st.EndVideoRoom(ctx, a.ID, t0.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		after, err := st.ReplaceVideoRoom(ctx, room(a.ID, "again"), "fresh")
		if err != nil || after.Room.RoomID != "fresh" || !after.EndedAt.Equal(t0.Add(time.Hour)) {
			t.Fatalf("ended room: %+v, %v", after, err)
		}
		if _, err := st.AddVideoRoom(ctx, room(kernel.NewID(), "orphan")); err == nil {
			t.Fatal("a room for no appointment was stored")
		}
	})
}
