package consent

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }

type memIncidents struct{ m map[kernel.ID]Incident }

func (s *memIncidents) CreateIncident(_ context.Context, in Incident) error {
	s.m[in.ID] = in
	return nil
}
func (s *memIncidents) Incident(_ context.Context, id kernel.ID) (Incident, error) {
	in, ok := s.m[id]
	if !ok {
		return Incident{}, kernel.NotFound("incidente não encontrado")
	}
	return in, nil
}
func (s *memIncidents) ListIncidents(context.Context, kernel.Page) (kernel.List[Incident], error) {
	return kernel.List[Incident]{}, nil
}
func (s *memIncidents) UpdateIncident(_ context.Context, id kernel.ID, fn func(*Incident) error) (Incident, error) {
	in, ok := s.m[id]
	if !ok {
		return Incident{}, kernel.NotFound("incidente não encontrado")
	}
	if err := fn(&in); err != nil {
		return Incident{}, err
	}
	s.m[id] = in
	return in, nil
}

func TestIncidentRegister(t *testing.T) {
	now := time.Date(2026, 12, 24, 15, 0, 0, 0, time.UTC)
	svc := NewService(Deps{Incidents: &memIncidents{m: map[kernel.ID]Incident{}}, Clock: fixedClock{now}}, Config{})
	admin := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}
	ctx := context.Background()

	_, err := svc.CreateIncident(ctx, admin, NewIncident{Categories: []string{"nope"}, Risk: "huge", DetectedAt: now.Add(time.Hour)}, "")
	fields := map[string]bool{}
	if e, ok := err.(*kernel.Error); ok {
		for _, f := range e.Fields {
			fields[f.Field] = true
		}
	}
	for _, f := range []string{"title", "description", "risk_reasoning", "detected_at", "categories[0]", "risk"} {
		if !fields[f] {
			t.Errorf("no field error on %s: %v", f, err)
		}
	}
	patient := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	if _, err := svc.CreateIncident(ctx, patient, NewIncident{}, ""); kernel.KindOf(err) != kernel.KindForbidden {
		t.Errorf("a patient registered an incident: %v", err)
	}
	inc, err := svc.CreateIncident(ctx, admin, NewIncident{Title: "Vazamento de backup", Description: "Um backup ficou exposto.",
		DetectedAt: now, Categories: []string{ClassClinical, ClassAccount, ClassAccount}, SubjectsAffected: 120, SubjectsEstimated: true,
		Risk: RiskHigh, RiskReasoning: "Dados de saúde identificáveis."}, "req")
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Categories) != 2 {
		t.Errorf("categories not de-duplicated: %v", inc.Categories)
	}
	if d := inc.Deadline().In(brasilia()).Format("2006-01-02 15:04"); d != "2026-12-30 23:59" {
		t.Errorf("deadline %s", d)
	}
	for _, want := range []string{"dados pessoais sensíveis", "aproximadamente 120 titulares", "30/12/2026", "risco alto"} {
		if !strings.Contains(inc.ANPDNotice(), want) {
			t.Errorf("ANPD notice lacks %q:\n%s", want, inc.ANPDNotice())
		}
	}
	if !strings.Contains(inc.SubjectNotice(), "dados de saúde") {
		t.Errorf("subject notice: %s", inc.SubjectNotice())
	}
	low := RiskLow
	if _, err := svc.UpdateIncident(ctx, admin, inc.ID, 7, IncidentPatch{Risk: &low}, ""); kernel.KindOf(err) != kernel.KindPrecondition {
		t.Errorf("a stale version updated: %v", err)
	}
	early := now.Add(-time.Hour)
	if _, err := svc.UpdateIncident(ctx, admin, inc.ID, 1, IncidentPatch{ANPDNotifiedAt: &early}, ""); kernel.KindOf(err) != kernel.KindInvalid {
		t.Errorf("notified before detection: %v", err)
	}
	up, err := svc.UpdateIncident(ctx, admin, inc.ID, 1, IncidentPatch{Risk: &low}, "")
	if err != nil || up.Version != 2 || up.NotificationRequired() {
		t.Errorf("update: %+v %v", up, err)
	}
}
