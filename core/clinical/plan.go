package clinical

import (
	"fmt"
	"regexp"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// PlanStatus is a treatment plan's state.
type PlanStatus string

const (
	PlanDraft     PlanStatus = "draft"
	PlanActive    PlanStatus = "active"
	PlanCompleted PlanStatus = "completed"
	PlanCancelled PlanStatus = "cancelled"
)

var planMoves = map[PlanStatus][]PlanStatus{
	PlanDraft:  {PlanDraft, PlanActive, PlanCancelled},
	PlanActive: {PlanActive, PlanCompleted, PlanCancelled},
}

// CanMove reports whether a plan may go from s to next.
func (s PlanStatus) CanMove(next PlanStatus) bool {
	for _, n := range planMoves[s] {
		if n == next {
			return true
		}
	}
	return false
}

// ItemKind is what a plan item asks of the patient.
type ItemKind string

const (
	ItemMedication ItemKind = "medication"
	ItemDiet       ItemKind = "diet"
	ItemExercise   ItemKind = "exercise"
	ItemProduct    ItemKind = "product"
	ItemExam       ItemKind = "exam"
	ItemTherapy    ItemKind = "therapy"
)

// SupplierTypes says which kinds of partner company may supply an item of each
// kind; commerce matches a partner's catalogue against an item's supplier types
// and tags ("I can supply this item").
var SupplierTypes = map[ItemKind][]string{
	ItemMedication: {"pharmacy"},
	ItemDiet:       {"market"},
	ItemExercise:   {"gym", "sports_store"},
	ItemProduct:    {"pharmacy", "sports_store", "market"},
	ItemExam:       {"hospital", "laboratory"},
	ItemTherapy:    {"hospital", "clinic"},
}

// PlanItem is one thing the patient is asked to do or get.
type PlanItem struct {
	ID          kernel.ID
	Kind        ItemKind
	Name        string // drug, food, activity, product, exam or therapy
	Description string
	Dosage      string // medication
	Frequency   string // medication, exercise, therapy
	Duration    string // medication, therapy
	Quantity    string // diet, product
	Intensity   string // exercise: low, moderate, high
	NeedsGym    bool   // exercise
	Equipment   string // exercise
	// Tags are lower-case category slugs (e.g. "drug:losartan", "device:glucose-meter",
	// "food:oats", "activity:swimming") that partner catalogues are matched against.
	Tags []string
}

// Suppliers lists the partner types that may supply the item.
func (i PlanItem) Suppliers() []string { return SupplierTypes[i.Kind] }

var tagPattern = regexp.MustCompile(`^[a-z0-9]+(:[a-z0-9]+(-[a-z0-9]+)*)?$`)

func (i PlanItem) validate(prefix string, p *kernel.Problems) {
	if _, ok := SupplierTypes[i.Kind]; !ok {
		if i.Kind == "" {
			p.Add(prefix+"kind", "é obrigatório")
		} else {
			p.Add(prefix+"kind", "deve ser medication, diet, exercise, product, exam ou therapy")
		}
		return
	}
	p.Require(prefix+"name", i.Name)
	switch i.Kind {
	case ItemMedication:
		p.Require(prefix+"dosage", i.Dosage)
		p.Require(prefix+"frequency", i.Frequency)
	case ItemDiet:
		p.Require(prefix+"quantity", i.Quantity)
	case ItemExercise:
		p.Require(prefix+"frequency", i.Frequency)
		switch i.Intensity {
		case "", "low", "moderate", "high":
		default:
			p.Add(prefix+"intensity", "deve ser low, moderate ou high")
		}
	}
	for f, v := range map[string]string{"name": i.Name, "description": i.Description, "dosage": i.Dosage,
		"frequency": i.Frequency, "duration": i.Duration, "quantity": i.Quantity, "equipment": i.Equipment} {
		if len(v) > MaxItemTextLen {
			p.Add(prefix+f, "deve ter no máximo %d caracteres", MaxItemTextLen)
		}
	}
	if len(i.Tags) > MaxTags {
		p.Add(prefix+"tags", "deve ter no máximo %d tags", MaxTags)
		return
	}
	for k, t := range i.Tags {
		if len(t) > MaxTagLen || !tagPattern.MatchString(t) {
			p.Add(fmt.Sprintf("%stags[%d]", prefix, k), "deve ser um identificador em minúsculas, como drug:losartan")
		}
	}
}

// Plan is a treatment plan.
type Plan struct {
	ID        kernel.ID
	PatientID kernel.ID
	AuthorID  kernel.ID
	Title     string
	Goals     []string
	Start     time.Time // a date, at midnight UTC
	End       *time.Time
	Status    PlanStatus
	Items     []PlanItem
	Version   int64 // for If-Match
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Meta is the plan without its content, for admins.
func (pl Plan) Meta() Plan {
	return Plan{ID: pl.ID, PatientID: pl.PatientID, AuthorID: pl.AuthorID, Status: pl.Status, Version: pl.Version,
		Start: pl.Start, End: pl.End, CreatedAt: pl.CreatedAt, UpdatedAt: pl.UpdatedAt, Goals: []string{}, Items: []PlanItem{}}
}

// Item returns the item with that ID.
func (pl Plan) Item(id kernel.ID) (PlanItem, bool) {
	for _, it := range pl.Items {
		if it.ID == id {
			return it, true
		}
	}
	return PlanItem{}, false
}

// PlanInput is what a professional writes when creating or replacing a plan.
type PlanInput struct {
	Title  string
	Goals  []string
	Start  time.Time
	End    *time.Time
	Status PlanStatus // empty: draft
	Items  []PlanItem
}

func (in *PlanInput) validate() error {
	var p kernel.Problems
	p.Require("title", in.Title)
	if len(in.Title) > MaxPlanTitleLen {
		p.Add("title", "deve ter no máximo %d caracteres", MaxPlanTitleLen)
	}
	if len(in.Goals) > MaxGoals {
		p.Add("goals", "deve ter no máximo %d metas", MaxGoals)
	} else {
		for i, g := range in.Goals {
			if len(g) == 0 || len(g) > MaxGoalLen {
				p.Add(fmt.Sprintf("goals[%d]", i), "deve ter de 1 a %d caracteres", MaxGoalLen)
			}
		}
	}
	if in.Start.IsZero() {
		p.Add("start", "é obrigatório")
	}
	if in.End != nil && !in.Start.IsZero() && in.End.Before(in.Start) {
		p.Add("end", "não pode ser anterior a start")
	}
	if in.Status == "" {
		in.Status = PlanDraft
	}
	switch in.Status {
	case PlanDraft, PlanActive, PlanCompleted, PlanCancelled:
	default:
		p.Add("status", "deve ser draft, active, completed ou cancelled")
	}
	if len(in.Items) > MaxPlanItems {
		p.Add("items", "deve ter no máximo %d itens", MaxPlanItems)
		return p.Err() // counted first: no item is looked at
	}
	for i, it := range in.Items {
		it.validate(fmt.Sprintf("items[%d].", i), &p)
	}
	return p.Err()
}

// Progress is a patient's mark on a plan item ("took medication", "went to the gym").
type Progress struct {
	ID        kernel.ID
	PlanID    kernel.ID
	ItemID    kernel.ID
	PatientID kernel.ID
	Date      time.Time // a day, at midnight UTC
	Done      bool
	Note      string
	CreatedAt time.Time
}

// ProgressInput is a patient's mark.
type ProgressInput struct {
	ItemID kernel.ID
	Date   time.Time
	Done   bool
	Note   string
}
