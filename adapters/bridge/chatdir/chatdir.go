// Package chatdir bridges chat's ports to the other contexts: who may talk to
// whom (clinical's care rule, commerce's orders), display names (identity),
// the clinical access log, and the documents' file rule for attachments.
package chatdir

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// Directory implements chat.Relations, chat.RecordLog and chat.FileRule.
type Directory struct {
	ids *identity.Service
	cli *clinical.Service
	com *commerce.Service
}

var (
	_ chat.Relations = (*Directory)(nil)
	_ chat.RecordLog = (*Directory)(nil)
	_ chat.FileRule  = (*Directory)(nil)
)

// New returns the bridge.
func New(ids *identity.Service, cli *clinical.Service, com *commerce.Service) *Directory {
	return &Directory{ids: ids, cli: cli, com: com}
}

// Care is clinical's access rule (clinical.Service.CanAttend).
func (d *Directory) Care(ctx context.Context, professionalID, patientID kernel.ID) (bool, error) {
	return d.cli.CanAttend(ctx, professionalID, patientID)
}

// Order reads the order from commerce's order store (read-only, no
// principal: chat decides who may name it).
func (d *Directory) Order(ctx context.Context, orderID kernel.ID) (chat.OrderRef, error) {
	if !kernel.ValidID(orderID) {
		return chat.OrderRef{}, kernel.NotFound("pedido não encontrado")
	}
	o, err := d.com.Orders.GetOrder(ctx, orderID)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return chat.OrderRef{}, kernel.NotFound("pedido não encontrado")
		}
		return chat.OrderRef{}, kernel.Wrap(err, "read order")
	}
	ref := chat.OrderRef{ID: o.ID, PatientID: o.PatientID, CompanyID: o.CompanyID, Status: string(o.Status)}
	switch o.Status {
	case commerce.OrderDelivered, commerce.OrderCancelled, commerce.OrderRefunded:
		ref.FinishedAt = finishedAt(o)
	}
	return ref, nil
}

// finishedAt is when o reached its current (final) status.
func finishedAt(o commerce.Order) time.Time {
	for i := len(o.Timeline) - 1; i >= 0; i-- {
		if o.Timeline[i].Status == o.Status {
			return o.Timeline[i].At
		}
	}
	return o.UpdatedAt
}

// DisplayName is a patient's or professional's name, or for
// kernel.KindCompanyMember the trade name of the company whose ID is id.
func (d *Directory) DisplayName(ctx context.Context, kind kernel.AccountKind, id kernel.ID) (string, error) {
	var name string
	var err error
	switch kind {
	case kernel.KindPatient:
		var p identity.Patient
		p, err = d.ids.LookupPatient(ctx, id)
		name = p.Name
	case kernel.KindProfessional:
		var p identity.Professional
		p, err = d.ids.LookupProfessional(ctx, id)
		name = p.Name
	case kernel.KindCompanyMember:
		var c identity.Company
		c, err = d.ids.LookupCompany(ctx, id)
		name = c.TradeName
		if name == "" {
			name = c.LegalName
		}
	default:
		return "", nil
	}
	if kernel.KindOf(err) == kernel.KindNotFound {
		return "", nil
	}
	return name, err
}

// CheckFile is the clinical documents' rule, with clinical's size limit.
func (d *Directory) CheckFile(content []byte) (string, string) { return d.cli.CheckFile(content) }

// CleanFileName is the clinical documents' file name rule.
func (d *Directory) CleanFileName(name, contentType string) string {
	return clinical.CleanFileName(name, contentType)
}
