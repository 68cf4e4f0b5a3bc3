// Package livehub is what every ports.LiveBus adapter shares: the check of a
// channel and a payload, and the fan-out of received payloads to this
// instance's subscribers, each with its own bounded queue and goroutine, so
// that delivery never waits for a slow subscriber.
package livehub

import (
	"context"
	"sync"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// QueueSize is how many payloads wait for one subscriber; past it, payloads
// are dropped for that subscriber and its onGap is called instead.
const QueueSize = 256

// Check validates a channel and a payload (kernel.KindInvalid).
func Check(channel string, payload []byte) error {
	if err := CheckChannel(channel); err != nil {
		return err
	}
	if len(payload) > ports.MaxLiveNotice {
		return kernel.Invalid("payload", "o aviso tem mais de %d bytes", ports.MaxLiveNotice)
	}
	return nil
}

// CheckChannel validates a channel name: [a-z0-9_]{1,40}.
func CheckChannel(channel string) error {
	if len(channel) == 0 || len(channel) > 40 {
		return kernel.Invalid("channel", "o canal deve ter de 1 a 40 caracteres")
	}
	for i := 0; i < len(channel); i++ {
		c := channel[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return kernel.Invalid("channel", "o canal só pode ter letras minúsculas, dígitos e _")
		}
	}
	return nil
}

// Hub holds the subscribers of one instance.
type Hub struct {
	mu   sync.Mutex
	subs map[string]map[*sub]struct{}
}

type sub struct {
	queue chan []byte
	gap   chan struct{} // one pending gap signal at most
	done  chan struct{}
	once  sync.Once
}

// New returns an empty hub.
func New() *Hub { return &Hub{subs: map[string]map[*sub]struct{}{}} }

// Subscribe adds a subscriber of channel; first reports whether it is the
// channel's first (the adapter starts listening then). The subscriber runs
// until ctx ends or stop is called.
func (h *Hub) Subscribe(ctx context.Context, channel string, fn func([]byte), onGap func()) (stop func(), first bool) {
	s := &sub{queue: make(chan []byte, QueueSize), gap: make(chan struct{}, 1), done: make(chan struct{})}
	h.mu.Lock()
	set := h.subs[channel]
	if set == nil {
		set = map[*sub]struct{}{}
		h.subs[channel] = set
		first = true
	}
	set[s] = struct{}{}
	h.mu.Unlock()
	stop = func() {
		s.once.Do(func() {
			h.mu.Lock()
			delete(h.subs[channel], s)
			if len(h.subs[channel]) == 0 {
				delete(h.subs, channel)
			}
			h.mu.Unlock()
			close(s.done)
		})
	}
	go func() {
		for {
			// Stopped wins over pending work.
			select {
			case <-s.done:
				return
			case <-ctx.Done():
				stop()
				return
			default:
			}
			select {
			case <-s.done:
				return
			case <-ctx.Done():
				stop()
				return
			case p := <-s.queue:
				fn(p)
			case <-s.gap:
				if onGap != nil {
					onGap()
				}
			}
		}
	}()
	return stop, first
}

// Deliver hands payload to every subscriber of channel without waiting: a
// subscriber whose queue is full misses it and gets a gap instead.
func (h *Hub) Deliver(channel string, payload []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs[channel] {
		select {
		case s.queue <- payload:
		default:
			s.signalGap()
		}
	}
}

// Gap tells every subscriber that notices may have been missed.
func (h *Hub) Gap() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, set := range h.subs {
		for s := range set {
			s.signalGap()
		}
	}
}

// Channels lists the channels that have subscribers.
func (h *Hub) Channels() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.subs))
	for c := range h.subs {
		out = append(out, c)
	}
	return out
}

// Has reports whether channel has subscribers.
func (h *Hub) Has(channel string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs[channel]) > 0
}

// Close stops every subscriber.
func (h *Hub) Close() {
	h.mu.Lock()
	var all []*sub
	for _, set := range h.subs {
		for s := range set {
			all = append(all, s)
		}
	}
	h.subs = map[string]map[*sub]struct{}{}
	h.mu.Unlock()
	for _, s := range all {
		s.once.Do(func() { close(s.done) })
	}
}

func (s *sub) signalGap() {
	select {
	case s.gap <- struct{}{}:
	default:
	}
}
