package identitysql_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/identity/argon2hash"
	"github.com/multisaude/multisaude/adapters/identity/localauth"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/identitysql"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/testdb"
)

type fakeGeo struct{ fail bool }

func (g fakeGeo) Geocode(_ context.Context, a ports.Address) (ports.Point, error) {
	if g.fail || a.UF == "AC" {
		return ports.Point{}, kernel.NotFound("no place")
	}
	return ports.Point{Lat: -23.56, Lng: -46.65}, nil
}

type mailbox struct {
	mu   sync.Mutex
	sent []ports.Notification
}

func (m *mailbox) Notify(_ context.Context, n ports.Notification) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, n)
	return nil
}

func (m *mailbox) last() ports.Notification {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.sent[len(m.sent)-1]
}

type env struct {
	svc   *identity.Service
	store *identitysql.Store
	clock *kernel.FixedClock
	mail  *mailbox
	db    *sqlstore.DB
}

func newEnv(t *testing.T, db *sqlstore.DB) *env {
	t.Helper()
	clock := kernel.NewFixedClock(time.Now())
	prov, err := localauth.New(localauth.Config{}, clock)
	if err != nil {
		t.Fatal(err)
	}
	st := identitysql.New(db)
	mail := &mailbox{}
	svc, err := identity.NewService(st, argon2hash.New(argon2hash.TestParams), prov, prov, fakeGeo{}, mail, clock, slog.New(slog.DiscardHandler), identity.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &env{svc: svc, store: st, clock: clock, mail: mail, db: db}
}

const pw = "Correct-Horse-42"

var addr = identity.AddressInput{CEP: "01310-100", Street: "Avenida Paulista", Number: "1000", District: "Bela Vista", City: "São Paulo", UF: "SP"}

func patientIn(email, cpf string) identity.PatientSignUp {
	return identity.PatientSignUp{Name: "Maria Souza", Email: email, Password: pw, CPF: cpf, BirthDate: "1990-04-12", Phone: "+5511987654321", Address: addr}
}

func wantKind(t *testing.T, err error, k kernel.Kind, field string) {
	t.Helper()
	if kernel.KindOf(err) != k || err == nil {
		t.Fatalf("err = %v, want kind %s", err, k)
	}
	if field == "" {
		return
	}
	var ke *kernel.Error
	errors.As(err, &ke)
	for _, f := range ke.Fields {
		if f.Field == field {
			return
		}
	}
	t.Fatalf("err = %v does not name field %q", err, field)
}

func TestPatientSignUpAndUniqueness(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		p, err := e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("Maria@Example.com", "529.982.247-25"))
		if err != nil {
			t.Fatal(err)
		}
		if p.Email != "maria@example.com" || p.CPF != "52998224725" || p.Point == nil {
			t.Fatalf("normalised patient = %+v", p)
		}
		got, err := e.svc.LookupPatient(ctx, p.ID)
		if err != nil || got.Name != "Maria Souza" || got.BirthDate.Format("2006-01-02") != "1990-04-12" || got.Address.City != "São Paulo" || got.Point == nil {
			t.Fatalf("lookup = %+v, %v", got, err)
		}
		_, err = e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("maria@example.com", "11144477735"))
		wantKind(t, err, kernel.KindConflict, "email")
		_, err = e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("other@example.com", "52998224725"))
		wantKind(t, err, kernel.KindConflict, "cpf")
		_, err = e.svc.LookupPatient(ctx, kernel.NewID())
		wantKind(t, err, kernel.KindNotFound, "")
		// The same e-mail may sign up as a professional: uniqueness is per account type.
		_, err = e.svc.SignUpProfessional(ctx, kernel.Anonymous, professionalIn("maria@example.com", "11144477735", "123456"))
		if err != nil {
			t.Fatalf("professional with a patient's e-mail: %v", err)
		}
		var n int
		if err := db.NewRaw("SELECT COUNT(*) FROM outbox WHERE topic = ?", "identity.patient.registered").Scan(ctx, &n); err != nil || n != 1 {
			t.Fatalf("outbox events = %d, %v", n, err)
		}
	})
}

func TestLookupPatients(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a, err := e.svc.SignUpPatient(ctx, kernel.Anonymous, patientIn("ana@example.com", "529.982.247-25"))
		if err != nil {
			t.Fatal(err)
		}
		in := patientIn("bia@example.com", "111.444.777-35")
		in.SocialName = "Bia"
		b, err := e.svc.SignUpPatient(ctx, kernel.Anonymous, in)
		if err != nil {
			t.Fatal(err)
		}
		pro, err := e.svc.SignUpProfessional(ctx, kernel.Anonymous, professionalIn("pro@example.com", "98765432100", "123456"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.LookupPatients(ctx, []kernel.ID{a.ID, b.ID, pro.ID, kernel.NewID(), "not-an-id", a.ID})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[a.ID].Name != "Maria Souza" || got[b.ID].DisplayName() != "Bia" || got[a.ID].Email != "ana@example.com" {
			t.Fatalf("LookupPatients = %+v, want the two patients only", got)
		}
		if got, err := e.svc.LookupPatients(ctx, nil); err != nil || len(got) != 0 {
			t.Fatalf("no IDs: %v, %v", got, err)
		}
		_, err = e.svc.LookupPatients(ctx, make([]kernel.ID, identity.MaxLookupPatients+1))
		wantKind(t, err, kernel.KindInternal, "")
	})
}

func professionalIn(email, cpf, crm string) identity.ProfessionalSignUp {
	return identity.ProfessionalSignUp{Name: "Dr. João Lima", Email: email, Password: pw, CPF: cpf, Phone: "+5511912345678",
		Profession: "physician", Council: identity.CouncilInput{Type: "CRM", Number: crm, UF: "SP"}, Specialties: []string{"cardiology"},
		Price: kernel.BRL(25000), Modes: []string{"in_person", "telemedicine"}, Address: addr}
}

func hashOf(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestRateCountersConformance(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		conformance.RunRateCounters(t, func(t *testing.T) (identity.RateCounters, identity.RateCounters) {
			if _, err := db.NewRaw("DELETE FROM identity_rate_counters").Exec(context.Background()); err != nil {
				t.Fatal(err)
			}
			return identitysql.New(db), identitysql.New(db)
		})
	})
}

// A column added by a newer migration (a rolling upgrade: old instances still
// run) does not break the directory's read, and the CPF is never read into it.
func TestDirectoryProfessionalsSurvivesAnAddedColumn(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		testdb.InsertProfessionals(t, db, 3)
		if _, err := db.ExecContext(ctx, "ALTER TABLE identity_professionals ADD COLUMN newer_column TEXT"); err != nil {
			t.Fatal(err)
		}
		list, err := identitysql.New(db).DirectoryProfessionals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 {
			t.Fatalf("%d verified professionals, want 2", len(list))
		}
		for _, p := range list {
			if p.CPF != "" || p.Name == "" || p.Profession == "" {
				t.Fatalf("directory entry %+v", p)
			}
		}
	})
}
