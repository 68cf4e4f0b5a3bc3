package consent

import "github.com/multisaude/multisaude/ports"

// Consumer is one of consent's queue consumers.
type Consumer struct {
	Name   string
	Topic  string
	Handle ports.Handler
}

// Consumers lists consent's consumers; each part adds its own.
func (s *Service) Consumers() []Consumer {
	var cs []Consumer
	cs = append(cs, s.exportConsumers()...)
	cs = append(cs, s.erasureConsumers()...)
	cs = append(cs, s.auditConsumers()...)
	return cs
}
