package consentsql

import (
	"context"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

var _ consent.DisclosureStore = (*Store)(nil)

type disclosureRow struct {
	bun.BaseModel `bun:"table:consent_disclosures,alias:d"`
	ID            string    `bun:"id,pk"`
	SubjectID     string    `bun:"subject_id"`
	RecipientKind string    `bun:"recipient_kind"`
	RecipientID   string    `bun:"recipient_id"`
	Category      string    `bun:"category"`
	Basis         string    `bun:"basis"`
	ObjectType    string    `bun:"object_type"`
	ObjectID      string    `bun:"object_id"`
	At            time.Time `bun:"at"`
}

func (r disclosureRow) toDomain() ports.Disclosure {
	return ports.Disclosure{SubjectID: r.SubjectID, RecipientKind: r.RecipientKind, RecipientID: r.RecipientID, Category: r.Category,
		Basis: r.Basis, ObjectType: r.ObjectType, ObjectID: r.ObjectID, At: r.At.UTC()}
}

// AddDisclosure: see consent.DisclosureStore.
func (s *Store) AddDisclosure(ctx context.Context, d ports.Disclosure) error {
	row := disclosureRow{ID: kernel.NewID(), SubjectID: d.SubjectID, RecipientKind: d.RecipientKind, RecipientID: d.RecipientID,
		Category: d.Category, Basis: d.Basis, ObjectType: d.ObjectType, ObjectID: d.ObjectID, At: utc(d.At)}
	_, err := s.db.NewInsert().Model(&row).Exec(ctx)
	return sqlstore.Translate(err)
}

// ListDisclosures: see consent.DisclosureStore.
func (s *Store) ListDisclosures(ctx context.Context, subjectID kernel.ID) ([]ports.Disclosure, error) {
	var rows []disclosureRow
	if err := s.db.NewSelect().Model(&rows).Where("d.subject_id = ?", subjectID).
		OrderExpr("d.at DESC, d.id DESC").Limit(consent.MaxDisclosures).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]ports.Disclosure, len(rows))
	for i, r := range rows {
		out[i] = r.toDomain()
	}
	return out, nil
}
