package schedulingsql

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

type videoRoomRow struct {
	bun.BaseModel `bun:"table:scheduling_video_rooms"`
	AppointmentID string     `bun:"appointment_id,pk"`
	Provider      string     `bun:"provider"`
	RoomID        string     `bun:"room_id"`
	Data          string     `bun:"data"`
	CreatedAt     time.Time  `bun:"created_at"`
	EndedAt       *time.Time `bun:"ended_at"`
}

func videoRoomToRow(r scheduling.VideoRoom) videoRoomRow {
	data := "{}"
	if len(r.Room.Data) > 0 {
		b, _ := json.Marshal(r.Room.Data)
		data = string(b)
	}
	return videoRoomRow{AppointmentID: r.AppointmentID, Provider: r.Room.Provider, RoomID: r.Room.RoomID, Data: data,
		CreatedAt: r.CreatedAt.UTC(), EndedAt: optTime(r.EndedAt)}
}

func videoRoomFromRow(r videoRoomRow) scheduling.VideoRoom {
	data := map[string]string{}
	_ = json.Unmarshal([]byte(r.Data), &data)
	return scheduling.VideoRoom{AppointmentID: r.AppointmentID, Room: ports.VideoRoom{Provider: r.Provider, RoomID: r.RoomID, Data: data},
		CreatedAt: r.CreatedAt.UTC(), EndedAt: valTime(r.EndedAt)}
}

// VideoRoom: see scheduling.VideoStore.
func (s *Store) VideoRoom(ctx context.Context, appointmentID kernel.ID) (scheduling.VideoRoom, error) {
	return s.videoRoom(ctx, s.db, appointmentID)
}

func (s *Store) videoRoom(ctx context.Context, db bun.IDB, appointmentID kernel.ID) (scheduling.VideoRoom, error) {
	var r videoRoomRow
	if err := db.NewSelect().Model(&r).Where("appointment_id = ?", appointmentID).Scan(ctx); err != nil {
		return scheduling.VideoRoom{}, notFound(err, "sala de vídeo não encontrada")
	}
	return videoRoomFromRow(r), nil
}

// AddVideoRoom: see scheduling.VideoStore. The primary key settles races:
// the first insert wins, the others read it back.
func (s *Store) AddVideoRoom(ctx context.Context, r scheduling.VideoRoom) (scheduling.VideoRoom, error) {
	row := videoRoomToRow(r)
	if _, err := s.db.NewInsert().Model(&row).On("CONFLICT (appointment_id) DO NOTHING").Exec(ctx); err != nil {
		return scheduling.VideoRoom{}, sqlstore.Translate(err)
	}
	return s.VideoRoom(ctx, r.AppointmentID)
}

// ReplaceVideoRoom: see scheduling.VideoStore.
func (s *Store) ReplaceVideoRoom(ctx context.Context, r scheduling.VideoRoom, oldRoomID string) (scheduling.VideoRoom, error) {
	row := videoRoomToRow(r)
	_, err := s.db.NewUpdate().Table("scheduling_video_rooms").
		Set("provider = ?", row.Provider).Set("room_id = ?", row.RoomID).Set("data = ?", row.Data).Set("created_at = ?", row.CreatedAt).
		Where("appointment_id = ? AND room_id = ? AND ended_at IS NULL", r.AppointmentID, oldRoomID).Exec(ctx)
	if err != nil {
		return scheduling.VideoRoom{}, sqlstore.Translate(err)
	}
	return s.VideoRoom(ctx, r.AppointmentID)
}

// EndVideoRoom: see scheduling.VideoStore.
func (s *Store) EndVideoRoom(ctx context.Context, appointmentID kernel.ID, at time.Time) error {
	res, err := s.db.NewUpdate().Table("scheduling_video_rooms").Set("ended_at = COALESCE(ended_at, ?)", at.UTC()).
		Where("appointment_id = ?", appointmentID).Exec(ctx)
	if err != nil {
		return sqlstore.Translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kernel.NotFound("sala de vídeo não encontrada")
	}
	return nil
}
