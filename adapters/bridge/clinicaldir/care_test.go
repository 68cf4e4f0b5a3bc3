package clinicaldir

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// book is a scheduling.Store with only the two read methods the bridge uses.
type book struct {
	scheduling.Store
	appts []scheduling.Appointment
}

func (b *book) ListAppointments(_ context.Context, f scheduling.AppointmentFilter, page kernel.Page) (kernel.List[scheduling.Appointment], error) {
	var match []scheduling.Appointment
	for _, a := range b.appts {
		if (f.PatientID == "" || a.PatientID == f.PatientID) && (f.ProfessionalID == "" || a.ProfessionalID == f.ProfessionalID) &&
			(f.Status == "" || a.Status == f.Status) {
			match = append(match, a)
		}
	}
	off := 0
	if page.Cursor != "" {
		_ = kernel.DecodeCursor(page.Cursor, &off)
	}
	end := min(off+page.Limit, len(match))
	out := kernel.List[scheduling.Appointment]{Items: match[off:end]}
	if end < len(match) {
		out.NextCursor = kernel.EncodeCursor(end)
	}
	return out, nil
}

func (b *book) GetAppointment(_ context.Context, id kernel.ID) (scheduling.Appointment, error) {
	for _, a := range b.appts {
		if a.ID == id {
			return a, nil
		}
	}
	return scheduling.Appointment{}, kernel.NotFound("no such appointment")
}

func TestCareRelationOverSchedulingStore(t *testing.T) {
	pro, pat, other := kernel.NewID(), kernel.NewID(), kernel.NewID()
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	b := &book{}
	add := func(p, patient kernel.ID, start time.Time, st scheduling.Status, booked time.Time) {
		b.appts = append(b.appts, scheduling.Appointment{ID: kernel.NewID(), ProfessionalID: p, PatientID: patient, Start: start,
			End: start.Add(30 * time.Minute), Status: st, CreatedAt: booked})
	}
	add(pro, pat, t0, scheduling.StatusCancelled, t0.Add(-100*time.Hour)) // cancelled: does not count
	add(pro, pat, t0.Add(24*time.Hour), scheduling.StatusCompleted, t0.Add(-48*time.Hour))
	for i := 0; i < 150; i++ { // more than one page
		add(pro, other, t0.Add(time.Duration(i)*time.Hour), scheduling.StatusCompleted, t0)
	}
	add(pro, pat, t0.Add(240*time.Hour), scheduling.StatusConfirmed, t0.Add(-24*time.Hour))
	c := NewCare(b)
	rel, err := c.Relation(context.Background(), pro, pat)
	if err != nil {
		t.Fatal(err)
	}
	if !rel.Exists || !rel.FirstBooked.Equal(t0.Add(-48*time.Hour)) || !rel.LastEnd.Equal(t0.Add(240*time.Hour+30*time.Minute)) {
		t.Fatalf("relation = %+v", rel)
	}
	if rel, _ := c.Relation(context.Background(), other, pat); rel.Exists {
		t.Fatal("a relation without appointments")
	}
	visits, err := c.AttendedPatients(context.Background(), pro)
	if err != nil || len(visits) != 2 {
		t.Fatalf("attended = %+v %v", visits, err)
	}
	for _, v := range visits {
		if v.PatientID == other && !v.LastVisit.Equal(t0.Add(149*time.Hour+30*time.Minute)) {
			t.Fatalf("last visit of the 150 = %v", v.LastVisit)
		}
	}
	appts, _ := c.PatientAppointments(context.Background(), pat)
	if len(appts) != 3 {
		t.Fatalf("patient appointments = %d", len(appts))
	}
}
