package identitysql_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/testdb"
)

func (e *env) patient(t *testing.T, email string) identity.Patient {
	t.Helper()
	p, err := e.svc.SignUpPatient(context.Background(), kernel.Anonymous, patientIn(email, newCPF(t)))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var cpfSeq atomic.Int64

func newCPF(t *testing.T) string {
	for {
		n := 100000000 + cpfSeq.Add(7919)%800000000
		base := strings.TrimSpace(strings.Repeat(" ", 0) + itoa(n))
		if strings.Trim(base, base[:1]) == "" {
			continue
		}
		return base + identity.CPFCheckDigits(base)
	}
}

func itoa(n int64) string {
	b := []byte{}
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

func login(e *env, email, pass string) (identity.Tokens, error) {
	return e.svc.Login(context.Background(), identity.LoginInput{Email: email, Password: pass, IP: "203.0.113.7"})
}

func TestLoginLockoutAndUnknownEmail(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := e.patient(t, "ana@example.com")
		tok, err := login(e, "ANA@example.com", pw)
		if err != nil || tok.Principal.AccountID != p.ID || tok.Principal.Kind != kernel.KindPatient || tok.AccessToken == "" || tok.RefreshToken == "" {
			t.Fatalf("login = %+v, %v", tok, err)
		}
		got, err := e.svc.Authenticate(ctx, tok.AccessToken)
		if err != nil || got.AccountID != p.ID {
			t.Fatalf("authenticate = %+v, %v", got, err)
		}
		// Four wrong passwords: unauthenticated; the fifth locks; then even the right one is refused.
		for i := 0; i < 5; i++ {
			_, err := login(e, "ana@example.com", "Wrong-Password-1")
			wantKind(t, err, kernel.KindUnauthenticated, "")
		}
		_, err = login(e, "ana@example.com", pw)
		wantKind(t, err, kernel.KindTooMany, "")
		// An unknown e-mail fails the same way, and locks the same way.
		for i := 0; i < 5; i++ {
			_, err := login(e, "nobody@example.com", "Wrong-Password-1")
			wantKind(t, err, kernel.KindUnauthenticated, "")
		}
		_, err = login(e, "nobody@example.com", "Wrong-Password-1")
		wantKind(t, err, kernel.KindTooMany, "")
		// The lock lifts after the lockout duration.
		e.clock.Advance(16 * time.Minute)
		if _, err := login(e, "ana@example.com", pw); err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
		acc, _ := e.store.Account(ctx, p.ID)
		if acc.FailedLogins != 0 || !acc.LockedUntil.IsZero() {
			t.Fatalf("counters not reset: %+v", acc)
		}
		// Bad input names the field.
		_, err = e.svc.Login(ctx, identity.LoginInput{Email: "x", Password: ""})
		wantKind(t, err, kernel.KindInvalid, "email")
		wantKind(t, err, kernel.KindInvalid, "password")
	})
}

// TestLimitsShared: two services on one database (two instances) count sign-in
// attempts together: the per-e-mail limit and an unknown e-mail's lockout are
// reached by the attempts on both, not once per instance.
func TestLimitsSharedBetweenInstances(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		a := newEnv(t, db)
		b := newEnv(t, db)
		a.patient(t, "shared@example.com")
		limited := 0
		for i := 0; i < 12; i++ {
			e := a
			if i%2 == 1 {
				e = b
			}
			_, err := login(e, "shared@example.com", pw)
			if kernel.KindOf(err) == kernel.KindTooMany {
				limited++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if limited != 2 {
			t.Fatalf("%d of 12 attempts over two instances limited, want 2 (10 a minute in all)", limited)
		}
		for i := 0; i < 5; i++ {
			e := a
			if i%2 == 1 {
				e = b
			}
			_, err := login(e, "ghost@example.com", "Wrong-Password-1")
			wantKind(t, err, kernel.KindUnauthenticated, "")
		}
		_, err := login(a, "ghost@example.com", "Wrong-Password-1")
		wantKind(t, err, kernel.KindTooMany, "")
		_, err = login(b, "ghost@example.com", "Wrong-Password-1")
		wantKind(t, err, kernel.KindTooMany, "")
		var stored []string
		if err := db.NewRaw("SELECT key_hash FROM identity_rate_counters").Scan(context.Background(), &stored); err != nil {
			t.Fatal(err)
		}
		for _, k := range stored {
			if strings.Contains(k, "@") || strings.Contains(k, "203.0.113.7") {
				t.Fatalf("a counter key holds what it counts: %q", k)
			}
		}
	})
}

func TestLoginRateLimitPerEmail(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		e.patient(t, "rate@example.com")
		var tooMany int
		for i := 0; i < 12; i++ {
			_, err := login(e, "rate@example.com", pw)
			if kernel.KindOf(err) == kernel.KindTooMany {
				tooMany++
			} else if err != nil {
				t.Fatal(err)
			}
		}
		if tooMany != 2 {
			t.Fatalf("%d of 12 attempts limited, want 2 (limit 10 a minute)", tooMany)
		}
		e.clock.Advance(time.Minute)
		if _, err := login(e, "rate@example.com", pw); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

func TestRefreshRotationAndReuse(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.patient(t, "bia@example.com")
		t1, err := login(e, "bia@example.com", pw)
		if err != nil {
			t.Fatal(err)
		}
		t2, err := e.svc.Refresh(ctx, t1.RefreshToken, "ip")
		if err != nil || t2.RefreshToken == t1.RefreshToken {
			t.Fatalf("rotation: %v", err)
		}
		t3, err := e.svc.Refresh(ctx, t2.RefreshToken, "ip")
		if err != nil {
			t.Fatal(err)
		}
		// Reusing t1 (already spent) revokes the family: t3 stops working too.
		_, err = e.svc.Refresh(ctx, t1.RefreshToken, "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "")
		_, err = e.svc.Refresh(ctx, t3.RefreshToken, "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "")
		// Another session of the same account is not affected.
		other, _ := login(e, "bia@example.com", pw)
		if _, err := e.svc.Refresh(ctx, other.RefreshToken, "ip"); err != nil {
			t.Fatalf("an unrelated session was revoked: %v", err)
		}
		_, err = e.svc.Refresh(ctx, "made-up", "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "")
		// Expiry.
		s, _ := login(e, "bia@example.com", pw)
		e.clock.Advance(31 * 24 * time.Hour)
		_, err = e.svc.Refresh(ctx, s.RefreshToken, "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "")
	})
}

func TestRefreshRaceExactlyOneWins(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.patient(t, "race@example.com")
		tok, _ := login(e, "race@example.com", pw)
		var wg sync.WaitGroup
		var wins, losses atomic.Int32
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.store.ConsumeRefreshToken(ctx, hashOf(tok.RefreshToken), e.clock.Now())
				switch {
				case err == nil:
					wins.Add(1)
				case kernel.KindOf(err) == kernel.KindConflict:
					losses.Add(1)
				default:
					t.Errorf("unexpected: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || losses.Load() != 19 {
			t.Fatalf("wins %d, losses %d; want 1 and 19", wins.Load(), losses.Load())
		}
	})
}

func TestLogout(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := e.patient(t, "out@example.com")
		a, _ := login(e, "out@example.com", pw)
		b, _ := login(e, "out@example.com", pw)
		a2, err := e.svc.Refresh(ctx, a.RefreshToken, "ip") // the session's current token is a2
		if err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Logout(ctx, kernel.Anonymous, a2.RefreshToken, false); err != nil {
			t.Fatal(err)
		}
		var revoked int
		_ = db.NewRaw("SELECT COUNT(*) FROM identity_refresh_tokens WHERE revoked_at IS NOT NULL").Scan(ctx, &revoked)
		if revoked != 2 {
			t.Fatalf("logout revoked %d tokens, want the family's 2", revoked)
		}
		_, err = e.svc.Refresh(ctx, a2.RefreshToken, "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "")
		// the session's access tokens end with it; the other session's do not
		for _, tok := range []string{a.AccessToken, a2.AccessToken} {
			_, err := e.svc.Authenticate(ctx, tok)
			wantKind(t, err, kernel.KindUnauthenticated, "")
		}
		if _, err := e.svc.Authenticate(ctx, b.AccessToken); err != nil {
			t.Fatalf("the other session's access token: %v", err)
		}
		if _, err := e.svc.Refresh(ctx, b.RefreshToken, "ip"); err != nil {
			t.Fatalf("other session ended: %v", err)
		}
		c, _ := login(e, "out@example.com", pw)
		if err := e.svc.Logout(ctx, kernel.Principal{AccountID: p.ID, Kind: kernel.KindPatient}, "", true); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Refresh(ctx, c.RefreshToken, "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "")
		wantKind(t, e.svc.Logout(ctx, kernel.Anonymous, "", false), kernel.KindInvalid, "refresh_token")
	})
}

func TestPasswordReset(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		e.patient(t, "reset@example.com")
		sess, _ := login(e, "reset@example.com", pw)
		if err := e.svc.RequestPasswordReset(ctx, "nobody@example.com", "", "ip"); err != nil || len(e.mail.sent) != 0 {
			t.Fatalf("unknown e-mail: %v, %d sent", err, len(e.mail.sent))
		}
		if err := e.svc.RequestPasswordReset(ctx, "reset@example.com", "", "ip"); err != nil {
			t.Fatal(err)
		}
		n := e.mail.last()
		token := n.Data["token"]
		if n.To != "reset@example.com" || n.Template != "password_reset" || token == "" || !strings.Contains(n.Body, token) {
			t.Fatalf("notification = %+v", n)
		}
		wantKind(t, e.svc.ConfirmPasswordReset(ctx, token, "short"), kernel.KindInvalid, "password")
		if err := e.svc.ConfirmPasswordReset(ctx, token, "Brand-New-Pass-7"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.ConfirmPasswordReset(ctx, token, "Another-New-Pass-8"), kernel.KindInvalid, "token")
		_, err := login(e, "reset@example.com", pw)
		wantKind(t, err, kernel.KindUnauthenticated, "")
		if _, err := login(e, "reset@example.com", "Brand-New-Pass-7"); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Refresh(ctx, sess.RefreshToken, "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "") // old sessions end
		// Expired tokens are refused.
		_ = e.svc.RequestPasswordReset(ctx, "reset@example.com", "patient", "ip")
		late := e.mail.last().Data["token"]
		e.clock.Advance(2 * time.Hour)
		wantKind(t, e.svc.ConfirmPasswordReset(ctx, late, "Brand-New-Pass-9"), kernel.KindInvalid, "token")
	})
}

func companyIn(cnpj, adminEmail string) identity.CompanySignUp {
	return identity.CompanySignUp{LegalName: "Farmácia Central Ltda", TradeName: "Farmácia Central", CNPJ: cnpj, Type: "pharmacy",
		Phone: "+551133334444", Address: addr, Admin: identity.CompanyAdminInput{Name: "Ana", Email: adminEmail, Password: pw}}
}

func TestCompanyMembersAndAPIKeys(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c, admin, err := e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("12.ABC.345/01DE-35", "ana@farmacia.com"))
		if err != nil || c.Status != identity.StatusPending || c.CNPJ != "12ABC34501DE35" || admin.Role != identity.RoleAdmin {
			t.Fatalf("company = %+v, %+v, %v", c, admin, err)
		}
		_, _, err = e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("12ABC34501DE35", "x@farmacia.com"))
		wantKind(t, err, kernel.KindConflict, "cnpj")
		_, _, err = e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("11.222.333/0001-81", "ana@farmacia.com"))
		wantKind(t, err, kernel.KindConflict, "admin.email")

		ap := admin.Principal()
		// A company the platform has not verified adds no members (no accounts, no invitations).
		_, err = e.svc.AddMember(ctx, ap, c.ID, identity.MemberInput{Name: "Sam", Email: "sam@farmacia.com", Role: "staff", Password: pw})
		wantKind(t, err, kernel.KindForbidden, "")
		platform := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin, Roles: []string{"admin"}}
		if _, err := e.svc.DecideCompany(ctx, platform, c.ID, identity.Decision{Approve: true}); err != nil {
			t.Fatal(err)
		}
		staff, err := e.svc.AddMember(ctx, ap, c.ID, identity.MemberInput{Name: "Sam", Email: "sam@farmacia.com", Role: "staff", Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		invited, err := e.svc.AddMember(ctx, ap, c.ID, identity.MemberInput{Name: "Inv", Email: "inv@farmacia.com", Role: "admin"})
		if err != nil || e.mail.last().To != "inv@farmacia.com" || e.mail.last().Template != "member_invitation" {
			t.Fatalf("invitation: %v", err)
		}
		sp := kernel.Principal{AccountID: staff.AccountID, Kind: kernel.KindCompanyMember, CompanyID: c.ID, Roles: []string{"staff"}}
		_, err = e.svc.AddMember(ctx, sp, c.ID, identity.MemberInput{Name: "X", Email: "x@farmacia.com", Role: "staff", Password: pw})
		wantKind(t, err, kernel.KindForbidden, "")
		_, err = e.svc.AddMember(ctx, ap, c.ID, identity.MemberInput{Name: "X", Email: "sam@farmacia.com", Role: "staff", Password: pw})
		wantKind(t, err, kernel.KindConflict, "email")
		_, err = e.svc.AddMember(ctx, ap, c.ID, identity.MemberInput{Name: "X", Email: "y@farmacia.com", Role: "boss", Password: pw})
		wantKind(t, err, kernel.KindInvalid, "role")
		ms, err := e.svc.Members(ctx, sp, c.ID)
		if err != nil || len(ms) != 3 {
			t.Fatalf("members = %v, %v", ms, err)
		}
		// The staff member signs in as a company member of this company.
		tok, err := e.svc.Login(ctx, identity.LoginInput{Email: "sam@farmacia.com", Password: pw, IP: "ip"})
		if err != nil || tok.Principal.CompanyID != c.ID || !tok.Principal.HasRole("staff") {
			t.Fatalf("staff login = %+v, %v", tok.Principal, err)
		}
		// Removing: the invited admin goes; the last admin stays.
		if err := e.svc.RemoveMember(ctx, ap, c.ID, invited.AccountID); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.RemoveMember(ctx, ap, c.ID, admin.ID), kernel.KindConflict, "")
		wantKind(t, e.svc.RemoveMember(ctx, ap, c.ID, kernel.NewID()), kernel.KindNotFound, "")
		if err := e.svc.RemoveMember(ctx, ap, c.ID, staff.AccountID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Login(ctx, identity.LoginInput{Email: "sam@farmacia.com", Password: pw, IP: "ip"})
		wantKind(t, err, kernel.KindUnauthenticated, "")
		_, err = e.svc.Refresh(ctx, tok.RefreshToken, "ip")
		wantKind(t, err, kernel.KindUnauthenticated, "")
		_, err = e.svc.Authenticate(ctx, tok.AccessToken)
		wantKind(t, err, kernel.KindUnauthenticated, "")

		// API keys.
		k, secret, err := e.svc.CreateAPIKey(ctx, ap, c.ID, identity.APIKeyInput{Name: "ERP", Scopes: []string{"orders:read", "orders:write", "orders:read"}})
		if err != nil || !strings.HasPrefix(secret, k.Prefix+"_") || !strings.HasPrefix(k.Prefix, "msk_") || len(k.Scopes) != 2 {
			t.Fatalf("key = %+v %q %v", k, secret, err)
		}
		if strings.Contains(k.SecretHash, secret[len(k.Prefix)+1:]) {
			t.Fatal("the secret is stored in clear")
		}
		_, _, err = e.svc.CreateAPIKey(ctx, ap, c.ID, identity.APIKeyInput{Name: "x", Scopes: []string{"everything"}})
		wantKind(t, err, kernel.KindInvalid, "scopes")
		_, _, err = e.svc.CreateAPIKey(ctx, sp, c.ID, identity.APIKeyInput{Name: "x", Scopes: []string{"orders:read"}})
		wantKind(t, err, kernel.KindForbidden, "")
		// A key of a company not verified yet does not authenticate: forbidden, saying why.
		c2, admin2, err := e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("11.444.777/0001-61", "bia@mercado.com"))
		if err != nil {
			t.Fatal(err)
		}
		_, secret2, err := e.svc.CreateAPIKey(ctx, admin2.Principal(), c2.ID, identity.APIKeyInput{Name: "ERP", Scopes: []string{"orders:read"}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Authenticate(ctx, secret2)
		wantKind(t, err, kernel.KindForbidden, "")
		if !strings.Contains(err.Error(), "não está verificada") {
			t.Errorf("unverified company's key: %v", err)
		}
		p, err := e.svc.Authenticate(ctx, secret)
		if err != nil || p.Kind != kernel.KindAPIKey || p.CompanyID != c.ID || !p.HasScope("orders:write") || p.HasScope("catalog:write") {
			t.Fatalf("key principal = %+v, %v", p, err)
		}
		for _, bad := range []string{secret + "x", k.Prefix + "_" + strings.Repeat("A", 43), "msk_nothex123456_" + strings.Repeat("A", 43), "msk_"} {
			_, err := e.svc.Authenticate(ctx, bad)
			wantKind(t, err, kernel.KindUnauthenticated, "")
		}
		keys, err := e.svc.APIKeys(ctx, ap, c.ID)
		if err != nil || len(keys) != 1 {
			t.Fatalf("keys = %v %v", keys, err)
		}
		// A pharmacy's key may dispense prescriptions.
		dk, dsecret, err := e.svc.CreateAPIKey(ctx, ap, c.ID, identity.APIKeyInput{Name: "PDV", Scopes: []string{identity.ScopePrescriptionsDispense}})
		if err != nil || len(dk.Scopes) != 1 || dk.Scopes[0] != "prescriptions:dispense" {
			t.Fatalf("dispense key = %+v, %v", dk, err)
		}
		if p, err := e.svc.Authenticate(ctx, dsecret); err != nil || !p.HasScope("prescriptions:dispense") {
			t.Fatalf("dispense key principal = %+v, %v", p, err)
		}
		// A suspended (rejected) company's keys stop at once.
		if _, err := e.svc.DecideCompany(ctx, platform, c.ID, identity.Decision{Reason: "licence expired"}); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Authenticate(ctx, dsecret)
		wantKind(t, err, kernel.KindForbidden, "")
		if _, err := e.svc.DecideCompany(ctx, platform, c.ID, identity.Decision{Approve: true}); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.RevokeAPIKey(ctx, ap, c.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		_, err = e.svc.Authenticate(ctx, secret)
		wantKind(t, err, kernel.KindUnauthenticated, "")
		wantKind(t, e.svc.RevokeAPIKey(ctx, ap, c.ID, kernel.NewID()), kernel.KindNotFound, "")
	})
}

func TestVerificationAndListing(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		if err := e.svc.BootstrapAdmin(ctx, "root@multisaude.test", pw); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.BootstrapAdmin(ctx, "root@multisaude.test", pw); err != nil {
			t.Fatalf("bootstrap is not idempotent: %v", err)
		}
		if err := e.svc.BootstrapAdmin(ctx, "second@multisaude.test", pw); err != nil {
			t.Fatal(err)
		}
		if n, _ := e.store.CountAccounts(ctx, kernel.KindAdmin); n != 1 {
			t.Fatalf("%d admins", n)
		}
		at, err := login(e, "root@multisaude.test", pw)
		if err != nil {
			t.Fatal(err)
		}
		admin := at.Principal
		pr, err := e.svc.SignUpProfessional(ctx, kernel.Anonymous, professionalIn("doc@example.com", newCPF(t), "654321"))
		if err != nil || pr.Status != identity.StatusPending {
			t.Fatal(err)
		}
		_, err = e.svc.SignUpProfessional(ctx, kernel.Anonymous, professionalIn("doc2@example.com", newCPF(t), "654321"))
		wantKind(t, err, kernel.KindConflict, "council.number")
		list, _ := e.svc.ListVerifiedProfessionals(ctx, identity.ProfessionalQuery{})
		if len(list) != 0 {
			t.Fatal("a pending professional is listed")
		}
		_, err = e.svc.DecideProfessional(ctx, kernel.Principal{AccountID: pr.ID, Kind: kernel.KindProfessional}, pr.ID, identity.Decision{Approve: true})
		wantKind(t, err, kernel.KindForbidden, "")
		_, err = e.svc.DecideProfessional(ctx, admin, pr.ID, identity.Decision{})
		wantKind(t, err, kernel.KindInvalid, "reason")
		_, err = e.svc.DecideProfessional(ctx, admin, kernel.NewID(), identity.Decision{Approve: true})
		wantKind(t, err, kernel.KindNotFound, "")
		v, err := e.svc.DecideProfessional(ctx, admin, pr.ID, identity.Decision{Approve: true})
		if err != nil || v.Status != identity.StatusVerified {
			t.Fatal(err)
		}
		_, err = e.svc.DecideProfessional(ctx, admin, pr.ID, identity.Decision{Approve: true})
		wantKind(t, err, kernel.KindConflict, "")
		for q, n := range map[identity.ProfessionalQuery]int{
			{}: 1, {Specialty: "Cardiology"}: 1, {Specialty: "dermatology"}: 0, {Mode: "telemedicine"}: 1,
			{City: "são paulo", UF: "sp"}: 1, {UF: "RJ"}: 0, {Profession: "dentist"}: 0,
		} {
			list, err := e.svc.ListVerifiedProfessionals(ctx, q)
			if err != nil || len(list) != n {
				t.Errorf("query %+v: %d results, want %d (%v)", q, len(list), n, err)
			}
		}
		got, err := e.svc.LookupProfessional(ctx, pr.ID)
		if err != nil || got.Point == nil || got.Price != kernel.BRL(25000) || got.Council.Number != "654321" || len(got.Modes) != 2 {
			t.Fatalf("lookup = %+v %v", got, err)
		}
		var n int
		_ = db.NewRaw("SELECT COUNT(*) FROM outbox WHERE topic = ?", "identity.professional.verified").Scan(ctx, &n)
		if n != 1 {
			t.Fatalf("%d verified events", n)
		}
		c, _, err := e.svc.SignUpCompany(ctx, kernel.Anonymous, companyIn("11.222.333/0001-81", "co@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		rc, err := e.svc.DecideCompany(ctx, admin, c.ID, identity.Decision{Reason: "documents missing"})
		if err != nil || rc.Status != identity.StatusRejected || rc.RejectionReason != "documents missing" {
			t.Fatalf("reject = %+v %v", rc, err)
		}
		_, err = e.svc.GetCompany(ctx, kernel.Anonymous, c.ID)
		wantKind(t, err, kernel.KindNotFound, "")
	})
}

func TestGeocodingFailureDoesNotBlockSignUp(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		in := patientIn("acre@example.com", newCPF(t))
		in.Address.UF = "AC" // the fake geocoder cannot place Acre
		p, err := e.svc.SignUpPatient(context.Background(), kernel.Anonymous, in)
		if err != nil || p.Point != nil {
			t.Fatalf("p = %+v, %v", p, err)
		}
	})
}

func TestUpdateMe(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p := e.patient(t, "me@example.com")
		e.patient(t, "taken@example.com")
		me := kernel.Principal{AccountID: p.ID, Kind: kernel.KindPatient}
		str := func(s string) *string { return &s }
		_, err := e.svc.UpdateMe(ctx, me, identity.MePatch{Email: str("new@example.com")})
		wantKind(t, err, kernel.KindInvalid, "current_password")
		_, err = e.svc.UpdateMe(ctx, me, identity.MePatch{Email: str("new@example.com"), CurrentPassword: str("Wrong-Password-1")})
		wantKind(t, err, kernel.KindUnprocessable, "current_password")
		_, err = e.svc.UpdateMe(ctx, me, identity.MePatch{Email: str("taken@example.com"), CurrentPassword: str(pw)})
		wantKind(t, err, kernel.KindConflict, "email")
		_, err = e.svc.UpdateMe(ctx, me, identity.MePatch{Bio: str("x")})
		wantKind(t, err, kernel.KindInvalid, "bio")
		_, err = e.svc.UpdateMe(ctx, me, identity.MePatch{Phone: str("12")})
		wantKind(t, err, kernel.KindInvalid, "phone")
		out, err := e.svc.UpdateMe(ctx, me, identity.MePatch{Name: str("Maria S."), SocialName: str("Mar"), Email: str("New@Example.com"), CurrentPassword: str(pw)})
		if err != nil || out.Account.Email != "new@example.com" || out.Patient.Name != "Maria S." || out.Patient.SocialName != "Mar" {
			t.Fatalf("update = %+v %v", out, err)
		}
		if _, err := login(e, "new@example.com", pw); err != nil {
			t.Fatal(err)
		}
	})
}
