package fhirapi

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// SlotResource is a free time of a Schedule; its id is
// "{scheduleID}.{unix seconds of the start}".
type SlotResource struct {
	Base
	ServiceCategory []CodeableConcept `json:"serviceCategory,omitempty"`
	ServiceType     []CodeableConcept `json:"serviceType,omitempty"`
	Schedule        Reference         `json:"schedule"`
	Status          string            `json:"status"`
	Start           string            `json:"start"`
	End             string            `json:"end"`
	Comment         string            `json:"comment,omitempty"`
}

// Slot search windows.
const (
	slotDefaultDays = 14
	slotMaxDays     = 31
)

// slotStatuses are the codes of Slot.status; only free ones are served.
var slotStatuses = map[string]bool{"busy": true, "free": true, "busy-unavailable": true, "busy-tentative": true, "entered-in-error": true}

func (f *Facade) slotType() *resourceType {
	return &resourceType{Name: "Slot", Public: true,
		Doc: "Horários livres de uma agenda (os mesmos da API REST: /v1/professionals/{id}/slots e /v1/exams/{id}/slots). A busca pede schedule; start limita a janela (no máximo 31 dias; sem start, os próximos 14 dias).",
		Params: []Param{
			{Name: "schedule", Type: "reference", Doc: "obrigatório: a agenda (Schedule/{id})"},
			{Name: "start", Type: "date", Doc: "o início, com prefixos (ge, lt, ...); a janela tem no máximo 31 dias; sem ele, os próximos 14 dias"},
			{Name: "status", Type: "token", Doc: "free (somente horários livres são servidos)"},
		},
		Read:   f.readSlot,
		Search: f.searchSlots,
	}
}

func slotID(scheduleID string, start time.Time) string {
	return scheduleID + "." + strconv.FormatInt(start.Unix(), 10)
}

func (f *Facade) readSlot(ctx context.Context, p kernel.Principal, id string) (Resource, error) {
	notFound := kernel.NotFound("Slot/%s não foi encontrado", id)
	schedID, secs, ok := strings.Cut(id, ".")
	n, err := strconv.ParseInt(secs, 10, 64)
	if !ok || err != nil || n <= 0 {
		return nil, notFound
	}
	a, err := f.agenda(ctx, p, schedID)
	if err != nil {
		return nil, err
	}
	start := time.Unix(n, 0)
	slots, err := f.freeSlots(ctx, p, a, start, start.Add(time.Second))
	if err != nil {
		return nil, err
	}
	for _, s := range slots {
		if s.Start.Equal(start) {
			return slotOf(a, s), nil
		}
	}
	return nil, notFound // taken, past, beyond the horizon or never offered
}

// slotCursor is the start of a Slot page's first slot.
type slotCursor struct {
	S int64 `json:"s"`
}

func (f *Facade) searchSlots(ctx context.Context, p kernel.Principal, q Query) (Found, error) {
	schedID, err := q.Ref("schedule", "Schedule")
	if err != nil {
		return Found{}, err
	}
	if schedID == "" {
		return Found{}, kernel.Invalid("schedule", "é obrigatório: os horários livres são buscados numa agenda (schedule=Schedule/{id})")
	}
	for _, alt := range q.Tokens("status") {
		for _, t := range alt {
			if t.HasSystem && t.System != SystemSlotStatus || !slotStatuses[t.Code] {
				return Found{}, kernel.Invalid("status", "deve ser um código de %s (free, busy, ...)", SystemSlotStatus)
			}
		}
	}
	from, to, err := slotWindow(q, f.now())
	if err != nil {
		return Found{}, err
	}
	if q.Cursor != "" {
		var c slotCursor
		if err := kernel.DecodeCursor(q.Cursor, &c); err != nil || c.S <= 0 {
			return Found{}, kernel.Invalid(pCursor, "não é um cursor fornecido por este servidor")
		}
		if at := time.Unix(c.S, 0); at.After(from) {
			from = at
		}
	}
	a, err := f.agenda(ctx, p, schedID)
	if kernel.KindOf(err) == kernel.KindNotFound {
		return Found{}, nil
	}
	if err != nil {
		return Found{}, err
	}
	if !q.TokenMatch("status", Coding{System: SystemSlotStatus, Code: "free"}) || !to.After(from) {
		return Found{}, nil
	}
	slots, err := f.freeSlots(ctx, p, a, from, to)
	if err != nil {
		return Found{}, err
	}
	limit := q.page().Limit
	var out Found
	for _, s := range slots {
		if !q.DateMatch("start", s.Start) {
			continue
		}
		if len(out.Matches) == limit {
			out.Next = kernel.EncodeCursor(slotCursor{S: s.Start.Unix()})
			break
		}
		out.Matches = append(out.Matches, slotOf(a, s))
	}
	return out, nil
}

// slotWindow is the range of starts a Slot search reads: the start
// parameter's bounds, from now on, by default the next 14 days, at most 31.
func slotWindow(q Query, now time.Time) (from, to time.Time, err error) {
	from, to = q.DateRange("start")
	if from.Before(now) {
		from = now
	}
	if to.IsZero() {
		to = from.AddDate(0, 0, slotDefaultDays)
	}
	if to.Sub(from) > slotMaxDays*24*time.Hour {
		return from, to, kernel.Invalid("start", "a janela de busca de horários tem no máximo %d dias (use ge e lt)", slotMaxDays)
	}
	return from, to, nil
}

func (f *Facade) freeSlots(ctx context.Context, p kernel.Principal, a agenda, from, to time.Time) ([]scheduling.Slot, error) {
	if a.pro != nil {
		return f.d.Scheduling.Slots(ctx, p, a.pro.ID, from, to, "")
	}
	return f.d.Scheduling.ExamSlots(ctx, p, a.exam.ID, from, to)
}

func slotOf(a agenda, s scheduling.Slot) *SlotResource {
	r := &SlotResource{
		Base:     Base{ResourceType: "Slot", ID: slotID(a.id(), s.Start)},
		Schedule: *ref("Schedule", a.id()), Status: "free",
		Start: instant(s.Start), End: instant(s.End),
	}
	if a.pro != nil {
		r.ServiceCategory = []CodeableConcept{*concept(SystemKind, "consultation", "Consulta")}
		r.ServiceType = modeConcepts([]string{string(s.Mode)})
	} else {
		r.ServiceCategory = []CodeableConcept{*concept(SystemKind, "exam", "Exame")}
		r.ServiceType = []CodeableConcept{examConcept(*a.exam)}
	}
	if s.Place != "" {
		r.Comment = "Local: " + s.Place
	}
	return r
}
