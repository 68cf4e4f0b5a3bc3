package consentdir

import (
	"context"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
)

var _ consent.SharingSource = (*Directory)(nil)

// AccessLog reads the patient's access log through clinical's own use case,
// page by page, up to max entries.
func (d *Directory) AccessLog(ctx context.Context, p kernel.Principal, max int) ([]consent.AccessRecord, bool, error) {
	var out []consent.AccessRecord
	page := kernel.Page{Limit: kernel.MaxLimit}
	for {
		l, err := d.cli.AccessLog(ctx, p, page)
		if err != nil {
			return nil, false, err
		}
		for _, e := range l.Items {
			if len(out) == max {
				return out, true, nil
			}
			out = append(out, consent.AccessRecord{ActorID: e.ActorID, ActorKind: e.ActorKind, ActorName: e.ActorName,
				ObjectType: e.ObjectType, Basis: string(e.Basis), At: e.At})
		}
		if l.NextCursor == "" {
			return out, false, nil
		}
		page.Cursor = l.NextCursor
	}
}

// RecipientName is a professional's or a company's public name ("" if unknown).
func (d *Directory) RecipientName(ctx context.Context, kind string, id kernel.ID) string {
	switch kind {
	case "professional":
		if pro, err := d.ids.LookupProfessional(ctx, id); err == nil {
			return pro.Name
		}
	case "company":
		if c, err := d.ids.LookupCompany(ctx, id); err == nil {
			if c.TradeName != "" {
				return c.TradeName
			}
			return c.LegalName
		}
	}
	return ""
}
