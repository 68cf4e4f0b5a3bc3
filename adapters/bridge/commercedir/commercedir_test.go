package commercedir

import (
	"context"
	"testing"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
)

type dispensedRx struct {
	Clinical
	by kernel.ID
}

func (c dispensedRx) Dispense(context.Context, kernel.Principal, string, clinical.DispenseInput) (clinical.Prescription, error) {
	return clinical.Prescription{}, kernel.Conflict("a receita já foi dispensada")
}

func (c dispensedRx) VerifyPrescription(context.Context, string) (clinical.Verification, error) {
	return clinical.Verification{Dispensed: true, Rx: clinical.Prescription{Status: clinical.RxDispensed,
		Dispensed: &clinical.Dispensation{CompanyID: c.by}}}, nil
}

// TestDispenseRetriedBySamePharmacy: a move retried after its dispensation
// committed goes on for the pharmacy that dispensed; any other pharmacy still
// gets clinical's conflict.
func TestDispenseRetriedBySamePharmacy(t *testing.T) {
	d := New(nil, dispensedRx{by: "pharmacy-a"}, nil)
	if err := d.Dispense(context.Background(), kernel.Principal{AccountID: "k", Kind: kernel.KindAPIKey, CompanyID: "pharmacy-a"}, "ABCD", "", ""); err != nil {
		t.Errorf("same pharmacy: %v", err)
	}
	err := d.Dispense(context.Background(), kernel.Principal{AccountID: "k", Kind: kernel.KindAPIKey, CompanyID: "pharmacy-b"}, "ABCD", "", "")
	if kernel.KindOf(err) != kernel.KindConflict {
		t.Errorf("another pharmacy: %v", err)
	}
}
