package argon2hash_test

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/identity/argon2hash"
)

func TestHashVerify(t *testing.T) {
	h := argon2hash.New(argon2hash.TestParams)
	enc, err := h.Hash("Correct-Horse-42")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("encoding %q", enc)
	}
	enc2, _ := h.Hash("Correct-Horse-42")
	if enc == enc2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	if ok, err := h.Verify(enc, "Correct-Horse-42"); !ok || err != nil {
		t.Fatalf("right password: %v %v", ok, err)
	}
	if ok, err := h.Verify(enc, "Correct-Horse-43"); ok || err != nil {
		t.Fatalf("wrong password: %v %v", ok, err)
	}
	// A hasher with other parameters still verifies old hashes (parameters live in the hash).
	if ok, _ := argon2hash.New(argon2hash.Params{}).Verify(enc, "Correct-Horse-42"); !ok {
		t.Fatal("parameters not read from the hash")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=0,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=64,t=1,p=1$!!$a2V5"} {
		if _, err := h.Verify(bad, "x"); err == nil {
			t.Errorf("malformed %q accepted", bad)
		}
	}
}

func BenchmarkHashDefault(b *testing.B) {
	h := argon2hash.New(argon2hash.DefaultParams)
	for b.Loop() {
		if _, err := h.Hash("Correct-Horse-42"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyDefault(b *testing.B) {
	h := argon2hash.New(argon2hash.DefaultParams)
	enc, _ := h.Hash("Correct-Horse-42")
	for b.Loop() {
		if ok, _ := h.Verify(enc, "Correct-Horse-42"); !ok {
			b.Fatal("no match")
		}
	}
}

func BenchmarkHashRFC9106Second(b *testing.B) { // t=3, 64 MiB, p=4, for comparison
	h := argon2hash.New(argon2hash.Params{MemoryKiB: 64 * 1024, Time: 3, Threads: 4})
	for b.Loop() {
		if _, err := h.Hash("Correct-Horse-42"); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMemoryIsReturnedAtRest: the 19 MiB a hash allocates goes back to the
// operating system soon after the hashing stops, not minutes later.
func TestMemoryIsReturnedAtRest(t *testing.T) {
	h := argon2hash.New(argon2hash.Params{})
	enc, err := h.Hash("Correct-Horse-42")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := h.Verify(enc, "Correct-Horse-42"); !ok || err != nil {
		t.Fatalf("verify: %v %v", ok, err)
	}
	// Heap memory the process holds but does not use (freed or not yet
	// collected, and not handed back): the hashes' blocks, until released.
	held := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapSys - m.HeapReleased - m.HeapAlloc
	}
	const limit = 8 << 20
	for i := 0; i < 100 && held() > limit; i++ {
		time.Sleep(100 * time.Millisecond)
	}
	if got := held(); got > limit {
		t.Fatalf("%d MiB of heap still held after the hashes, want under %d MiB", got>>20, limit>>20)
	}
}
