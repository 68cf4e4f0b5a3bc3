package clinicaldir

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
)

type completer struct {
	calls []string
	by    []kernel.Principal
	err   error
}

func (c *completer) Complete(_ context.Context, p kernel.Principal, id kernel.ID) (scheduling.Appointment, error) {
	c.calls = append(c.calls, id)
	c.by = append(c.by, p)
	return scheduling.Appointment{}, c.err
}

func delivery(m map[string]string) ports.Delivery {
	b, _ := json.Marshal(m)
	return ports.Delivery{Message: ports.Message{ID: kernel.NewID(), Body: b}, Attempt: 1}
}

func TestCompletionCompletesTheTiedAppointment(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	c := &completer{}
	w := NewCompletion(nil, c, log)
	appt, pro := kernel.NewID(), kernel.NewID()
	if err := w.Handle(context.Background(), delivery(map[string]string{"appointment_id": appt, "professional_id": pro})); err != nil {
		t.Fatal(err)
	}
	if len(c.calls) != 1 || c.calls[0] != appt || c.by[0].AccountID != pro || c.by[0].Kind != kernel.KindProfessional {
		t.Fatalf("calls = %v by %v", c.calls, c.by)
	}
	// not tied: nothing to do
	_ = w.Handle(context.Background(), delivery(map[string]string{"professional_id": pro}))
	if len(c.calls) != 1 {
		t.Fatal("completed an appointment the evaluation is not tied to")
	}
	// already final: acknowledged; the store down: retried
	c.err = kernel.Conflict("already completed")
	if err := w.Handle(context.Background(), delivery(map[string]string{"appointment_id": appt, "professional_id": pro})); err != nil {
		t.Fatalf("a final appointment must be acknowledged: %v", err)
	}
	c.err = kernel.Unavailable(nil, "db down")
	if err := w.Handle(context.Background(), delivery(map[string]string{"appointment_id": appt, "professional_id": pro})); err == nil {
		t.Fatal("an unavailable store must be retried")
	}
	if err := w.Handle(context.Background(), ports.Delivery{Message: ports.Message{Body: []byte("{")}}); err != nil {
		t.Fatal("a malformed message must be dropped, not retried forever")
	}
}
