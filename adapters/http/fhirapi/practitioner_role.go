package fhirapi

import (
	"context"
	"time"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// PractitionerRoleResource is what a professional offers: one role per
// professional, with the same id (profession, specialties, modes, office, hours).
type PractitionerRoleResource struct {
	Base
	Active        *bool               `json:"active,omitempty"`
	Practitioner  *Reference          `json:"practitioner,omitempty"`
	Code          []CodeableConcept   `json:"code,omitempty"`
	Specialty     []CodeableConcept   `json:"specialty,omitempty"`
	Location      []Reference         `json:"location,omitempty"`
	AvailableTime []RoleAvailableTime `json:"availableTime,omitempty"`
}

// RoleAvailableTime is one weekly window of work.
type RoleAvailableTime struct {
	DaysOfWeek         []string `json:"daysOfWeek,omitempty"`
	AllDay             bool     `json:"allDay,omitempty"`
	AvailableStartTime string   `json:"availableStartTime,omitempty"`
	AvailableEndTime   string   `json:"availableEndTime,omitempty"`
}

func (f *Facade) practitionerRoleType() *resourceType {
	return &resourceType{Name: "PractitionerRole", Public: true,
		Doc: "O que cada profissional verificado oferece (um papel por profissional, com o mesmo id): profissão e modalidades (code), especialidades, o consultório (Location) quando atende presencialmente e o horário semanal publicado.",
		Params: []Param{
			{Name: "practitioner", Type: "reference", Doc: "o profissional (Practitioner/{id})"},
			{Name: "specialty", Type: "token", Doc: "a especialidade (" + SystemSpecialty + "|código, como cardiology)"},
		},
		Read: func(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
			pr, err := f.d.Identity.GetProfessional(ctx, p, id)
			if err != nil {
				return nil, err
			}
			return f.practitionerRoleOf(ctx, p, pr), nil
		},
		Search: func(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
			id, err := q.Ref("practitioner", "Practitioner")
			if err != nil {
				return Found{}, err
			}
			keep := func(pr identity.Professional) bool {
				return (id == "" || pr.ID == id) && q.TokenMatch("specialty", specialtyCodings(pr.Specialties)...)
			}
			conv := func(ctx context.Context, pr identity.Professional) Resource { return f.practitionerRoleOf(ctx, p, pr) }
			if id != "" { // one professional: read it rather than list them all
				pr, err := f.d.Identity.GetProfessional(ctx, p, id)
				if kernel.KindOf(err) == kernel.KindNotFound || err == nil && !keep(pr) {
					return Found{}, nil
				}
				if err != nil {
					return Found{}, err
				}
				return Found{Matches: []Resource{conv(ctx, pr)}}, nil
			}
			return searchProfessionals(ctx, f, q, keep, conv)
		},
	}
}

func specialtyCodings(specialties []string) []Coding {
	out := make([]Coding, 0, len(specialties))
	for _, s := range specialties {
		out = append(out, Coding{System: SystemSpecialty, Code: s})
	}
	return out
}

// hasOffice reports whether a professional has a Location: an address where
// they attend in person.
func hasOffice(pr identity.Professional) bool {
	return pr.Offers(identity.ModeInPerson) && pr.Address != (identity.Address{})
}

func (f *Facade) practitionerRoleOf(ctx context.Context, p kernel.Principal, pr identity.Professional) *PractitionerRoleResource {
	active := pr.Verified()
	r := &PractitionerRoleResource{
		Base:         Base{ResourceType: "PractitionerRole", ID: pr.ID, Meta: meta(pr.UpdatedAt, "")},
		Active:       &active,
		Practitioner: ref("Practitioner", pr.ID),
		Code:         append([]CodeableConcept{professionConcept(pr.Profession)}, modeConcepts(pr.Modes)...),
		Specialty:    specialtyConcepts(pr.Specialties),
	}
	if hasOffice(pr) {
		r.Location = []Reference{*ref("Location", pr.ID)}
	}
	if pr.Verified() {
		// the weekly hours are public as the slots are; none published, none written
		if h, err := f.d.Scheduling.ProfessionalHours(ctx, p, pr.ID); err == nil {
			r.AvailableTime = availableTimes(h.Weekly)
		} else if kernel.KindOf(err) != kernel.KindNotFound {
			f.d.Log.Warn("fhir: weekly hours unavailable", "professional_id", pr.ID, "err", err.Error())
		}
	}
	return r
}

var fhirWeekday = [...]string{time.Sunday: "sun", time.Monday: "mon", time.Tuesday: "tue", time.Wednesday: "wed",
	time.Thursday: "thu", time.Friday: "fri", time.Saturday: "sat"}

// availableTimes writes weekly rules, one window each (FHIR's time has no
// 24:00: a window to midnight ends at 23:59:59; a whole day is allDay).
func availableTimes(rules []scheduling.Rule) []RoleAvailableTime {
	var out []RoleAvailableTime
	for _, rl := range rules {
		at := RoleAvailableTime{DaysOfWeek: []string{fhirWeekday[rl.Weekday]}}
		if rl.Start == 0 && rl.End >= 24*60 {
			at.AllDay = true
		} else {
			at.AvailableStartTime = rl.Start.String() + ":00"
			at.AvailableEndTime = rl.End.String() + ":00"
			if rl.End >= 24*60 {
				at.AvailableEndTime = "23:59:59"
			}
		}
		out = append(out, at)
	}
	return out
}
