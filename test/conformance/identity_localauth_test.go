package conformance_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/multisaude/multisaude/adapters/identity/localauth"
	"github.com/multisaude/multisaude/test/conformance"
)

// TestLocalAuthIdentityProvider runs the identity suite on the local provider,
// minting its tokens (EdDSA, kid header, sub = account ID, kind/roles/cid) with
// its key. It has one key and keeps users in identity's store, so rotation and
// user management are skipped.
func TestLocalAuthIdentityProvider(t *testing.T) {
	conformance.RunIdentityProvider(t, func(t *testing.T) conformance.IdentityProviderFixture {
		_, key, _ := ed25519.GenerateKey(rand.Reader)
		cfg := localauth.Config{Issuer: "multisaude", Audience: "multisaude-api"}
		p := localauth.NewWithKey(cfg, key, nil)
		mint := func(t *testing.T, c conformance.TokenClaims, signer ed25519.PrivateKey, kid string) string {
			now := time.Now()
			claims := jwt.MapClaims{"iss": cfg.Issuer, "aud": []string{cfg.Audience}, "sub": c.Principal.AccountID,
				"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(10 * time.Minute).Unix(), "kind": string(c.Principal.Kind)}
			if c.Issuer != "" {
				claims["iss"] = c.Issuer
			}
			if c.Audience != "" {
				claims["aud"] = []string{c.Audience}
			}
			if !c.IssuedAt.IsZero() {
				claims["iat"] = c.IssuedAt.Unix()
			}
			if !c.NotBefore.IsZero() {
				claims["nbf"] = c.NotBefore.Unix()
			}
			if !c.ExpiresAt.IsZero() {
				claims["exp"] = c.ExpiresAt.Unix()
			}
			if len(c.Principal.Roles) > 0 {
				claims["roles"] = c.Principal.Roles
			}
			if c.Principal.CompanyID != "" {
				claims["cid"] = c.Principal.CompanyID
			}
			tok := jwt.NewWithClaims(jwt.SigningMethodEdDSA, claims)
			tok.Header["kid"] = kid
			s, err := tok.SignedString(signer)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		return conformance.IdentityProviderFixture{
			Provider: p,
			Mint:     func(t *testing.T, c conformance.TokenClaims) string { return mint(t, c, key, p.KeyID()) },
			MintUnknownKey: func(t *testing.T, c conformance.TokenClaims) string {
				_, other, _ := ed25519.GenerateKey(rand.Reader)
				return mint(t, c, other, "unknown-key")
			},
			SkipUsers: "localauth keeps users in identity's store; CreateUser and SetPassword are no-ops",
		}
	})
}
