package fhirapi

// Stubs: replaced by the real resource types.
func (f *Facade) patientType() *resourceType    { return stubType("Patient") }
func (f *Facade) consentType() *resourceType    { return stubType("Consent") }
func (f *Facade) auditEventType() *resourceType { return stubType("AuditEvent") }
