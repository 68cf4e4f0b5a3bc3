// Package liveapi is the live side of the API: WebSocket tickets and the
// WebSocket (GET /v1/ws) that delivers chat messages as they are sent, with
// resume from the last message a client saw.
//
// How a message reaches a socket: chat's Send publishes a chat.Notice (IDs
// only) on the ports.LiveBus; every instance hears it through its one
// subscription, wakes the sockets whose principal the notice concerns, and
// each woken socket reads the store from its own position (chat.FeedBatch)
// and writes what is new, in Seq order, once. The store is the truth: a lost
// notice (the bus reconnected: onGap; or a socket fell behind) only delays a
// message until the next wake-up, and every socket is woken every
// CatchUpEvery anyway.
package liveapi

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/ports"
)

// Tunables of the live sockets (variables so tests may shorten them).
var (
	CatchUpEvery   = 20 * time.Second // every socket re-reads the store this often
	PurgeEvery     = 10 * time.Minute // expired tickets are deleted this often
	PingEvery      = 25 * time.Second // keepalive ping
	PongWait       = 60 * time.Second // a socket silent this long (no pong) is closed
	WriteWait      = 10 * time.Second // a write slower than this closes the socket (too slow: resume)
	MaxSocketLife  = time.Hour        // then the client reconnects with a new ticket (its session is checked again)
	SubscribeRetry = 2 * time.Second  // between attempts to subscribe to the bus
)

// ReadLimit is the largest frame a client may send (clients send nothing
// but control frames; anything else is ignored).
const ReadLimit = 4096

// MaxSockets bounds this instance's open sockets.
const MaxSockets = 10000

// Module registers the live routes and holds this instance's sockets.
type Module struct {
	svc *chat.Service
	bus ports.LiveBus
	log *slog.Logger

	ctx    context.Context // ends at Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // the background loop and the sockets' goroutines

	mu         sync.Mutex
	sockets    map[*socket]struct{}
	closed     bool
	subscribed chan struct{} // closed once the bus subscription is in place
}

var _ httpapi.Module = (*Module)(nil)

// New builds the module and starts its background loop (the bus
// subscription, the periodic catch-up, the purge of expired tickets); Close
// ends it and its sockets.
func New(svc *chat.Service, bus ports.LiveBus, log *slog.Logger) *Module {
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	m := &Module{svc: svc, bus: bus, log: log, ctx: ctx, cancel: cancel,
		sockets: map[*socket]struct{}{}, subscribed: make(chan struct{})}
	m.wg.Add(1)
	go m.loop()
	return m
}

// Close disconnects every socket (at shutdown) and waits for their goroutines.
func (m *Module) Close() {
	m.mu.Lock()
	if m.closed {
		m.mu.Unlock()
		return
	}
	m.closed = true
	m.mu.Unlock()
	m.cancel()
	m.wg.Wait()
}

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {
	m.registerTickets(r)
	m.registerSocket(r)
}

// loop subscribes to the bus once for this instance, then wakes every socket
// every CatchUpEvery and purges expired tickets every PurgeEvery.
func (m *Module) loop() {
	defer m.wg.Done()
	var stop func()
	for stop == nil {
		if m.svc == nil || m.bus == nil {
			return
		}
		s, err := m.bus.Subscribe(m.ctx, chat.LiveChannel, m.onNotice, m.wakeAll)
		if err == nil {
			stop = s
			close(m.subscribed)
			break
		}
		m.log.Warn("live: cannot subscribe to the bus, retrying", "error", err.Error())
		select {
		case <-m.ctx.Done():
			return
		case <-time.After(SubscribeRetry):
		}
	}
	defer stop()
	catchUp := time.NewTicker(CatchUpEvery)
	defer catchUp.Stop()
	purge := time.NewTicker(PurgeEvery)
	defer purge.Stop()
	m.purge()
	for {
		select {
		case <-m.ctx.Done():
			return
		case <-catchUp.C:
			m.wakeAll()
		case <-purge.C:
			m.purge()
		}
	}
}

func (m *Module) purge() {
	ctx, cancel := context.WithTimeout(m.ctx, time.Minute)
	defer cancel()
	n, err := m.svc.PurgeTickets(ctx)
	if err != nil {
		if m.ctx.Err() == nil {
			m.log.Warn("live: purge of expired tickets failed", "error", err.Error())
		}
		return
	}
	if n > 0 {
		m.log.Info("live: expired tickets purged", "count", n)
	}
}

// onNotice runs on the bus's goroutine: it only wakes the sockets concerned.
func (m *Module) onNotice(payload []byte) {
	n, err := chat.DecodeNotice(payload)
	if err != nil {
		m.log.Warn("live: undecodable notice ignored")
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.sockets {
		if n.Concerns(s.p) {
			s.wake()
		}
	}
}

// wakeAll makes every socket re-read the store (onGap, periodic catch-up).
func (m *Module) wakeAll() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for s := range m.sockets {
		s.wake()
	}
}

// add registers a socket; false when the module is closed or full.
func (m *Module) add(s *socket) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed || len(m.sockets) >= MaxSockets {
		return false
	}
	m.sockets[s] = struct{}{}
	m.wg.Add(1) // under the lock that Close takes first: never after its Wait began
	return true
}

func (m *Module) remove(s *socket) {
	m.mu.Lock()
	delete(m.sockets, s)
	m.mu.Unlock()
}

// Sockets says how many sockets this instance holds (for tests and metrics).
func (m *Module) Sockets() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.sockets)
}
