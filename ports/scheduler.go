package ports

import (
	"context"
	"time"
)

// Job is a message to publish at a given time.
type Job struct {
	ID  string    // unique; scheduling the same ID again replaces the job
	At  time.Time // when to publish
	Msg Message   // what to publish on the queue
}

// Scheduler publishes messages at a future time, durably (a restart loses nothing).
type Scheduler interface {
	// Schedule registers or replaces the job.
	Schedule(ctx context.Context, j Job) error
	// Cancel removes a job not yet fired; kernel.KindNotFound if there is none.
	Cancel(ctx context.Context, id string) error
}
