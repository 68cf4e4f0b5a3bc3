package scheduling

import (
	"time"
	"unicode/utf8"

	"github.com/multisaude/multisaude/core/kernel"
)

// ExamService is an exam a partner hospital offers, with its own availability
// (slot length = duration) and a capacity per slot (rooms, machines).
type ExamService struct {
	ID              kernel.ID
	CompanyID       kernel.ID
	Name            string
	Code            string // e.g. a TUSS code
	DurationMinutes int
	Preparation     string
	Price           kernel.Money
	Capacity        int
	Active          bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// Validate names every bad field.
func (e *ExamService) Validate() error {
	var p kernel.Problems
	if p.Require("name", e.Name) && utf8.RuneCountInString(e.Name) > MaxExamNameLen {
		p.Add("name", "deve ter no máximo %d caracteres", MaxExamNameLen)
	}
	if utf8.RuneCountInString(e.Code) > MaxExamCodeLen {
		p.Add("code", "deve ter no máximo %d caracteres", MaxExamCodeLen)
	}
	if !DurationMinutesBounds.Holds(e.DurationMinutes) {
		p.Add("duration_minutes", "deve estar entre %d e %d", DurationMinutesBounds.Min, DurationMinutesBounds.Max)
	}
	if utf8.RuneCountInString(e.Preparation) > MaxPreparationLen {
		p.Add("preparation", "deve ter no máximo %d caracteres", MaxPreparationLen)
	}
	e.Price.Validate("price", &p)
	if !CapacityBounds.Holds(e.Capacity) {
		p.Add("capacity", "deve estar entre %d e %d", CapacityBounds.Min, CapacityBounds.Max)
	}
	return p.Err()
}

// ExamQuery filters exam services.
type ExamQuery struct {
	Name      string // substring, case-insensitive
	CompanyID kernel.ID
}
