package consent

import (
	"log/slog"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Deps are the ports consent uses. Each part may be given alone (tests of one
// part leave the others nil).
type Deps struct {
	Ledger      LedgerStore      // consents (ledger.go)
	Disclosures DisclosureStore  // disclosures recorded by other contexts (sharing.go)
	Exports     ExportStore      // export jobs (exports.go)
	Erasures    ErasureStore     // erasure requests (erasure.go)
	Incidents   IncidentStore    // the incident register (incidents.go)
	Audit       AuditStore       // reading and verifying the audit trail (audit.go)
	Source      ExportSource     // what other contexts hold about a subject (exports.go)
	Eraser      Eraser           // other contexts' anonymisation and blocking (erasure.go)
	Sharing     SharingSource    // other contexts' access logs (sharing.go)
	Trail       ports.AuditTrail // appending to the audit trail
	Blobs       ports.BlobStore
	Keys        ports.KeyManager
	Scheduler   ports.Scheduler
	Notifier    ports.Notifier
	Clock       kernel.Clock
	Log         *slog.Logger
}

// Config tunes consent.
type Config struct {
	// ExportTTL: how long an export stays downloadable (default ExportTTL, 7 days).
	ExportTTL time.Duration
	// ExportAttempts: builds of one export before it is marked failed; set it
	// to the queue's MaxAttempts (default DefaultExportAttempts).
	ExportAttempts int
}

func (c Config) withDefaults() Config {
	if c.ExportTTL <= 0 {
		c.ExportTTL = ExportTTL
	}
	if c.ExportAttempts <= 0 {
		c.ExportAttempts = DefaultExportAttempts
	}
	return c
}

// Service holds consent's use cases.
type Service struct {
	Deps
	cfg Config
}

// NewService builds the use cases.
func NewService(d Deps, cfg Config) *Service {
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Clock == nil {
		d.Clock = kernel.SystemClock{}
	}
	return &Service{Deps: d, cfg: cfg.withDefaults()}
}

func (s *Service) now() time.Time { return s.Clock.Now().UTC() }
