package scheduling

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// AppointmentFilter selects appointments. At least one of the ID fields is set by the service.
type AppointmentFilter struct {
	PatientID      kernel.ID
	ProfessionalID kernel.ID
	CompanyID      kernel.ID
	Status         Status
	From, To       time.Time // start in [From, To); zero: unbounded
}

// Store is scheduling's persistence.
type Store interface {
	// GetAvailability returns the availability of an owner; kernel.KindNotFound when none was published.
	GetAvailability(ctx context.Context, ownerID kernel.ID) (Availability, error)
	// AvailabilityAndHold returns the owner's availability and, when a waitlisted patient
	// holds the slot starting at start (hold not expired at now), that entry, in one read;
	// kernel.KindNotFound when no availability was published.
	AvailabilityAndHold(ctx context.Context, ownerID kernel.ID, start, now time.Time) (Availability, *WaitlistEntry, error)
	// Availabilities returns the availabilities of the owners that have one.
	Availabilities(ctx context.Context, ownerIDs []kernel.ID) (map[kernel.ID]Availability, error)
	// PutAvailability creates or replaces an availability and returns it with its new Version.
	// When ifVersion > 0 and the stored version differs (or none exists), it returns kernel.KindPrecondition.
	PutAvailability(ctx context.Context, a Availability, ifVersion int64) (Availability, error)

	// Book inserts a confirmed appointment and its events atomically. The store picks a
	// free seat in 1..a.Capacity; the database guarantees that no two active
	// appointments hold the same seat of one resource at overlapping times. It returns
	// kernel.KindConflict when every seat is taken.
	Book(ctx context.Context, a *Appointment, events []kernel.Event) error
	// GetAppointment returns an appointment; kernel.KindNotFound when there is none.
	GetAppointment(ctx context.Context, id kernel.ID) (Appointment, error)
	// UpdateAppointment runs fn on the locked appointment inside a transaction and saves
	// it with the events fn returns. If fn moved it in time, the store picks a seat again;
	// kernel.KindConflict when the new time is taken (nothing changes then).
	UpdateAppointment(ctx context.Context, id kernel.ID, fn func(*Appointment) ([]kernel.Event, error)) (Appointment, error)
	// ListAppointments returns one page ordered by start, then ID.
	ListAppointments(ctx context.Context, f AppointmentFilter, page kernel.Page) (kernel.List[Appointment], error)
	// Booked returns the active appointments' spans of each resource overlapping [from, to).
	Booked(ctx context.Context, resourceIDs []kernel.ID, from, to time.Time) (map[kernel.ID][]Interval, error)

	// CreateExamService inserts an exam service.
	CreateExamService(ctx context.Context, e ExamService) error
	// GetExamService returns an exam service; kernel.KindNotFound when there is none.
	GetExamService(ctx context.Context, id kernel.ID) (ExamService, error)
	// ListExamServices returns active exam services matching q, by ID.
	ListExamServices(ctx context.Context, q ExamQuery, page kernel.Page) (kernel.List[ExamService], error)

	// AddWaitlist inserts an entry; kernel.KindConflict when the patient already waits for that professional.
	AddWaitlist(ctx context.Context, w WaitlistEntry) error
	// GetWaitlist returns an entry; kernel.KindNotFound when there is none.
	GetWaitlist(ctx context.Context, id kernel.ID) (WaitlistEntry, error)
	// ListWaitlist returns a patient's entries still waiting or offered.
	ListWaitlist(ctx context.Context, patientID kernel.ID) ([]WaitlistEntry, error)
	// UpdateWaitlist saves w (by ID).
	UpdateWaitlist(ctx context.Context, w WaitlistEntry) error
	// OfferedHold returns the entry holding a slot of the professional starting at start
	// with HoldUntil after now; kernel.KindNotFound when none.
	OfferedHold(ctx context.Context, professionalID kernel.ID, start, now time.Time) (WaitlistEntry, error)
	// Waiting returns a professional's waiting entries, oldest first.
	Waiting(ctx context.Context, professionalID kernel.ID) ([]WaitlistEntry, error)
	// ExpiredOffers returns offered entries whose hold ended before now.
	ExpiredOffers(ctx context.Context, now time.Time) ([]WaitlistEntry, error)

	// AddNotification inserts an in-app notification; an existing ID is ignored (idempotent).
	AddNotification(ctx context.Context, n Notification) error
	// ListNotifications returns a recipient's notifications, newest first.
	ListNotifications(ctx context.Context, recipientID kernel.ID, unreadOnly bool, page kernel.Page) (kernel.List[Notification], error)
	// DeleteNotifications deletes every notification of a recipient and says how many.
	DeleteNotifications(ctx context.Context, recipientID kernel.ID) (int, error)
	// MarkNotificationRead sets ReadAt; kernel.KindNotFound when the recipient has no such notification.
	MarkNotificationRead(ctx context.Context, recipientID, id kernel.ID, at time.Time) error
	// UnreadCount counts a recipient's unread notifications.
	UnreadCount(ctx context.Context, recipientID kernel.ID) (int, error)

	// VideoStore keeps telemedicine appointments' video rooms (video.go).
	VideoStore
}
