package clinicalsql_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/blob/memblob"
	"github.com/multisaude/multisaude/adapters/bridge/clinicaldir"
	"github.com/multisaude/multisaude/adapters/bridge/clinicaldir/clinicalfake"
	"github.com/multisaude/multisaude/adapters/keys/localkeys"
	"github.com/multisaude/multisaude/adapters/keys/localsigner"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/clinicalsql"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

type fixture struct {
	svc      *clinical.Service
	store    *clinicalsql.Store
	world    *clinicalfake.World
	blobs    *memblob.Bucket
	notifier *clinicalfake.Notifier
	inbox    *clinicalfake.Inbox
	clock    *kernel.FixedClock
	db       *sqlstore.DB

	patientA, patientB kernel.ID
	doctor, other      kernel.ID
	nutri              kernel.ID
	pharmacy           kernel.ID
}

func (f *fixture) pat(id kernel.ID) kernel.Principal {
	return kernel.Principal{AccountID: id, Kind: kernel.KindPatient}
}
func (f *fixture) pro(id kernel.ID) kernel.Principal {
	return kernel.Principal{AccountID: id, Kind: kernel.KindProfessional}
}

func newFixture(t *testing.T, db *sqlstore.DB) *fixture {
	t.Helper()
	signer, err := localsigner.New(localsigner.Config{Seed: localsigner.NewSeed()})
	if err != nil {
		t.Fatal(err)
	}
	keys, err := localkeys.New(localkeys.Config{MasterKeys: localkeys.GenerateKey("k1")})
	if err != nil {
		t.Fatal(err)
	}
	blobs, closeBlobs, err := memblob.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeBlobs)
	f := &fixture{store: clinicalsql.New(db), world: clinicalfake.New(), blobs: blobs, notifier: &clinicalfake.Notifier{},
		inbox: &clinicalfake.Inbox{}, clock: kernel.NewFixedClock(time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)), db: db}
	f.svc = clinical.NewService(clinical.Deps{Store: f.store, Dir: f.world, Care: f.world, Signer: signer, Blobs: blobs,
		Sealer: clinicaldir.NewSealer(keys), Notifier: f.notifier, Inbox: f.inbox, Clock: f.clock}, clinical.Config{CareWindow: 30 * 24 * time.Hour})
	f.patientA = f.world.AddPatient("Maria Aparecida da Silva", "maria@example.com")
	f.patientB = f.world.AddPatient("João Souza", "joao@example.com")
	f.doctor = f.world.AddProfessional("Dra. Ana Lima", "physician")
	f.other = f.world.AddProfessional("Dr. Outro", "physician")
	f.nutri = f.world.AddProfessional("Nut. Bia", "nutritionist")
	f.pharmacy = f.world.AddCompany("pharmacy", true)
	now := f.clock.Now()
	f.world.Book(f.doctor, f.patientA, now.Add(-24*time.Hour), "completed", now.Add(-48*time.Hour))
	f.world.Book(f.nutri, f.patientA, now.Add(-24*time.Hour), "completed", now.Add(-48*time.Hour))
	return f
}

func kindIs(t *testing.T, err error, want kernel.Kind) {
	t.Helper()
	if got := kernel.KindOf(err); err == nil || got != want {
		t.Fatalf("want %s, got %v", want, err)
	}
}

func field(t *testing.T, err error, name string) {
	t.Helper()
	var ke *kernel.Error
	if !errors.As(err, &ke) {
		t.Fatalf("want a kernel error naming %s, got %v", name, err)
	}
	for _, f := range ke.Fields {
		if f.Field == name {
			return
		}
	}
	t.Fatalf("want field %s named, got %v", name, err)
}

func f64(v float64) *float64 { return &v }

func simple() clinical.NewEvaluationInput {
	return clinical.NewEvaluationInput{Content: clinical.EvaluationContent{Kind: clinical.Simplified, Reason: "check-up",
		VitalSigns: clinical.VitalSigns{WeightKg: f64(70), HeightCm: f64(175), TemperatureC: f64(36.5)}}}
}

func TestEvaluationsVersionsAndRanges(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		doc := f.pro(f.doctor)

		bad := simple()
		bad.Content.VitalSigns.TemperatureC = f64(420)
		_, err := f.svc.CreateEvaluation(ctx, doc, f.patientA, bad)
		kindIs(t, err, kernel.KindUnprocessable)
		field(t, err, "vital_signs.temperature_c")

		e, err := f.svc.CreateEvaluation(ctx, doc, f.patientA, simple())
		if err != nil {
			t.Fatal(err)
		}
		if bmi := e.BMI(); bmi == nil || *bmi != 22.9 {
			t.Fatalf("BMI = %v, want 22.9", bmi)
		}
		// twenty amendments of version 1 at once: one wins, the others conflict or fail the precondition
		var wins, losses atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := simple().Content
				c.Notes = "amended"
				_, err := f.svc.AmendEvaluation(ctx, doc, e.ID, 1, c, "typo in the notes")
				switch kernel.KindOf(err) {
				case kernel.KindConflict, kernel.KindPrecondition:
					losses.Add(1)
				default:
					if err == nil {
						wins.Add(1)
					} else {
						t.Errorf("amend: %v", err)
					}
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || losses.Load() != 19 {
			t.Fatalf("wins=%d losses=%d, want 1 and 19", wins.Load(), losses.Load())
		}
		vs, err := f.svc.EvaluationVersions(ctx, f.pat(f.patientA), e.ID)
		if err != nil || len(vs) != 2 || vs[0].Content.Notes != "" || vs[1].Content.Notes != "amended" {
			t.Fatalf("versions = %+v, %v", vs, err)
		}
		v1, err := f.svc.Evaluation(ctx, f.pat(f.patientA), e.ID, 1)
		if err != nil || v1.Version != 1 || v1.Content.Notes != "" {
			t.Fatalf("old version not readable: %+v %v", v1, err)
		}
		s, err := f.svc.SignEvaluation(ctx, doc, e.ID)
		if err != nil || s.SignedAt == nil || s.Version != 2 {
			t.Fatalf("sign: %+v %v", s, err)
		}
		_, err = f.svc.SignEvaluation(ctx, doc, e.ID)
		kindIs(t, err, kernel.KindConflict)
		_, err = f.svc.SignEvaluation(ctx, f.pro(f.nutri), e.ID)
		kindIs(t, err, kernel.KindForbidden)
		// the other patient and the other professional do not learn it exists
		_, err = f.svc.Evaluation(ctx, f.pat(f.patientB), e.ID, 0)
		kindIs(t, err, kernel.KindNotFound)
		_, err = f.svc.Evaluation(ctx, f.pro(f.other), e.ID, 0)
		kindIs(t, err, kernel.KindNotFound)
		// the signed event went to the outbox in the same transaction
		var n int
		if err := db.NewSelect().TableExpr("outbox").ColumnExpr("COUNT(*)").Where("topic = ?", clinical.TopicEvaluationSigned).Scan(ctx, &n); err != nil || n != 1 {
			t.Fatalf("signed events = %d, %v", n, err)
		}
		l, err := f.svc.Evaluations(ctx, f.pat(f.patientA), f.patientA, kernel.Page{})
		if err != nil || len(l.Items) != 1 || l.Items[0].Version != 2 {
			t.Fatalf("list = %+v %v", l, err)
		}
	})
}

func TestEvaluationTiedToAppointment(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		now := f.clock.Now()
		appt := f.world.Book(f.doctor, f.patientA, now.Add(-time.Hour), "confirmed", now.Add(-72*time.Hour))
		otherAppt := f.world.Book(f.other, f.patientA, now.Add(-time.Hour), "confirmed", now.Add(-72*time.Hour))
		in := simple()
		in.AppointmentID = otherAppt
		_, err := f.svc.CreateEvaluation(ctx, f.pro(f.doctor), f.patientA, in)
		kindIs(t, err, kernel.KindUnprocessable)
		field(t, err, "appointment_id")
		in.AppointmentID, in.Sign = appt, true
		e, err := f.svc.CreateEvaluation(ctx, f.pro(f.doctor), f.patientA, in)
		if err != nil || e.SignedAt == nil {
			t.Fatal(err)
		}
		var body []byte
		if err := db.NewSelect().TableExpr("outbox").Column("body").Where("topic = ?", clinical.TopicEvaluationSigned).Scan(ctx, &body); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(body, []byte(`"appointment_id":"`+appt+`"`)) {
			t.Fatalf("event body %s lacks the appointment", body)
		}
	})
}

func TestCareWindowSharesAndBreakTheGlass(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		other := f.pro(f.other)
		if _, err := f.svc.Evaluations(ctx, other, f.patientA, kernel.Page{}); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("other professional: %v", err)
		}
		// a share opens the record; revoking it closes it
		sh, err := f.svc.GrantShare(ctx, f.pat(f.patientA), clinical.NewShareInput{ProfessionalID: f.other, Until: f.clock.Now().Add(24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Evaluations(ctx, other, f.patientA, kernel.Page{}); err != nil {
			t.Fatalf("shared: %v", err)
		}
		if err := f.svc.RevokeShare(ctx, f.pat(f.patientA), sh.ID); err != nil {
			t.Fatal(err)
		}
		kindIs(t, f.svc.RevokeShare(ctx, f.pat(f.patientA), sh.ID), kernel.KindConflict)
		kindIs(t, f.svc.RevokeShare(ctx, f.pat(f.patientB), sh.ID), kernel.KindNotFound)
		if _, err := f.svc.Evaluations(ctx, other, f.patientA, kernel.Page{}); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("revoked: %v", err)
		}
		_, err = f.svc.GrantShare(ctx, f.pat(f.patientA), clinical.NewShareInput{ProfessionalID: f.other, Until: f.clock.Now().Add(-time.Hour)})
		field(t, err, "until")
		// break-the-glass: a reason is required; then access, a log line and a notice
		_, err = f.svc.BreakTheGlass(ctx, other, f.patientA, "")
		field(t, err, "reason")
		if _, err := f.svc.BreakTheGlass(ctx, other, f.patientA, "unconscious patient in the ER"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Evaluations(ctx, other, f.patientA, kernel.Page{}); err != nil {
			t.Fatalf("emergency: %v", err)
		}
		// the patient is told by the event's consumer, in-app and by e-mail
		if f.notifier.Count("record_emergency_access") != 0 {
			t.Fatalf("e-mailed before the event was consumed: %+v", f.notifier.Sent)
		}
		deliverEmergency := func(n int) error {
			var bodies [][]byte
			if err := f.db.NewSelect().TableExpr("outbox").Column("body").Where("topic = ?", clinical.TopicEmergencyAccess).
				OrderExpr("id").Scan(ctx, &bodies); err != nil || len(bodies) != n {
				t.Fatalf("emergency events = %d, %v", len(bodies), err)
			}
			return f.svc.HandleEmergencyAccess(ctx, ports.Delivery{Message: ports.Message{ID: kernel.NewID(), Topic: clinical.TopicEmergencyAccess, Body: bodies[n-1]}, Attempt: 1})
		}
		if err := deliverEmergency(1); err != nil {
			t.Fatal(err)
		}
		if f.notifier.Count("record_emergency_access") != 1 || len(f.inbox.For(f.patientA)) != 1 {
			t.Fatalf("notices = %+v, in-app = %+v", f.notifier.Sent, f.inbox.Notices)
		}
		if got := f.inbox.For(f.patientA)[0]; !strings.HasPrefix(got.Body, "O(a) profissional Dr. Outro") || got.Title != "Seu prontuário foi aberto em uma emergência" ||
			!strings.Contains(got.Body, "20/11/2026 às 09:00") {
			t.Fatalf("in-app notice = %+v", got)
		}
		// with the e-mail failing, the in-app notice still arrives and the event is retried
		f.notifier.SetFail(kernel.Unavailable(nil, "smtp down"))
		if _, err := f.svc.BreakTheGlass(ctx, other, f.patientB, "parada cardiorrespiratória"); err != nil {
			t.Fatal(err)
		}
		if err := deliverEmergency(2); kernel.KindOf(err) != kernel.KindUnavailable {
			t.Fatalf("failed e-mail: %v, want unavailable (retried)", err)
		}
		if len(f.inbox.For(f.patientB)) != 1 {
			t.Fatalf("in-app notice missing while the e-mail fails: %+v", f.inbox.Notices)
		}
		f.notifier.SetFail(nil)
		if err := deliverEmergency(2); err != nil || len(f.inbox.For(f.patientB)) != 1 || f.notifier.Count("record_emergency_access") != 2 {
			t.Fatalf("retry: %v; in-app %d (want 1, de-duplicated), e-mails %d", err, len(f.inbox.For(f.patientB)), f.notifier.Count("record_emergency_access"))
		}
		log, err := f.svc.AccessLog(ctx, f.pat(f.patientA), kernel.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		emergency := 0
		for _, e := range log.Items {
			if e.ActorID == f.other && e.Basis == clinical.BasisEmergency {
				emergency++
			}
		}
		if emergency < 2 { // the break-the-glass and the read
			t.Fatalf("access log = %+v", log.Items)
		}
		// the grant expires; the care relationship of the doctor ends with the window
		f.clock.Advance(5 * time.Hour)
		if _, err := f.svc.Evaluations(ctx, other, f.patientA, kernel.Page{}); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("expired emergency grant still works: %v", err)
		}
		if _, err := f.svc.Evaluations(ctx, f.pro(f.doctor), f.patientA, kernel.Page{}); err != nil {
			t.Fatalf("within window: %v", err)
		}
		f.clock.Advance(31 * 24 * time.Hour)
		if _, err := f.svc.Evaluations(ctx, f.pro(f.doctor), f.patientA, kernel.Page{}); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("after the care window: %v", err)
		}
	})
}

func TestPrescriptionsSignVerifyDispenseOnce(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := clinical.NewPrescriptionInput{Type: clinical.RxSimple, Items: []clinical.RxItem{{Drug: "Losartana potássica",
			Concentration: "50 mg", Form: "tablet", Dosage: "1 tablet every 24 hours", Quantity: "30 tablets", Route: "oral"}}}
		_, err := f.svc.IssuePrescription(ctx, f.pro(f.nutri), f.patientA, in)
		kindIs(t, err, kernel.KindForbidden)
		rx, err := f.svc.IssuePrescription(ctx, f.pro(f.doctor), f.patientA, in)
		if err != nil {
			t.Fatal(err)
		}
		v, err := f.svc.VerifyPrescription(ctx, rx.VerificationCode)
		if err != nil || !v.Valid || v.Dispensed || v.Initials != "M.A.S." {
			t.Fatalf("verify = %+v %v", v, err)
		}
		_, err = f.svc.VerifyPrescription(ctx, "AAAA-BBBB-CCCC")
		kindIs(t, err, kernel.KindNotFound)
		member := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: f.pharmacy, Roles: []string{"staff"}}
		market := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: f.world.AddCompany("market", true)}
		_, err = f.svc.Dispense(ctx, market, rx.VerificationCode, clinical.DispenseInput{})
		kindIs(t, err, kernel.KindForbidden)
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.Dispense(ctx, member, rx.VerificationCode, clinical.DispenseInput{})
				switch {
				case err == nil:
					wins.Add(1)
				case kernel.KindOf(err) == kernel.KindConflict:
					conflicts.Add(1)
				default:
					t.Errorf("dispense: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || conflicts.Load() != 19 {
			t.Fatalf("wins=%d conflicts=%d", wins.Load(), conflicts.Load())
		}
		v, _ = f.svc.VerifyPrescription(ctx, rx.VerificationCode)
		if !v.Dispensed {
			t.Fatal("verification does not say dispensed")
		}
		_, err = f.svc.CancelPrescription(ctx, f.pro(f.doctor), rx.ID, "")
		kindIs(t, err, kernel.KindConflict)

		// special control needs the address and, at the counter, the buyer
		c1 := clinical.NewPrescriptionInput{Type: clinical.RxSpecialControl, Items: []clinical.RxItem{{Drug: "Sertralina", Dosage: "1 cp/dia"}}}
		_, err = f.svc.IssuePrescription(ctx, f.pro(f.doctor), f.patientA, c1)
		field(t, err, "patient_address")
		field(t, err, "items[0].quantity")
		c1.PatientAddress, c1.Items[0].Quantity, c1.Items[0].Concentration = "Rua A, 1, São Paulo/SP", "30 (trinta) comprimidos", "50 mg"
		rx2, err := f.svc.IssuePrescription(ctx, f.pro(f.doctor), f.patientA, c1)
		if err != nil || rx2.Copies != 2 || rx2.ValidUntil == nil {
			t.Fatalf("C1: %+v %v", rx2, err)
		}
		_, err = f.svc.Dispense(ctx, member, rx2.VerificationCode, clinical.DispenseInput{})
		field(t, err, "buyer_name")
		// cancelled by its author only; then invalid
		_, err = f.svc.CancelPrescription(ctx, f.pro(f.nutri), rx2.ID, "")
		kindIs(t, err, kernel.KindForbidden)
		if _, err := f.svc.CancelPrescription(ctx, f.pro(f.doctor), rx2.ID, "wrong dose"); err != nil {
			t.Fatal(err)
		}
		v, _ = f.svc.VerifyPrescription(ctx, rx2.VerificationCode)
		if v.Valid || v.Reason != "cancelled" {
			t.Fatalf("cancelled verify = %+v", v)
		}
		// a changed stored document fails verification
		if _, err := db.NewUpdate().TableExpr("clinical_prescriptions").Set("document = ?", []byte("forged")).Where("id = ?", rx.ID).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		v, _ = f.svc.VerifyPrescription(ctx, rx.VerificationCode)
		if v.Valid || v.Reason != "signature" {
			t.Fatalf("forged verify = %+v", v)
		}
	})
}

func TestDocumentsEncryptedAtRestAndTamperDetected(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		plain := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("exam result: glucose 92 mg/dL\n"), 5000)...)
		_, err := f.svc.UploadDocument(ctx, f.pat(f.patientA), f.patientA, clinical.UploadInput{Kind: clinical.DocExamResult, Content: []byte("MZ\x90\x00 not allowed")})
		field(t, err, "file")
		d, err := f.svc.UploadDocument(ctx, f.pat(f.patientA), f.patientA, clinical.UploadInput{Kind: clinical.DocExamResult, Title: "glicemia", Content: plain})
		if err != nil {
			t.Fatal(err)
		}
		if d.ContentType != "application/pdf" {
			t.Fatalf("type = %s", d.ContentType)
		}
		rc, _, err := f.blobs.Get(ctx, d.BlobKey)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(stored, []byte("glucose 92")) || bytes.Contains(stored, []byte("%PDF")) || bytes.Equal(stored, plain) {
			t.Fatal("the blob store holds plaintext")
		}
		_, got, err := f.svc.DownloadDocument(ctx, f.pro(f.doctor), d.ID)
		if err != nil || !bytes.Equal(got, plain) {
			t.Fatalf("round trip failed: %v", err)
		}
		_, _, err = f.svc.DownloadDocument(ctx, f.pat(f.patientB), d.ID)
		kindIs(t, err, kernel.KindNotFound)
		// flip one byte in the middle of the ciphertext
		tampered := append([]byte(nil), stored...)
		tampered[len(tampered)/2] ^= 0x01
		if _, err := f.blobs.Put(ctx, d.BlobKey, bytes.NewReader(tampered), ports.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		_, got, err = f.svc.DownloadDocument(ctx, f.pat(f.patientA), d.ID)
		if err == nil || got != nil {
			t.Fatal("a tampered document was returned")
		}
		kindIs(t, err, kernel.KindInternal)
	})
}

func TestPlansIfMatchProgressAndTimeline(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		start := f.clock.Now().Truncate(24 * time.Hour).Add(-48 * time.Hour)
		in := clinical.PlanInput{Title: "Controle da pressão", Goals: []string{"PA < 130/80"}, Start: start, Status: clinical.PlanActive,
			Items: []clinical.PlanItem{
				{Kind: clinical.ItemMedication, Name: "Losartana", Dosage: "50 mg", Frequency: "1x/dia", Tags: []string{"drug:losartan"}},
				{Kind: clinical.ItemExercise, Name: "Caminhada", Frequency: "3x/semana", Intensity: "moderate", NeedsGym: false},
				{Kind: clinical.ItemProduct, Name: "Medidor de pressão", Tags: []string{"device:blood-pressure-monitor"}},
			}}
		badIn := in
		badIn.Items = []clinical.PlanItem{{Kind: "magic", Name: "x"}, {Kind: clinical.ItemMedication, Name: "y", Tags: []string{"Bad Tag"}}}
		_, err := f.svc.CreatePlan(ctx, f.pro(f.doctor), f.patientA, badIn)
		field(t, err, "items[0].kind")
		field(t, err, "items[1].dosage")
		field(t, err, "items[1].tags[0]")
		pl, err := f.svc.CreatePlan(ctx, f.pro(f.doctor), f.patientA, in)
		if err != nil {
			t.Fatal(err)
		}
		in.Title = "Controle da PA"
		in.Items[0].ID = pl.Items[0].ID
		up, err := f.svc.UpdatePlan(ctx, f.pro(f.doctor), pl.ID, pl.Version, in)
		if err != nil || up.Version != 2 || up.Items[0].ID != pl.Items[0].ID {
			t.Fatalf("update: %+v %v", up, err)
		}
		_, err = f.svc.UpdatePlan(ctx, f.pro(f.doctor), pl.ID, pl.Version, in)
		kindIs(t, err, kernel.KindPrecondition)
		_, err = f.svc.UpdatePlan(ctx, f.pro(f.nutri), pl.ID, up.Version, in)
		kindIs(t, err, kernel.KindForbidden)
		if _, err := f.svc.AddProgress(ctx, f.pat(f.patientA), pl.ID, clinical.ProgressInput{ItemID: pl.Items[0].ID, Date: f.clock.Now(), Done: true}); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AddProgress(ctx, f.pat(f.patientA), pl.ID, clinical.ProgressInput{ItemID: kernel.NewID(), Date: f.clock.Now().Add(72 * time.Hour)})
		field(t, err, "item_id")
		field(t, err, "date")
		_, err = f.svc.AddProgress(ctx, f.pro(f.doctor), pl.ID, clinical.ProgressInput{ItemID: pl.Items[0].ID, Date: f.clock.Now()})
		kindIs(t, err, kernel.KindForbidden)
		active, err := f.svc.ActivePlans(ctx, f.pat(f.patientA), f.patientA)
		if err != nil || len(active) != 1 {
			t.Fatalf("active = %+v %v", active, err)
		}
		if _, err := f.svc.ActivePlans(ctx, f.pat(f.patientB), f.patientA); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("patient B sees A's plans: %v", err)
		}
		// timeline: 1 plan, 3 evaluations, 1 appointment (fake world: 2 appointments), newest first, paged by 2
		for i := 0; i < 3; i++ {
			f.clock.Advance(time.Minute)
			if _, err := f.svc.CreateEvaluation(ctx, f.pro(f.doctor), f.patientA, simple()); err != nil {
				t.Fatal(err)
			}
		}
		var all []clinical.HistoryEntry
		page := kernel.Page{Limit: 2}
		for i := 0; i < 10; i++ {
			l, err := f.svc.History(ctx, f.pat(f.patientA), f.patientA, clinical.TimelineQuery{}, page)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, l.Items...)
			if l.NextCursor == "" {
				break
			}
			page.Cursor = l.NextCursor
		}
		if len(all) != 6 {
			t.Fatalf("timeline has %d entries: %+v", len(all), all)
		}
		for i := 1; i < len(all); i++ {
			if all[i].At.After(all[i-1].At) {
				t.Fatalf("timeline not newest first: %+v", all)
			}
		}
		if all[0].Kind != clinical.HistEvaluation || all[len(all)-1].Kind != clinical.HistAppointment {
			t.Fatalf("order: %+v", all)
		}
		l, err := f.svc.History(ctx, f.pat(f.patientA), f.patientA, clinical.TimelineQuery{Kind: clinical.HistPlan}, kernel.Page{})
		if err != nil || len(l.Items) != 1 || l.Items[0].Summary != "Controle da PA" {
			t.Fatalf("plans only: %+v %v", l, err)
		}
		mine, err := f.svc.MyPatients(ctx, f.pro(f.doctor), kernel.Page{})
		if err != nil || len(mine.Items) != 1 || mine.Items[0].PatientID != f.patientA || mine.Items[0].ActivePlans != 1 || mine.Items[0].LastVisit == nil {
			t.Fatalf("my patients = %+v %v", mine, err)
		}
	})
}

func TestPlanUpdateRaceAndPaging(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		in := clinical.PlanInput{Title: "Plano", Start: f.clock.Now(), Status: clinical.PlanActive,
			Items: []clinical.PlanItem{{Kind: clinical.ItemTherapy, Name: "fisioterapia"}}}
		pl, err := f.svc.CreatePlan(ctx, f.pro(f.doctor), f.patientA, in)
		if err != nil {
			t.Fatal(err)
		}
		var wins, pre atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := f.svc.UpdatePlan(ctx, f.pro(f.doctor), pl.ID, pl.Version, in)
				switch {
				case err == nil:
					wins.Add(1)
				case kernel.KindOf(err) == kernel.KindPrecondition:
					pre.Add(1)
				default:
					t.Errorf("update: %v", err)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 || pre.Load() != 19 {
			t.Fatalf("wins=%d preconditions=%d", wins.Load(), pre.Load())
		}
		// 7 evaluations paged by 3: 3+3+1, newest first, no repeats
		for i := 0; i < 7; i++ {
			if _, err := f.svc.CreateEvaluation(ctx, f.pro(f.doctor), f.patientA, simple()); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]bool{}
		var sizes []int
		page := kernel.Page{Limit: 3}
		for {
			l, err := f.store.Evaluations(ctx, f.patientA, page)
			if err != nil {
				t.Fatal(err)
			}
			sizes = append(sizes, len(l.Items))
			for i, e := range l.Items {
				if seen[e.ID] || i > 0 && e.ID > l.Items[i-1].ID {
					t.Fatalf("repeat or order broken at %s", e.ID)
				}
				seen[e.ID] = true
			}
			if l.NextCursor == "" {
				break
			}
			page.Cursor = l.NextCursor
		}
		if len(seen) != 7 || len(sizes) != 3 || sizes[2] != 1 {
			t.Fatalf("pages = %v, seen %d", sizes, len(seen))
		}
		_, err = f.store.Evaluations(ctx, f.patientA, kernel.Page{Limit: 3, Cursor: "!!"})
		kindIs(t, err, kernel.KindInvalid)
		_, err = f.store.Evaluation(ctx, kernel.NewID(), 0)
		kindIs(t, err, kernel.KindNotFound)
		_, err = f.store.UpdatePrescription(ctx, kernel.NewID(), func(*clinical.Prescription) ([]kernel.Event, error) { return nil, nil })
		kindIs(t, err, kernel.KindNotFound)
	})
}
