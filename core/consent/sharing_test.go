package consent

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

type fakeSharing struct{ acc []AccessRecord }

func (f fakeSharing) AccessLog(context.Context, kernel.Principal, int) ([]AccessRecord, bool, error) {
	return f.acc, false, nil
}
func (fakeSharing) RecipientName(_ context.Context, kind string, id kernel.ID) string {
	return kind + ":" + id
}

type fakeDisclosures struct{ ds []ports.Disclosure }

func (f fakeDisclosures) AddDisclosure(context.Context, ports.Disclosure) error { return nil }
func (f fakeDisclosures) ListDisclosures(context.Context, kernel.ID) ([]ports.Disclosure, error) {
	return f.ds, nil
}

func TestSharingReport(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	me := kernel.Principal{AccountID: "p1", Kind: kernel.KindPatient}
	src := fakeSharing{acc: []AccessRecord{
		{ActorID: "pro1", ActorKind: kernel.KindProfessional, ActorName: "Dra. Ana", ObjectType: "evaluation", Basis: "care", At: t0.Add(2 * time.Hour)},
		{ActorID: "pro1", ActorKind: kernel.KindProfessional, ActorName: "Dra. Ana", ObjectType: "document", Basis: "care", At: t0},
		{ActorID: "pro2", ActorKind: kernel.KindProfessional, ObjectType: "record", Basis: "emergency", At: t0.Add(time.Hour)},
		{ActorID: "p1", ActorKind: kernel.KindPatient, ObjectType: "history", Basis: "self", At: t0.Add(3 * time.Hour)},
	}}
	dis := fakeDisclosures{ds: []ports.Disclosure{{SubjectID: "p1", RecipientKind: "company", RecipientID: "c1", Category: ClassOrders, Basis: "order", At: t0.Add(4 * time.Hour)}}}
	svc := NewService(Deps{Sharing: src, Disclosures: dis, Clock: fixedClock{t0.Add(5 * time.Hour)}}, Config{})
	rep, err := svc.MySharing(context.Background(), me)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Lines) != 3 {
		t.Fatalf("lines %+v", rep.Lines)
	}
	order, care, emergency := rep.Lines[0], rep.Lines[1], rep.Lines[2]
	if order.Recipient.Name != "company:c1" || order.Basis != "order" || order.Category != ClassOrders {
		t.Errorf("order line %+v", order)
	}
	if care.Count != 2 || !care.First.Equal(t0) || !care.Last.Equal(t0.Add(2*time.Hour)) || care.Recipient.Name != "Dra. Ana" || care.Category != ClassClinical {
		t.Errorf("care line %+v", care)
	}
	if emergency.Basis != "emergency" {
		t.Errorf("emergency line %+v", emergency)
	}
	if _, err := svc.MySharing(context.Background(), kernel.Principal{AccountID: "x", Kind: kernel.KindProfessional}); kernel.KindOf(err) != kernel.KindForbidden {
		t.Errorf("a professional read a sharing report: %v", err)
	}
}

func TestProcessingActivitiesCoverEveryClass(t *testing.T) {
	acts := ProcessingActivities()
	if len(acts) != len(DataClasses()) {
		t.Fatalf("%d activities for %d classes", len(acts), len(DataClasses()))
	}
	for i, c := range DataClasses() {
		a := acts[i]
		if a.Class.Code != c.Code || a.Class.LegalBasis == "" || a.Retention == "" || len(a.Measures) < 3 {
			t.Errorf("activity %d: %+v", i, a)
		}
	}
}
