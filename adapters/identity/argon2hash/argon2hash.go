// Package argon2hash hashes passwords with argon2id (golang.org/x/crypto/argon2)
// in the PHC string format, so each hash carries its parameters and salt and
// the parameters can be raised later without breaking old hashes.
package argon2hash

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/multisaude/multisaude/core/identity"
)

// Params are argon2id's cost parameters.
type Params struct {
	MemoryKiB uint32 // memory per hash, in KiB
	Time      uint32 // passes over the memory
	Threads   uint8  // lanes
	SaltLen   uint32
	KeyLen    uint32
}

// DefaultParams follow OWASP's password storage guidance for argon2id
// (19 MiB, 2 passes, 1 lane): about 20-40 ms on one core here. Memory, not
// time, is what makes GPU guessing expensive; 19 MiB times the concurrency cap
// keeps a login burst within a small instance's memory.
var DefaultParams = Params{MemoryKiB: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// TestParams are cheap parameters for tests only.
var TestParams = Params{MemoryKiB: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Hasher implements identity.PasswordHasher.
type Hasher struct {
	p   Params
	sem chan struct{} // bounds concurrent hashes, and so memory

	mu      sync.Mutex
	release *time.Timer // returns the hashes' memory to the OS once they stop
}

// releaseAfter is how long after the last hash its memory is handed back to
// the operating system. Each hash allocates MemoryKiB (19 MiB by default) that
// is garbage the moment it returns; left to itself the runtime gives it back
// only after a later collection, which an idle server runs every two minutes,
// so one sign-in kept 20-60 MB resident at rest. A burst of sign-ins keeps
// pushing the release back, so under load it costs nothing.
const releaseAfter = 2 * time.Second

// releaseMinKiB: smaller hashes (tests) leave nothing worth releasing.
const releaseMinKiB = 1024

// done schedules the release of the memory of a hash of kib KiB just run.
func (h *Hasher) done(kib uint32) {
	if kib < releaseMinKiB {
		return
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.release == nil {
		h.release = time.AfterFunc(releaseAfter, debug.FreeOSMemory)
		return
	}
	h.release.Reset(releaseAfter)
}

var _ identity.PasswordHasher = (*Hasher)(nil)

// New returns a hasher with p (zero fields take DefaultParams) that runs at
// most 2×GOMAXPROCS hashes at once.
func New(p Params) *Hasher {
	if p.MemoryKiB == 0 {
		p.MemoryKiB = DefaultParams.MemoryKiB
	}
	if p.Time == 0 {
		p.Time = DefaultParams.Time
	}
	if p.Threads == 0 {
		p.Threads = DefaultParams.Threads
	}
	if p.SaltLen == 0 {
		p.SaltLen = DefaultParams.SaltLen
	}
	if p.KeyLen == 0 {
		p.KeyLen = DefaultParams.KeyLen
	}
	return &Hasher{p: p, sem: make(chan struct{}, 2*runtime.GOMAXPROCS(0))}
}

// Hash returns "$argon2id$v=19$m=...,t=...,p=...$salt$key" (unpadded base64).
func (h *Hasher) Hash(password string) (string, error) {
	salt := make([]byte, h.p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	h.sem <- struct{}{}
	key := argon2.IDKey([]byte(password), salt, h.p.Time, h.p.MemoryKiB, h.p.Threads, h.p.KeyLen)
	<-h.sem
	h.done(h.p.MemoryKiB)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, h.p.MemoryKiB, h.p.Time, h.p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrMalformed is returned for a hash this package did not make.
var ErrMalformed = errors.New("argon2hash: malformed hash")

// Verify checks password against an encoded hash, with the hash's own parameters.
func (h *Hasher) Verify(encoded, password string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformed
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 4<<20 || t > 100 {
		return false, ErrMalformed
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := b64.DecodeString(parts[5])
	if err != nil || len(want) < 16 || len(want) > 128 {
		return false, ErrMalformed
	}
	h.sem <- struct{}{}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	<-h.sem
	h.done(m)
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
