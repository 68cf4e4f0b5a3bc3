package fhirapi

import (
	"context"
	"strings"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// ScheduleResource is a bookable agenda: a verified professional's
// (Schedule/{professionalID}) or a hospital's exam service's
// (Schedule/{examServiceID}). Its free times are Slots.
type ScheduleResource struct {
	Base
	Active          *bool             `json:"active,omitempty"`
	ServiceCategory []CodeableConcept `json:"serviceCategory,omitempty"`
	ServiceType     []CodeableConcept `json:"serviceType,omitempty"`
	Specialty       []CodeableConcept `json:"specialty,omitempty"`
	Actor           []Reference       `json:"actor"`
	PlanningHorizon *Period           `json:"planningHorizon,omitempty"`
	Comment         string            `json:"comment,omitempty"`
}

// agenda is a Schedule's source: a verified professional or an exam service.
type agenda struct {
	pro  *identity.Professional
	exam *scheduling.ExamService
}

func (a agenda) id() string {
	if a.pro != nil {
		return a.pro.ID
	}
	return a.exam.ID
}

func (f *Facade) scheduleType() *resourceType {
	return &resourceType{Name: "Schedule", Public: true,
		Doc: "Agendas: a de cada profissional verificado (Schedule/{id do profissional}, atores Practitioner e PractitionerRole) e a de cada exame de hospital parceiro (Schedule/{id do exame}, ator Location do hospital); planningHorizon é até onde as marcações estão abertas. Os horários livres são Slot. A busca pede actor.",
		Params: []Param{
			{Name: "actor", Type: "reference", Doc: "obrigatório: Practitioner/{id} ou PractitionerRole/{id} (a agenda do profissional) ou Location/{id da empresa} (as agendas dos exames do hospital)"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			a, err := f.agenda(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return f.scheduleOf(ctx, p, a)
		},
		Search: f.searchSchedules,
	}
}

// agenda finds the professional or exam service with id whose agenda the
// caller may see; kernel.NotFound otherwise.
func (f *Facade) agenda(ctx context.Context, p kernel.Principal, id string) (agenda, error) {
	notFound := kernel.NotFound("Schedule/%s não foi encontrado", id)
	pr, err := f.d.Identity.GetProfessional(ctx, p, id)
	switch {
	case err == nil && pr.Verified():
		return agenda{pro: &pr}, nil
	case err == nil:
		return agenda{}, notFound // not bookable: no agenda, even for its owner
	case kernel.KindOf(err) != kernel.KindNotFound:
		return agenda{}, err
	}
	ex, err := f.d.Scheduling.GetExamService(ctx, p, id)
	if err == nil {
		_, err = f.d.Identity.GetCompany(ctx, p, ex.CompanyID) // its hospital must be one the caller may see
	}
	if kernel.KindOf(err) == kernel.KindNotFound {
		return agenda{}, notFound
	}
	if err != nil {
		return agenda{}, err
	}
	return agenda{exam: &ex}, nil
}

func (f *Facade) searchSchedules(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
	id, err := q.Ref("actor", "")
	if err != nil {
		return Found{}, err
	}
	if id == "" {
		return Found{}, kernel.Invalid("actor", "é obrigatório: actor=Practitioner/{id} ou Location/{id do hospital}")
	}
	typ := ""
	if parts := strings.Split(strings.TrimRight(q.Params["actor"][0][0], "/"), "/"); len(parts) >= 2 {
		typ = parts[len(parts)-2]
	}
	switch typ {
	case "Practitioner", "PractitionerRole", "":
		a, err := f.agenda(ctx, p, id)
		if err == nil && a.pro != nil {
			r, err := f.scheduleOf(ctx, p, a)
			if err != nil {
				return Found{}, err
			}
			return Found{Matches: []Resource{r}}, nil
		}
		if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
			return Found{}, err
		}
		if typ != "" {
			return Found{}, nil
		}
	case "Location":
	default:
		return Found{}, kernel.Invalid("actor", "deve referir-se a Practitioner, PractitionerRole ou Location")
	}
	l, err := f.d.Scheduling.CompanyExams(ctx, p, id, q.page())
	if kernel.KindOf(err) == kernel.KindNotFound {
		return Found{}, nil
	}
	if err != nil {
		return Found{}, err
	}
	out := Found{Next: l.NextCursor}
	for i := range l.Items {
		r, err := f.scheduleOf(ctx, p, agenda{exam: &l.Items[i]})
		if err != nil {
			return Found{}, err
		}
		out.Matches = append(out.Matches, r)
	}
	return out, nil
}

// scheduleOf writes a's Schedule; active when hours are published.
func (f *Facade) scheduleOf(ctx context.Context, p kernel.Principal, a agenda) (*ScheduleResource, error) {
	r := &ScheduleResource{Base: Base{ResourceType: "Schedule", ID: a.id()}}
	var hours scheduling.PublicHours
	var err error
	if a.pro != nil {
		pr := a.pro
		r.Meta = meta(pr.UpdatedAt, "")
		r.ServiceCategory = []CodeableConcept{*concept(SystemKind, "consultation", "Consulta")}
		r.ServiceType = modeConcepts(pr.Modes)
		r.Specialty = specialtyConcepts(pr.Specialties)
		r.Actor = []Reference{*ref("Practitioner", pr.ID), *ref("PractitionerRole", pr.ID)}
		hours, err = f.d.Scheduling.ProfessionalHours(ctx, p, pr.ID)
	} else {
		ex := a.exam
		r.Meta = meta(ex.UpdatedAt, "")
		r.ServiceCategory = []CodeableConcept{*concept(SystemKind, "exam", "Exame")}
		r.ServiceType = []CodeableConcept{examConcept(*ex)}
		r.Actor = []Reference{*ref("Location", ex.CompanyID)}
		if ex.Preparation != "" {
			r.Comment = "Preparo: " + ex.Preparation
		}
		hours, err = f.d.Scheduling.ExamHours(ctx, p, ex.ID)
	}
	if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return nil, err
	}
	active := err == nil
	r.Active = &active
	if active {
		now := f.now()
		r.PlanningHorizon = &Period{Start: instant(now), End: instant(now.AddDate(0, 0, hours.HorizonDays))}
	}
	return r, nil
}

// examConcept names an exam service (its code, a TUSS code for instance, when given).
func examConcept(ex scheduling.ExamService) CodeableConcept {
	c := CodeableConcept{Text: ex.Name}
	if ex.Code != "" {
		c.Coding = []Coding{{System: SystemMultisaude + "exam-code", Code: ex.Code, Display: ex.Name}}
	}
	return c
}
