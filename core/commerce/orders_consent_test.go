package commerce_test

import (
	"context"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// consentsFake grants the purposes in granted and keeps the disclosures.
type consentsFake struct {
	mu      sync.Mutex
	granted map[string]bool
	ds      []ports.Disclosure
}

func (f *consentsFake) Require(_ context.Context, _ kernel.ID, purpose string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.granted[purpose] {
		return kernel.Conflict("consent %s required", purpose)
	}
	return nil
}

func (f *consentsFake) Disclosed(_ context.Context, d ports.Disclosure) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ds = append(f.ds, d)
	return nil
}

func TestPlaceOrderNeedsPartnerSharingAndRecordsDisclosures(t *testing.T) {
	w := newOrdWorld(t)
	ctx := context.Background()
	cs := &consentsFake{granted: map[string]bool{}}
	w.svc.Consents = cs
	in := commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "pickup", Items: []commerce.OrderLineInput{{SKU: "GEL", Quantity: 1}}}
	_, err := w.svc.PlaceOrder(ctx, w.patient, in)
	wantOrdKind(t, "without partner_sharing", err, kernel.KindConflict, ports.PurposePartnerSharing)
	if len(w.store.orders) != 0 || len(cs.ds) != 0 {
		t.Fatalf("a refused order left %d orders, %d disclosures", len(w.store.orders), len(cs.ds))
	}
	cs.granted[ports.PurposePartnerSharing] = true
	o, err := w.svc.PlaceOrder(ctx, w.patient, in)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.ds) != 1 {
		t.Fatalf("disclosures %+v", cs.ds)
	}
	want := ports.Disclosure{SubjectID: w.patient.AccountID, RecipientKind: "company", RecipientID: w.pharmacy.ID, Category: "orders",
		Basis: "order", ObjectType: "order", ObjectID: o.ID, At: o.CreatedAt}
	if cs.ds[0] != want {
		t.Errorf("disclosure %+v, want %+v", cs.ds[0], want)
	}
	rx, err := w.svc.PlaceOrder(ctx, w.patient, commerce.PlaceOrderInput{CompanyID: w.pharmacy.ID, Method: "pickup", PrescriptionID: w.rxID,
		Items: []commerce.OrderLineInput{{SKU: "LOS-50", Quantity: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.ds) != 3 || cs.ds[1].Category != "orders" || cs.ds[2].Category != "prescriptions" || cs.ds[2].ObjectID != rx.ID {
		t.Errorf("prescription order disclosures %+v", cs.ds[1:])
	}
}
