package consent

// ErasureStore is a placeholder the erasure part fills in.
type ErasureStore interface{}

// Eraser is a placeholder the erasure part fills in.
type Eraser interface{}

func (s *Service) erasureConsumers() []Consumer { return nil }
