// Package clinicalfake holds in-memory implementations of the clinical ports
// that reach other contexts (Directory, CareRelations), for tests and demos.
package clinicalfake

import (
	"context"
	"sync"
	"time"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// World is a fake directory and appointment book.
type World struct {
	mu        sync.Mutex
	patients  map[kernel.ID]clinical.PatientInfo
	pros      map[kernel.ID]clinical.ProfessionalInfo
	companies map[kernel.ID]clinical.CompanyInfo
	appts     map[kernel.ID]clinical.AppointmentRef
	booked    map[kernel.ID]time.Time
}

var (
	_ clinical.Directory     = (*World)(nil)
	_ clinical.CareRelations = (*World)(nil)
)

// New returns an empty world.
func New() *World {
	return &World{patients: map[kernel.ID]clinical.PatientInfo{}, pros: map[kernel.ID]clinical.ProfessionalInfo{},
		companies: map[kernel.ID]clinical.CompanyInfo{}, appts: map[kernel.ID]clinical.AppointmentRef{}, booked: map[kernel.ID]time.Time{}}
}

// AddPatient adds a patient and returns its ID.
func (w *World) AddPatient(name, email string) kernel.ID {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := kernel.NewID()
	w.patients[id] = clinical.PatientInfo{ID: id, Name: name, Email: email}
	return id
}

// AddProfessional adds a verified professional of a profession and returns its ID.
func (w *World) AddProfessional(name, profession string) kernel.ID {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := kernel.NewID()
	w.pros[id] = clinical.ProfessionalInfo{ID: id, Name: name, Profession: profession, CouncilType: "CRM",
		CouncilNumber: "123456", CouncilUF: "SP", Verified: true}
	return id
}

// AddCompany adds a company of a type and returns its ID.
func (w *World) AddCompany(typ string, verified bool) kernel.ID {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := kernel.NewID()
	w.companies[id] = clinical.CompanyInfo{ID: id, Type: typ, Verified: verified}
	return id
}

// Book adds an appointment booked at bookedAt, and returns its ID.
func (w *World) Book(pro, patient kernel.ID, start time.Time, status string, bookedAt time.Time) kernel.ID {
	w.mu.Lock()
	defer w.mu.Unlock()
	id := kernel.NewID()
	w.appts[id] = clinical.AppointmentRef{ID: id, PatientID: patient, ProfessionalID: pro, Start: start.UTC(),
		End: start.Add(30 * time.Minute).UTC(), Status: status}
	w.booked[id] = bookedAt.UTC()
	return id
}

func (w *World) Patient(_ context.Context, id kernel.ID) (clinical.PatientInfo, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p, ok := w.patients[id]; ok {
		return p, nil
	}
	return clinical.PatientInfo{}, kernel.NotFound("no such patient")
}

func (w *World) Professional(_ context.Context, id kernel.ID) (clinical.ProfessionalInfo, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if p, ok := w.pros[id]; ok {
		return p, nil
	}
	return clinical.ProfessionalInfo{}, kernel.NotFound("no such professional")
}

func (w *World) Company(_ context.Context, id kernel.ID) (clinical.CompanyInfo, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.companies[id]; ok {
		return c, nil
	}
	return clinical.CompanyInfo{}, kernel.NotFound("no such company")
}

func (w *World) Relation(_ context.Context, pro, patient kernel.ID) (clinical.CareRelation, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var rel clinical.CareRelation
	for id, a := range w.appts {
		if a.ProfessionalID != pro || a.PatientID != patient || (a.Status != "confirmed" && a.Status != "completed") {
			continue
		}
		if !rel.Exists || w.booked[id].Before(rel.FirstBooked) {
			rel.FirstBooked = w.booked[id]
		}
		if !rel.Exists || a.End.After(rel.LastEnd) {
			rel.LastEnd = a.End
		}
		rel.Exists = true
	}
	return rel, nil
}

func (w *World) Appointment(_ context.Context, id kernel.ID) (clinical.AppointmentRef, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if a, ok := w.appts[id]; ok {
		return a, nil
	}
	return clinical.AppointmentRef{}, kernel.NotFound("no such appointment")
}

func (w *World) PatientAppointments(_ context.Context, patient kernel.ID) ([]clinical.AppointmentRef, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []clinical.AppointmentRef
	for _, a := range w.appts {
		if a.PatientID == patient {
			out = append(out, a)
		}
	}
	return out, nil
}

func (w *World) AttendedPatients(_ context.Context, pro kernel.ID) ([]clinical.PatientVisit, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	last := map[kernel.ID]time.Time{}
	for _, a := range w.appts {
		if a.ProfessionalID == pro && a.Status == "completed" && a.End.After(last[a.PatientID]) {
			last[a.PatientID] = a.End
		}
	}
	out := make([]clinical.PatientVisit, 0, len(last))
	for id, t := range last {
		out = append(out, clinical.PatientVisit{PatientID: id, LastVisit: t})
	}
	return out, nil
}

// Notifier records notifications; while Fail is set it refuses them with it.
type Notifier struct {
	mu   sync.Mutex
	Sent []ports.Notification
	Fail error
}

var _ ports.Notifier = (*Notifier)(nil)

func (n *Notifier) Notify(_ context.Context, m ports.Notification) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.Fail != nil {
		return n.Fail
	}
	n.Sent = append(n.Sent, m)
	return nil
}

// SetFail makes Notify fail with err (nil: succeed again).
func (n *Notifier) SetFail(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.Fail = err
}

// Inbox records in-app notices, ignoring repeated dedupe keys.
type Inbox struct {
	mu      sync.Mutex
	Notices []clinical.InboxNotice
	Zones   map[kernel.ID]string
}

var _ clinical.Inbox = (*Inbox)(nil)

func (b *Inbox) Deliver(_ context.Context, n clinical.InboxNotice) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, o := range b.Notices {
		if n.DedupeKey != "" && o.DedupeKey == n.DedupeKey {
			return nil
		}
	}
	b.Notices = append(b.Notices, n)
	return nil
}

func (b *Inbox) TimeZone(_ context.Context, professionalID kernel.ID) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.Zones[professionalID]
}

// For returns the notices of one recipient.
func (b *Inbox) For(recipient kernel.ID) []clinical.InboxNotice {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []clinical.InboxNotice
	for _, n := range b.Notices {
		if n.RecipientID == recipient {
			out = append(out, n)
		}
	}
	return out
}

// Count returns how many notifications were sent with a template.
func (n *Notifier) Count(template string) int {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := 0
	for _, m := range n.Sent {
		if m.Template == template {
			c++
		}
	}
	return c
}
