package identitysql

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
)

// AnonymiseAccount: see identity.Store.
func (s *Store) AnonymiseAccount(ctx context.Context, id kernel.ID, a identity.Anonymised, now time.Time) error {
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*accountRow)(nil)).Set("email = ?", a.Email).Set("name = ?", a.Name).Set("phone = ''").
			Set("password_hash = ''").Set("disabled = ?", true).Set("failed_logins = 0").Set("updated_at = ?", now.UTC()).
			Where("id = ?", id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kernel.NotFound("conta não encontrada")
		}
		if _, err := tx.NewUpdate().Model((*patientRow)(nil)).Set("social_name = ''").Set("cpf = ?", a.Document).
			Set("birth_date = ?", a.BirthDate).Set("cep = ''").Set("street = ''").Set("number = ''").Set("complement = ''").
			Set("district = ''").Set("city = ''").Set("uf = ''").Set("lat = NULL").Set("lng = NULL").Set("updated_at = ?", now.UTC()).
			Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*professionalRow)(nil)).Set("cpf = ?", a.Document).Set("council_number = ?", a.Document).
			Set("bio = ''").Set("cep = ''").Set("street = ''").Set("number = ''").Set("complement = ''").Set("district = ''").
			Set("lat = NULL").Set("lng = NULL").Set("status = ?", string(identity.StatusRejected)).Set("rejection_reason = ?", a.Reason).
			Set("updated_at = ?", now.UTC()).Where("id = ?", id).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Model((*refreshRow)(nil)).Set("revoked_at = ?", now.UTC()).
			Where("account_id = ?", id).Where("revoked_at IS NULL").Exec(ctx); err != nil {
			return err
		}
		return endAccessTokens(ctx, tx, now, "id = ?", id)
	})
	return sqlstore.Translate(err)
}
