package sqsqueue_test

import (
	"context"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/fakes/sqsfake"
)

func conformanceQueue(standard bool) func(t *testing.T, opts ports.QueueOptions) ports.Queue {
	return func(t *testing.T, opts ports.QueueOptions) ports.Queue {
		fake := sqsfake.New()
		t.Cleanup(fake.Close)
		q, cleanup, err := sqsqueue.New(context.Background(), sqsqueue.Config{
			Region: "us-east-1", Endpoint: fake.URL(), AccessKeyID: "test", SecretAccessKey: "test",
			WaitTime: time.Second, Standard: standard, QueueOptions: opts,
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(cleanup)
		return q
	}
}

// The SQS adapter's queues are FIFO by default; that is what passes the suite's
// per-key ordering on real SQS too.
func TestConformanceFIFO(t *testing.T) { conformance.RunQueue(t, conformanceQueue(false)) }

// Standard queues pass against sqsfake, which delivers in order; real standard
// SQS queues do not promise per-key order (see Config.Standard).
func TestConformanceStandard(t *testing.T) { conformance.RunQueue(t, conformanceQueue(true)) }
