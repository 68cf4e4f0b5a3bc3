package clinical

import (
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// HistoryKind names a kind of timeline entry.
type HistoryKind string

const (
	HistAppointment  HistoryKind = "appointment"
	HistEvaluation   HistoryKind = "evaluation"
	HistPlan         HistoryKind = "treatment_plan"
	HistPrescription HistoryKind = "prescription"
	HistDocument     HistoryKind = "document"
)

// HistoryEntry is one line of a patient's timeline.
type HistoryEntry struct {
	Kind     HistoryKind
	ID       kernel.ID
	At       time.Time
	AuthorID kernel.ID // the professional (or the uploader of a document)
	Summary  string    // short: evaluation kind and reason, plan title, drugs, document title
	Status   string
}

// TimelineQuery filters a timeline. Before/BeforeID is the keyset cursor: entries
// strictly older than (Before, BeforeID).
type TimelineQuery struct {
	Kind     HistoryKind // empty: all
	From, To time.Time   // zero: open
	Before   time.Time
	BeforeID kernel.ID
	Limit    int
}

// Older reports whether e comes after the cursor (At, ID) in newest-first order.
func (q TimelineQuery) admits(e HistoryEntry) bool {
	if q.Kind != "" && e.Kind != q.Kind {
		return false
	}
	if !q.From.IsZero() && e.At.Before(q.From) {
		return false
	}
	if !q.To.IsZero() && !e.At.Before(q.To) {
		return false
	}
	if !q.Before.IsZero() {
		if e.At.After(q.Before) || e.At.Equal(q.Before) && e.ID >= q.BeforeID {
			return false
		}
	}
	return true
}

// Admits is exported for stores that filter in memory.
func (q TimelineQuery) Admits(e HistoryEntry) bool { return q.admits(e) }

// newerFirst orders entries newest first, ID breaking ties.
func newerFirst(a, b HistoryEntry) int {
	if c := b.At.Compare(a.At); c != 0 {
		return c
	}
	switch {
	case a.ID > b.ID:
		return -1
	case a.ID < b.ID:
		return 1
	}
	return 0
}

// NewerFirst orders history entries newest first.
func NewerFirst(a, b HistoryEntry) int { return newerFirst(a, b) }

// PatientSummary is one patient a professional attends.
type PatientSummary struct {
	PatientID   kernel.ID
	Name        string
	LastVisit   *time.Time
	ActivePlans int
}
