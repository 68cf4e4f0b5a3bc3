package wire

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/consent"
)

// Worker is a background loop: the outbox relay, a queue consumer, the scheduler's poller.
type Worker struct {
	Name string
	Run  func(ctx context.Context) // returns when ctx ends
}

// Workers is the list of background loops of a profile.
type Workers []Worker

// StartHook runs once at start, after migrations (e.g. bootstrapping the platform admin).
type StartHook struct {
	Name string
	Run  func(ctx context.Context) error
}

// StartHooks is the list of start hooks.
type StartHooks []StartHook

// Modules is the list of HTTP modules.
type Modules []httpapi.Module

// App is the assembled application of one profile.
type App struct {
	Config  Config
	Log     *slog.Logger
	DB      *sqlstore.DB
	Server  *httpapi.Server
	Workers Workers
	Hooks   StartHooks
	Consent *consent.Service // for commands that act on the assembled app (audit verify)
}

// NewApp gathers the parts.
func NewApp(cfg Config, log *slog.Logger, db *sqlstore.DB, srv *httpapi.Server, workers Workers, hooks StartHooks, cs *consent.Service) *App {
	return &App{Config: cfg, Log: log, DB: db, Server: srv, Workers: workers, Hooks: hooks, Consent: cs}
}

// Start runs the start hooks in order.
func (a *App) Start(ctx context.Context) error {
	for _, h := range a.Hooks {
		if err := h.Run(ctx); err != nil {
			return err
		}
	}
	return nil
}

// RunWorkers starts every worker in its own goroutine; each restarts after a
// panic (logged) until ctx ends. wg is done when all have returned.
func (a *App) RunWorkers(ctx context.Context, wg *sync.WaitGroup) {
	for _, w := range a.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				a.runOnce(ctx, w)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}()
	}
}

func (a *App) runOnce(ctx context.Context, w Worker) {
	defer func() {
		if r := recover(); r != nil {
			a.Log.Error("worker panicked; restarting", "worker", w.Name, "panic", r)
		}
	}()
	w.Run(ctx)
}
