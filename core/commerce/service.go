package commerce

import (
	"log/slog"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Deps are the ports commerce uses. Each store part may be given alone (tests
// of one part leave the others nil).
type Deps struct {
	Catalog   CatalogStore
	Orders    OrderStore
	Payments  PaymentStore
	Hooks     WebhookStore
	Dir       Directory
	Pay       ports.Payments
	Scheduler ports.Scheduler
	Notifier  ports.Notifier
	Sender    ports.WebhookSender
	Geocoder  ports.Geocoder
	Consents  ports.Consents // partner_sharing consent and disclosures; nil: not checked (unit tests)
	Clock     kernel.Clock
	Log       *slog.Logger
}

// Config tunes commerce.
type Config struct {
	// PayWindow: an unpaid order is cancelled and its stock released this long after creation.
	PayWindow time.Duration
	// PlatformFeeBP is the platform's fee in basis points of each paid order (0: none).
	PlatformFeeBP int64
	// WebhookMaxAttempts: deliveries of one event before it is dead-lettered.
	WebhookMaxAttempts int
	// SecretOverlap: how long a rotated webhook secret keeps signing.
	SecretOverlap time.Duration
}

func (c Config) withDefaults() Config {
	if c.PayWindow <= 0 {
		c.PayWindow = 30 * time.Minute
	}
	if c.WebhookMaxAttempts <= 0 {
		c.WebhookMaxAttempts = 8
	}
	if c.SecretOverlap <= 0 {
		c.SecretOverlap = 24 * time.Hour
	}
	return c
}

// Service holds commerce's use cases.
type Service struct {
	Deps
	cfg Config
}

// NewService builds the use cases.
func NewService(d Deps, cfg Config) *Service {
	if d.Clock == nil {
		d.Clock = kernel.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{Deps: d, cfg: cfg.withDefaults()}
}

// Config returns the configuration in force.
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }
