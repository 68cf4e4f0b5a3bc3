package clinical

// The closed sets clinical validates against, listed for the API's description.

// EvaluationKinds lists the kinds of evaluation.
func EvaluationKinds() []string { return []string{string(Simplified), string(Detailed)} }

// ItemKinds lists the kinds of treatment plan item.
func ItemKinds() []string {
	return []string{string(ItemMedication), string(ItemDiet), string(ItemExercise), string(ItemProduct), string(ItemExam), string(ItemTherapy)}
}

// PlanStatuses lists a treatment plan's statuses.
func PlanStatuses() []string {
	return []string{string(PlanDraft), string(PlanActive), string(PlanCompleted), string(PlanCancelled)}
}

// PrescriptionTypes lists the kinds of prescription.
func PrescriptionTypes() []string { return []string{string(RxSimple), string(RxSpecialControl)} }

// PrescriptionStatuses lists a prescription's statuses.
func PrescriptionStatuses() []string {
	return []string{string(RxIssued), string(RxDispensed), string(RxCancelled)}
}

// DocumentKinds lists the kinds of medical document.
func DocumentKinds() []string {
	out := []string{}
	for _, k := range []DocumentKind{DocExamResult, DocReport, DocImage, DocCertificate, DocOther} {
		if k.valid() {
			out = append(out, string(k))
		}
	}
	return out
}

// HistoryKinds lists the kinds of timeline entry.
func HistoryKinds() []string {
	return []string{string(HistAppointment), string(HistEvaluation), string(HistPlan), string(HistPrescription), string(HistDocument)}
}

// ShareKinds lists the kinds of record access grant.
func ShareKinds() []string { return []string{string(ShareGranted), string(ShareEmergency)} }

// ICD10Pattern is the pattern an ICD-10 code matches.
func ICD10Pattern() string { return icd10.String() }

// TagPattern is the pattern a plan item's tag matches.
func TagPattern() string { return tagPattern.String() }
