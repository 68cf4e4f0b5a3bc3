package fhirapi

// Stubs: replaced by the real resource types.
func (f *Facade) practitionerType() *resourceType     { return stubType("Practitioner") }
func (f *Facade) practitionerRoleType() *resourceType { return stubType("PractitionerRole") }
func (f *Facade) organizationType() *resourceType     { return stubType("Organization") }
func (f *Facade) locationType() *resourceType         { return stubType("Location") }
func (f *Facade) scheduleType() *resourceType         { return stubType("Schedule") }
func (f *Facade) slotType() *resourceType             { return stubType("Slot") }
