package clinicalsql

import (
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func utcp(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := utc(*t)
	return &u
}

// --- shares and access log ---

type shareRow struct {
	bun.BaseModel  `bun:"table:clinical_shares"`
	ID             string     `bun:"id,pk"`
	PatientID      string     `bun:"patient_id"`
	ProfessionalID string     `bun:"professional_id"`
	Kind           string     `bun:"kind"`
	Reason         string     `bun:"reason"`
	Until          time.Time  `bun:"until"`
	RevokedAt      *time.Time `bun:"revoked_at"`
	CreatedAt      time.Time  `bun:"created_at"`
}

func shareToRow(s clinical.Share) shareRow {
	return shareRow{ID: s.ID, PatientID: s.PatientID, ProfessionalID: s.ProfessionalID, Kind: string(s.Kind),
		Reason: s.Reason, Until: utc(s.Until), RevokedAt: utcp(s.RevokedAt), CreatedAt: utc(s.CreatedAt)}
}

func (r shareRow) toDomain() clinical.Share {
	return clinical.Share{ID: r.ID, PatientID: r.PatientID, ProfessionalID: r.ProfessionalID, Kind: clinical.ShareKind(r.Kind),
		Reason: r.Reason, Until: r.Until.UTC(), RevokedAt: utcp(r.RevokedAt), CreatedAt: r.CreatedAt.UTC()}
}

type accessRow struct {
	bun.BaseModel `bun:"table:clinical_access_log"`
	ID            string    `bun:"id,pk"`
	PatientID     string    `bun:"patient_id"`
	ActorID       string    `bun:"actor_id"`
	ActorKind     string    `bun:"actor_kind"`
	ObjectType    string    `bun:"object_type"`
	ObjectID      string    `bun:"object_id"`
	Action        string    `bun:"action"`
	Basis         string    `bun:"basis"`
	At            time.Time `bun:"at"`
}

func accessToRow(e clinical.AccessEntry) accessRow {
	return accessRow{ID: e.ID, PatientID: e.PatientID, ActorID: e.ActorID, ActorKind: string(e.ActorKind),
		ObjectType: e.ObjectType, ObjectID: e.ObjectID, Action: e.Action, Basis: string(e.Basis), At: utc(e.At)}
}

func (r accessRow) toDomain() clinical.AccessEntry {
	return clinical.AccessEntry{ID: r.ID, PatientID: r.PatientID, ActorID: r.ActorID, ActorKind: kernel.AccountKind(r.ActorKind),
		ObjectType: r.ObjectType, ObjectID: r.ObjectID, Action: r.Action, Basis: clinical.Basis(r.Basis), At: r.At.UTC()}
}

// --- evaluations ---

type vitalsBody struct {
	WeightKg           *float64 `json:"weight_kg,omitempty"`
	HeightCm           *float64 `json:"height_cm,omitempty"`
	TemperatureC       *float64 `json:"temperature_c,omitempty"`
	HeartRateBpm       *float64 `json:"heart_rate_bpm,omitempty"`
	SystolicMmHg       *float64 `json:"systolic_mmhg,omitempty"`
	DiastolicMmHg      *float64 `json:"diastolic_mmhg,omitempty"`
	RespiratoryRateBpm *float64 `json:"respiratory_rate_bpm,omitempty"`
	SpO2Pct            *float64 `json:"spo2_pct,omitempty"`
	WaistCm            *float64 `json:"waist_cm,omitempty"`
	GlucoseMgDl        *float64 `json:"glucose_mg_dl,omitempty"`
}

type evaluationBody struct {
	Reason           string     `json:"reason,omitempty"`
	Notes            string     `json:"notes,omitempty"`
	ChiefComplaint   string     `json:"chief_complaint,omitempty"`
	PresentIllness   string     `json:"history_of_present_illness,omitempty"`
	PastHistory      string     `json:"past_history,omitempty"`
	MedicationsInUse string     `json:"medications_in_use,omitempty"`
	Allergies        string     `json:"allergies,omitempty"`
	Habits           string     `json:"habits,omitempty"`
	PhysicalExam     string     `json:"physical_examination,omitempty"`
	Assessment       string     `json:"assessment,omitempty"`
	ICD10            []string   `json:"icd10,omitempty"`
	Plan             string     `json:"plan,omitempty"`
	Vitals           vitalsBody `json:"vital_signs"`
}

type evaluationRow struct {
	bun.BaseModel `bun:"table:clinical_evaluations"`
	ID            string     `bun:"id,pk"`
	Version       int        `bun:"version,pk"`
	PatientID     string     `bun:"patient_id"`
	AuthorID      string     `bun:"author_id"`
	AppointmentID string     `bun:"appointment_id"`
	Kind          string     `bun:"kind"`
	Body          string     `bun:"body"`
	AmendReason   string     `bun:"amend_reason"`
	SignedAt      *time.Time `bun:"signed_at"`
	CreatedAt     time.Time  `bun:"created_at"`
	FirstAt       time.Time  `bun:"first_at"`
	IsCurrent     bool       `bun:"is_current"`
}

func evaluationToRow(e clinical.Evaluation, firstAt time.Time) (evaluationRow, error) {
	c, v := e.Content, e.Content.VitalSigns
	body, err := json.Marshal(evaluationBody{Reason: c.Reason, Notes: c.Notes, ChiefComplaint: c.ChiefComplaint,
		PresentIllness: c.PresentIllness, PastHistory: c.PastHistory, MedicationsInUse: c.MedicationsInUse,
		Allergies: c.Allergies, Habits: c.Habits, PhysicalExam: c.PhysicalExam, Assessment: c.Assessment,
		ICD10: c.ICD10, Plan: c.Plan, Vitals: vitalsBody(v)})
	if err != nil {
		return evaluationRow{}, kernel.Internal(err, "encode evaluation")
	}
	return evaluationRow{ID: e.ID, Version: e.Version, PatientID: e.PatientID, AuthorID: e.AuthorID,
		AppointmentID: e.AppointmentID, Kind: string(c.Kind), Body: string(body), AmendReason: e.AmendReason,
		SignedAt: utcp(e.SignedAt), CreatedAt: utc(e.CreatedAt), FirstAt: utc(firstAt), IsCurrent: true}, nil
}

func (r evaluationRow) toDomain() (clinical.Evaluation, error) {
	var b evaluationBody
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		return clinical.Evaluation{}, kernel.Internal(err, "decode evaluation %s", r.ID)
	}
	return clinical.Evaluation{ID: r.ID, Version: r.Version, PatientID: r.PatientID, AuthorID: r.AuthorID,
		AppointmentID: r.AppointmentID, SignedAt: utcp(r.SignedAt), CreatedAt: r.CreatedAt.UTC(), AmendReason: r.AmendReason,
		Content: clinical.EvaluationContent{Kind: clinical.EvaluationKind(r.Kind), Reason: b.Reason, Notes: b.Notes,
			ChiefComplaint: b.ChiefComplaint, PresentIllness: b.PresentIllness, PastHistory: b.PastHistory,
			MedicationsInUse: b.MedicationsInUse, Allergies: b.Allergies, Habits: b.Habits, PhysicalExam: b.PhysicalExam,
			Assessment: b.Assessment, ICD10: b.ICD10, Plan: b.Plan, VitalSigns: clinical.VitalSigns(b.Vitals)}}, nil
}

// --- plans ---

type planItemBody struct {
	ID          string   `json:"id"`
	Kind        string   `json:"kind"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Dosage      string   `json:"dosage,omitempty"`
	Frequency   string   `json:"frequency,omitempty"`
	Duration    string   `json:"duration,omitempty"`
	Quantity    string   `json:"quantity,omitempty"`
	Intensity   string   `json:"intensity,omitempty"`
	NeedsGym    bool     `json:"needs_gym,omitempty"`
	Equipment   string   `json:"equipment,omitempty"`
	Tags        []string `json:"tags"`
}

type planBody struct {
	Title string         `json:"title"`
	Goals []string       `json:"goals"`
	Start time.Time      `json:"start"`
	End   *time.Time     `json:"end,omitempty"`
	Items []planItemBody `json:"items"`
}

type planRow struct {
	bun.BaseModel `bun:"table:clinical_plans"`
	ID            string    `bun:"id,pk"`
	PatientID     string    `bun:"patient_id"`
	AuthorID      string    `bun:"author_id"`
	Status        string    `bun:"status"`
	Version       int64     `bun:"version"`
	Body          string    `bun:"body"`
	CreatedAt     time.Time `bun:"created_at"`
	UpdatedAt     time.Time `bun:"updated_at"`
}

func planToRow(p clinical.Plan) (planRow, error) {
	b := planBody{Title: p.Title, Goals: p.Goals, Start: utc(p.Start), End: utcp(p.End), Items: []planItemBody{}}
	for _, it := range p.Items {
		b.Items = append(b.Items, planItemBody{ID: it.ID, Kind: string(it.Kind), Name: it.Name, Description: it.Description,
			Dosage: it.Dosage, Frequency: it.Frequency, Duration: it.Duration, Quantity: it.Quantity, Intensity: it.Intensity,
			NeedsGym: it.NeedsGym, Equipment: it.Equipment, Tags: it.Tags})
	}
	body, err := json.Marshal(b)
	if err != nil {
		return planRow{}, kernel.Internal(err, "encode plan")
	}
	return planRow{ID: p.ID, PatientID: p.PatientID, AuthorID: p.AuthorID, Status: string(p.Status), Version: p.Version,
		Body: string(body), CreatedAt: utc(p.CreatedAt), UpdatedAt: utc(p.UpdatedAt)}, nil
}

func (r planRow) toDomain() (clinical.Plan, error) {
	var b planBody
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		return clinical.Plan{}, kernel.Internal(err, "decode plan %s", r.ID)
	}
	p := clinical.Plan{ID: r.ID, PatientID: r.PatientID, AuthorID: r.AuthorID, Status: clinical.PlanStatus(r.Status),
		Version: r.Version, Title: b.Title, Goals: b.Goals, Start: b.Start.UTC(), End: utcp(b.End),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), Items: []clinical.PlanItem{}}
	if p.Goals == nil {
		p.Goals = []string{}
	}
	for _, it := range b.Items {
		tags := it.Tags
		if tags == nil {
			tags = []string{}
		}
		p.Items = append(p.Items, clinical.PlanItem{ID: it.ID, Kind: clinical.ItemKind(it.Kind), Name: it.Name,
			Description: it.Description, Dosage: it.Dosage, Frequency: it.Frequency, Duration: it.Duration,
			Quantity: it.Quantity, Intensity: it.Intensity, NeedsGym: it.NeedsGym, Equipment: it.Equipment, Tags: tags})
	}
	return p, nil
}

type progressRow struct {
	bun.BaseModel `bun:"table:clinical_plan_progress"`
	ID            string    `bun:"id,pk"`
	PlanID        string    `bun:"plan_id"`
	ItemID        string    `bun:"item_id"`
	PatientID     string    `bun:"patient_id"`
	Day           time.Time `bun:"day"`
	Done          bool      `bun:"done"`
	Note          string    `bun:"note"`
	CreatedAt     time.Time `bun:"created_at"`
}

func progressToRow(p clinical.Progress) progressRow {
	return progressRow{ID: p.ID, PlanID: p.PlanID, ItemID: p.ItemID, PatientID: p.PatientID, Day: utc(p.Date),
		Done: p.Done, Note: p.Note, CreatedAt: utc(p.CreatedAt)}
}

func (r progressRow) toDomain() clinical.Progress {
	return clinical.Progress{ID: r.ID, PlanID: r.PlanID, ItemID: r.ItemID, PatientID: r.PatientID, Date: r.Day.UTC(),
		Done: r.Done, Note: r.Note, CreatedAt: r.CreatedAt.UTC()}
}

// --- prescriptions ---

type rxItemBody struct {
	Drug             string `json:"drug"`
	ActiveIngredient string `json:"active_ingredient,omitempty"`
	Concentration    string `json:"concentration,omitempty"`
	Form             string `json:"form,omitempty"`
	Dosage           string `json:"dosage"`
	Quantity         string `json:"quantity,omitempty"`
	Route            string `json:"route,omitempty"`
	Instructions     string `json:"instructions,omitempty"`
}

type prescriberBody struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Profession    string `json:"profession"`
	CouncilType   string `json:"council_type"`
	CouncilNumber string `json:"council_number"`
	CouncilUF     string `json:"council_uf"`
}

type dispensationBody struct {
	At            time.Time `json:"at"`
	CompanyID     string    `json:"company_id"`
	ByID          string    `json:"by_id"`
	BuyerName     string    `json:"buyer_name,omitempty"`
	BuyerDocument string    `json:"buyer_document,omitempty"`
}

type rxBody struct {
	PatientName    string            `json:"patient_name"`
	PatientAddress string            `json:"patient_address,omitempty"`
	Prescriber     prescriberBody    `json:"prescriber"`
	Items          []rxItemBody      `json:"items"`
	Copies         int               `json:"copies,omitempty"`
	ValidUntil     *time.Time        `json:"valid_until,omitempty"`
	Dispensed      *dispensationBody `json:"dispensed,omitempty"`
	CancelReason   string            `json:"cancel_reason,omitempty"`
}

type rxRow struct {
	bun.BaseModel    `bun:"table:clinical_prescriptions"`
	ID               string     `bun:"id,pk"`
	PatientID        string     `bun:"patient_id"`
	PrescriberID     string     `bun:"prescriber_id"`
	Type             string     `bun:"type"`
	Status           string     `bun:"status"`
	VerificationCode string     `bun:"verification_code"`
	Body             string     `bun:"body"`
	Document         []byte     `bun:"document"`
	SigAlgorithm     string     `bun:"sig_algorithm"`
	SigKeyID         string     `bun:"sig_key_id"`
	SigValue         []byte     `bun:"sig_value"`
	IssuedAt         time.Time  `bun:"issued_at"`
	DispensedAt      *time.Time `bun:"dispensed_at"`
	CancelledAt      *time.Time `bun:"cancelled_at"`
}

func rxToRow(rx clinical.Prescription) (rxRow, error) {
	pr := rx.Prescriber
	b := rxBody{PatientName: rx.PatientName, PatientAddress: rx.PatientAddress, Copies: rx.Copies, ValidUntil: utcp(rx.ValidUntil),
		Prescriber: prescriberBody{ID: pr.ID, Name: pr.Name, Profession: pr.Profession, CouncilType: pr.CouncilType,
			CouncilNumber: pr.CouncilNumber, CouncilUF: pr.CouncilUF}, CancelReason: rx.CancelReason, Items: []rxItemBody{}}
	for _, it := range rx.Items {
		b.Items = append(b.Items, rxItemBody(it))
	}
	var dispensedAt *time.Time
	if d := rx.Dispensed; d != nil {
		b.Dispensed = &dispensationBody{At: utc(d.At), CompanyID: d.CompanyID, ByID: d.ByID, BuyerName: d.BuyerName, BuyerDocument: d.BuyerDocument}
		dispensedAt = &b.Dispensed.At
	}
	body, err := json.Marshal(b)
	if err != nil {
		return rxRow{}, kernel.Internal(err, "encode prescription")
	}
	return rxRow{ID: rx.ID, PatientID: rx.PatientID, PrescriberID: pr.ID, Type: string(rx.Type), Status: string(rx.Status),
		VerificationCode: rx.VerificationCode, Body: string(body), Document: rx.Document, SigAlgorithm: rx.Signature.Algorithm,
		SigKeyID: rx.Signature.KeyID, SigValue: rx.Signature.Value, IssuedAt: utc(rx.IssuedAt), DispensedAt: dispensedAt,
		CancelledAt: utcp(rx.CancelledAt)}, nil
}

func (r rxRow) toDomain() (clinical.Prescription, error) {
	var b rxBody
	if err := json.Unmarshal([]byte(r.Body), &b); err != nil {
		return clinical.Prescription{}, kernel.Internal(err, "decode prescription %s", r.ID)
	}
	rx := clinical.Prescription{ID: r.ID, PatientID: r.PatientID, PatientName: b.PatientName, PatientAddress: b.PatientAddress,
		Prescriber: clinical.Prescriber(b.Prescriber), Type: clinical.PrescriptionType(r.Type), Copies: b.Copies,
		IssuedAt: r.IssuedAt.UTC(), ValidUntil: utcp(b.ValidUntil), Status: clinical.PrescriptionStatus(r.Status),
		VerificationCode: r.VerificationCode, Document: r.Document,
		Signature:   ports.Signature{Algorithm: r.SigAlgorithm, KeyID: r.SigKeyID, Value: r.SigValue},
		CancelledAt: utcp(r.CancelledAt), CancelReason: b.CancelReason, Items: []clinical.RxItem{}}
	for _, it := range b.Items {
		rx.Items = append(rx.Items, clinical.RxItem(it))
	}
	if d := b.Dispensed; d != nil {
		rx.Dispensed = &clinical.Dispensation{At: d.At.UTC(), CompanyID: d.CompanyID, ByID: d.ByID, BuyerName: d.BuyerName, BuyerDocument: d.BuyerDocument}
	}
	return rx, nil
}

// --- documents ---

type documentRow struct {
	bun.BaseModel `bun:"table:clinical_documents"`
	ID            string    `bun:"id,pk"`
	PatientID     string    `bun:"patient_id"`
	UploaderID    string    `bun:"uploader_id"`
	UploaderKind  string    `bun:"uploader_kind"`
	Kind          string    `bun:"kind"`
	Title         string    `bun:"title"`
	FileName      string    `bun:"file_name"`
	ContentType   string    `bun:"content_type"`
	Size          int64     `bun:"size"`
	Checksum      string    `bun:"checksum"`
	BlobKey       string    `bun:"blob_key"`
	CreatedAt     time.Time `bun:"created_at"`
}

func documentToRow(d clinical.Document) documentRow {
	return documentRow{ID: d.ID, PatientID: d.PatientID, UploaderID: d.UploaderID, UploaderKind: string(d.UploaderKind),
		Kind: string(d.Kind), Title: d.Title, FileName: d.FileName, ContentType: d.ContentType, Size: d.Size,
		Checksum: d.Checksum, BlobKey: d.BlobKey, CreatedAt: utc(d.CreatedAt)}
}

func (r documentRow) toDomain() clinical.Document {
	return clinical.Document{ID: r.ID, PatientID: r.PatientID, UploaderID: r.UploaderID, UploaderKind: kernel.AccountKind(r.UploaderKind),
		Kind: clinical.DocumentKind(r.Kind), Title: r.Title, FileName: r.FileName, ContentType: r.ContentType, Size: r.Size,
		Checksum: r.Checksum, BlobKey: r.BlobKey, CreatedAt: r.CreatedAt.UTC()}
}
