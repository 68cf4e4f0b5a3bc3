package clinical

// Maxima of what a request may hold, checked before any per-item work (a list
// is counted before its items are looked at). httpapi declares the same
// constants, so the API document shows them.
const (
	MaxText          = 20000 // characters of one section of an evaluation
	MaxICD10         = 20    // ICD-10 codes of an evaluation
	MaxPlanTitleLen  = 200
	MaxGoals         = 20  // goals of a plan
	MaxGoalLen       = 500 // characters of one goal
	MaxPlanItems     = 100 // items of a plan
	MaxItemTextLen   = 2000
	MaxTags          = 10 // tags of a plan item
	MaxTagLen        = 60
	MaxRxItems       = 20 // items of a prescription
	MaxRxTextLen     = 1000
	MaxAddressLen    = 500  // characters of the patient's address on a prescription
	MaxReasonLen     = 1000 // characters of a reason (emergency access, cancellation)
	MaxNoteLen       = 1000 // characters of a progress note
	MaxDocTitleLen   = 200
	MaxBuyerFieldLen = 200 // characters of a buyer's name or document at dispensing
)
