package clinical

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// paStore keeps the access log and answers one share and entry lookups.
type paStore struct {
	logStore
}

func (s *paStore) ActiveShare(context.Context, kernel.ID, kernel.ID, time.Time) (Share, bool, error) {
	return Share{}, false, nil
}

func (s *paStore) AccessEntry(_ context.Context, patientID, id kernel.ID) (AccessEntry, error) {
	for _, e := range s.entries {
		if e.ID == id && e.PatientID == patientID {
			return e, nil
		}
	}
	return AccessEntry{}, kernel.NotFound("x")
}

type paDir struct {
	pros map[kernel.ID]ProfessionalInfo
}

func (d paDir) Patient(_ context.Context, id kernel.ID) (PatientInfo, error) {
	return PatientInfo{ID: id}, nil
}
func (d paDir) Professional(_ context.Context, id kernel.ID) (ProfessionalInfo, error) {
	if p, ok := d.pros[id]; ok {
		return p, nil
	}
	return ProfessionalInfo{}, kernel.NotFound("x")
}
func (d paDir) Company(context.Context, kernel.ID) (CompanyInfo, error) {
	return CompanyInfo{}, kernel.NotFound("x")
}

type paCare struct{ rel map[[2]kernel.ID]CareRelation }

func (c paCare) Relation(_ context.Context, pro, pat kernel.ID) (CareRelation, error) {
	return c.rel[[2]kernel.ID{pro, pat}], nil
}
func (paCare) Appointment(context.Context, kernel.ID) (AppointmentRef, error) {
	return AppointmentRef{}, kernel.NotFound("x")
}
func (paCare) PatientAppointments(context.Context, kernel.ID) ([]AppointmentRef, error) {
	return nil, nil
}
func (paCare) AttendedPatients(context.Context, kernel.ID) ([]PatientVisit, error) { return nil, nil }

func TestPatientRecordAccess(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	patient, other, carer, stranger, unverified := kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID(), kernel.NewID()
	store := &paStore{}
	rel := CareRelation{Exists: true, FirstBooked: now.Add(-time.Hour), LastEnd: now.Add(48 * time.Hour)}
	s := NewService(Deps{Store: store, Clock: kernel.NewFixedClock(now),
		Dir: paDir{pros: map[kernel.ID]ProfessionalInfo{
			carer: {ID: carer, Name: "Dra. Cuidado", Verified: true}, stranger: {ID: stranger, Verified: true}, unverified: {ID: unverified}}},
		Care: paCare{rel: map[[2]kernel.ID]CareRelation{{carer, patient}: rel, {unverified, patient}: rel}}}, Config{})
	blocked := kernel.NewID()
	s.UseBlocks(blockSet{blocked: true})
	pat := kernel.Principal{AccountID: patient, Kind: kernel.KindPatient}

	cases := []struct {
		name  string
		p     kernel.Principal
		id    kernel.ID
		basis Basis
	}{
		{"the patient", pat, patient, BasisSelf},
		{"a professional in care", kernel.Principal{AccountID: carer, Kind: kernel.KindProfessional}, patient, BasisCare},
		{"another patient", kernel.Principal{AccountID: other, Kind: kernel.KindPatient}, patient, ""},
		{"an unrelated professional", kernel.Principal{AccountID: stranger, Kind: kernel.KindProfessional}, patient, ""},
		{"an unverified professional", kernel.Principal{AccountID: unverified, Kind: kernel.KindProfessional}, patient, ""},
		{"an admin (metadata only)", kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}, patient, ""},
		{"an API key", kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey}, patient, ""},
		{"a blocked record", kernel.Principal{AccountID: blocked, Kind: kernel.KindPatient}, blocked, ""},
		{"a malformed id", pat, "x", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := len(store.entries)
			acc, err := s.PatientRecordAccess(ctx, c.p, c.id)
			if c.basis == "" {
				if kernel.KindOf(err) != kernel.KindNotFound || len(store.entries) != before {
					t.Fatalf("got %v, %d new entries; want not found and nothing logged", err, len(store.entries)-before)
				}
				return
			}
			if err != nil || acc.Basis != c.basis || acc.PatientID != c.id {
				t.Fatalf("got %+v, %v", acc, err)
			}
			if len(store.entries) != before+1 {
				t.Fatal("the read was not logged")
			}
			e := store.entries[len(store.entries)-1]
			if e.PatientID != c.id || e.ActorID != c.p.AccountID || e.ObjectType != "patient" || e.ObjectID != c.id || e.Action != "read" || e.Basis != c.basis {
				t.Fatalf("entry %+v", e)
			}
		})
	}
	// CanReadPatient decides the same, logging nothing
	before := len(store.entries)
	if _, err := s.CanReadPatient(ctx, kernel.Principal{AccountID: carer, Kind: kernel.KindProfessional}, patient); err != nil || len(store.entries) != before {
		t.Fatalf("CanReadPatient: %v, %d new entries", err, len(store.entries)-before)
	}
	if _, err := s.CanReadPatient(ctx, kernel.Anonymous, patient); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Fatalf("anonymous: %v", err)
	}

	// AccessLogEntry: the patient's own entries, with the professional's name; nobody else's
	var carerEntry AccessEntry
	for _, e := range store.entries {
		if e.ActorID == carer {
			carerEntry = e
		}
	}
	got, err := s.AccessLogEntry(ctx, pat, carerEntry.ID)
	if err != nil || got.ID != carerEntry.ID || got.ActorName != "Dra. Cuidado" {
		t.Fatalf("AccessLogEntry: %+v, %v", got, err)
	}
	for _, p := range []kernel.Principal{{AccountID: other, Kind: kernel.KindPatient}, {AccountID: carer, Kind: kernel.KindProfessional}} {
		if _, err := s.AccessLogEntry(ctx, p, carerEntry.ID); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("%v reads the entry: %v", p.Kind, err)
		}
	}
}
