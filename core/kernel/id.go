package kernel

import (
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// ID is a UUIDv7 in its canonical text form.
type ID = string

var idMu sync.Mutex
var lastIDMillis int64
var idSeq uint16

// NewID returns a new UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then a
// 12-bit counter that keeps IDs made in the same millisecond ordered, then random bits.
func NewID() ID {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("kernel: no randomness: " + err.Error())
	}
	idMu.Lock()
	ms := time.Now().UnixMilli()
	if ms <= lastIDMillis {
		idSeq++
		if idSeq > 0x0fff { // counter exhausted: borrow the next millisecond
			lastIDMillis++
			idSeq = 0
		}
		ms = lastIDMillis
	} else {
		lastIDMillis = ms
		idSeq = uint16(b[6])<<4&0x0ff0 | uint16(b[7]>>4) // random start keeps IDs unguessable
		idSeq &= 0x07ff                                  // leave room to count up
	}
	seq := idSeq
	idMu.Unlock()

	b[0] = byte(ms >> 40)
	b[1] = byte(ms >> 32)
	b[2] = byte(ms >> 24)
	b[3] = byte(ms >> 16)
	b[4] = byte(ms >> 8)
	b[5] = byte(ms)
	b[6] = 0x70 | byte(seq>>8)&0x0f
	b[7] = byte(seq)
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}

func formatUUID(b [16]byte) string {
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:], b[10:])
	return string(out[:])
}

// ValidID reports whether s is a UUID in canonical lower-case text form.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
