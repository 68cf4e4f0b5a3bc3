package clinical

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// PrescriptionType is simple or special control (Portaria SVS/MS 344/98, list C1).
type PrescriptionType string

const (
	RxSimple         PrescriptionType = "simple"
	RxSpecialControl PrescriptionType = "special_control"
)

// PrescriptionStatus is issued, dispensed or cancelled; a prescription is never edited.
type PrescriptionStatus string

const (
	RxIssued    PrescriptionStatus = "issued"
	RxDispensed PrescriptionStatus = "dispensed"
	RxCancelled PrescriptionStatus = "cancelled"
)

// PrescribingProfessions may issue drug prescriptions: physicians (Lei 12.842/2013)
// and dentists (Lei 5.081/1966, for dental use). Nurses prescribe only within public
// health protocols and pharmacists only non-prescription drugs, which the platform
// cannot check, so they are left out.
var PrescribingProfessions = map[string]bool{"physician": true, "dentist": true}

// SpecialControlValidity is how long a C1 prescription may be dispensed (30 days).
const SpecialControlValidity = 30 * 24 * time.Hour

// RxItem is one prescribed drug.
type RxItem struct {
	Drug             string
	ActiveIngredient string
	Concentration    string
	Form             string
	Dosage           string
	Quantity         string
	Route            string
	Instructions     string
}

// Prescriber is a snapshot of the prescriber at issue.
type Prescriber struct {
	ID            kernel.ID
	Name          string
	Profession    string
	CouncilType   string
	CouncilNumber string
	CouncilUF     string
}

// Dispensation records the pharmacy that dispensed a prescription.
type Dispensation struct {
	At            time.Time
	CompanyID     kernel.ID
	ByID          kernel.ID // the member or API key
	BuyerName     string    // special control: the buyer's identification
	BuyerDocument string
}

// Prescription is an issued, signed prescription.
type Prescription struct {
	ID               kernel.ID
	PatientID        kernel.ID
	PatientName      string
	PatientAddress   string // special control
	Prescriber       Prescriber
	Type             PrescriptionType
	Items            []RxItem
	Copies           int // special control: 2 (pharmacy, patient)
	IssuedAt         time.Time
	ValidUntil       *time.Time
	Status           PrescriptionStatus
	VerificationCode string
	Document         []byte // the canonical text that was signed
	Signature        ports.Signature
	Dispensed        *Dispensation
	CancelledAt      *time.Time
	CancelReason     string
}

// Meta is the prescription without its content, for admins.
func (rx Prescription) Meta() Prescription {
	return Prescription{ID: rx.ID, PatientID: rx.PatientID, Prescriber: Prescriber{ID: rx.Prescriber.ID}, Type: rx.Type,
		IssuedAt: rx.IssuedAt, ValidUntil: rx.ValidUntil, Status: rx.Status, Copies: rx.Copies, Items: []RxItem{}}
}

// Expired reports whether the prescription may no longer be dispensed at t.
func (rx Prescription) Expired(t time.Time) bool {
	return rx.ValidUntil != nil && t.After(*rx.ValidUntil)
}

// PatientInitials is the minimum the public verification shows of the patient.
func (rx Prescription) PatientInitials() string {
	var b strings.Builder
	for _, w := range strings.Fields(rx.PatientName) {
		r := []rune(w)
		if len(r) > 2 || len(strings.Fields(rx.PatientName)) == 1 {
			b.WriteString(strings.ToUpper(string(r[0])) + ".")
		}
	}
	return b.String()
}

// CanonicalText is the exact text that is signed: the prescription's data, one
// field per line, in a fixed order.
func (rx Prescription) CanonicalText() []byte {
	var b strings.Builder
	w := func(k, v string) { fmt.Fprintf(&b, "%s: %s\n", k, strings.ReplaceAll(v, "\n", " ")) }
	w("document", "multisaude-prescription-v1")
	w("id", rx.ID)
	w("verification_code", rx.VerificationCode)
	w("type", string(rx.Type))
	w("issued_at", rx.IssuedAt.UTC().Format(time.RFC3339))
	if rx.ValidUntil != nil {
		w("valid_until", rx.ValidUntil.UTC().Format(time.RFC3339))
	}
	w("patient_id", rx.PatientID)
	w("patient_name", rx.PatientName)
	if rx.PatientAddress != "" {
		w("patient_address", rx.PatientAddress)
	}
	w("prescriber_id", rx.Prescriber.ID)
	w("prescriber_name", rx.Prescriber.Name)
	w("prescriber_profession", rx.Prescriber.Profession)
	w("prescriber_council", fmt.Sprintf("%s %s/%s", rx.Prescriber.CouncilType, rx.Prescriber.CouncilNumber, rx.Prescriber.CouncilUF))
	if rx.Copies > 0 {
		w("copies", fmt.Sprint(rx.Copies))
	}
	for i, it := range rx.Items {
		p := fmt.Sprintf("item[%d].", i)
		w(p+"drug", it.Drug)
		w(p+"active_ingredient", it.ActiveIngredient)
		w(p+"concentration", it.Concentration)
		w(p+"form", it.Form)
		w(p+"dosage", it.Dosage)
		w(p+"quantity", it.Quantity)
		w(p+"route", it.Route)
		w(p+"instructions", it.Instructions)
	}
	return []byte(b.String())
}

// NewPrescriptionInput is what a prescriber writes.
type NewPrescriptionInput struct {
	Type           PrescriptionType
	Items          []RxItem
	PatientAddress string // required for special control
}

func (in NewPrescriptionInput) validate() error {
	var p kernel.Problems
	switch in.Type {
	case RxSimple, RxSpecialControl:
	case "":
		p.Add("type", "é obrigatório")
	default:
		p.Add("type", "deve ser simple ou special_control")
	}
	if len(in.Items) == 0 {
		p.Add("items", "deve ter pelo menos um item")
	}
	if len(in.Items) > MaxRxItems {
		p.Add("items", "deve ter no máximo %d itens", MaxRxItems)
		return p.Err() // counted first: no item is looked at
	}
	if in.Type == RxSpecialControl {
		p.Require("patient_address", in.PatientAddress)
		if len(in.Items) > 3 {
			// a C1 form holds few items; keep one form per few drugs
			p.Add("items", "uma receita de controle especial tem no máximo 3 itens")
		}
	}
	for i, it := range in.Items {
		pre := fmt.Sprintf("items[%d].", i)
		p.Require(pre+"drug", it.Drug)
		p.Require(pre+"dosage", it.Dosage)
		if in.Type == RxSpecialControl {
			p.Require(pre+"quantity", it.Quantity)
			p.Require(pre+"concentration", it.Concentration)
		}
		for f, v := range map[string]string{"drug": it.Drug, "active_ingredient": it.ActiveIngredient,
			"concentration": it.Concentration, "form": it.Form, "dosage": it.Dosage, "quantity": it.Quantity,
			"route": it.Route, "instructions": it.Instructions} {
			if len(v) > MaxRxTextLen {
				p.Add(pre+f, "deve ter no máximo %d caracteres", MaxRxTextLen)
			}
		}
	}
	if len(in.PatientAddress) > MaxAddressLen {
		p.Add("patient_address", "deve ter no máximo %d caracteres", MaxAddressLen)
	}
	return p.Err()
}

// DispenseInput is what a pharmacy sends when it dispenses.
type DispenseInput struct {
	BuyerName     string // required for special control
	BuyerDocument string
}

const codeAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ" // no 0/O, 1/I/L

// NewVerificationCode returns a random code such as "7KQ2-M9XH-4TPA" (~59 bits).
func NewVerificationCode() string {
	var raw [12]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic("clinical: no randomness: " + err.Error())
	}
	out := make([]byte, 0, 14)
	for i, c := range raw {
		if i > 0 && i%4 == 0 {
			out = append(out, '-')
		}
		out = append(out, codeAlphabet[int(c)%len(codeAlphabet)])
	}
	return string(out)
}

// NormalizeCode upper-cases a typed code and restores its dashes.
func NormalizeCode(s string) string {
	s = strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(s))
	if len(s) != 12 {
		return s
	}
	return s[0:4] + "-" + s[4:8] + "-" + s[8:12]
}
