package clinicaldir

import (
	"context"
	"encoding/json"
	"log/slog"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

// Completer completes an appointment (implemented by *scheduling.Service).
type Completer interface {
	Complete(ctx context.Context, p kernel.Principal, id kernel.ID) (scheduling.Appointment, error)
}

// Completion consumes clinical.evaluation.signed and completes the appointment
// the evaluation is tied to, acting as its professional. An appointment that is
// already final, or has not started, is left as it is (the message is
// acknowledged and logged); a failure of the store is retried by the queue.
type Completion struct {
	q   ports.Queue
	c   Completer
	log *slog.Logger
}

// NewCompletion builds the consumer.
func NewCompletion(q ports.Queue, c Completer, log *slog.Logger) *Completion {
	return &Completion{q: q, c: c, log: log}
}

// Run consumes until ctx ends (a wire.Worker's Run).
func (w *Completion) Run(ctx context.Context) {
	if err := w.q.Consume(ctx, clinical.TopicEvaluationSigned, w.Handle); err != nil && ctx.Err() == nil {
		w.log.Error("evaluation-signed consumer stopped", "err", err)
	}
}

// Handle processes one delivery.
func (w *Completion) Handle(ctx context.Context, d ports.Delivery) error {
	var ev map[string]string
	if err := json.Unmarshal(d.Body, &ev); err != nil {
		w.log.Error("bad clinical.evaluation.signed message; dropped", "message_id", d.ID)
		return nil
	}
	appt, pro := ev["appointment_id"], ev["professional_id"]
	if appt == "" {
		return nil // not tied to an appointment
	}
	_, err := w.c.Complete(ctx, kernel.Principal{AccountID: pro, Kind: kernel.KindProfessional}, appt)
	switch kernel.KindOf(err) {
	case kernel.KindUnavailable, kernel.KindInternal:
		if err != nil {
			return err // retried
		}
	}
	if err != nil {
		w.log.Info("appointment not completed by its evaluation", "appointment_id", appt, "kind", kernel.KindOf(err))
	}
	return nil
}

// DashboardPlans lists a patient's active plans for scheduling's dashboard
// (scheduling.TreatmentPlans over clinical's ActivePlans).
type DashboardPlans struct{ svc *clinical.Service }

var _ scheduling.TreatmentPlans = (*DashboardPlans)(nil)

// NewDashboardPlans returns the dashboard source; plug it with (*scheduling.Service).UsePlans.
func NewDashboardPlans(svc *clinical.Service) *DashboardPlans { return &DashboardPlans{svc: svc} }

func (d *DashboardPlans) ActivePlans(ctx context.Context, p kernel.Principal, patientID kernel.ID) ([]scheduling.PlanSummary, error) {
	plans, err := d.svc.ActivePlans(ctx, p, patientID)
	if err != nil {
		return nil, err
	}
	out := make([]scheduling.PlanSummary, 0, len(plans))
	for _, pl := range plans {
		out = append(out, scheduling.PlanSummary{ID: pl.ID, Title: pl.Title, Status: string(pl.Status), UpdatedAt: pl.UpdatedAt})
	}
	return out, nil
}
