package clinical

import (
	"context"
	"strings"

	"github.com/multisaude/multisaude/core/kernel"
)

// IssuePrescription issues and signs a prescription by the calling professional,
// whose profession must be one of PrescribingProfessions.
func (s *Service) IssuePrescription(ctx context.Context, p kernel.Principal, patientID kernel.ID, in NewPrescriptionInput) (Prescription, error) {
	acc, pro, err := s.writer(ctx, p, patientID)
	if err != nil {
		return Prescription{}, err
	}
	if !PrescribingProfessions[pro.Profession] {
		return Prescription{}, kernel.Forbidden("a profissão %s não pode prescrever medicamentos nesta plataforma", pro.Profession)
	}
	if err := in.validate(); err != nil {
		return Prescription{}, err
	}
	pat, err := s.Dir.Patient(ctx, patientID)
	if err != nil {
		return Prescription{}, hide(err, "patient")
	}
	now := s.now()
	rx := Prescription{ID: kernel.NewID(), PatientID: patientID, PatientName: pat.Name,
		Prescriber: Prescriber{ID: pro.ID, Name: pro.Name, Profession: pro.Profession, CouncilType: pro.CouncilType,
			CouncilNumber: pro.CouncilNumber, CouncilUF: pro.CouncilUF},
		Type: in.Type, Items: in.Items, IssuedAt: now, Status: RxIssued}
	if rx.Prescriber.ID == "" {
		rx.Prescriber.ID = p.AccountID
	}
	if in.Type == RxSpecialControl {
		rx.PatientAddress = strings.TrimSpace(in.PatientAddress)
		rx.Copies = 2
		until := now.Add(SpecialControlValidity)
		rx.ValidUntil = &until
	}
	for attempt := 0; ; attempt++ {
		rx.VerificationCode = NewVerificationCode()
		rx.Document = rx.CanonicalText()
		sig, err := s.Signer.Sign(ctx, rx.Document)
		if err != nil {
			return Prescription{}, kernel.Wrap(err, "sign the prescription")
		}
		rx.Signature = sig
		ev := kernel.NewEvent("clinical.prescription.issued", rx.ID, map[string]string{
			"prescription_id": rx.ID, "patient_id": patientID, "prescriber_id": rx.Prescriber.ID, "type": string(rx.Type)}, now)
		err = s.Store.CreatePrescription(ctx, rx, ev)
		if err == nil {
			break
		}
		if kernel.KindOf(err) != kernel.KindConflict || attempt >= 3 {
			return Prescription{}, err
		}
	}
	return rx, s.record(ctx, p, acc, "prescription", rx.ID, "create")
}

// Prescription returns a prescription the caller may see.
func (s *Service) Prescription(ctx context.Context, p kernel.Principal, id kernel.ID) (Prescription, Access, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Prescription{}, Access{}, err
	}
	if !kernel.ValidID(id) {
		return Prescription{}, Access{}, kernel.NotFound("receita não encontrada")
	}
	rx, err := s.Store.Prescription(ctx, id)
	if err != nil {
		return Prescription{}, Access{}, hide(err, "prescription")
	}
	acc, err := s.access(ctx, p, rx.PatientID)
	if err != nil {
		return Prescription{}, Access{}, hide(err, "prescription")
	}
	if !acc.Content() {
		rx = rx.Meta()
	}
	return rx, acc, s.record(ctx, p, acc, "prescription", id, "read")
}

// Prescriptions lists a patient's prescriptions.
func (s *Service) Prescriptions(ctx context.Context, p kernel.Principal, patientID kernel.ID, page kernel.Page) (kernel.List[Prescription], error) {
	acc, err := s.access(ctx, p, patientID)
	if err != nil {
		return kernel.List[Prescription]{}, err
	}
	if page, err = page.Normalize(); err != nil {
		return kernel.List[Prescription]{}, err
	}
	l, err := s.Store.Prescriptions(ctx, patientID, page)
	if err != nil {
		return l, err
	}
	if !acc.Content() {
		for i := range l.Items {
			l.Items[i] = l.Items[i].Meta()
		}
	}
	return l, s.record(ctx, p, acc, "prescription", "", "list")
}

// CancelPrescription cancels an issued prescription by its author.
func (s *Service) CancelPrescription(ctx context.Context, p kernel.Principal, id kernel.ID, reason string) (Prescription, error) {
	cur, acc, err := s.Prescription(ctx, p, id)
	if err != nil {
		return Prescription{}, err
	}
	if cur.Prescriber.ID != p.AccountID {
		return Prescription{}, kernel.Forbidden("só quem prescreveu pode cancelar a receita")
	}
	if len(reason) > MaxReasonLen {
		return Prescription{}, kernel.Invalid("reason", "deve ter no máximo %d caracteres", MaxReasonLen)
	}
	now := s.now()
	rx, err := s.Store.UpdatePrescription(ctx, id, func(rx *Prescription) ([]kernel.Event, error) {
		switch rx.Status {
		case RxDispensed:
			return nil, kernel.Conflict("a receita já foi dispensada")
		case RxCancelled:
			return nil, kernel.Conflict("a receita já está cancelada")
		}
		rx.Status, rx.CancelledAt, rx.CancelReason = RxCancelled, &now, strings.TrimSpace(reason)
		return []kernel.Event{kernel.NewEvent("clinical.prescription.cancelled", rx.ID,
			map[string]string{"prescription_id": rx.ID, "patient_id": rx.PatientID}, now)}, nil
	})
	if err != nil {
		return Prescription{}, err
	}
	return rx, s.record(ctx, p, acc, "prescription", id, "cancel")
}

// Verification is what the public verification answers: the minimum a pharmacy needs.
type Verification struct {
	Valid     bool
	Reason    string // why not valid: cancelled, expired, signature
	Rx        Prescription
	Dispensed bool
	Initials  string
}

// VerifyPrescription checks a verification code; anyone may call it. An unknown
// code is KindNotFound.
func (s *Service) VerifyPrescription(ctx context.Context, code string) (Verification, error) {
	code = NormalizeCode(code)
	if len(code) != 14 {
		return Verification{}, kernel.NotFound("nenhuma receita tem este código")
	}
	rx, err := s.Store.PrescriptionByCode(ctx, code)
	if err != nil {
		return Verification{}, hide(err, "prescription with this code")
	}
	v := Verification{Valid: true, Rx: rx, Dispensed: rx.Status == RxDispensed, Initials: rx.PatientInitials()}
	switch {
	case s.Signer.Verify(ctx, rx.Document, rx.Signature) != nil:
		v.Valid, v.Reason = false, "signature"
	case string(rx.Document) != string(rx.CanonicalText()):
		v.Valid, v.Reason = false, "signature"
	case rx.Status == RxCancelled:
		v.Valid, v.Reason = false, "cancelled"
	case rx.Expired(s.now()):
		v.Valid, v.Reason = false, "expired"
	}
	return v, nil
}

// DispenseScope is the API-key scope that lets a pharmacy's integration
// dispense. Until identity issues it, a verified pharmacy's key with
// DispenseFallbackScope (it fulfils orders) may dispense too.
const (
	DispenseScope         = "prescriptions:dispense"
	DispenseFallbackScope = "orders:write"
)

// Dispense marks a prescription dispensed, once, by a verified pharmacy: one of
// its members or its API key with DispenseScope.
func (s *Service) Dispense(ctx context.Context, p kernel.Principal, code string, in DispenseInput) (Prescription, error) {
	if err := p.RequireAuthenticated(); err != nil {
		return Prescription{}, err
	}
	switch {
	case p.Kind == kernel.KindCompanyMember:
	case p.Kind == kernel.KindAPIKey && p.HasScope(DispenseScope):
	default:
		return Prescription{}, kernel.Forbidden("só uma farmácia verificada pode dispensar receitas")
	}
	co, err := s.Dir.Company(ctx, p.CompanyID)
	if err != nil && kernel.KindOf(err) != kernel.KindNotFound {
		return Prescription{}, err
	}
	if err != nil || co.Type != "pharmacy" || !co.Verified {
		return Prescription{}, kernel.Forbidden("só uma farmácia verificada pode dispensar receitas")
	}
	v, err := s.VerifyPrescription(ctx, code)
	if err != nil {
		return Prescription{}, err
	}
	var probs kernel.Problems
	if v.Rx.Type == RxSpecialControl {
		probs.Require("buyer_name", in.BuyerName)
		probs.Require("buyer_document", in.BuyerDocument)
	}
	if len(in.BuyerName) > MaxBuyerFieldLen {
		probs.Add("buyer_name", "deve ter no máximo %d caracteres", MaxBuyerFieldLen)
	}
	if len(in.BuyerDocument) > MaxBuyerFieldLen {
		probs.Add("buyer_document", "deve ter no máximo %d caracteres", MaxBuyerFieldLen)
	}
	if err := probs.Err(); err != nil {
		return Prescription{}, err
	}
	if !v.Valid && v.Reason != "" && v.Rx.Status != RxDispensed {
		return Prescription{}, kernel.Conflict("a receita não pode ser dispensada: %s", rxReasonPT(v.Reason))
	}
	now := s.now()
	rx, err := s.Store.UpdatePrescription(ctx, v.Rx.ID, func(rx *Prescription) ([]kernel.Event, error) {
		switch rx.Status {
		case RxDispensed:
			return nil, kernel.Conflict("a receita já foi dispensada")
		case RxCancelled:
			return nil, kernel.Conflict("a receita está cancelada")
		}
		rx.Status = RxDispensed
		rx.Dispensed = &Dispensation{At: now, CompanyID: p.CompanyID, ByID: p.AccountID,
			BuyerName: strings.TrimSpace(in.BuyerName), BuyerDocument: strings.TrimSpace(in.BuyerDocument)}
		return []kernel.Event{kernel.NewEvent("clinical.prescription.dispensed", rx.ID,
			map[string]string{"prescription_id": rx.ID, "patient_id": rx.PatientID, "company_id": p.CompanyID}, now)}, nil
	})
	if err != nil {
		return Prescription{}, err
	}
	return rx, s.logAccess(ctx, AccessEntry{ID: kernel.NewID(), PatientID: rx.PatientID, ActorID: p.AccountID,
		ActorKind: p.Kind, ObjectType: "prescription", ObjectID: rx.ID, Action: "dispense", Basis: "pharmacy", At: now})
}

// rxReasonPT says in pt-BR why a prescription is not valid (v.Reason is an API code).
func rxReasonPT(reason string) string {
	switch reason {
	case "cancelled":
		return "está cancelada"
	case "expired":
		return "está vencida"
	case "signature":
		return "a assinatura não é válida"
	}
	return reason
}
