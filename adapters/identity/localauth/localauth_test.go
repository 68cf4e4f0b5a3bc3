package localauth_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/multisaude/multisaude/adapters/identity/localauth"
	"github.com/multisaude/multisaude/core/kernel"
)

var member = kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: kernel.NewID(), Roles: []string{"staff"},
	SessionID: kernel.NewID()}

func TestIssueVerifyRoundTrip(t *testing.T) {
	ctx := context.Background()
	clock := kernel.NewFixedClock(time.Now())
	p, err := localauth.New(localauth.Config{AccessTTL: 10 * time.Minute}, clock)
	if err != nil {
		t.Fatal(err)
	}
	tok, ttl, err := p.Issue(ctx, member)
	if err != nil || ttl != 10*time.Minute {
		t.Fatal(err, ttl)
	}
	got, err := p.Verify(ctx, tok)
	if err != nil || got.AccountID != member.AccountID || got.Kind != member.Kind || got.CompanyID != member.CompanyID || len(got.Roles) != 1 || got.Roles[0] != "staff" ||
		got.SessionID != member.SessionID {
		t.Fatalf("verify = %+v, %v", got, err)
	}
	got.Roles[0] = "changed"                       // a caller's copy: the remembered verification must not change
	clock.Advance(10*time.Minute + 29*time.Second) // inside expiry + leeway: remembered
	if again, err := p.Verify(ctx, tok); err != nil || again.AccountID != member.AccountID || again.Roles[0] != "staff" || !again.IssuedAt.Equal(got.IssuedAt) ||
		again.SessionID != member.SessionID { // the remembered verification keeps the session, so identity can check it
		t.Fatalf("second verify = %+v, %v", again, err)
	}
	clock.Advance(2 * time.Second) // past expiry and leeway
	if _, err := p.Verify(ctx, tok); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Fatalf("expired token: %v", err)
	}
}

func TestVerifyRefusesForgeries(t *testing.T) {
	ctx := context.Background()
	p, _ := localauth.New(localauth.Config{}, nil)
	other, _ := localauth.New(localauth.Config{}, nil)
	otherIssuer, _ := localauth.New(localauth.Config{Issuer: "someone-else"}, nil)
	tok, _, _ := p.Issue(ctx, member)
	fromOther, _, _ := other.Issue(ctx, member)
	parts := strings.Split(tok, ".")
	claims, _ := base64.RawURLEncoding.DecodeString(parts[1])
	tampered := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(claims), `"staff"`, `"admin"`, 1))) + "." + parts[2]
	none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
	// A token signed with HMAC using the public key as the secret (algorithm confusion).
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{"sub": member.AccountID, "kind": "admin", "iss": "multisaude",
		"aud": "multisaude-api", "exp": time.Now().Add(time.Hour).Unix(), "iat": time.Now().Unix()})
	var jwks struct {
		Keys []map[string]string `json:"keys"`
	}
	if err := json.Unmarshal(p.JWKS(), &jwks); err != nil || len(jwks.Keys) != 1 || jwks.Keys[0]["kty"] != "OKP" || jwks.Keys[0]["kid"] != p.KeyID() {
		t.Fatalf("jwks = %s", p.JWKS())
	}
	hs.Header["kid"] = p.KeyID()
	pub, _ := base64.RawURLEncoding.DecodeString(jwks.Keys[0]["x"])
	confused, _ := hs.SignedString(pub)
	// A well-signed token with a kind it must not carry.
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	same := localauth.NewWithKey(localauth.Config{}, key, nil)
	apiKeyKind, _, _ := same.Issue(ctx, kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindAPIKey})
	otherIss, _, _ := otherIssuer.Issue(ctx, member)
	for name, bad := range map[string]string{
		"other key": fromOther, "tampered": tampered, "alg none": none, "HS256 with the public key": confused,
		"garbage": "not.a.token", "empty": "", "other issuer": otherIss,
	} {
		if _, err := p.Verify(ctx, bad); kernel.KindOf(err) != kernel.KindUnauthenticated {
			t.Errorf("%s: err = %v, want unauthenticated", name, err)
		}
	}
	if _, err := same.Verify(ctx, apiKeyKind); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Errorf("api_key kind in a token accepted: %v", err)
	}
}

func TestKeyFileIsCreatedOnceAndReused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "auth", "jwt.pem")
	a, err := localauth.New(localauth.Config{KeyFile: path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	b, err := localauth.New(localauth.Config{KeyFile: path}, nil)
	if err != nil || a.KeyID() != b.KeyID() {
		t.Fatalf("reloaded key differs: %v", err)
	}
	tok, _, _ := a.Issue(context.Background(), member)
	if _, err := b.Verify(context.Background(), tok); err != nil {
		t.Fatalf("a restarted provider refuses its own tokens: %v", err)
	}
	if err := os.WriteFile(path, []byte("junk"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := localauth.New(localauth.Config{KeyFile: path}, nil); err == nil {
		t.Fatal("a junk key file was accepted")
	}
}

func BenchmarkVerify(b *testing.B) {
	p, _ := localauth.New(localauth.Config{}, nil)
	tok, _, _ := p.Issue(context.Background(), member)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := p.Verify(context.Background(), tok); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkIssue(b *testing.B) {
	p, _ := localauth.New(localauth.Config{}, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := p.Issue(context.Background(), member); err != nil {
			b.Fatal(err)
		}
	}
}

func TestVerifyGivesIssuedAtToTheMillisecond(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 12, 0, 0, 123_456_789, time.UTC)
	clock := kernel.NewFixedClock(at)
	p, err := localauth.New(localauth.Config{}, clock)
	if err != nil {
		t.Fatal(err)
	}
	tok, _, err := p.Issue(ctx, member)
	if err != nil {
		t.Fatal(err)
	}
	got, err := p.Verify(ctx, tok)
	if err != nil {
		t.Fatal(err)
	}
	if want := at.Truncate(time.Millisecond); !got.IssuedAt.Equal(want) {
		t.Fatalf("IssuedAt = %v, want %v", got.IssuedAt, want)
	}
	if err := p.DeleteUser(ctx, member.AccountID); err != nil {
		t.Fatalf("DeleteUser on the local provider: %v", err)
	}
}

// Instances that start together on a shared, missing key file (a volume of a
// scaled-out deployment) all end up with the one key: none reads the file
// while another is still writing it.
func TestKeyFileCreatedByInstancesStartingTogether(t *testing.T) {
	for round := range 20 {
		path := filepath.Join(t.TempDir(), "auth", "jwt.pem")
		const n = 16
		ids := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				p, err := localauth.New(localauth.Config{KeyFile: path}, nil)
				if err == nil {
					ids[i] = p.KeyID()
				}
				errs[i] = err
			}()
		}
		close(gate)
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d: instance %d failed to start: %v", round, i, errs[i])
			}
			if ids[i] != ids[0] {
				t.Fatalf("round %d: instance %d signs with key %s, instance 0 with %s", round, i, ids[i], ids[0])
			}
		}
		entries, _ := os.ReadDir(filepath.Dir(path))
		if len(entries) != 1 {
			t.Fatalf("round %d: the key folder holds %d files, want only the key", round, len(entries))
		}
	}
}
