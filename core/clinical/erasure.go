package clinical

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// BlockedRecords says which patients' records are blocked at their erasure
// request (LGPD art. 18, IV): kept for the legal retention, closed to every
// use but the platform's answer to legal requests.
type BlockedRecords interface {
	// RecordBlocked reports whether the patient's record is blocked.
	RecordBlocked(ctx context.Context, patientID kernel.ID) (bool, error)
}

// UseBlocks makes reads of blocked records answer as absent; nil: nothing is blocked.
func (s *Service) UseBlocks(b BlockedRecords) { s.blocks = b }

// errBlocked is what a patient or a professional gets on a blocked record.
var errBlocked = kernel.NotFound("prontuário bloqueado a pedido do titular (LGPD, art. 18): guardado pelo prazo legal e acessível só por requisição legal")

// blocked reports whether patientID's record is blocked.
func (s *Service) blocked(ctx context.Context, patientID kernel.ID) (bool, error) {
	if s.blocks == nil {
		return false, nil
	}
	b, err := s.blocks.RecordBlocked(ctx, patientID)
	if err != nil {
		return false, kernel.Wrap(err, "record block")
	}
	return b, nil
}

// LastEntry is when the patient's record last changed (zero: no record),
// the anchor of its retention (Lei 13.787/2018). The platform's call.
func (s *Service) LastEntry(ctx context.Context, patientID kernel.ID) (time.Time, error) {
	if !kernel.ValidID(patientID) {
		return time.Time{}, nil
	}
	return s.Store.LastEntry(ctx, patientID)
}

// PurgeExpired deletes the records, and their documents' files, of at most
// limit patients whose last entry is before cutoff (the retention purge; the
// platform's call). Files go first, so a failure leaves the rows to be found
// by the next run. It returns how many patients it purged.
func (s *Service) PurgeExpired(ctx context.Context, cutoff time.Time, limit int) (int, error) {
	ids, err := s.Store.ExpiredRecords(ctx, cutoff, limit)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		keys, err := s.Store.RecordBlobKeys(ctx, id)
		if err != nil {
			return i, err
		}
		for _, k := range keys {
			if err := s.Blobs.Delete(ctx, k); err != nil && kernel.KindOf(err) != kernel.KindNotFound {
				return i, kernel.Wrap(err, "delete a document's file")
			}
		}
		if err := s.Store.DeleteRecord(ctx, id); err != nil {
			return i, err
		}
		s.Log.Info("clinical record purged past retention", "patient_id", id, "documents", len(keys))
	}
	return len(ids), nil
}
