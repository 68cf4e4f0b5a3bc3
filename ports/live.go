package ports

import "context"

// MaxLiveNotice is the largest payload LiveBus carries (PostgreSQL's NOTIFY
// takes under 8000 bytes); notices carry IDs, never content.
const MaxLiveNotice = 4000

// LiveBus carries short notices between the API instances of one deployment
// (a message was sent, a call peer spoke), so that a WebSocket held by one
// instance learns what another did. Delivery is best effort and only to
// subscribers present at the time: what must not be lost is in the store, and
// a notice only says where to look.
type LiveBus interface {
	// Publish sends payload (at most MaxLiveNotice bytes, else
	// kernel.KindInvalid) to every subscriber of channel on every instance,
	// this one included. channel is [a-z0-9_]{1,40}.
	Publish(ctx context.Context, channel string, payload []byte) error
	// Subscribe calls fn, in publication order per publisher, for every
	// payload published on channel after Subscribe returns, until ctx ends or
	// stop is called. fn must return quickly (hand work to a goroutine).
	// After a lost connection the adapter reconnects by itself and calls
	// onGap (when not nil), since notices may have been missed meanwhile.
	Subscribe(ctx context.Context, channel string, fn func(payload []byte), onGap func()) (stop func(), err error)
	// Ping checks that the bus is reachable (for /readyz).
	Ping(ctx context.Context) error
}
