package identity

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Store is the persistence identity needs. Every method translates its
// adapter's errors into kernel kinds. Events passed to a write are committed in
// the same transaction (the outbox).
type Store interface {
	// CreatePatient stores the account and the profile together. A duplicate
	// e-mail (among patients) or CPF is kernel.ConflictField naming "email" or "cpf".
	// reg, when not nil, runs inside the transaction after the rows are written
	// (so a duplicate never reaches it); its error rolls everything back, and
	// the subject it returns is stored as the account's Subject. Every Create
	// method takes reg the same way.
	CreatePatient(ctx context.Context, a Account, p Patient, reg Register, events ...kernel.Event) error
	// CreateProfessional is CreatePatient for professionals; a duplicate council
	// registration is a conflict on "council.number".
	CreateProfessional(ctx context.Context, a Account, p Professional, reg Register, events ...kernel.Event) error
	// CreateCompany stores the company and its first admin member. A duplicate
	// CNPJ is a conflict on "cnpj"; a duplicate admin e-mail on "admin.email".
	CreateCompany(ctx context.Context, c Company, admin Account, reg Register, events ...kernel.Event) error
	// CreateAccount stores an account alone (admins, company members); a duplicate
	// e-mail within the kind is a conflict on "email".
	CreateAccount(ctx context.Context, a Account, reg Register, events ...kernel.Event) error

	// Account returns an account by ID; kernel.KindNotFound when absent.
	Account(ctx context.Context, id kernel.ID) (Account, error)
	// AccountsByEmail returns every account (of any kind) using the e-mail; none is not an error.
	AccountsByEmail(ctx context.Context, email string) ([]Account, error)
	// CountAccounts counts the accounts of a kind.
	CountAccounts(ctx context.Context, kind kernel.AccountKind) (int, error)
	// UpdateAccount runs fn on the account inside a transaction and saves what it
	// changed (e-mail, name, phone, password hash, lockout counters, disabled,
	// sessions valid after). When
	// fn fails nothing is saved and its error is returned. kernel.KindNotFound when
	// absent; a duplicate e-mail is a conflict on "email".
	UpdateAccount(ctx context.Context, id kernel.ID, fn func(*Account) error, events ...kernel.Event) error

	// Patient returns a patient's profile; kernel.KindNotFound when absent.
	Patient(ctx context.Context, id kernel.ID) (Patient, error)
	// Patients returns the profiles of those of ids that exist, in no order,
	// in a constant number of queries.
	Patients(ctx context.Context, ids []kernel.ID) ([]Patient, error)
	// UpdatePatient runs fn on the profile (and its account, for e-mail, name and
	// phone) in a transaction and saves both.
	UpdatePatient(ctx context.Context, id kernel.ID, fn func(*Patient, *Account) error, events ...kernel.Event) error

	// Professional returns a professional's profile; kernel.KindNotFound when absent.
	Professional(ctx context.Context, id kernel.ID) (Professional, error)
	// UpdateProfessional is UpdatePatient for professionals.
	UpdateProfessional(ctx context.Context, id kernel.ID, fn func(*Professional, *Account) error, events ...kernel.Event) error
	// ListProfessionals returns professionals of a status matching q, ordered by
	// name then ID.
	ListProfessionals(ctx context.Context, status Status, q ProfessionalQuery) ([]Professional, error)
	// DirectoryProfessionals returns every verified professional, uncapped (the
	// directory other contexts cache: about 20,000 at national size), ordered by
	// name then ID, in one query, with what a directory and the public listings
	// show: ID, Name, Email, Profession, Council, Specialties, Bio, Price, Modes,
	// Address, Point, Status, CreatedAt and UpdatedAt; Phone, CPF and
	// RejectionReason are left zero.
	DirectoryProfessionals(ctx context.Context) ([]Professional, error)
	// DirectoryVersion returns a number that changes whenever a change to a
	// professional, or to a professional's name or e-mail, commits: a cache of
	// DirectoryProfessionals read after the version was still current while the
	// version is the same. One row read.
	DirectoryVersion(ctx context.Context) (int64, error)

	// Company returns a company; kernel.KindNotFound when absent.
	Company(ctx context.Context, id kernel.ID) (Company, error)
	// UpdateCompany runs fn on the company in a transaction and saves it.
	UpdateCompany(ctx context.Context, id kernel.ID, fn func(*Company) error, events ...kernel.Event) error
	// ListCompanies returns the companies of a status ("" for all), newest first.
	ListCompanies(ctx context.Context, status Status) ([]Company, error)
	// Members lists a company's active member accounts, oldest first.
	Members(ctx context.Context, companyID kernel.ID) ([]Account, error)
	// RemoveMember disables a member account of the company, in a transaction that
	// refuses (kernel.KindConflict) to remove the company's last admin.
	// kernel.KindNotFound when the account is not an active member of the company.
	RemoveMember(ctx context.Context, companyID, accountID kernel.ID, now time.Time) error

	// CreateRefreshToken stores a refresh token (by hash).
	CreateRefreshToken(ctx context.Context, t RefreshToken) error
	// ConsumeRefreshToken marks the token with that hash used, atomically: of two
	// concurrent calls only one succeeds. kernel.KindNotFound when no token has
	// that hash; kernel.KindConflict, with the token, when it was already used or revoked.
	ConsumeRefreshToken(ctx context.Context, hash string, now time.Time) (RefreshToken, error)
	// RevokeRefreshFamily revokes every token of a family: the session it
	// names ends (AccountSession reports it ended), and only that session; the
	// account's other sessions and its SessionsValidAfter are untouched.
	RevokeRefreshFamily(ctx context.Context, family kernel.ID, now time.Time) error
	// AccountSession returns the account, as Account does, and whether the
	// session sessionID (a refresh-token family) was revoked, in one read. An
	// empty or unknown sessionID is not ended.
	AccountSession(ctx context.Context, accountID, sessionID kernel.ID) (Account, bool, error)
	// AnonymiseAccount replaces the account's personal data (and its patient
	// or professional profile's) with a, disables it (a professional becomes
	// rejected, out of search), revokes its refresh tokens and ends its access
	// tokens issued before now, in one transaction. kernel.KindNotFound when absent.
	AnonymiseAccount(ctx context.Context, id kernel.ID, a Anonymised, now time.Time) error
	// EndSessions revokes every refresh token of an account and ends its access
	// tokens issued before now, in one transaction. An unknown account is not an error.
	EndSessions(ctx context.Context, accountID kernel.ID, now time.Time) error

	// CreateResetToken stores a password-reset token (by hash).
	CreateResetToken(ctx context.Context, t ResetToken) error
	// ConsumeResetToken marks the token used, atomically, and returns it;
	// kernel.KindNotFound when absent, already used or expired at now.
	ConsumeResetToken(ctx context.Context, hash string, now time.Time) (ResetToken, error)

	// CreateAPIKey stores a key.
	CreateAPIKey(ctx context.Context, k APIKey) error
	// APIKeys lists a company's keys, revoked ones included, newest first.
	APIKeys(ctx context.Context, companyID kernel.ID) ([]APIKey, error)
	// APIKeyByPrefix returns the key with that visible prefix; kernel.KindNotFound when absent.
	APIKeyByPrefix(ctx context.Context, prefix string) (APIKey, error)
	// RevokeAPIKey revokes a key of the company; kernel.KindNotFound when the
	// company has no such key (revoking twice is not an error).
	RevokeAPIKey(ctx context.Context, companyID, keyID kernel.ID, now time.Time) error
}

// Register creates the user at the identity provider and returns its subject;
// a store's Create method runs it inside its transaction.
type Register func(ctx context.Context) (subject string, err error)

// RefreshToken is one opaque refresh token of a session family: each use
// rotates it; a second use of any member revokes the family.
type RefreshToken struct {
	ID        kernel.ID
	Family    kernel.ID
	AccountID kernel.ID
	Hash      string // SHA-256 of the secret, hex
	ExpiresAt time.Time
	CreatedAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
}

// ResetToken is a single-use password-reset token.
type ResetToken struct {
	Hash      string
	AccountID kernel.ID
	ExpiresAt time.Time
	CreatedAt time.Time
	UsedAt    *time.Time
}
