package webrtcvideo

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
)

// MaxTokenLen bounds a join token (a claim set of bounded fields and a MAC).
const MaxTokenLen = 2048

// claims is what a join token says: compact JSON, base64url, then a dot and
// base64url(HMAC-SHA256(payload)).
type claims struct {
	Room      string `json:"r"`
	Account   string `json:"a"`
	Name      string `json:"n,omitempty"`
	Moderator bool   `json:"m,omitempty"`
	NotBefore int64  `json:"nbf"`
	Expires   int64  `json:"exp"`
	Issued    int64  `json:"iat"` // unix milliseconds: tokens issued before a room's end are refused
}

// Admission is who a valid token admits.
type Admission struct {
	RoomID      string
	AccountID   string
	DisplayName string
	Moderator   bool
	NotBefore   time.Time
	ExpiresAt   time.Time
	issued      time.Time
}

// Token refusal codes, as the hub sends them to the client.
const (
	CodeBadToken = "token_invalido"
	CodeNotYet   = "ainda_nao"
	CodeExpired  = "expirado"
	CodeEnded    = "encerrada"
	CodeFull     = "sala_cheia"
)

// RefusedError says why a token does not admit, with a code for the client.
type RefusedError struct {
	Code string
	err  error
}

func (e *RefusedError) Error() string { return e.err.Error() }
func (e *RefusedError) Unwrap() error { return e.err }

func refused(code string, err error) error { return &RefusedError{Code: code, err: err} }

func (r *Rooms) sign(c claims) string {
	payload, _ := json.Marshal(c)
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(r.mac(p))
}

func (r *Rooms) mac(payload string) []byte {
	m := hmac.New(sha256.New, r.tokenKey)
	m.Write([]byte(payload))
	return m.Sum(nil)
}

// Admit checks token now: its signature, its window and whether its room was
// ended after it was issued. Errors are *RefusedError wrapping a kernel
// error (KindUnauthenticated, or KindNotFound for an ended room).
func (r *Rooms) Admit(token string) (Admission, error) {
	bad := refused(CodeBadToken, kernel.Unauthenticated("o convite da chamada é inválido"))
	if len(token) == 0 || len(token) > MaxTokenLen {
		return Admission{}, bad
	}
	p, sig, ok := strings.Cut(token, ".")
	if !ok {
		return Admission{}, bad
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, r.mac(p)) {
		return Admission{}, bad
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return Admission{}, bad
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil || !ValidRoomID(c.Room) || c.Account == "" {
		return Admission{}, bad
	}
	now := r.now()
	a := Admission{RoomID: c.Room, AccountID: c.Account, DisplayName: c.Name, Moderator: c.Moderator,
		NotBefore: time.Unix(c.NotBefore, 0).UTC(), ExpiresAt: time.Unix(c.Expires, 0).UTC(), issued: time.UnixMilli(c.Issued)}
	if now.Before(a.NotBefore) {
		return Admission{}, refused(CodeNotYet, kernel.Unauthenticated("a sala ainda não abriu: entre perto do horário da consulta"))
	}
	if !now.Before(a.ExpiresAt) {
		return Admission{}, refused(CodeExpired, kernel.Unauthenticated("o convite da chamada expirou"))
	}
	r.mu.Lock()
	st, ended := r.ended[c.Room]
	r.mu.Unlock()
	if ended && (!st.reopened || !a.issued.After(st.at)) {
		return Admission{}, refused(CodeEnded, kernel.NotFound("a chamada foi encerrada"))
	}
	return a, nil
}
