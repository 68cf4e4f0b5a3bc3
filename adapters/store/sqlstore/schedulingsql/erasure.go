package schedulingsql

import (
	"context"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
)

// DeleteNotifications: see scheduling.Store.
func (s *Store) DeleteNotifications(ctx context.Context, recipientID kernel.ID) (int, error) {
	res, err := s.db.NewDelete().Model((*notificationRow)(nil)).Where("recipient_id = ?", recipientID).Exec(ctx)
	if err != nil {
		return 0, sqlstore.Translate(err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
