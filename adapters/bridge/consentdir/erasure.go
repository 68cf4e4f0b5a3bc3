package consentdir

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

var _ consent.Eraser = (*Directory)(nil)

func accountKind(k consent.SubjectKind) kernel.AccountKind {
	switch k {
	case consent.SubjectPatient:
		return kernel.KindPatient
	case consent.SubjectProfessional:
		return kernel.KindProfessional
	}
	return kernel.KindCompanyMember
}

// ErasureFacts: see consent.Eraser.
func (d *Directory) ErasureFacts(ctx context.Context, subjectID kernel.ID, kind consent.SubjectKind) (consent.ErasureFacts, error) {
	var f consent.ErasureFacts
	if kind != consent.SubjectPatient {
		return f, nil
	}
	last, err := d.cli.LastEntry(ctx, subjectID)
	if err != nil {
		return f, err
	}
	f.LastClinicalEntry = last
	if err := d.messageFacts(ctx, subjectID, &f); err != nil {
		return f, err
	}
	p := kernel.Principal{AccountID: subjectID, Kind: kernel.KindPatient}
	orders, err := d.com.MyOrders(ctx, p, "", kernel.Page{Limit: 1})
	if err != nil {
		return f, err
	}
	if len(orders.Items) > 0 {
		f.LastOrderAt = orders.Items[0].CreatedAt
		if paid := orders.Items[0].PaidAt; paid != nil {
			f.LastPaymentAt = *paid
		}
	}
	return f, nil
}

// RevokeAccess: see consent.Eraser. Anonymising the account disables it and
// ends its sessions in one step.
func (d *Directory) RevokeAccess(ctx context.Context, subjectID kernel.ID, kind consent.SubjectKind) error {
	return d.ids.EraseAccount(ctx, subjectID)
}

// CancelPending: see consent.Eraser.
func (d *Directory) CancelPending(ctx context.Context, subjectID kernel.ID, kind consent.SubjectKind) error {
	if _, err := d.sched.CancelFuture(ctx, subjectID, accountKind(kind)); err != nil {
		return err
	}
	if kind == consent.SubjectPatient {
		if _, err := d.com.CancelOpenOrders(ctx, subjectID); err != nil {
			return err
		}
	}
	return nil
}

// Erase: see consent.Eraser.
func (d *Directory) Erase(ctx context.Context, subjectID kernel.ID, kind consent.SubjectKind, dec consent.ErasureDecision, now time.Time) error {
	switch dec.Class {
	case consent.ClassAccount, consent.ClassProfessional, consent.ClassCompanyStaff:
		return d.ids.EraseAccount(ctx, subjectID) // idempotent; RevokeAccess already did it
	case consent.ClassNotifications:
		_, err := d.sched.EraseNotifications(ctx, subjectID)
		return err
	case consent.ClassOrders:
		if kind == consent.SubjectPatient {
			_, err := d.com.AnonymiseOrders(ctx, subjectID, now)
			return err
		}
	case consent.ClassCareMessages, consent.ClassOrderMessages:
		return d.eraseMessages(ctx, subjectID, kind, dec)
	case consent.ClassClinical:
		// blocked by the request itself (clinical asks consentsql); a record
		// already past retention goes with the next purge
	}
	return nil
}

// PurgeClinical: see consent.Eraser.
func (d *Directory) PurgeClinical(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	return d.cli.PurgeExpired(ctx, cutoff, limit)
}

// AnonymiseOrders: see consent.Eraser.
func (d *Directory) AnonymiseOrders(ctx context.Context, subjectID kernel.ID, cutoff time.Time) (int, error) {
	return d.com.AnonymiseOrders(ctx, subjectID, cutoff)
}
