package consent

// AuditStore is a placeholder the audit part fills in.
type AuditStore interface{}

func (s *Service) auditConsumers() []Consumer { return nil }
