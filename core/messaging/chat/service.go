package chat

import (
	"log/slog"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Deps are the service's ports.
type Deps struct {
	Store     Store
	Relations Relations
	Records   RecordLog // the clinical access log; nil logs nothing (unit tests)
	Sealer    Sealer
	Files     FileRule // the documents' file rule; nil refuses attachments
	Blobs     ports.BlobStore
	Live      ports.LiveBus // nil: no live notices (the store still has everything)
	Clock     kernel.Clock
	Log       *slog.Logger
}

// DefaultMaxTextRunes is the longest message text, in characters, by default.
const DefaultMaxTextRunes = 4000

// Config tunes the service; zero values take the defaults.
type Config struct {
	MaxTextRunes  int           // default DefaultMaxTextRunes
	MaxAttachment int64         // bytes read by the HTTP layer; default 20 MiB (Files decides the rule)
	SendPerMinute int           // per sender; default 30
	TicketTTL     time.Duration // default 30 s
	FeedLimit     int           // messages per resume batch; default 200
	// OrderGrace is how long an order conversation stays writable after the
	// order reached a final state; default 30 days.
	OrderGrace time.Duration
}

// Service holds chat's use cases. Every method takes the caller first.
type Service struct {
	d   Deps
	cfg Config
}

// NewService builds the service.
func NewService(d Deps, cfg Config) *Service {
	if cfg.MaxTextRunes <= 0 {
		cfg.MaxTextRunes = DefaultMaxTextRunes
	}
	if cfg.MaxAttachment <= 0 {
		cfg.MaxAttachment = 20 << 20
	}
	if cfg.SendPerMinute <= 0 {
		cfg.SendPerMinute = 30
	}
	if cfg.TicketTTL <= 0 {
		cfg.TicketTTL = 30 * time.Second
	}
	if cfg.OrderGrace <= 0 {
		cfg.OrderGrace = 30 * 24 * time.Hour
	}
	if cfg.FeedLimit <= 0 {
		cfg.FeedLimit = 200
	}
	if d.Clock == nil {
		d.Clock = kernel.SystemClock{}
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d, cfg: cfg}
}

// Config returns the service's configuration (with defaults applied).
func (s *Service) Config() Config { return s.cfg }

func (s *Service) now() time.Time { return s.d.Clock.Now().UTC().Truncate(time.Microsecond) }
