package fhirapi

// Stubs: replaced by the real resource types.
func (f *Facade) encounterType() *resourceType         { return stubType("Encounter") }
func (f *Facade) observationType() *resourceType       { return stubType("Observation") }
func (f *Facade) conditionType() *resourceType         { return stubType("Condition") }
func (f *Facade) carePlanType() *resourceType          { return stubType("CarePlan") }
func (f *Facade) medicationRequestType() *resourceType { return stubType("MedicationRequest") }
func (f *Facade) documentReferenceType() *resourceType { return stubType("DocumentReference") }
func (f *Facade) provenanceType() *resourceType        { return stubType("Provenance") }
