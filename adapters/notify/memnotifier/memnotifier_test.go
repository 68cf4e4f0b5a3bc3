package memnotifier_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/notify/memnotifier"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunNotifier(t, func(t *testing.T) (ports.Notifier, func(*testing.T) []ports.Notification) {
		n := memnotifier.New()
		return n, func(*testing.T) []ports.Notification { return n.Sent() }
	})
}

func TestWaitForAndFailWith(t *testing.T) {
	n := memnotifier.New()
	go func() {
		time.Sleep(50 * time.Millisecond)
		_ = n.Notify(context.Background(), ports.Notification{ID: "1", To: "a@example.com", Channel: "email", Template: "welcome"})
		_ = n.Notify(context.Background(), ports.Notification{ID: "2", To: "b@example.com", Channel: "email", Template: "password_reset"})
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	got, err := n.WaitFor(ctx, func(x ports.Notification) bool { return x.Template == "password_reset" })
	if err != nil || got.ID != "2" {
		t.Fatalf("WaitFor = %+v, %v; want notification 2", got, err)
	}
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := n.WaitFor(short, func(x ports.Notification) bool { return x.Template == "nope" }); kernel.KindOf(err) != kernel.KindNotFound {
		t.Errorf("WaitFor with no match: %v, want not found", err)
	}
	down := kernel.Unavailable(errors.New("smtp down"), "provider unreachable")
	n.FailWith(down)
	if err := n.Notify(context.Background(), ports.Notification{ID: "3", To: "c@example.com", Channel: "email"}); kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("Notify while failing: %v, want unavailable", err)
	}
	if len(n.Sent()) != 2 {
		t.Errorf("Sent() has %d, want 2", len(n.Sent()))
	}
}
