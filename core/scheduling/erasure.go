package scheduling

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// MaxErasureAppointments caps the appointments one erasure step walks.
const MaxErasureAppointments = 2000

// CancelFuture cancels, as the subject (a patient or a professional) and with
// the usual rules, every confirmed appointment of theirs that has not started:
// the other side is told, a paid one is refunded as the policy says. One a
// patient may no longer cancel (inside the professional's notice period)
// stays. The consent context's call at an erasure request. It returns how
// many it cancelled.
func (s *Service) CancelFuture(ctx context.Context, subjectID kernel.ID, kind kernel.AccountKind) (int, error) {
	p := kernel.Principal{AccountID: subjectID, Kind: kind}
	f := AppointmentFilter{From: s.now(), Status: StatusConfirmed}
	switch kind {
	case kernel.KindPatient:
		f.PatientID = subjectID
	case kernel.KindProfessional:
		f.ProfessionalID = subjectID
	default:
		return 0, nil
	}
	page, n := kernel.Page{Limit: kernel.MaxLimit}, 0
	for seen := 0; seen < MaxErasureAppointments; {
		l, err := s.store.ListAppointments(ctx, f, page)
		if err != nil {
			return n, err
		}
		for _, a := range l.Items {
			_, err := s.Cancel(ctx, p, a.ID, "o titular pediu a eliminação dos dados")
			if err == nil {
				n++
				continue
			}
			switch kernel.KindOf(err) {
			case kernel.KindUnprocessable, kernel.KindConflict, kernel.KindNotFound, kernel.KindForbidden:
			default:
				return n, err
			}
		}
		seen += len(l.Items)
		if l.NextCursor == "" {
			break
		}
		page.Cursor = l.NextCursor
	}
	return n, nil
}

// EraseNotifications deletes every in-app notification of the recipient
// (the consent context's call at an erasure request).
func (s *Service) EraseNotifications(ctx context.Context, recipientID kernel.ID) (int, error) {
	return s.store.DeleteNotifications(ctx, recipientID)
}
