// Package pglive is ports.LiveBus on PostgreSQL's LISTEN/NOTIFY, so that API
// instances sharing one database hear each other with no other service.
//
// Each Bus holds one listening connection (bun's pgdriver.Listener) for all
// its channels and fans notifications out to its subscribers. When that
// connection is lost (the server restarted, a network cut, an administrator's
// pg_terminate_backend) the bus reconnects with backoff, listens again and
// calls every subscriber's onGap: notices sent meanwhile are gone, and the
// subscribers re-read the store.
package pglive

import (
	"context"
	"encoding/base64"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/multisaude/multisaude/adapters/live/livehub"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// prefix keeps our channels apart from anything else listening on the database.
const prefix = "ms_live_"

// pingChannel carries the bus's own pings (liveness and Subscribe's barrier).
const pingChannel = prefix + "_ping"

// How the listening connection is watched and restored.
var (
	receiveTimeout = 5 * time.Second  // a quiet connection is pinged after this
	maxBackoff     = 5 * time.Second  // reconnect backoff cap
	barrierWait    = 10 * time.Second // how long Subscribe waits for its LISTEN to take
)

// Bus is a LiveBus over one PostgreSQL database.
type Bus struct {
	db  *sqlstore.DB
	log *slog.Logger
	hub *livehub.Hub

	mu       sync.Mutex
	ln       *pgdriver.Listener // current listener; nil while reconnecting
	barriers map[string]chan struct{}
	closed   bool

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

var _ ports.LiveBus = (*Bus)(nil)

// New returns a bus over db (which must be PostgreSQL) and starts its
// listening connection; Close stops it.
func New(db *sqlstore.DB, log *slog.Logger) (*Bus, error) {
	if db.Engine != sqlstore.Postgres {
		return nil, kernel.Internal(nil, "pglive needs PostgreSQL")
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(context.Background())
	b := &Bus{db: db, log: log, hub: livehub.New(), barriers: map[string]chan struct{}{}, ctx: ctx, cancel: cancel, done: make(chan struct{})}
	go b.run()
	return b, nil
}

// Close stops listening and ends every subscription.
func (b *Bus) Close() {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return
	}
	b.closed = true
	ln := b.ln
	b.ln = nil
	b.mu.Unlock()
	b.cancel()
	if ln != nil {
		_ = ln.Close()
	}
	<-b.done
	b.hub.Close()
}

// Publish: see ports.LiveBus. The payload travels base64-encoded (NOTIFY
// carries text only); MaxLiveNotice bytes make under 5.4 kB.
func (b *Bus) Publish(ctx context.Context, channel string, payload []byte) error {
	if err := livehub.Check(channel, payload); err != nil {
		return err
	}
	_, err := b.db.ExecContext(ctx, "SELECT pg_notify(?, ?)", prefix+channel, base64.StdEncoding.EncodeToString(payload))
	if err != nil {
		return kernel.Unavailable(err, "não foi possível publicar o aviso")
	}
	return nil
}

// Subscribe: see ports.LiveBus. It returns once this instance's listening
// connection has taken the LISTEN (a round trip through the server), so a
// payload published afterwards reaches fn.
func (b *Bus) Subscribe(ctx context.Context, channel string, fn func([]byte), onGap func()) (func(), error) {
	if err := livehub.CheckChannel(channel); err != nil {
		return nil, err
	}
	stop, first := b.hub.Subscribe(ctx, channel, fn, onGap)
	if first {
		b.mu.Lock()
		ln := b.ln
		b.mu.Unlock()
		if ln != nil {
			// On failure the run loop reconnects and listens to every channel.
			_ = ln.Listen(ctx, prefix+channel)
		}
	}
	if err := b.barrier(ctx); err != nil {
		stop()
		return nil, err
	}
	return stop, nil
}

// barrier sends a ping of its own and waits until the listening connection
// has seen it: every LISTEN written before is then in effect.
func (b *Bus) barrier(ctx context.Context) error {
	token := kernel.NewID()
	ch := make(chan struct{})
	b.mu.Lock()
	b.barriers[token] = ch
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.barriers, token)
		b.mu.Unlock()
	}()
	wait := time.NewTimer(barrierWait)
	defer wait.Stop()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		// Sent again on every tick: the first may go out while reconnecting.
		if _, err := b.db.ExecContext(ctx, "SELECT pg_notify(?, ?)", pingChannel, token); err != nil {
			return kernel.Unavailable(err, "não foi possível assinar os avisos")
		}
		select {
		case <-ch:
			return nil
		case <-tick.C:
		case <-wait.C:
			return kernel.Unavailable(nil, "o canal de avisos não respondeu")
		case <-ctx.Done():
			return kernel.Unavailable(ctx.Err(), "assinatura cancelada")
		case <-b.ctx.Done():
			return kernel.Unavailable(nil, "o canal de avisos foi fechado")
		}
	}
}

// Ping: see ports.LiveBus.
func (b *Bus) Ping(ctx context.Context) error {
	if err := b.db.PingContext(ctx); err != nil {
		return kernel.Unavailable(err, "PostgreSQL fora do ar")
	}
	return nil
}

// run keeps one listening connection alive until Close.
func (b *Bus) run() {
	defer close(b.done)
	backoff := 100 * time.Millisecond
	connected := false
	for b.ctx.Err() == nil {
		ln, err := b.connect()
		if err != nil {
			b.log.Warn("live bus: cannot listen, retrying", "backoff_ms", backoff.Milliseconds(), "error", err.Error())
			select {
			case <-b.ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		backoff = 100 * time.Millisecond
		if connected {
			b.log.Info("live bus: listening again after a lost connection")
			b.hub.Gap()
		}
		connected = true
		err = b.receive(ln)
		b.mu.Lock()
		if b.ln == ln {
			b.ln = nil
		}
		b.mu.Unlock()
		_ = ln.Close()
		if b.ctx.Err() != nil {
			return
		}
		b.log.Warn("live bus: listening connection lost", "error", err.Error())
	}
}

// connect opens a listener on every channel with subscribers (and the ping channel).
func (b *Bus) connect() (*pgdriver.Listener, error) {
	ln := pgdriver.NewListener(b.db.DB)
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		_ = ln.Close()
		return nil, errors.New("closed")
	}
	b.ln = ln
	b.mu.Unlock()
	chans := []string{pingChannel}
	for _, c := range b.hub.Channels() {
		chans = append(chans, prefix+c)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	if err := ln.Listen(ctx, chans...); err != nil {
		b.mu.Lock()
		if b.ln == ln {
			b.ln = nil
		}
		b.mu.Unlock()
		_ = ln.Close()
		return nil, err
	}
	return ln, nil
}

// receive reads notifications until the connection fails. A connection quiet
// for receiveTimeout is pinged; quiet for another one, it is given up.
func (b *Bus) receive(ln *pgdriver.Listener) error {
	quiet := 0
	for {
		channel, payload, err := ln.ReceiveTimeout(b.ctx, receiveTimeout)
		if err != nil {
			var ne net.Error
			if b.ctx.Err() == nil && errors.As(err, &ne) && ne.Timeout() {
				quiet++
				if quiet >= 3 {
					return errors.New("no answer to pings")
				}
				ctx, cancel := context.WithTimeout(b.ctx, receiveTimeout)
				_, perr := b.db.ExecContext(ctx, "SELECT pg_notify(?, '')", pingChannel)
				cancel()
				if perr != nil {
					b.log.Warn("live bus: ping failed", "error", perr.Error())
				}
				continue
			}
			return err
		}
		quiet = 0
		if channel == pingChannel {
			if payload != "" {
				b.mu.Lock()
				if ch, ok := b.barriers[payload]; ok {
					close(ch)
					delete(b.barriers, payload)
				}
				b.mu.Unlock()
			}
			continue
		}
		name, ok := strings.CutPrefix(channel, prefix)
		if !ok {
			continue
		}
		data, err := base64.StdEncoding.DecodeString(payload)
		if err != nil {
			b.log.Warn("live bus: undecodable notice dropped", "channel", name)
			continue
		}
		b.hub.Deliver(name, data)
	}
}
