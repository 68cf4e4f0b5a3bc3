package fhirapi

import (
	"encoding/json"
	"strings"

	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// What the directory resource types (Practitioner, PractitionerRole,
// Organization, Location, Schedule, Slot) share: how a directory list the use
// cases return whole is paged here, the pt-BR names of our codes, addresses.

// Code systems of the directory's own codes.
const (
	SystemProfession  = SystemMultisaude + "profession"
	SystemSpecialty   = SystemMultisaude + "specialty"
	SystemCompanyType = SystemMultisaude + "company-type"
	SystemMode        = SystemMultisaude + "appointment-mode" // as Appointment.serviceType writes it
	SystemKind        = SystemMultisaude + "appointment-kind" // as Appointment.serviceCategory writes it
	SystemSlotStatus  = "http://hl7.org/fhir/slotstatus"
)

// offsetCursor is the position of a page of a list paged in memory.
type offsetCursor struct {
	O int `json:"o"`
}

// pageSlice returns the page of items that q asks for (_count, _cursor) and
// the cursor of the next page, "" at the end. The list is whole in memory (a
// directory list no use case pages): a page never holds more than
// kernel.MaxLimit items.
func pageSlice[T any](q Query, items []T) ([]T, string, error) {
	pg, err := q.page().Normalize()
	if err != nil {
		return nil, "", kernel.Invalid(pCount, "deve ser um inteiro entre 1 e %d", kernel.MaxLimit)
	}
	off := 0
	if pg.Cursor != "" {
		var c offsetCursor
		if err := kernel.DecodeCursor(pg.Cursor, &c); err != nil || c.O < 0 {
			return nil, "", kernel.Invalid(pCursor, "não é um cursor fornecido por este servidor")
		}
		off = c.O
	}
	if off >= len(items) {
		return nil, "", nil
	}
	end := min(off+pg.Limit, len(items))
	next := ""
	if end < len(items) {
		next = kernel.EncodeCursor(offsetCursor{O: end})
	}
	return items[off:end], next, nil
}

var professionText = map[string]string{
	"physician": "Médico(a)", "nutritionist": "Nutricionista", "physiotherapist": "Fisioterapeuta",
	"occupational_therapist": "Terapeuta ocupacional", "psychologist": "Psicólogo(a)", "physical_educator": "Profissional de educação física",
	"dentist": "Cirurgião(ã)-dentista", "nurse": "Enfermeiro(a)", "speech_therapist": "Fonoaudiólogo(a)", "pharmacist": "Farmacêutico(a)",
}

func professionConcept(profession string) CodeableConcept {
	text := professionText[profession]
	if text == "" {
		text = profession
	}
	return *concept(SystemProfession, profession, text)
}

func specialtyConcepts(specialties []string) []CodeableConcept {
	var out []CodeableConcept
	for _, s := range specialties {
		out = append(out, CodeableConcept{Coding: []Coding{{System: SystemSpecialty, Code: s}}, Text: s})
	}
	return out
}

var modeText = map[string]string{identity.ModeInPerson: "Presencial", identity.ModeTelemedicine: "Teleconsulta"}

func modeConcepts(modes []string) []CodeableConcept {
	var out []CodeableConcept
	for _, m := range modes {
		if t := modeText[m]; t != "" {
			out = append(out, *concept(SystemMode, m, t))
		}
	}
	return out
}

// addressOf writes a Brazilian address (use: home for a patient, work for an
// office or a company): street and number, complement, district (bairro),
// city, UF and CEP as 00000-000; nil when it is empty.
func addressOf(a identity.Address, use string) *Address {
	if a == (identity.Address{}) {
		return nil
	}
	out := &Address{Use: use, Type: "physical", City: a.City, District: a.District, State: strings.ToUpper(a.UF), Country: "BR"}
	if cep := digits(a.CEP); len(cep) == 8 {
		out.PostalCode = cep[:5] + "-" + cep[5:]
	} else {
		out.PostalCode = strings.TrimSpace(a.CEP)
	}
	street := strings.TrimSpace(strings.Join(nonEmpty(a.Street, a.Number), ", "))
	out.Line = nonEmpty(street, a.Complement)
	out.Text = strings.Join(nonEmpty(street, a.Complement, a.District, strings.Join(nonEmpty(a.City, out.State), " - "), out.PostalCode), ", ")
	return out
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// LocationPosition is where a Location is (WGS84).
type LocationPosition struct {
	Longitude *json.Number `json:"longitude"`
	Latitude  *json.Number `json:"latitude"`
}

func positionOf(p *ports.Point) *LocationPosition {
	if p == nil || p.Lat == 0 && p.Lng == 0 {
		return nil
	}
	return &LocationPosition{Longitude: number(p.Lng), Latitude: number(p.Lat)}
}

// identifierMatch reports whether one of ids satisfies every repetition of
// the token parameter name; norm (nil: none) puts a code in the form our
// identifiers are written in (a CNPJ without punctuation).
func identifierMatch(q Query, name string, norm func(string) string, ids ...Identifier) bool {
	for _, alt := range q.Tokens(name) {
		ok := false
		for _, t := range alt {
			if norm != nil {
				t.Code = norm(t.Code)
			}
			for _, id := range ids {
				if t.Match(id.System, id.Value) {
					ok = true
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
