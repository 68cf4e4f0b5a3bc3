package consent

// ExportStore is a placeholder the exports part fills in.
type ExportStore interface{}

// ExportSource is a placeholder the exports part fills in.
type ExportSource interface{}

func (s *Service) exportConsumers() []Consumer { return nil }
