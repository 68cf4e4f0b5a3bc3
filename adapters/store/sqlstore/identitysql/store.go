// Package identitysql is identity's store on bun, for PostgreSQL and SQLite.
package identitysql

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"strings"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging"
)

// Store implements identity.Store.
type Store struct{ db *sqlstore.DB }

var _ identity.Store = (*Store)(nil)

// New returns the store on db (migrated by sqlstore).
func New(db *sqlstore.DB) *Store { return &Store{db: db} }

// conflict maps a unique violation to the field at fault; prefix names the
// object the e-mail belongs to ("admin." for a company's first admin).
func conflict(err error, emailField string) error {
	if err == nil || !sqlstore.IsUniqueViolation(err) {
		return sqlstore.Translate(err)
	}
	c := sqlstore.ConstraintName(err)
	switch {
	case strings.Contains(c, "cpf"):
		return kernel.ConflictField("cpf", "já existe uma conta com este CPF")
	case strings.Contains(c, "council"):
		return kernel.ConflictField("council.number", "este registro no conselho já está em uso")
	case strings.Contains(c, "cnpj"):
		return kernel.ConflictField("cnpj", "já existe uma empresa com este CNPJ")
	case strings.Contains(c, "email"):
		return kernel.ConflictField(emailField, "já existe uma conta deste tipo com este e-mail")
	}
	return sqlstore.Translate(err)
}

func (s *Store) forUpdate(q *bun.SelectQuery) *bun.SelectQuery {
	if s.db.Engine == sqlstore.Postgres {
		return q.For("UPDATE")
	}
	return q // SQLite transactions begin IMMEDIATE: the writer already holds the lock
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return kernel.NotFound("%s", messaging.NotFound(what))
	}
	return sqlstore.Translate(err)
}

// register runs the identity provider's hook last in a Create transaction
// (after every constraint was checked) and stores the subject it returns.
func register(ctx context.Context, tx bun.Tx, accountID kernel.ID, reg identity.Register) error {
	if reg == nil {
		return nil
	}
	sub, err := reg(ctx)
	if err != nil {
		return err
	}
	_, err = tx.NewUpdate().Model((*accountRow)(nil)).Set("provider_subject = ?", sub).Where("id = ?", accountID).Exec(ctx)
	return err
}

func (s *Store) CreatePatient(ctx context.Context, a identity.Account, p identity.Patient, reg identity.Register, events ...kernel.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ar, pr := accountToRow(a), patientToRow(p)
		if _, err := tx.NewInsert().Model(&ar).Exec(ctx); err != nil {
			return conflict(err, "email")
		}
		if _, err := tx.NewInsert().Model(&pr).Exec(ctx); err != nil {
			return conflict(err, "email")
		}
		if err := sqlstore.AddEvents(ctx, tx, events...); err != nil {
			return err
		}
		return register(ctx, tx, a.ID, reg)
	})
}

func (s *Store) CreateProfessional(ctx context.Context, a identity.Account, p identity.Professional, reg identity.Register, events ...kernel.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ar, pr := accountToRow(a), professionalToRow(p)
		if _, err := tx.NewInsert().Model(&ar).Exec(ctx); err != nil {
			return conflict(err, "email")
		}
		if _, err := tx.NewInsert().Model(&pr).Exec(ctx); err != nil {
			return conflict(err, "email")
		}
		if err := sqlstore.AddEvents(ctx, tx, events...); err != nil {
			return err
		}
		return register(ctx, tx, a.ID, reg)
	})
}

func (s *Store) CreateCompany(ctx context.Context, c identity.Company, admin identity.Account, reg identity.Register, events ...kernel.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		cr, ar := companyToRow(c), accountToRow(admin)
		if _, err := tx.NewInsert().Model(&cr).Exec(ctx); err != nil {
			return conflict(err, "admin.email")
		}
		if _, err := tx.NewInsert().Model(&ar).Exec(ctx); err != nil {
			return conflict(err, "admin.email")
		}
		if err := sqlstore.AddEvents(ctx, tx, events...); err != nil {
			return err
		}
		return register(ctx, tx, admin.ID, reg)
	})
}

func (s *Store) CreateAccount(ctx context.Context, a identity.Account, reg identity.Register, events ...kernel.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ar := accountToRow(a)
		if _, err := tx.NewInsert().Model(&ar).Exec(ctx); err != nil {
			return conflict(err, "email")
		}
		if err := sqlstore.AddEvents(ctx, tx, events...); err != nil {
			return err
		}
		return register(ctx, tx, a.ID, reg)
	})
}

func (s *Store) Account(ctx context.Context, id kernel.ID) (identity.Account, error) {
	var r accountRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return identity.Account{}, notFound(err, "account")
	}
	return accountFromRow(r), nil
}

func (s *Store) AccountsByEmail(ctx context.Context, email string) ([]identity.Account, error) {
	var rows []accountRow
	if err := s.db.NewSelect().Model(&rows).Where("email = ?", email).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]identity.Account, 0, len(rows))
	for _, r := range rows {
		out = append(out, accountFromRow(r))
	}
	return out, nil
}

func (s *Store) CountAccounts(ctx context.Context, kind kernel.AccountKind) (int, error) {
	n, err := s.db.NewSelect().Model((*accountRow)(nil)).Where("kind = ?", string(kind)).Where("NOT disabled").Count(ctx)
	return int(n), sqlstore.Translate(err)
}

func (s *Store) lockAccount(ctx context.Context, tx bun.Tx, id kernel.ID) (accountRow, error) {
	var r accountRow
	err := s.forUpdate(tx.NewSelect().Model(&r).Where("id = ?", id)).Scan(ctx)
	return r, notFound(err, "account")
}

func (s *Store) saveAccount(ctx context.Context, tx bun.Tx, a identity.Account) error {
	r := accountToRow(a)
	_, err := tx.NewUpdate().Model(&r).
		Column("email", "name", "phone", "password_hash", "role", "disabled", "failed_logins", "locked_until", "sessions_valid_after", "updated_at").
		WherePK().Exec(ctx)
	return conflict(err, "email")
}

func (s *Store) UpdateAccount(ctx context.Context, id kernel.ID, fn func(*identity.Account) error, events ...kernel.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		r, err := s.lockAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		a := accountFromRow(r)
		if err := fn(&a); err != nil {
			return err
		}
		a.ID = id
		if err := s.saveAccount(ctx, tx, a); err != nil {
			return err
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) Patient(ctx context.Context, id kernel.ID) (identity.Patient, error) {
	var r patientRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return identity.Patient{}, notFound(err, "patient")
	}
	var a accountRow
	if err := s.db.NewSelect().Model(&a).Where("id = ?", id).Scan(ctx); err != nil {
		return identity.Patient{}, notFound(err, "patient")
	}
	return patientFromRow(r, a), nil
}

func (s *Store) Patients(ctx context.Context, ids []kernel.ID) ([]identity.Patient, error) {
	out := []identity.Patient{}
	if len(ids) == 0 {
		return out, nil
	}
	var rs []patientRow
	if err := s.db.NewSelect().Model(&rs).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	var as []accountRow
	if err := s.db.NewSelect().Model(&as).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	byID := make(map[string]accountRow, len(as))
	for _, a := range as {
		byID[a.ID] = a
	}
	for _, r := range rs {
		if a, ok := byID[r.ID]; ok {
			out = append(out, patientFromRow(r, a))
		}
	}
	return out, nil
}

func (s *Store) UpdatePatient(ctx context.Context, id kernel.ID, fn func(*identity.Patient, *identity.Account) error, events ...kernel.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ar, err := s.lockAccount(ctx, tx, id)
		if kernel.KindOf(err) == kernel.KindNotFound {
			return kernel.NotFound("paciente não encontrado")
		}
		if err != nil {
			return err
		}
		var r patientRow
		if err := tx.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
			return notFound(err, "patient")
		}
		p, a := patientFromRow(r, ar), accountFromRow(ar)
		if err := fn(&p, &a); err != nil {
			return err
		}
		p.ID, a.ID = id, id
		if err := s.saveAccount(ctx, tx, a); err != nil {
			return err
		}
		nr := patientToRow(p)
		if _, err := tx.NewUpdate().Model(&nr).ExcludeColumn("id", "cpf", "created_at").WherePK().Exec(ctx); err != nil {
			return conflict(err, "email")
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) Professional(ctx context.Context, id kernel.ID) (identity.Professional, error) {
	var r professionalRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return identity.Professional{}, notFound(err, "professional")
	}
	var a accountRow
	if err := s.db.NewSelect().Model(&a).Where("id = ?", id).Scan(ctx); err != nil {
		return identity.Professional{}, notFound(err, "professional")
	}
	return professionalFromRow(r, a), nil
}

func (s *Store) UpdateProfessional(ctx context.Context, id kernel.ID, fn func(*identity.Professional, *identity.Account) error, events ...kernel.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		ar, err := s.lockAccount(ctx, tx, id)
		if kernel.KindOf(err) == kernel.KindNotFound {
			return kernel.NotFound("profissional não encontrado")
		}
		if err != nil {
			return err
		}
		var r professionalRow
		if err := tx.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
			return notFound(err, "professional")
		}
		p, a := professionalFromRow(r, ar), accountFromRow(ar)
		if err := fn(&p, &a); err != nil {
			return err
		}
		p.ID, a.ID = id, id
		if err := s.saveAccount(ctx, tx, a); err != nil {
			return err
		}
		nr := professionalToRow(p)
		if _, err := tx.NewUpdate().Model(&nr).ExcludeColumn("id", "cpf", "council_type", "council_number", "council_uf", "profession", "created_at").WherePK().Exec(ctx); err != nil {
			return conflict(err, "email")
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) ListProfessionals(ctx context.Context, status identity.Status, q identity.ProfessionalQuery) ([]identity.Professional, error) {
	var rows []professionalRow
	sel := s.db.NewSelect().Model(&rows).Where("status = ?", string(status))
	if q.Profession != "" {
		sel = sel.Where("profession = ?", q.Profession)
	}
	if q.UF != "" {
		sel = sel.Where("uf = ?", q.UF)
	}
	if err := sel.Order("created_at", "id").Limit(5000).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	if len(rows) == 0 {
		return []identity.Professional{}, nil
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	var accs []accountRow
	if err := s.db.NewSelect().Model(&accs).Where("id IN (?)", bun.List(ids)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	byID := make(map[string]accountRow, len(accs))
	for _, a := range accs {
		byID[a.ID] = a
	}
	out := make([]identity.Professional, 0, len(rows))
	for _, r := range rows {
		out = append(out, professionalFromRow(r, byID[r.ID]))
	}
	sortProfessionals(out)
	return out, nil
}

// directoryRow is a verified professional with their account's name and e-mail:
// one join.
type directoryRow struct {
	professionalRow
	Name  string `bun:"name"`
	Email string `bun:"email"`
}

func (s *Store) DirectoryProfessionals(ctx context.Context) ([]identity.Professional, error) {
	var rows []directoryRow
	// Named columns, not p.*: a column a migration adds while older instances
	// still run must not fail their scan; CPF and rejection reason are not read.
	sel := s.db.NewSelect().TableExpr("identity_professionals AS p").Join("JOIN identity_accounts AS a ON a.id = p.id")
	for _, f := range s.db.Table(reflect.TypeFor[professionalRow]()).Fields {
		if f.Name != "cpf" && f.Name != "rejection_reason" {
			sel = sel.ColumnExpr("p.?", bun.Ident(f.Name))
		}
	}
	err := sel.ColumnExpr("a.name, a.email").Where("p.status = ?", string(identity.StatusVerified)).Scan(ctx, &rows)
	if err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]identity.Professional, len(rows))
	for i, r := range rows {
		out[i] = professionalFromRow(r.professionalRow, accountRow{Name: r.Name, Email: r.Email})
	}
	sortProfessionals(out)
	return out, nil
}

func (s *Store) DirectoryVersion(ctx context.Context) (int64, error) {
	var v int64
	// Kept by triggers on identity_professionals and identity_accounts (migration 20261203000200).
	if err := s.db.NewSelect().Table("identity_directory_version").Column("version").Where("id = 1").Scan(ctx, &v); err != nil {
		return 0, sqlstore.Translate(err)
	}
	return v, nil
}

func (s *Store) Company(ctx context.Context, id kernel.ID) (identity.Company, error) {
	var r companyRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return identity.Company{}, notFound(err, "company")
	}
	return companyFromRow(r), nil
}

func (s *Store) UpdateCompany(ctx context.Context, id kernel.ID, fn func(*identity.Company) error, events ...kernel.Event) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var r companyRow
		if err := s.forUpdate(tx.NewSelect().Model(&r).Where("id = ?", id)).Scan(ctx); err != nil {
			return notFound(err, "company")
		}
		c := companyFromRow(r)
		if err := fn(&c); err != nil {
			return err
		}
		c.ID = id
		nr := companyToRow(c)
		if _, err := tx.NewUpdate().Model(&nr).ExcludeColumn("id", "cnpj", "created_at").WherePK().Exec(ctx); err != nil {
			return conflict(err, "email")
		}
		return sqlstore.AddEvents(ctx, tx, events...)
	})
}

func (s *Store) ListCompanies(ctx context.Context, status identity.Status) ([]identity.Company, error) {
	var rows []companyRow
	sel := s.db.NewSelect().Model(&rows)
	if status != "" {
		sel = sel.Where("status = ?", string(status))
	}
	if err := sel.OrderExpr("created_at DESC, id DESC").Limit(5000).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]identity.Company, 0, len(rows))
	for _, r := range rows {
		out = append(out, companyFromRow(r))
	}
	return out, nil
}

func (s *Store) Members(ctx context.Context, companyID kernel.ID) ([]identity.Account, error) {
	var rows []accountRow
	err := s.db.NewSelect().Model(&rows).Where("company_id = ?", companyID).Where("kind = ?", string(kernel.KindCompanyMember)).
		Where("NOT disabled").Order("created_at", "id").Scan(ctx)
	if err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]identity.Account, 0, len(rows))
	for _, r := range rows {
		out = append(out, accountFromRow(r))
	}
	return out, nil
}

func (s *Store) RemoveMember(ctx context.Context, companyID, accountID kernel.ID, now time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		// Lock the company row so two removals of the last two admins serialize.
		var c companyRow
		if err := s.forUpdate(tx.NewSelect().Model(&c).Where("id = ?", companyID)).Scan(ctx); err != nil {
			return notFound(err, "member")
		}
		var r accountRow
		err := tx.NewSelect().Model(&r).Where("id = ?", accountID).Where("company_id = ?", companyID).
			Where("kind = ?", string(kernel.KindCompanyMember)).Where("NOT disabled").Scan(ctx)
		if err != nil {
			return notFound(err, "member")
		}
		if r.Role == identity.RoleAdmin {
			n, err := tx.NewSelect().Model((*accountRow)(nil)).Where("company_id = ?", companyID).
				Where("role = ?", identity.RoleAdmin).Where("NOT disabled").Count(ctx)
			if err != nil {
				return err
			}
			if n <= 1 {
				return kernel.Conflict("uma empresa deve manter pelo menos um administrador")
			}
		}
		_, err = tx.NewUpdate().Model((*accountRow)(nil)).Set("disabled = ?", true).Set("updated_at = ?", now.UTC()).
			Where("id = ?", accountID).Exec(ctx)
		return err
	})
}

func (s *Store) CreateRefreshToken(ctx context.Context, t identity.RefreshToken) error {
	r := refreshRow{ID: t.ID, Family: t.Family, AccountID: t.AccountID, Hash: t.Hash, ExpiresAt: t.ExpiresAt.UTC(),
		CreatedAt: t.CreatedAt.UTC(), UsedAt: utcp(t.UsedAt), RevokedAt: utcp(t.RevokedAt)}
	_, err := s.db.NewInsert().Model(&r).Exec(ctx)
	return sqlstore.Translate(err)
}

func (s *Store) ConsumeRefreshToken(ctx context.Context, hash string, now time.Time) (identity.RefreshToken, error) {
	var out identity.RefreshToken
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*refreshRow)(nil)).Set("used_at = ?", now.UTC()).
			Where("hash = ?", hash).Where("used_at IS NULL").Where("revoked_at IS NULL").Exec(ctx)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		var r refreshRow
		if err := tx.NewSelect().Model(&r).Where("hash = ?", hash).Scan(ctx); err != nil {
			return notFound(err, "refresh token")
		}
		out = refreshFromRow(r)
		if n == 0 {
			return errSpent
		}
		return nil
	})
	if errors.Is(err, errSpent) {
		return out, kernel.Conflict("o token de renovação já foi usado ou revogado")
	}
	return out, err
}

// errSpent is a kernel error so that InTx passes it through untouched.
var errSpent = &kernel.Error{Kind: kernel.KindConflict, Message: "spent"}

// endAccessTokens moves the accounts' sessions_valid_after forward to now.
func endAccessTokens(ctx context.Context, tx bun.Tx, now time.Time, where string, arg any) error {
	_, err := tx.NewUpdate().Model((*accountRow)(nil)).Set("sessions_valid_after = ?", now.UTC()).
		Where(where, arg).Where("(sessions_valid_after IS NULL OR sessions_valid_after < ?)", now.UTC()).Exec(ctx)
	return err
}

func (s *Store) RevokeRefreshFamily(ctx context.Context, family kernel.ID, now time.Time) error {
	_, err := s.db.NewUpdate().Model((*refreshRow)(nil)).Set("revoked_at = ?", now.UTC()).
		Where("family = ?", family).Where("revoked_at IS NULL").Exec(ctx)
	return sqlstore.Translate(err)
}

// accountColumns are accountRow's columns, named (not a.*): a prepared statement
// keeps its result type, so a column added by a migration during a rolling
// upgrade must not change what this query returns to instances still running.
const accountColumns = "a.id, a.kind, a.email, a.name, a.phone, a.password_hash, a.company_id, a.role, a.disabled, a.failed_logins, " +
	"a.locked_until, a.provider_subject, a.sessions_valid_after, a.created_at, a.updated_at"

const accountSessionQuery = `SELECT ` + accountColumns + `, EXISTS (SELECT 1 FROM identity_refresh_tokens AS rt
	WHERE rt.family = $2 AND rt.account_id = $1 AND rt.revoked_at IS NOT NULL) AS session_ended
	FROM identity_accounts AS a WHERE a.id = $1`

// accountSessionRow is an account with the state of one of its sessions.
type accountSessionRow struct {
	accountRow `bun:",extend"`
	Ended      bool `bun:"session_ended"`
}

func (s *Store) AccountSession(ctx context.Context, accountID, sessionID kernel.ID) (identity.Account, bool, error) {
	if sessionID == "" {
		a, err := s.Account(ctx, accountID)
		return a, false, err
	}
	var r accountSessionRow
	if s.db.Engine == sqlstore.Postgres { // every authenticated request: prepared (sqlstore.Prepared)
		err := s.db.ScanPrepared(ctx, accountSessionQuery, []any{accountID, sessionID}, &r)
		if err != nil {
			return identity.Account{}, false, notFound(err, "account")
		}
		return accountFromRow(r.accountRow), r.Ended, nil
	}
	ended := s.db.NewSelect().TableExpr("identity_refresh_tokens AS rt").ColumnExpr("1").
		Where("rt.family = ?", sessionID).Where("rt.account_id = ?", accountID).Where("rt.revoked_at IS NOT NULL").Limit(1)
	err := s.db.NewSelect().Model(&r).ColumnExpr("?TableAlias.*").ColumnExpr("EXISTS (?) AS session_ended", ended).
		Where("?TableAlias.id = ?", accountID).Scan(ctx)
	if err != nil {
		return identity.Account{}, false, notFound(err, "account")
	}
	return accountFromRow(r.accountRow), r.Ended, nil
}

func (s *Store) EndSessions(ctx context.Context, accountID kernel.ID, now time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Model((*refreshRow)(nil)).Set("revoked_at = ?", now.UTC()).
			Where("account_id = ?", accountID).Where("revoked_at IS NULL").Exec(ctx)
		if err != nil {
			return err
		}
		return endAccessTokens(ctx, tx, now, "id = ?", accountID)
	})
}

func (s *Store) CreateResetToken(ctx context.Context, t identity.ResetToken) error {
	r := resetRow{Hash: t.Hash, AccountID: t.AccountID, ExpiresAt: t.ExpiresAt.UTC(), CreatedAt: t.CreatedAt.UTC()}
	_, err := s.db.NewInsert().Model(&r).Exec(ctx)
	return sqlstore.Translate(err)
}

func (s *Store) ConsumeResetToken(ctx context.Context, hash string, now time.Time) (identity.ResetToken, error) {
	var out identity.ResetToken
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Model((*resetRow)(nil)).Set("used_at = ?", now.UTC()).
			Where("hash = ?", hash).Where("used_at IS NULL").Where("expires_at > ?", now.UTC()).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return kernel.NotFound("token de redefinição não encontrado")
		}
		var r resetRow
		if err := tx.NewSelect().Model(&r).Where("hash = ?", hash).Scan(ctx); err != nil {
			return notFound(err, "reset token")
		}
		out = identity.ResetToken{Hash: r.Hash, AccountID: r.AccountID, ExpiresAt: utc(r.ExpiresAt), CreatedAt: utc(r.CreatedAt), UsedAt: utcp(r.UsedAt)}
		return nil
	})
	return out, err
}

func (s *Store) CreateAPIKey(ctx context.Context, k identity.APIKey) error {
	r := apiKeyToRow(k)
	_, err := s.db.NewInsert().Model(&r).Exec(ctx)
	return sqlstore.Translate(err)
}

func (s *Store) APIKeys(ctx context.Context, companyID kernel.ID) ([]identity.APIKey, error) {
	var rows []apiKeyRow
	if err := s.db.NewSelect().Model(&rows).Where("company_id = ?", companyID).OrderExpr("created_at DESC, id DESC").Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]identity.APIKey, 0, len(rows))
	for _, r := range rows {
		out = append(out, apiKeyFromRow(r))
	}
	return out, nil
}

func (s *Store) APIKeyByPrefix(ctx context.Context, prefix string) (identity.APIKey, error) {
	var r apiKeyRow
	if err := s.db.NewSelect().Model(&r).Where("prefix = ?", prefix).Scan(ctx); err != nil {
		return identity.APIKey{}, notFound(err, "API key")
	}
	return apiKeyFromRow(r), nil
}

func (s *Store) RevokeAPIKey(ctx context.Context, companyID, keyID kernel.ID, now time.Time) error {
	return s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var r apiKeyRow
		if err := tx.NewSelect().Model(&r).Where("id = ?", keyID).Where("company_id = ?", companyID).Scan(ctx); err != nil {
			return notFound(err, "API key")
		}
		if r.RevokedAt != nil {
			return nil
		}
		_, err := tx.NewUpdate().Model((*apiKeyRow)(nil)).Set("revoked_at = ?", now.UTC()).Where("id = ?", keyID).Exec(ctx)
		return err
	})
}
