package conformance

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// wantKind fails the test unless err is a *kernel.Error of kind k.
func wantKind(t testing.TB, what string, err error, k kernel.Kind) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want kind %s", what, k)
		return
	}
	var ke *kernel.Error
	if !errors.As(err, &ke) {
		t.Errorf("%s: got %T %v, want a *kernel.Error of kind %s", what, err, err, k)
		return
	}
	if ke.Kind != k {
		t.Errorf("%s: got kind %s (%v), want %s", what, ke.Kind, err, k)
	}
}

// noErr fails the test now when err is not nil.
func noErr(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// uniqueName returns a name unique to this run, so suites can share a broker or
// bucket with earlier runs: "conf-<label>-<id>".
func uniqueName(label string) string {
	id := strings.ReplaceAll(kernel.NewID(), "-", "")
	return "conf-" + label + "-" + id[len(id)-16:]
}

// eventually polls cond every 20 ms until it is true or d has passed.
func eventually(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}
