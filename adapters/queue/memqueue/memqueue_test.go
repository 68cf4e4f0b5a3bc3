package memqueue_test

import (
	"testing"

	"github.com/multisaude/multisaude/adapters/queue/memqueue"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunQueue(t, func(t *testing.T, opts ports.QueueOptions) ports.Queue {
		return memqueue.New(opts)
	})
}
