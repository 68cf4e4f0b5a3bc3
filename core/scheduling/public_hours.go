package scheduling

import (
	"context"

	"github.com/multisaude/multisaude/core/kernel"
)

// PublicHours is the part of an availability anyone may read, as the free
// slots already show it: the weekly windows (without their places), the zone,
// the slot length and how far ahead bookings open. Nothing of the exceptions.
type PublicHours struct {
	OwnerID     kernel.ID
	TimeZone    string
	SlotMinutes int
	HorizonDays int
	Weekly      []Rule // Place left empty
}

func publicHoursOf(a Availability) PublicHours {
	h := PublicHours{OwnerID: a.OwnerID, TimeZone: a.TimeZone, SlotMinutes: a.SlotMinutes, HorizonDays: a.HorizonDays,
		Weekly: make([]Rule, 0, len(a.Weekly))}
	for _, r := range a.Weekly {
		r.Place = ""
		h.Weekly = append(h.Weekly, r)
	}
	return h
}

// ProfessionalHours returns a verified professional's public weekly hours;
// public, as their slots are. kernel.KindNotFound when the professional is not
// verified or has published no availability.
func (s *Service) ProfessionalHours(ctx context.Context, _ kernel.Principal, professionalID kernel.ID) (PublicHours, error) {
	if _, err := s.verifiedProfessional(ctx, professionalID); err != nil {
		return PublicHours{}, err
	}
	return s.publicHours(ctx, professionalID)
}

// ExamHours returns an active exam service's public weekly hours, when its
// hospital is verified; kernel.KindNotFound otherwise or when none was published.
func (s *Service) ExamHours(ctx context.Context, _ kernel.Principal, examID kernel.ID) (PublicHours, error) {
	ex, err := s.bookableExam(ctx, examID)
	if err != nil {
		return PublicHours{}, err
	}
	if err := s.verifiedCompany(ctx, ex.CompanyID); err != nil {
		return PublicHours{}, kernel.NotFound("serviço de exame não encontrado")
	}
	return s.publicHours(ctx, ex.ID)
}

func (s *Service) publicHours(ctx context.Context, ownerID kernel.ID) (PublicHours, error) {
	a, err := s.store.GetAvailability(ctx, ownerID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return PublicHours{}, kernel.NotFound("nenhuma disponibilidade publicada")
	}
	if err != nil {
		return PublicHours{}, kernel.Wrap(err, "get availability")
	}
	return publicHoursOf(a), nil
}

// verifiedCompany returns nil when companyID is a verified company, else kernel.KindNotFound.
func (s *Service) verifiedCompany(ctx context.Context, companyID kernel.ID) error {
	co, err := s.dir.Company(ctx, companyID)
	if kernel.KindOf(err) == kernel.KindNotFound || err == nil && !co.Verified {
		return kernel.NotFound("empresa não encontrada")
	}
	return kernel.Wrap(err, "look up company")
}

// CompanyExams lists one page of a verified hospital's active exam services,
// by ID; public, as the exam search is. kernel.KindNotFound when the company is
// not a verified one.
func (s *Service) CompanyExams(ctx context.Context, _ kernel.Principal, companyID kernel.ID, page kernel.Page) (kernel.List[ExamService], error) {
	page, err := page.Normalize()
	if err != nil {
		return kernel.List[ExamService]{}, err
	}
	if !kernel.ValidID(companyID) {
		return kernel.List[ExamService]{}, kernel.NotFound("empresa não encontrada")
	}
	if err := s.verifiedCompany(ctx, companyID); err != nil {
		return kernel.List[ExamService]{}, err
	}
	l, err := s.store.ListExamServices(ctx, ExamQuery{CompanyID: companyID}, page)
	if err != nil {
		return kernel.List[ExamService]{}, kernel.Wrap(err, "list exams")
	}
	return l, nil
}
