package consent

import (
	"context"
	"strconv"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// PurgeHour is the hour (São Paulo time) the daily retention purge runs.
const PurgeHour = 3

// NextPurge is the next daily purge after now: PurgeHour in São Paulo.
func NextPurge(now time.Time) time.Time {
	loc := brt()
	l := now.In(loc)
	next := time.Date(l.Year(), l.Month(), l.Day(), PurgeHour, 0, 0, 0, loc)
	if !next.After(now) {
		next = time.Date(l.Year(), l.Month(), l.Day()+1, PurgeHour, 0, 0, 0, loc)
	}
	return next.UTC()
}

// SchedulePurge schedules the next retention purge (one job ID, so seeding it
// at every start and rescheduling it after every run keep a single job).
func (s *Service) SchedulePurge(ctx context.Context) error {
	if s.Scheduler == nil {
		s.Log.Warn("no scheduler: the retention purge does not run")
		return nil
	}
	at := NextPurge(s.now())
	return s.Scheduler.Schedule(context.WithoutCancel(ctx), ports.Job{ID: "consent-retention-purge", At: at,
		Msg: ports.Message{ID: kernel.NewID(), Topic: TopicRetentionPurge, Key: "retention-purge", Body: []byte("{}")}})
}

// HandleRetentionPurge consumes TopicRetentionPurge: it runs the purge, then
// schedules the next run.
func (s *Service) HandleRetentionPurge(ctx context.Context, d ports.Delivery) error {
	if err := s.PurgeRetention(ctx); err != nil {
		return err
	}
	if err := s.SchedulePurge(ctx); err != nil {
		s.Log.Error("next retention purge not scheduled", "kind", kernel.KindOf(err))
	}
	return nil
}

// PurgeResult is what one purge run did.
type PurgeResult struct {
	Patients int // patients whose clinical records were purged
	Orders   int // orders of erased subjects anonymised
	Messages int // chat messages past retention erased
}

// PurgeRetention deletes the clinical records of every patient whose last
// entry is more than ClinicalRetentionYears old (blocked or not), erases chat
// messages past their retention (care_messages, order_messages), and
// removes the delivery data of erased subjects' orders settled since. The
// platform's own action; running it twice changes nothing more.
func (s *Service) PurgeRetention(ctx context.Context) error {
	_, err := s.purge(ctx)
	return err
}

func (s *Service) purge(ctx context.Context) (PurgeResult, error) {
	var res PurgeResult
	if s.Eraser == nil {
		return res, nil
	}
	now := s.now()
	clinicalCutoff := AddYears(now, -ClinicalRetentionYears)
	for res.Patients < MaxPurgePatients {
		n, err := s.Eraser.PurgeClinical(ctx, clinicalCutoff, PurgeBatch)
		if err != nil {
			return res, err
		}
		res.Patients += n
		if n < PurgeBatch {
			break
		}
	}
	n, err := s.Eraser.PurgeMessages(ctx, now, MaxPurgeMessages)
	res.Messages += n
	if err != nil {
		return res, err
	}
	// delivery data of erased subjects' orders settled since their erasure
	// (those settled before went at the erasure)
	after, seen := kernel.ID(""), 0
	for seen < MaxPurgeSubjects && s.Erasures != nil {
		ids, err := s.Erasures.ErasedSubjects(ctx, after, erasedSubjectPage)
		if err != nil {
			return res, err
		}
		for _, id := range ids {
			n, err := s.Eraser.AnonymiseOrders(ctx, id, now)
			if err != nil {
				return res, err
			}
			res.Orders += n
		}
		seen += len(ids)
		if len(ids) < erasedSubjectPage {
			break
		}
		after = ids[len(ids)-1]
	}
	s.audit(ctx, ports.AuditRecord{At: now, ActorKind: "system", Action: "retention.purge", ObjectType: "retention_purge",
		Details: map[string]string{"patients": strconv.Itoa(res.Patients), "orders": strconv.Itoa(res.Orders), "messages": strconv.Itoa(res.Messages)}})
	s.Log.Info("retention purge done", "patients", res.Patients, "orders", res.Orders, "messages", res.Messages)
	return res, nil
}
