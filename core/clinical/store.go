package clinical

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// Store is clinical's persistence. Lists are newest first, paged by ID (UUIDv7)
// with kernel cursors. Every method returns kernel kinds only.
type Store interface {
	// LastEntry is the time of the newest entry of the patient's record
	// (evaluation, plan change, progress, prescription, document); zero when
	// the patient has no record.
	LastEntry(ctx context.Context, patientID kernel.ID) (time.Time, error)
	// ExpiredRecords lists at most limit patients who have a record and no
	// entry at or after cutoff, ordered by ID.
	ExpiredRecords(ctx context.Context, cutoff time.Time, limit int) ([]kernel.ID, error)
	// RecordBlobKeys lists the blob keys of the patient's documents.
	RecordBlobKeys(ctx context.Context, patientID kernel.ID) ([]string, error)
	// DeleteRecord deletes the patient's whole record (evaluations, plans and
	// their progress, prescriptions, documents' rows, shares) in one
	// transaction; the access log stays. Deleting nothing is not an error.
	DeleteRecord(ctx context.Context, patientID kernel.ID) error
	// CreateShare stores a share or an emergency grant.
	CreateShare(ctx context.Context, s Share, events ...kernel.Event) error
	// ActiveShare returns the share of patient to professional active at t, the latest
	// first; ok is false when there is none.
	ActiveShare(ctx context.Context, patientID, professionalID kernel.ID, at time.Time) (s Share, ok bool, err error)
	// Shares lists a patient's shares (revoked and expired included).
	Shares(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[Share], error)
	// RevokeShare sets revoked_at on a patient's share; KindNotFound when the
	// patient has no such share, KindConflict when it was already revoked.
	RevokeShare(ctx context.Context, patientID, id kernel.ID, at time.Time) error

	// LogAccess appends access-log entries.
	LogAccess(ctx context.Context, entries ...AccessEntry) error
	// AccessLog lists a patient's access log.
	AccessLog(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[AccessEntry], error)
	// AccessEntry returns one entry of a patient's access log; KindNotFound
	// when there is none with that id for that patient.
	AccessEntry(ctx context.Context, patientID, id kernel.ID) (AccessEntry, error)

	// CreateEvaluation stores version 1 of a new evaluation with its events.
	CreateEvaluation(ctx context.Context, e Evaluation, events ...kernel.Event) error
	// Evaluation returns a version of an evaluation (0: the current one); KindNotFound when absent.
	Evaluation(ctx context.Context, id kernel.ID, version int) (Evaluation, error)
	// EvaluationVersions lists every version of an evaluation, oldest first.
	EvaluationVersions(ctx context.Context, id kernel.ID) ([]Evaluation, error)
	// Evaluations lists the current versions of a patient's evaluations.
	Evaluations(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[Evaluation], error)
	// UpdateEvaluation locks the current version and runs fn on it. fn returns the
	// version to store: the same version number to update it in place (sign-off), or
	// the next one to add a version (amendment); and the events to raise.
	// A concurrent amendment of the same version is KindConflict.
	UpdateEvaluation(ctx context.Context, id kernel.ID, fn func(cur Evaluation) (Evaluation, []kernel.Event, error)) (Evaluation, error)

	// CreatePlan stores a new plan (version 1).
	CreatePlan(ctx context.Context, p Plan, events ...kernel.Event) error
	// Plan returns a plan; KindNotFound when absent.
	Plan(ctx context.Context, id kernel.ID) (Plan, error)
	// Plans lists a patient's plans, of one status when status is not empty.
	Plans(ctx context.Context, patientID kernel.ID, status PlanStatus, page kernel.Page) (kernel.List[Plan], error)
	// UpdatePlan locks the plan and runs fn; the store increments Version.
	UpdatePlan(ctx context.Context, id kernel.ID, fn func(p *Plan) ([]kernel.Event, error)) (Plan, error)
	// AddProgress stores a progress mark.
	AddProgress(ctx context.Context, pr Progress) error
	// Progress lists a plan's progress marks, newest first.
	Progress(ctx context.Context, planID kernel.ID, page kernel.Page) (kernel.List[Progress], error)

	// CreatePrescription stores an issued prescription; a verification code already
	// in use is KindConflict.
	CreatePrescription(ctx context.Context, rx Prescription, events ...kernel.Event) error
	// Prescription returns one; KindNotFound when absent.
	Prescription(ctx context.Context, id kernel.ID) (Prescription, error)
	// PrescriptionByCode finds one by verification code; KindNotFound when absent.
	PrescriptionByCode(ctx context.Context, code string) (Prescription, error)
	// Prescriptions lists a patient's prescriptions.
	Prescriptions(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[Prescription], error)
	// UpdatePrescription locks the prescription and runs fn.
	UpdatePrescription(ctx context.Context, id kernel.ID, fn func(rx *Prescription) ([]kernel.Event, error)) (Prescription, error)

	// CreateDocument stores a document's metadata.
	CreateDocument(ctx context.Context, d Document, events ...kernel.Event) error
	// Document returns one; KindNotFound when absent.
	Document(ctx context.Context, id kernel.ID) (Document, error)
	// Documents lists a patient's documents.
	Documents(ctx context.Context, patientID kernel.ID, page kernel.Page) (kernel.List[Document], error)

	// Timeline returns at most q.Limit entries of a patient's clinical objects
	// (evaluations, plans, prescriptions, documents) matching q, newest first.
	Timeline(ctx context.Context, patientID kernel.ID, q TimelineQuery) ([]HistoryEntry, error)
	// AuthoredPatients lists the patients whose objects professional wrote, with
	// the time of the latest and the number of active plans by anyone.
	AuthoredPatients(ctx context.Context, professionalID kernel.ID) ([]AuthoredPatient, error)
}

// AuthoredPatient is a patient a professional wrote about.
type AuthoredPatient struct {
	PatientID   kernel.ID
	LastWritten time.Time
	ActivePlans int
}
