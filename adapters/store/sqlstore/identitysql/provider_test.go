package identitysql_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/identity/argon2hash"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/identitysql"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

// outsideIdP stands in for Cognito or Keycloak: it holds users, and its tokens
// are strings registered with mint.
type outsideIdP struct {
	mu         sync.Mutex
	users      map[string]ports.NewUser // by subject
	passwords  map[string]string
	deleted    []string
	creates    int
	failCreate error
	tokens     map[string]kernel.Principal
}

func newOutsideIdP() *outsideIdP {
	return &outsideIdP{users: map[string]ports.NewUser{}, passwords: map[string]string{}, tokens: map[string]kernel.Principal{}}
}

func (f *outsideIdP) Verify(_ context.Context, tok string) (kernel.Principal, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.tokens[tok]
	if !ok {
		return kernel.Anonymous, kernel.Unauthenticated("unknown token")
	}
	return p, nil
}

func (f *outsideIdP) mint(p kernel.Principal) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	tok := "tok-" + kernel.NewID()
	f.tokens[tok] = p
	return tok
}

func (f *outsideIdP) CreateUser(_ context.Context, u ports.NewUser) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.creates++
	if f.failCreate != nil {
		return "", f.failCreate
	}
	for _, x := range f.users {
		if x.Email == u.Email {
			return "", kernel.ConflictField("email", "exists")
		}
	}
	sub := "sub-" + kernel.NewID()
	f.users[sub] = u
	f.passwords[sub] = u.Password
	return sub, nil
}

func (f *outsideIdP) SetPassword(_ context.Context, sub, pw string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.users[sub]; !ok {
		return kernel.NotFound("no such user")
	}
	f.passwords[sub] = pw
	return nil
}

func (f *outsideIdP) DeleteUser(_ context.Context, sub string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.users[sub]; !ok {
		return kernel.NotFound("no such user")
	}
	delete(f.users, sub)
	f.deleted = append(f.deleted, sub)
	return nil
}

func (f *outsideIdP) userOf(accountID kernel.ID) (string, ports.NewUser, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub, u := range f.users {
		if u.AccountID == accountID {
			return sub, u, true
		}
	}
	return "", ports.NewUser{}, false
}

func (f *outsideIdP) count() (users, creates int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.users), f.creates
}

// lostCommit is a store whose Create methods fail after the provider's hook
// succeeded, as a commit lost after the provider created the user would.
type lostCommit struct {
	*identitysql.Store
	on bool
}

var errLost = kernel.Unavailable(errors.New("connection reset"), "the database is unavailable")

func (s *lostCommit) wrap(reg identity.Register) identity.Register {
	return func(ctx context.Context) (string, error) {
		sub, err := reg(ctx)
		if err != nil || !s.on {
			return sub, err
		}
		return "", errLost
	}
}

func (s *lostCommit) CreatePatient(ctx context.Context, a identity.Account, p identity.Patient, reg identity.Register, ev ...kernel.Event) error {
	return s.Store.CreatePatient(ctx, a, p, s.wrap(reg), ev...)
}

func (s *lostCommit) CreateCompany(ctx context.Context, c identity.Company, a identity.Account, reg identity.Register, ev ...kernel.Event) error {
	return s.Store.CreateCompany(ctx, c, a, s.wrap(reg), ev...)
}

type outsideEnv struct {
	svc   *identity.Service
	store *lostCommit
	idp   *outsideIdP
	clock *kernel.FixedClock
	mail  *mailbox
}

func newOutsideEnv(t *testing.T, db *sqlstore.DB) *outsideEnv {
	t.Helper()
	clock := kernel.NewFixedClock(time.Now())
	st := &lostCommit{Store: identitysql.New(db)}
	idp := newOutsideIdP()
	mail := &mailbox{}
	svc, err := identity.NewService(st, argon2hash.New(argon2hash.TestParams), idp, nil, fakeGeo{}, mail, clock, slog.New(slog.DiscardHandler), identity.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &outsideEnv{svc: svc, store: st, idp: idp, clock: clock, mail: mail}
}

func outboxCount(t *testing.T, db *sqlstore.DB, topic string) int {
	t.Helper()
	var n int
	if err := db.NewRaw("SELECT COUNT(*) FROM outbox WHERE topic = ?", topic).Scan(context.Background(), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSignUpRegistersAtTheIdentityProvider(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newOutsideEnv(t, db)
		ctx := context.Background()
		pt, err := e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("maria@example.com", newCPF(t)))
		if err != nil {
			t.Fatal(err)
		}
		sub, u, ok := e.idp.userOf(pt.ID)
		if !ok || u.Email != "maria@example.com" || u.Password != pw || u.Kind != kernel.KindPatient || len(u.Roles) != 0 || u.CompanyID != "" {
			t.Fatalf("provider user of the patient = %+v (found %v)", u, ok)
		}
		acc, err := e.store.Account(ctx, pt.ID)
		if err != nil || acc.Subject != sub {
			t.Fatalf("stored subject = %q, want %q (%v)", acc.Subject, sub, err)
		}
		pr, err := e.svc.SignUpProfessional(ctx, kernel.Anonymous, professionalIn("joao@example.com", newCPF(t), "223344"))
		if err != nil {
			t.Fatal(err)
		}
		if _, u, ok := e.idp.userOf(pr.ID); !ok || u.Kind != kernel.KindProfessional {
			t.Fatalf("provider user of the professional = %+v", u)
		}
		c, admin, err := e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("11.222.333/0001-81", "ana@farmacia.com"))
		if err != nil {
			t.Fatal(err)
		}
		if _, u, ok := e.idp.userOf(admin.ID); !ok || u.Kind != kernel.KindCompanyMember || u.CompanyID != c.ID || !slices.Equal(u.Roles, []string{"admin"}) || admin.Subject == "" {
			t.Fatalf("provider user of the company admin = %+v, admin %+v", u, admin)
		}
		platform := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin, Roles: []string{"admin"}}
		if _, err := e.svc.DecideCompany(ctx, platform, c.ID, identity.Decision{Approve: true}); err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.AddMember(ctx, admin.Principal(), c.ID, identity.MemberInput{Name: "Sam", Email: "sam@farmacia.com", Role: "staff"})
		if err != nil {
			t.Fatal(err)
		}
		msub, u, ok := e.idp.userOf(m.AccountID)
		if !ok || u.Kind != kernel.KindCompanyMember || u.CompanyID != c.ID || !slices.Equal(u.Roles, []string{"staff"}) || u.Password == "" {
			t.Fatalf("provider user of the member = %+v", u)
		}
		// The invitation sets the password at the provider, by the stored subject.
		link := e.mail.last().Data["token"]
		if err := e.svc.ConfirmPasswordReset(ctx, link, "Brand-New-Pass-77"); err != nil {
			t.Fatal(err)
		}
		if e.idp.passwords[msub] != "Brand-New-Pass-77" {
			t.Fatal("the member's password was not set at the provider")
		}
		if err := e.svc.BootstrapAdmin(ctx, "root@multisaude.test", "Root-Password-2026!"); err != nil {
			t.Fatal(err)
		}
		admins, _ := e.store.AccountsByEmail(ctx, "root@multisaude.test")
		if len(admins) != 1 {
			t.Fatalf("admins = %v", admins)
		}
		if _, u, ok := e.idp.userOf(admins[0].ID); !ok || u.Kind != kernel.KindAdmin || admins[0].Subject == "" {
			t.Fatalf("provider user of the platform admin = %+v", u)
		}
	})
}

func TestSignUpLeavesNothingHalfMade(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newOutsideEnv(t, db)
		ctx := context.Background()
		const topic = "identity.patient.registered"

		// The provider is down: no account, no event.
		e.idp.failCreate = kernel.Unavailable(errors.New("dial tcp: refused"), "the identity provider cannot be reached")
		_, err := e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("down@example.com", newCPF(t)))
		wantKind(t, err, kernel.KindUnavailable, "")
		if accs, _ := e.store.AccountsByEmail(ctx, "down@example.com"); len(accs) != 0 || outboxCount(t, db, topic) != 0 {
			t.Fatalf("after a provider failure: accounts %v, events %d", accs, outboxCount(t, db, topic))
		}
		// The provider refuses the password: named as the request's field.
		e.idp.failCreate = kernel.Invalid("password", "policy")
		_, _, err = e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("11.222.333/0001-81", "weak@farmacia.com"))
		wantKind(t, err, kernel.KindInvalid, "admin.password")
		e.idp.failCreate = nil

		// The e-mail is already a user at the provider: 409 on the e-mail field.
		if _, err := e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("taken@example.com", newCPF(t))); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.SignUpProfessional(ctx, kernel.Anonymous, professionalIn("taken@example.com", newCPF(t), "998877"))
		wantKind(t, err, kernel.KindConflict, "email")
		_, _, err = e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("11.222.333/0001-81", "taken@example.com"))
		wantKind(t, err, kernel.KindConflict, "admin.email")
		if accs, _ := e.store.AccountsByEmail(ctx, "taken@example.com"); len(accs) != 1 {
			t.Fatalf("accounts with the taken e-mail = %d, want the patient only", len(accs))
		}
		if _, err := e.svc.LookupCompany(ctx, kernel.NewID()); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatal(err)
		}
		if cs, _ := e.store.ListCompanies(ctx, ""); len(cs) != 0 {
			t.Fatalf("companies after refused sign-ups = %d", len(cs))
		}

		// A duplicate in our store never reaches the provider.
		users, creates := e.idp.count()
		_, err = e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("taken@example.com", newCPF(t)))
		wantKind(t, err, kernel.KindConflict, "email")
		if u, c := e.idp.count(); u != users || c != creates {
			t.Fatalf("a duplicate reached the provider: users %d->%d, calls %d->%d", users, u, creates, c)
		}

		// The store fails after the provider created the user: the user is deleted.
		e.store.on = true
		before := outboxCount(t, db, topic)
		_, err = e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("lost@example.com", newCPF(t)))
		wantKind(t, err, kernel.KindUnavailable, "")
		_, _, err = e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("11.222.333/0001-81", "lost@farmacia.com"))
		wantKind(t, err, kernel.KindUnavailable, "")
		e.store.on = false
		if len(e.idp.deleted) != 2 {
			t.Fatalf("provider users deleted = %v, want the two created", e.idp.deleted)
		}
		if u, _ := e.idp.count(); u != users {
			t.Fatalf("provider users = %d, want %d", u, users)
		}
		if accs, _ := e.store.AccountsByEmail(ctx, "lost@example.com"); len(accs) != 0 || outboxCount(t, db, topic) != before {
			t.Fatalf("after a lost commit: accounts %v", accs)
		}
		// And the same person can sign up again.
		if _, err := e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("lost@example.com", newCPF(t))); err != nil {
			t.Fatalf("sign-up again after a lost commit: %v", err)
		}
	})
}

func TestOutsideProviderTokens(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newOutsideEnv(t, db)
		ctx := context.Background()
		pt, err := e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("maria@example.com", newCPF(t)))
		if err != nil {
			t.Fatal(err)
		}
		// Our password and refresh grants are not served: a 400 naming grant_type.
		_, err = e.svc.Login(ctx, identity.LoginInput{Email: "maria@example.com", Password: pw, IP: "ip"})
		wantKind(t, err, kernel.KindInvalid, "grant_type")
		if !strings.Contains(err.Error(), "entre pelo provedor de identidade") {
			t.Errorf("password grant: %v", err)
		}
		_, err = e.svc.Refresh(ctx, "whatever", "ip")
		wantKind(t, err, kernel.KindInvalid, "grant_type")

		now := e.clock.Now()
		good := e.idp.mint(kernel.Principal{AccountID: pt.ID, Kind: kernel.KindPatient, IssuedAt: now.Truncate(time.Second)})
		p, err := e.svc.Authenticate(ctx, good)
		if err != nil || p.AccountID != pt.ID || p.Kind != kernel.KindPatient {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}
		for name, bad := range map[string]kernel.Principal{
			"unknown account":    {AccountID: kernel.NewID(), Kind: kernel.KindPatient, IssuedAt: now},
			"another kind":       {AccountID: pt.ID, Kind: kernel.KindAdmin, IssuedAt: now},
			"another company":    {AccountID: pt.ID, Kind: kernel.KindPatient, CompanyID: kernel.NewID(), IssuedAt: now},
			"no account claimed": {Kind: kernel.KindPatient, IssuedAt: now},
		} {
			_, err := e.svc.Authenticate(ctx, e.idp.mint(bad))
			if kernel.KindOf(err) != kernel.KindUnauthenticated {
				t.Errorf("%s: %v", name, err)
			}
		}
		// A company member's company and role come from our account, not the token.
		c, admin, err := e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("11.222.333/0001-81", "ana@farmacia.com"))
		if err != nil {
			t.Fatal(err)
		}
		p, err = e.svc.Authenticate(ctx, e.idp.mint(kernel.Principal{AccountID: admin.ID, Kind: kernel.KindCompanyMember, Roles: []string{"staff"}, IssuedAt: now}))
		if err != nil || p.CompanyID != c.ID || !p.HasRole("admin") || p.HasRole("staff") {
			t.Fatalf("member principal = %+v, %v", p, err)
		}

		// Ending the sessions ends the provider's tokens issued before, but not after.
		e.clock.Advance(1500 * time.Millisecond)
		if err := e.svc.Logout(ctx, p, "", true); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Authenticate(ctx, e.idp.mint(kernel.Principal{AccountID: admin.ID, Kind: kernel.KindCompanyMember, IssuedAt: now}))
		wantKind(t, err, kernel.KindUnauthenticated, "")
		_, err = e.svc.Authenticate(ctx, e.idp.mint(kernel.Principal{AccountID: admin.ID, Kind: kernel.KindCompanyMember}))
		wantKind(t, err, kernel.KindUnauthenticated, "") // no iat: cannot be shown to be newer
		// A whole-second iat in the second of the logout is not refused.
		if _, err := e.svc.Authenticate(ctx, e.idp.mint(kernel.Principal{AccountID: admin.ID, Kind: kernel.KindCompanyMember,
			IssuedAt: e.clock.Now().Truncate(time.Second)})); err != nil {
			t.Fatalf("a token issued in the second of the logout: %v", err)
		}
		// The patient's tokens were not touched.
		if _, err := e.svc.Authenticate(ctx, good); err != nil {
			t.Fatalf("another account's token: %v", err)
		}
	})
}

func TestAccessTokensEndWithTheSession(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := e.patient(t, "ana@example.com")
		auth := func(tok string) error { _, err := e.svc.Authenticate(ctx, tok); return err }

		// Logout of one session: its access token stops at once.
		t1, err := login(e, "ana@example.com", pw)
		if err != nil || auth(t1.AccessToken) != nil {
			t.Fatalf("login: %v", err)
		}
		e.clock.Advance(time.Millisecond)
		if err := e.svc.Logout(ctx, kernel.Anonymous, t1.RefreshToken, false); err != nil {
			t.Fatal(err)
		}
		wantKind(t, auth(t1.AccessToken), kernel.KindUnauthenticated, "")
		// A new sign-in right after works.
		e.clock.Advance(time.Millisecond)
		t2, err := login(e, "ana@example.com", pw)
		if err != nil || auth(t2.AccessToken) != nil {
			t.Fatalf("login after logout: %v, %v", err, auth(t2.AccessToken))
		}

		// Reuse of a spent refresh token ends the access tokens too.
		e.clock.Advance(time.Millisecond)
		t3, err := e.svc.Refresh(ctx, t2.RefreshToken, "ip")
		if err != nil || auth(t3.AccessToken) != nil {
			t.Fatalf("refresh: %v", err)
		}
		e.clock.Advance(time.Millisecond)
		_, err = e.svc.Refresh(ctx, t2.RefreshToken, "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "")
		wantKind(t, auth(t3.AccessToken), kernel.KindUnauthenticated, "")

		// A password change ends every session, this one included.
		e.clock.Advance(time.Millisecond)
		t4, _ := login(e, "ana@example.com", pw)
		e.clock.Advance(time.Millisecond)
		pp, err := e.svc.Authenticate(ctx, t4.AccessToken)
		if err != nil || pp.IssuedAt.IsZero() {
			t.Fatalf("principal = %+v, %v", pp, err)
		}
		old, np := pw, "Another-Horse-77"
		if _, err := e.svc.UpdateMe(ctx, pp, identity.MePatch{CurrentPassword: &old, NewPassword: &np}); err != nil {
			t.Fatal(err)
		}
		wantKind(t, auth(t4.AccessToken), kernel.KindUnauthenticated, "")
		e.clock.Advance(time.Millisecond)
		t5, err := login(e, "ana@example.com", np)
		if err != nil || auth(t5.AccessToken) != nil {
			t.Fatalf("login with the new password: %v", err)
		}

		// A password reset too.
		e.clock.Advance(time.Millisecond)
		if err := e.svc.RequestPasswordReset(ctx, "ana@example.com", "", "ip"); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.ConfirmPasswordReset(ctx, e.mail.last().Data["token"], "Third-Horse-777"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, auth(t5.AccessToken), kernel.KindUnauthenticated, "")

		// The clock never moves the mark backwards.
		acc, _ := e.store.Account(ctx, p.ID)
		mark := acc.SessionsValidAfter
		if mark.IsZero() {
			t.Fatal("no sessions_valid_after stored")
		}
		if err := e.store.EndSessions(ctx, p.ID, mark.Add(-time.Hour)); err != nil {
			t.Fatal(err)
		}
		if acc, _ := e.store.Account(ctx, p.ID); !acc.SessionsValidAfter.Equal(mark) {
			t.Fatalf("sessions_valid_after moved back: %v -> %v", mark, acc.SessionsValidAfter)
		}
	})
}

func TestDispenseScopeIsForPharmacies(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := companyIn("11.222.333/0001-81", "gym@example.com")
		in.Type = "gym"
		c, admin, err := e.svc.SignUpCompany(ctx, kernel.Anonymous, in)
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = e.svc.CreateAPIKey(ctx, admin.Principal(), c.ID, identity.APIKeyInput{Name: "x", Scopes: []string{"orders:read", "prescriptions:dispense"}})
		wantKind(t, err, kernel.KindInvalid, "scopes")
		if _, _, err := e.svc.CreateAPIKey(ctx, admin.Principal(), c.ID, identity.APIKeyInput{Name: "x", Scopes: []string{"orders:read"}}); err != nil {
			t.Fatal(err)
		}
	})
}
