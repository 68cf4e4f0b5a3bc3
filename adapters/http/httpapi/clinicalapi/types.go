package clinicalapi

import (
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/clinical"
)

// --- shares, access log ---

// ShareRequest grants a professional access to the caller's record.
type ShareRequest struct {
	ProfessionalID string `json:"professional_id"`
	Until          string `json:"until"` // RFC 3339 with offset
}

// BreakGlassRequest opens a record in an emergency.
type BreakGlassRequest struct {
	Reason string `json:"reason"`
}

// ShareResponse is a share or an emergency grant.
type ShareResponse struct {
	ID             string     `json:"id"`
	PatientID      string     `json:"patient_id"`
	ProfessionalID string     `json:"professional_id"`
	Kind           string     `json:"kind"`
	Reason         string     `json:"reason,omitempty"`
	Until          time.Time  `json:"until"`
	RevokedAt      *time.Time `json:"revoked_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

func shareOut(s clinical.Share) ShareResponse {
	return ShareResponse{ID: s.ID, PatientID: s.PatientID, ProfessionalID: s.ProfessionalID, Kind: string(s.Kind),
		Reason: s.Reason, Until: s.Until, RevokedAt: s.RevokedAt, CreatedAt: s.CreatedAt}
}

// AccessEntryResponse is one line of the access log.
type AccessEntryResponse struct {
	ID         string    `json:"id"`
	ActorID    string    `json:"actor_id"`
	ActorKind  string    `json:"actor_kind"`
	ActorName  string    `json:"actor_name,omitempty"`
	ObjectType string    `json:"object_type"`
	ObjectID   string    `json:"object_id,omitempty"`
	Action     string    `json:"action"`
	Basis      string    `json:"basis"`
	Emergency  bool      `json:"emergency"`
	At         time.Time `json:"at"`
}

func accessOut(e clinical.AccessEntry) AccessEntryResponse {
	return AccessEntryResponse{ID: e.ID, ActorID: e.ActorID, ActorKind: string(e.ActorKind), ActorName: e.ActorName, ObjectType: e.ObjectType,
		ObjectID: e.ObjectID, Action: e.Action, Basis: string(e.Basis), Emergency: e.Basis == clinical.BasisEmergency, At: e.At}
}

// --- evaluations ---

// VitalSigns are measures with physiological ranges.
type VitalSigns struct {
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

// EvaluationContent is what a professional writes; the detailed kind adds its sections.
type EvaluationContent struct {
	Kind             string      `json:"kind"`
	Reason           string      `json:"reason,omitempty"`
	Notes            string      `json:"notes,omitempty"`
	ChiefComplaint   string      `json:"chief_complaint,omitempty"`
	PresentIllness   string      `json:"history_of_present_illness,omitempty"`
	PastHistory      string      `json:"past_history,omitempty"`
	MedicationsInUse string      `json:"medications_in_use,omitempty"`
	Allergies        string      `json:"allergies,omitempty"`
	Habits           string      `json:"habits,omitempty"`
	PhysicalExam     string      `json:"physical_examination,omitempty"`
	Assessment       string      `json:"assessment,omitempty"`
	ICD10            []string    `json:"icd10,omitempty"`
	Plan             string      `json:"plan,omitempty"`
	VitalSigns       *VitalSigns `json:"vital_signs,omitempty"`
}

func (c EvaluationContent) toDomain() clinical.EvaluationContent {
	out := clinical.EvaluationContent{Kind: clinical.EvaluationKind(c.Kind), Reason: c.Reason, Notes: c.Notes,
		ChiefComplaint: c.ChiefComplaint, PresentIllness: c.PresentIllness, PastHistory: c.PastHistory,
		MedicationsInUse: c.MedicationsInUse, Allergies: c.Allergies, Habits: c.Habits, PhysicalExam: c.PhysicalExam,
		Assessment: c.Assessment, ICD10: c.ICD10, Plan: c.Plan}
	if c.VitalSigns != nil {
		out.VitalSigns = clinical.VitalSigns(*c.VitalSigns)
	}
	return out
}

// EvaluationRequest creates an evaluation (flat, so that decoding errors name
// the JSON field alone).
type EvaluationRequest struct {
	Kind             string      `json:"kind"`
	Reason           string      `json:"reason,omitempty"`
	Notes            string      `json:"notes,omitempty"`
	ChiefComplaint   string      `json:"chief_complaint,omitempty"`
	PresentIllness   string      `json:"history_of_present_illness,omitempty"`
	PastHistory      string      `json:"past_history,omitempty"`
	MedicationsInUse string      `json:"medications_in_use,omitempty"`
	Allergies        string      `json:"allergies,omitempty"`
	Habits           string      `json:"habits,omitempty"`
	PhysicalExam     string      `json:"physical_examination,omitempty"`
	Assessment       string      `json:"assessment,omitempty"`
	ICD10            []string    `json:"icd10,omitempty"`
	Plan             string      `json:"plan,omitempty"`
	VitalSigns       *VitalSigns `json:"vital_signs,omitempty"`
	AppointmentID    string      `json:"appointment_id,omitempty"`
	Sign             bool        `json:"sign,omitempty"`
}

func (r EvaluationRequest) content() EvaluationContent {
	return EvaluationContent{Kind: r.Kind, Reason: r.Reason, Notes: r.Notes, ChiefComplaint: r.ChiefComplaint,
		PresentIllness: r.PresentIllness, PastHistory: r.PastHistory, MedicationsInUse: r.MedicationsInUse,
		Allergies: r.Allergies, Habits: r.Habits, PhysicalExam: r.PhysicalExam, Assessment: r.Assessment,
		ICD10: r.ICD10, Plan: r.Plan, VitalSigns: r.VitalSigns}
}

// AmendEvaluationRequest replaces an evaluation's content in a new version.
type AmendEvaluationRequest struct {
	Kind             string      `json:"kind"`
	Reason           string      `json:"reason,omitempty"`
	Notes            string      `json:"notes,omitempty"`
	ChiefComplaint   string      `json:"chief_complaint,omitempty"`
	PresentIllness   string      `json:"history_of_present_illness,omitempty"`
	PastHistory      string      `json:"past_history,omitempty"`
	MedicationsInUse string      `json:"medications_in_use,omitempty"`
	Allergies        string      `json:"allergies,omitempty"`
	Habits           string      `json:"habits,omitempty"`
	PhysicalExam     string      `json:"physical_examination,omitempty"`
	Assessment       string      `json:"assessment,omitempty"`
	ICD10            []string    `json:"icd10,omitempty"`
	Plan             string      `json:"plan,omitempty"`
	VitalSigns       *VitalSigns `json:"vital_signs,omitempty"`
	AmendReason      string      `json:"amend_reason"`
}

func (r AmendEvaluationRequest) content() EvaluationContent {
	return EvaluationRequest{Kind: r.Kind, Reason: r.Reason, Notes: r.Notes, ChiefComplaint: r.ChiefComplaint,
		PresentIllness: r.PresentIllness, PastHistory: r.PastHistory, MedicationsInUse: r.MedicationsInUse,
		Allergies: r.Allergies, Habits: r.Habits, PhysicalExam: r.PhysicalExam, Assessment: r.Assessment,
		ICD10: r.ICD10, Plan: r.Plan, VitalSigns: r.VitalSigns}.content()
}

// EvaluationResponse is one version of an evaluation.
type EvaluationResponse struct {
	ID            string `json:"id"`
	Version       int    `json:"version"`
	PatientID     string `json:"patient_id"`
	AuthorID      string `json:"author_id"`
	AppointmentID string `json:"appointment_id,omitempty"`
	EvaluationContent
	BMI          *float64   `json:"bmi"`
	SignedAt     *time.Time `json:"signed_at"`
	CreatedAt    time.Time  `json:"created_at"`
	AmendReason  string     `json:"amend_reason,omitempty"`
	MetadataOnly bool       `json:"metadata_only"`
}

func evaluationOut(e clinical.Evaluation) EvaluationResponse {
	c := e.Content
	v := VitalSigns(c.VitalSigns)
	out := EvaluationResponse{ID: e.ID, Version: e.Version, PatientID: e.PatientID, AuthorID: e.AuthorID, AppointmentID: e.AppointmentID,
		EvaluationContent: EvaluationContent{Kind: string(c.Kind), Reason: c.Reason, Notes: c.Notes, ChiefComplaint: c.ChiefComplaint,
			PresentIllness: c.PresentIllness, PastHistory: c.PastHistory, MedicationsInUse: c.MedicationsInUse, Allergies: c.Allergies,
			Habits: c.Habits, PhysicalExam: c.PhysicalExam, Assessment: c.Assessment, ICD10: c.ICD10, Plan: c.Plan},
		BMI: e.BMI(), SignedAt: e.SignedAt, CreatedAt: e.CreatedAt, AmendReason: e.AmendReason}
	if v != (VitalSigns{}) {
		out.VitalSigns = &v
	}
	out.MetadataOnly = c.Reason == "" && c.ChiefComplaint == "" // content is always required; blank only when redacted
	return out
}

// VersionsResponse lists an evaluation's versions, oldest first.
type VersionsResponse struct {
	Items []EvaluationResponse `json:"items"`
}

// SchemaName is the schema's product name.
func (VersionsResponse) SchemaName() string { return "EvaluationVersionList" }

// --- plans ---

// PlanItemBody is one item of a plan.
type PlanItemBody struct {
	ID          string   `json:"id,omitempty"`
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
	Tags        []string `json:"tags,omitempty"`
	Suppliers   []string `json:"suppliers,omitempty"` // read-only: ignored when sent back
}

// SchemaName is the schema's product name.
func (PlanItemBody) SchemaName() string { return "PlanItem" }

// PlanRequest creates or replaces a plan. Dates are YYYY-MM-DD.
type PlanRequest struct {
	Title  string         `json:"title"`
	Goals  []string       `json:"goals,omitempty"`
	Start  string         `json:"start"`
	End    string         `json:"end,omitempty"`
	Status string         `json:"status,omitempty"`
	Items  []PlanItemBody `json:"items"`
}

func parseDate(field, s string, required bool, probs *kernelProblems) *time.Time {
	if s == "" {
		if required {
			probs.Add(field, "é obrigatório")
		}
		return nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		probs.Add(field, "deve ser uma data como 2026-12-01")
		return nil
	}
	return &t
}

// PlanItemResponse is an item with the partner types that may supply it.
type PlanItemResponse struct {
	PlanItemBody
	Tags      []string `json:"tags"`
	Suppliers []string `json:"suppliers"`
}

// PlanResponse is a treatment plan.
type PlanResponse struct {
	ID        string             `json:"id"`
	PatientID string             `json:"patient_id"`
	AuthorID  string             `json:"author_id"`
	Title     string             `json:"title"`
	Goals     []string           `json:"goals"`
	Start     string             `json:"start"`
	End       string             `json:"end,omitempty"`
	Status    string             `json:"status"`
	Items     []PlanItemResponse `json:"items"`
	Version   int64              `json:"version"`
	CreatedAt time.Time          `json:"created_at"`
	UpdatedAt time.Time          `json:"updated_at"`
}

func planOut(p clinical.Plan) PlanResponse {
	out := PlanResponse{ID: p.ID, PatientID: p.PatientID, AuthorID: p.AuthorID, Title: p.Title, Goals: p.Goals,
		Start: p.Start.Format("2006-01-02"), Status: string(p.Status), Version: p.Version, CreatedAt: p.CreatedAt,
		UpdatedAt: p.UpdatedAt, Items: []PlanItemResponse{}}
	if out.Goals == nil {
		out.Goals = []string{}
	}
	if p.End != nil {
		out.End = p.End.Format("2006-01-02")
	}
	for _, it := range p.Items {
		tags := it.Tags
		if tags == nil {
			tags = []string{}
		}
		sup := it.Suppliers()
		if sup == nil {
			sup = []string{}
		}
		out.Items = append(out.Items, PlanItemResponse{PlanItemBody: PlanItemBody{ID: it.ID, Kind: string(it.Kind), Name: it.Name,
			Description: it.Description, Dosage: it.Dosage, Frequency: it.Frequency, Duration: it.Duration, Quantity: it.Quantity,
			Intensity: it.Intensity, NeedsGym: it.NeedsGym, Equipment: it.Equipment}, Tags: tags, Suppliers: sup})
	}
	return out
}

// ProgressRequest marks progress on a plan item.
type ProgressRequest struct {
	ItemID string `json:"item_id"`
	Date   string `json:"date"`
	Done   bool   `json:"done"`
	Note   string `json:"note,omitempty"`
}

// ProgressResponse is one progress mark.
type ProgressResponse struct {
	ID        string    `json:"id"`
	PlanID    string    `json:"plan_id"`
	ItemID    string    `json:"item_id"`
	Date      string    `json:"date"`
	Done      bool      `json:"done"`
	Note      string    `json:"note,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func progressOut(p clinical.Progress) ProgressResponse {
	return ProgressResponse{ID: p.ID, PlanID: p.PlanID, ItemID: p.ItemID, Date: p.Date.Format("2006-01-02"), Done: p.Done,
		Note: p.Note, CreatedAt: p.CreatedAt}
}

// --- prescriptions ---

// RxItemBody is one prescribed drug.
type RxItemBody struct {
	Drug             string `json:"drug"`
	ActiveIngredient string `json:"active_ingredient,omitempty"`
	Concentration    string `json:"concentration,omitempty"`
	Form             string `json:"form,omitempty"`
	Dosage           string `json:"dosage"`
	Quantity         string `json:"quantity,omitempty"`
	Route            string `json:"route,omitempty"`
	Instructions     string `json:"instructions,omitempty"`
}

// SchemaName is the schema's product name.
func (RxItemBody) SchemaName() string { return "PrescriptionItem" }

// PrescriptionRequest issues a prescription.
type PrescriptionRequest struct {
	Type           string       `json:"type"`
	Items          []RxItemBody `json:"items"`
	PatientAddress string       `json:"patient_address,omitempty"`
}

// PrescriberBody identifies the prescriber.
type PrescriberBody struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	Profession    string `json:"profession"`
	CouncilType   string `json:"council_type"`
	CouncilNumber string `json:"council_number"`
	CouncilUF     string `json:"council_uf"`
}

// SchemaName is the schema's product name.
func (PrescriberBody) SchemaName() string { return "Prescriber" }

// PrescriptionResponse is an issued prescription.
type PrescriptionResponse struct {
	ID               string         `json:"id"`
	PatientID        string         `json:"patient_id"`
	Type             string         `json:"type"`
	Status           string         `json:"status"`
	VerificationCode string         `json:"verification_code,omitempty"`
	Prescriber       PrescriberBody `json:"prescriber"`
	Items            []RxItemBody   `json:"items"`
	PatientAddress   string         `json:"patient_address,omitempty"`
	Copies           int            `json:"copies,omitempty"`
	IssuedAt         time.Time      `json:"issued_at"`
	ValidUntil       *time.Time     `json:"valid_until"`
	DispensedAt      *time.Time     `json:"dispensed_at"`
	CancelledAt      *time.Time     `json:"cancelled_at"`
	SignatureAlg     string         `json:"signature_algorithm,omitempty"`
	SignatureKeyID   string         `json:"signature_key_id,omitempty"`
}

func rxOut(rx clinical.Prescription) PrescriptionResponse {
	p := rx.Prescriber
	out := PrescriptionResponse{ID: rx.ID, PatientID: rx.PatientID, Type: string(rx.Type), Status: string(rx.Status),
		VerificationCode: rx.VerificationCode, Prescriber: PrescriberBody(p), Items: []RxItemBody{},
		PatientAddress: rx.PatientAddress, Copies: rx.Copies, IssuedAt: rx.IssuedAt, ValidUntil: rx.ValidUntil,
		CancelledAt: rx.CancelledAt, SignatureAlg: rx.Signature.Algorithm, SignatureKeyID: rx.Signature.KeyID}
	for _, it := range rx.Items {
		out.Items = append(out.Items, RxItemBody(it))
	}
	if rx.Dispensed != nil {
		out.DispensedAt = &rx.Dispensed.At
	}
	return out
}

// CancelRequest cancels a prescription.
type CancelRequest struct {
	Reason string `json:"reason,omitempty"`
}

// SchemaName shares the schema of every body that is only a reason (cancel, reject).
func (CancelRequest) SchemaName() string { return "ReasonRequest" }

// DispenseRequest is sent by the pharmacy; the buyer is required for special control.
type DispenseRequest struct {
	BuyerName     string `json:"buyer_name,omitempty"`
	BuyerDocument string `json:"buyer_document,omitempty"`
}

// VerifiedPrescriber is what the public verification shows of the prescriber.
type VerifiedPrescriber struct {
	Name          string `json:"name"`
	Profession    string `json:"profession"`
	CouncilType   string `json:"council_type"`
	CouncilNumber string `json:"council_number"`
	CouncilUF     string `json:"council_uf"`
}

// VerifiedItem is what a pharmacy needs of an item.
type VerifiedItem struct {
	Drug          string `json:"drug"`
	Concentration string `json:"concentration,omitempty"`
	Form          string `json:"form,omitempty"`
	Quantity      string `json:"quantity,omitempty"`
}

// VerifyResponse is the public answer for a verification code: the minimum data.
type VerifyResponse struct {
	Valid           bool               `json:"valid"`
	Reason          string             `json:"reason,omitempty"`
	Type            string             `json:"type"`
	Prescriber      VerifiedPrescriber `json:"prescriber"`
	PatientInitials string             `json:"patient_initials"`
	Items           []VerifiedItem     `json:"items"`
	IssuedAt        time.Time          `json:"issued_at"`
	ValidUntil      *time.Time         `json:"valid_until"`
	Dispensed       bool               `json:"dispensed"`
	DispensedAt     *time.Time         `json:"dispensed_at"`
}

func verifyOut(v clinical.Verification) VerifyResponse {
	rx := v.Rx
	out := VerifyResponse{Valid: v.Valid, Reason: v.Reason, Type: string(rx.Type), PatientInitials: v.Initials,
		Prescriber: VerifiedPrescriber{Name: rx.Prescriber.Name, Profession: rx.Prescriber.Profession,
			CouncilType: rx.Prescriber.CouncilType, CouncilNumber: rx.Prescriber.CouncilNumber, CouncilUF: rx.Prescriber.CouncilUF},
		IssuedAt: rx.IssuedAt, ValidUntil: rx.ValidUntil, Dispensed: v.Dispensed, Items: []VerifiedItem{}}
	for _, it := range rx.Items {
		out.Items = append(out.Items, VerifiedItem{Drug: it.Drug, Concentration: it.Concentration, Form: it.Form, Quantity: it.Quantity})
	}
	if rx.Dispensed != nil {
		out.DispensedAt = &rx.Dispensed.At
	}
	return out
}

// --- documents ---

// DocumentResponse is a document's metadata.
type DocumentResponse struct {
	ID           string    `json:"id"`
	PatientID    string    `json:"patient_id"`
	UploaderID   string    `json:"uploader_id"`
	UploaderKind string    `json:"uploader_kind"`
	Kind         string    `json:"kind"`
	Title        string    `json:"title,omitempty"`
	FileName     string    `json:"file_name,omitempty"`
	ContentType  string    `json:"content_type"`
	Size         int64     `json:"size"`
	Checksum     string    `json:"sha256"`
	CreatedAt    time.Time `json:"created_at"`
}

func documentOut(d clinical.Document) DocumentResponse {
	if d.FileName != "" { // empty for admins (Meta)
		d.FileName = clinical.CleanFileName(d.FileName, d.ContentType)
	}
	return DocumentResponse{ID: d.ID, PatientID: d.PatientID, UploaderID: d.UploaderID, UploaderKind: string(d.UploaderKind),
		Kind: string(d.Kind), Title: d.Title, FileName: d.FileName, ContentType: d.ContentType, Size: d.Size,
		Checksum: d.Checksum, CreatedAt: d.CreatedAt}
}

// UploadForm documents the multipart upload's fields.
type UploadForm struct {
	Kind  string `json:"kind"`
	Title string `json:"title,omitempty"`
	File  []byte `json:"file"`
}

// SchemaName is the schema's product name.
func (UploadForm) SchemaName() string { return "DocumentUpload" }

// --- history, patients ---

// HistoryEntryResponse is one line of the timeline.
type HistoryEntryResponse struct {
	Kind     string    `json:"kind"`
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	AuthorID string    `json:"author_id,omitempty"`
	Summary  string    `json:"summary,omitempty"`
	Status   string    `json:"status,omitempty"`
}

func historyOut(e clinical.HistoryEntry) HistoryEntryResponse {
	return HistoryEntryResponse{Kind: string(e.Kind), ID: e.ID, At: e.At, AuthorID: e.AuthorID, Summary: e.Summary, Status: e.Status}
}

// PatientSummaryResponse is a patient a professional attends.
type PatientSummaryResponse struct {
	PatientID   string     `json:"patient_id"`
	Name        string     `json:"name"`
	LastVisit   *time.Time `json:"last_visit"`
	ActivePlans int        `json:"active_plans"`
}

func patientOut(p clinical.PatientSummary) PatientSummaryResponse {
	return PatientSummaryResponse{PatientID: p.PatientID, Name: p.Name, LastVisit: p.LastVisit, ActivePlans: p.ActivePlans}
}

// Maxima of the request bodies (see httpapi.Bounded): the use cases' own
// constants; and the closed sets, patterns, ranges and formats the use cases
// check, from the use cases' own declarations (documented on responses too).

const maxShort = 60 // any other string: kinds, IDs, dates, RFC 3339 times

var (
	uuid     = httpapi.Limit{Format: "uuid"}
	date     = httpapi.Limit{Format: "date"}
	dateTime = httpapi.Limit{Format: "date-time"}
)

func (ShareRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"professional_id": uuid, "until": dateTime, httpapi.AnyString: {Length: maxShort}}
}

func (ShareResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "patient_id": uuid, "professional_id": uuid, "kind": {Enum: clinical.ShareKinds()}}
}

func (BreakGlassRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"reason": {Length: clinical.MaxReasonLen}}
}

func evaluationLimits() httpapi.Limits {
	return httpapi.Limits{"kind": {Length: maxShort, Enum: clinical.EvaluationKinds()}, "appointment_id": {Length: maxShort, Format: "uuid"},
		"icd10": {Items: clinical.MaxICD10, Length: 10, Pattern: clinical.ICD10Pattern()}, "amend_reason": {Length: clinical.MaxReasonLen},
		httpapi.AnyString: {Length: clinical.MaxText}}
}

func (EvaluationRequest) Limits() httpapi.Limits      { return evaluationLimits() }
func (AmendEvaluationRequest) Limits() httpapi.Limits { return evaluationLimits() }
func (EvaluationContent) Limits() httpapi.Limits      { return evaluationLimits() }

// Limits documents each measure's physiological range (clinical.VitalRanges).
func (VitalSigns) Limits() httpapi.Limits {
	l := httpapi.Limits{}
	for _, r := range clinical.VitalRanges {
		l[r.Field] = httpapi.Limit{Range: &httpapi.Range{Min: r.Min, Max: r.Max}}
	}
	return l
}

func (PlanItemBody) Limits() httpapi.Limits {
	return httpapi.Limits{"tags": {Items: clinical.MaxTags, Length: clinical.MaxTagLen, Pattern: clinical.TagPattern()},
		"suppliers": {Items: clinical.MaxTags, Length: maxShort}, "id": {Length: maxShort}, "kind": {Length: maxShort, Enum: clinical.ItemKinds()},
		httpapi.AnyString: {Length: clinical.MaxItemTextLen}}
}

func (PlanRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"title": {Length: clinical.MaxPlanTitleLen}, "goals": {Items: clinical.MaxGoals, Length: clinical.MaxGoalLen},
		"items": {Items: clinical.MaxPlanItems}, "start": date, "end": date, "status": {Enum: clinical.PlanStatuses()},
		httpapi.AnyString: {Length: maxShort}}
}

func (PlanResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "patient_id": uuid, "author_id": uuid, "start": date, "end": date,
		"status": {Enum: clinical.PlanStatuses()}}
}

func (ProgressRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"note": {Length: clinical.MaxNoteLen}, "date": date, httpapi.AnyString: {Length: maxShort}}
}

func (ProgressResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "plan_id": uuid, "date": date}
}

func (RxItemBody) Limits() httpapi.Limits {
	return httpapi.Limits{httpapi.AnyString: {Length: clinical.MaxRxTextLen}}
}

func (PrescriptionRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"items": {Items: clinical.MaxRxItems}, "patient_address": {Length: clinical.MaxAddressLen},
		"type": {Enum: clinical.PrescriptionTypes()}, httpapi.AnyString: {Length: maxShort}}
}

func (PrescriptionResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "patient_id": uuid, "type": {Enum: clinical.PrescriptionTypes()},
		"status": {Enum: clinical.PrescriptionStatuses()}}
}

func (VerifyResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"type": {Enum: clinical.PrescriptionTypes()}}
}

func (CancelRequest) Limits() httpapi.Limits {
	return httpapi.Limits{"reason": {Length: clinical.MaxReasonLen}}
}

func (DispenseRequest) Limits() httpapi.Limits {
	return httpapi.Limits{httpapi.AnyString: {Length: clinical.MaxBuyerFieldLen}}
}

func (UploadForm) Limits() httpapi.Limits {
	return httpapi.Limits{"title": {Length: clinical.MaxDocTitleLen}, "kind": {Length: maxShort, Enum: clinical.DocumentKinds()}}
}

func (DocumentResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"id": uuid, "patient_id": uuid, "uploader_id": uuid, "kind": {Enum: clinical.DocumentKinds()},
		"content_type": {Enum: clinical.AllowedContentTypes}, "sha256": {Pattern: "^[0-9a-f]{64}$"}}
}

func (HistoryEntryResponse) Limits() httpapi.Limits {
	return httpapi.Limits{"kind": {Enum: clinical.HistoryKinds()}, "id": uuid}
}
