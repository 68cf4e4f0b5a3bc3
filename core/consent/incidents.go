package consent

// IncidentStore is a placeholder the incidents part fills in.
type IncidentStore interface{}
