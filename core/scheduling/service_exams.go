package scheduling

import (
	"context"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

func (s *Service) bookableExam(ctx context.Context, id kernel.ID) (ExamService, error) {
	if !kernel.ValidID(id) {
		return ExamService{}, kernel.NotFound("serviço de exame não encontrado")
	}
	ex, err := s.store.GetExamService(ctx, id)
	if err != nil {
		if kernel.KindOf(err) == kernel.KindNotFound {
			return ExamService{}, kernel.NotFound("serviço de exame não encontrado")
		}
		return ExamService{}, kernel.Wrap(err, "get exam service")
	}
	if !ex.Active {
		return ExamService{}, kernel.NotFound("serviço de exame não encontrado")
	}
	return ex, nil
}

// staffOf reports whether p manages company c's exams (a member of it, or an admin).
func staffOf(p kernel.Principal, companyID kernel.ID) bool {
	return p.Kind == kernel.KindAdmin || isCompanyMember(p, companyID) && (p.HasRole("admin") || p.HasRole("staff"))
}

// CompanyHospital is the company type that publishes exam services.
const CompanyHospital = "hospital"

// CreateExamService publishes an exam service of a verified hospital; its company's staff only.
func (s *Service) CreateExamService(ctx context.Context, p kernel.Principal, companyID kernel.ID, e ExamService) (ExamService, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return ExamService{}, err
	}
	if !staffOf(p, companyID) {
		return ExamService{}, kernel.Forbidden("somente a equipe da empresa pode publicar seus exames")
	}
	co, err := s.dir.Company(ctx, companyID)
	if err != nil {
		return ExamService{}, kernel.Wrap(err, "look up company")
	}
	if !co.Verified {
		return ExamService{}, kernel.Forbidden("somente empresas verificadas podem publicar exames")
	}
	if co.Type != CompanyHospital {
		return ExamService{}, kernel.Forbidden("somente hospitais publicam serviços de exame")
	}
	e.Name, e.Code, e.Preparation = strings.TrimSpace(e.Name), strings.TrimSpace(e.Code), strings.TrimSpace(e.Preparation)
	if e.Price.Currency == "" {
		e.Price.Currency = "BRL"
	}
	if err := e.Validate(); err != nil {
		return ExamService{}, err
	}
	now := s.now()
	e.ID, e.CompanyID, e.Active, e.CreatedAt, e.UpdatedAt = kernel.NewID(), companyID, true, now, now
	if err := s.store.CreateExamService(ctx, e); err != nil {
		return ExamService{}, kernel.Wrap(err, "create exam service")
	}
	return e, nil
}

// GetExamService returns an active exam service; public.
func (s *Service) GetExamService(ctx context.Context, p kernel.Principal, id kernel.ID) (ExamService, error) {
	return s.bookableExam(ctx, id)
}

// PutExamAvailability sets an exam service's availability; its slot length is the exam's duration.
func (s *Service) PutExamAvailability(ctx context.Context, p kernel.Principal, examID kernel.ID, a Availability, ifVersion int64) (Availability, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Availability{}, err
	}
	ex, err := s.bookableExam(ctx, examID)
	if err != nil {
		return Availability{}, err
	}
	if !staffOf(p, ex.CompanyID) {
		return Availability{}, kernel.Forbidden("somente a equipe da empresa pode alterar esta disponibilidade")
	}
	a.OwnerID = examID
	if a.SlotMinutes == 0 {
		a.SlotMinutes = ex.DurationMinutes
	}
	a.Normalize()
	if err := a.Validate(); err != nil {
		return Availability{}, err
	}
	a.UpdatedAt = s.now()
	out, err := s.store.PutAvailability(ctx, a, ifVersion)
	return out, kernel.Wrap(err, "put availability")
}

// ExamSlots returns an exam service's slots with at least one free seat.
func (s *Service) ExamSlots(ctx context.Context, p kernel.Principal, examID kernel.ID, from, to time.Time) ([]Slot, error) {
	ex, err := s.bookableExam(ctx, examID)
	if err != nil {
		return nil, err
	}
	if err := checkRange(from, to, MaxSlotDays); err != nil {
		return nil, err
	}
	return s.freeSlots(ctx, ex.ID, ex.Capacity, from, to, "")
}

// ExamSearch filters exams.
type ExamSearch struct {
	Name     string
	Near     *Point
	RadiusKm float64
	Date     *Date // only exams with a free seat that day
	Page     kernel.Page
}

// ExamResult is an exam with its hospital and next free slots.
type ExamResult struct {
	Exam      ExamService
	Company   Company
	DistanceK float64 // km from Near, when given
	NextSlots []Slot
}

// SearchExams lists active exams of verified hospitals.
func (s *Service) SearchExams(ctx context.Context, p kernel.Principal, q ExamSearch) (kernel.List[ExamResult], error) {
	page, err := q.Page.Normalize()
	if err != nil {
		return kernel.List[ExamResult]{}, err
	}
	var off int
	if page.Cursor != "" {
		if err := kernel.DecodeCursor(page.Cursor, &off); err != nil || off < 0 {
			return kernel.List[ExamResult]{}, kernel.Invalid("cursor", "não é um cursor fornecido por esta API")
		}
	}
	out := kernel.List[ExamResult]{Items: []ExamResult{}}
	// Exams are few per hospital; read them all (bounded) and filter here.
	all, err := s.store.ListExamServices(ctx, ExamQuery{Name: q.Name}, kernel.Page{Limit: 1 << 30})
	if err != nil {
		return out, kernel.Wrap(err, "list exams")
	}
	companies := map[kernel.ID]Company{}
	now := s.now()
	for i := off; i < len(all.Items); i++ {
		ex := all.Items[i]
		co, ok := companies[ex.CompanyID]
		if !ok {
			co, err = s.dir.Company(ctx, ex.CompanyID)
			if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
				return out, kernel.Wrap(err, "look up company")
			}
			companies[ex.CompanyID] = co
		}
		if !co.Verified {
			continue
		}
		r := ExamResult{Exam: ex, Company: co, NextSlots: []Slot{}}
		if q.Near != nil {
			if !co.Point.Known() {
				continue
			}
			r.DistanceK = DistanceKm(*q.Near, co.Point)
			if q.RadiusKm > 0 && r.DistanceK > q.RadiusKm {
				continue
			}
		}
		from, to := now, now.AddDate(0, 0, s.opts.SearchDays)
		if q.Date != nil {
			av, err := s.store.GetAvailability(ctx, ex.ID)
			loc := time.UTC
			if err == nil {
				loc = av.Location()
			}
			from = time.Date(q.Date.Year, q.Date.Month, q.Date.Day, 0, 0, 0, 0, loc)
			to = from.AddDate(0, 0, 1)
		}
		slots, err := s.freeSlots(ctx, ex.ID, ex.Capacity, from, to, "")
		if err != nil {
			return out, err
		}
		if q.Date != nil && len(slots) == 0 {
			continue
		}
		if len(slots) > s.opts.NextSlots {
			slots = slots[:s.opts.NextSlots]
		}
		r.NextSlots = slots
		out.Items = append(out.Items, r)
		if len(out.Items) == page.Limit {
			if i+1 < len(all.Items) {
				out.NextCursor = kernel.EncodeCursor(i + 1)
			}
			break
		}
	}
	return out, nil
}
