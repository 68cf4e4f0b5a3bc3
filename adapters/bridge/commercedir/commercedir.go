// Package commercedir implements commerce.Directory over the identity and
// clinical contexts' use cases (and appointments from scheduling's): companies and patients from identity, plans and
// prescriptions from clinical under clinical's own permission rules and access
// log, and dispensing through clinical's dispense rule.
package commercedir

import (
	"context"
	"slices"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Identity is the part of *identity.Service the bridge uses.
type Identity interface {
	LookupCompany(ctx context.Context, id kernel.ID) (identity.Company, error)
	ListCompanies(ctx context.Context, p kernel.Principal, typ string) ([]identity.Company, error)
	LookupPatient(ctx context.Context, id kernel.ID) (identity.Patient, error)
}

// Clinical is the part of *clinical.Service the bridge uses.
type Clinical interface {
	Plan(ctx context.Context, p kernel.Principal, id kernel.ID) (clinical.Plan, clinical.Access, error)
	Prescription(ctx context.Context, p kernel.Principal, id kernel.ID) (clinical.Prescription, clinical.Access, error)
	Dispense(ctx context.Context, p kernel.Principal, code string, in clinical.DispenseInput) (clinical.Prescription, error)
	VerifyPrescription(ctx context.Context, code string) (clinical.Verification, error)
}

// Scheduling is the part of *scheduling.Service the bridge uses.
type Scheduling interface {
	GetAppointment(ctx context.Context, p kernel.Principal, id kernel.ID) (scheduling.Appointment, error)
}

var (
	_ Identity           = (*identity.Service)(nil)
	_ Clinical           = (*clinical.Service)(nil)
	_ Scheduling         = (*scheduling.Service)(nil)
	_ commerce.Directory = (*Directory)(nil)
)

// Directory implements commerce.Directory.
type Directory struct {
	ids   Identity
	cli   Clinical
	sched Scheduling
}

// New builds the bridge; appointments are read through sched (nil: none found).
func New(ids Identity, cli Clinical, sched Scheduling) *Directory {
	return &Directory{ids: ids, cli: cli, sched: sched}
}

// Appointment reads an appointment as p under scheduling's rules (a patient
// reads only their own; others get not found).
func (d *Directory) Appointment(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Appointment, error) {
	if d.sched == nil || !kernel.ValidID(id) {
		return commerce.Appointment{}, kernel.NotFound("consulta não encontrada")
	}
	a, err := d.sched.GetAppointment(ctx, p, id)
	if err != nil {
		return commerce.Appointment{}, err
	}
	return commerce.Appointment{ID: a.ID, PatientID: a.PatientID, ProfessionalID: a.ProfessionalID, CompanyID: a.CompanyID,
		Status: string(a.Status), Start: a.Start.UTC(), Price: a.Price}, nil
}

func companyOf(c identity.Company) commerce.Company {
	out := commerce.Company{ID: c.ID, Name: c.TradeName, Type: c.Type, Verified: c.Verified(),
		City: c.Address.City, UF: c.Address.UF, Email: c.Email}
	if out.Name == "" {
		out.Name = c.LegalName
	}
	if c.Point != nil {
		out.Point = &commerce.Point{Lat: c.Point.Lat, Lng: c.Point.Lng}
	}
	return out
}

func (d *Directory) Company(ctx context.Context, id kernel.ID) (commerce.Company, error) {
	if !kernel.ValidID(id) {
		return commerce.Company{}, kernel.NotFound("empresa não encontrada")
	}
	c, err := d.ids.LookupCompany(ctx, id)
	if err != nil {
		return commerce.Company{}, err
	}
	return companyOf(c), nil
}

func (d *Directory) Partners(ctx context.Context, types []string) ([]commerce.Company, error) {
	list, err := d.ids.ListCompanies(ctx, kernel.Anonymous, "")
	if err != nil {
		return nil, err
	}
	out := make([]commerce.Company, 0, len(list))
	for _, c := range list {
		if c.Verified() && slices.Contains(types, c.Type) {
			out = append(out, companyOf(c))
		}
	}
	return out, nil
}

func (d *Directory) Plan(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Plan, error) {
	pl, acc, err := d.cli.Plan(ctx, p, id)
	if err != nil {
		return commerce.Plan{}, err
	}
	if !acc.Content() {
		return commerce.Plan{}, kernel.Forbidden("só o paciente ou um profissional que o atende pode ver as opções de compra do plano")
	}
	out := commerce.Plan{ID: pl.ID, PatientID: pl.PatientID, Active: pl.Status == clinical.PlanActive}
	for _, it := range pl.Items {
		out.Items = append(out.Items, commerce.PlanItem{ID: it.ID, Kind: string(it.Kind), Name: it.Name,
			Tags: append([]string{}, it.Tags...), Suppliers: append([]string{}, it.Suppliers()...)})
	}
	return out, nil
}

func (d *Directory) Prescription(ctx context.Context, p kernel.Principal, id kernel.ID) (commerce.Prescription, error) {
	rx, acc, err := d.cli.Prescription(ctx, p, id)
	if err != nil {
		return commerce.Prescription{}, err
	}
	if !acc.Content() {
		return commerce.Prescription{}, kernel.Forbidden("só o paciente pode comprar com esta receita")
	}
	out := commerce.Prescription{ID: rx.ID, PatientID: rx.PatientID, Status: string(rx.Status), ValidUntil: rx.ValidUntil,
		VerificationCode: rx.VerificationCode, SpecialControl: rx.Type == clinical.RxSpecialControl}
	for _, it := range rx.Items {
		out.Items = append(out.Items, commerce.RxItem{Drug: it.Drug, ActiveIngredient: it.ActiveIngredient, Concentration: it.Concentration, Form: it.Form})
	}
	return out, nil
}

func (d *Directory) Dispense(ctx context.Context, p kernel.Principal, code, buyerName, buyerDocument string) error {
	_, err := d.cli.Dispense(ctx, p, code, clinical.DispenseInput{BuyerName: buyerName, BuyerDocument: buyerDocument})
	if kernel.KindOf(err) == kernel.KindConflict && p.CompanyID != "" {
		// a move retried after its dispensation committed and the order did not
		// move: dispensed by this same pharmacy counts as done
		if v, verr := d.cli.VerifyPrescription(ctx, code); verr == nil && v.Rx.Status == clinical.RxDispensed &&
			v.Rx.Dispensed != nil && v.Rx.Dispensed.CompanyID == p.CompanyID {
			return nil
		}
	}
	return err
}

func (d *Directory) Patient(ctx context.Context, id kernel.ID) (commerce.Patient, error) {
	if !kernel.ValidID(id) {
		return commerce.Patient{}, kernel.NotFound("paciente não encontrado")
	}
	pt, err := d.ids.LookupPatient(ctx, id)
	if err != nil {
		return commerce.Patient{}, err
	}
	name := pt.SocialName
	if name == "" {
		name = pt.Name
	}
	out := commerce.Patient{ID: pt.ID, Name: name, Email: pt.Email}
	if pt.Point != nil {
		out.Point = &commerce.Point{Lat: pt.Point.Lat, Lng: pt.Point.Lng}
	}
	return out, nil
}
