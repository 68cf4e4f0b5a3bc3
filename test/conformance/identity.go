package conformance

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// TokenClaims describe a token for the fixture to mint. The fixture turns the
// principal into its provider's claims (custom:account_id and cognito:groups,
// realm_access roles, ...). Zero fields mean the right values.
type TokenClaims struct {
	Subject   string           // "" = a fresh ID
	Principal kernel.Principal // AccountID "" = a token for a user not linked to an account
	Issuer    string           // "" = the provider's issuer
	Audience  string           // "" = the provider's client / audience
	IssuedAt  time.Time        // zero = a minute ago
	NotBefore time.Time        // zero = no nbf claim
	ExpiresAt time.Time        // zero = in ten minutes
}

// IdentityProviderFixture is what RunIdentityProvider needs from an adapter's test.
type IdentityProviderFixture struct {
	Provider ports.IdentityProvider
	// Mint signs a token as the provider's issuer would, with the current key.
	Mint func(t *testing.T, c TokenClaims) string
	// MintUnknownKey signs a valid-looking token with a key the provider never
	// published, under an unpublished key ID. Nil skips that check.
	MintUnknownKey func(t *testing.T, c TokenClaims) string
	// Rotate publishes a new signing key, makes it current and keeps the old one
	// published. Nil skips the rotation checks.
	Rotate func(t *testing.T)
	// RetireOld stops publishing every key but the current one; tokens signed by
	// the old keys must then fail within RetireWithin. Nil skips that check.
	RetireOld    func(t *testing.T)
	RetireWithin time.Duration // default 5s
	// SkipUsers, when not empty, says why the provider does not hold users
	// (the local provider keeps credentials in identity's store) and skips
	// the CreateUser/SetPassword checks.
	SkipUsers string
}

// RunIdentityProvider checks the IdentityProvider contract: a valid token
// names its principal; expired, not-yet-valid, wrong-issuer, wrong-audience,
// unsigned (alg none), unknown-key and tampered tokens are all
// kernel.KindUnauthenticated; a key rotation is followed without restart;
// CreateUser of an existing e-mail is kernel.KindConflict, SetPassword and
// DeleteUser of an unknown subject kernel.KindNotFound, and a deleted user's
// e-mail may be used again.
func RunIdentityProvider(t *testing.T, newFixture func(t *testing.T) IdentityProviderFixture) {
	report(t, "IdentityProvider")
	ctx := context.Background()
	patient := func() kernel.Principal {
		return kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	}

	t.Run("ValidToken", func(t *testing.T) {
		f := newFixture(t)
		cases := []kernel.Principal{
			patient(),
			{AccountID: kernel.NewID(), Kind: kernel.KindProfessional},
			{AccountID: kernel.NewID(), Kind: kernel.KindAdmin},
			{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, Roles: []string{"admin"}, CompanyID: kernel.NewID()},
		}
		for _, want := range cases {
			tok := f.Mint(t, TokenClaims{Principal: want})
			got, err := f.Provider.Verify(ctx, tok)
			if err != nil {
				t.Errorf("Verify of a valid %s token: %v", want.Kind, err)
				continue
			}
			if got.AccountID != want.AccountID || got.Kind != want.Kind {
				t.Errorf("Verify = account %q kind %q, want %q %q", got.AccountID, got.Kind, want.AccountID, want.Kind)
			}
			for _, r := range want.Roles {
				if !slices.Contains(got.Roles, r) {
					t.Errorf("Verify roles %v lack %q", got.Roles, r)
				}
			}
			if want.CompanyID != "" && got.CompanyID != want.CompanyID {
				t.Errorf("Verify company %q, want %q", got.CompanyID, want.CompanyID)
			}
		}
		// IssuedAt is the token's iat (identity ends sessions by it).
		iat := time.Now().Add(-90 * time.Second)
		got, err := f.Provider.Verify(ctx, f.Mint(t, TokenClaims{Principal: patient(), IssuedAt: iat}))
		mustNoErr(t, "Verify of a token issued 90 s ago", err)
		if d := got.IssuedAt.Sub(iat); d < -time.Second || d > time.Second {
			t.Errorf("Verify IssuedAt = %v, want the token's iat %v", got.IssuedAt, iat)
		}
		// Tolerated clock skew: issued a few seconds in the future.
		tok := f.Mint(t, TokenClaims{Principal: patient(), IssuedAt: time.Now().Add(5 * time.Second)})
		_, err = f.Provider.Verify(ctx, tok)
		mustNoErr(t, "Verify of a token issued 5 s ahead", err)
	})

	t.Run("BadTokensAreUnauthenticated", func(t *testing.T) {
		f := newFixture(t)
		now := time.Now()
		bad := map[string]TokenClaims{
			"expired":          {Principal: patient(), IssuedAt: now.Add(-2 * time.Hour), ExpiresAt: now.Add(-time.Hour)},
			"not yet valid":    {Principal: patient(), NotBefore: now.Add(time.Hour), ExpiresAt: now.Add(2 * time.Hour)},
			"wrong issuer":     {Principal: patient(), Issuer: "https://evil.example.com/realms/x"},
			"wrong audience":   {Principal: patient(), Audience: "another-client"},
			"no account claim": {Principal: kernel.Principal{Kind: kernel.KindPatient}},
		}
		for name, c := range bad {
			_, err := f.Provider.Verify(ctx, f.Mint(t, c))
			mustKind(t, "Verify of a token "+name, err, kernel.KindUnauthenticated)
		}
		good := f.Mint(t, TokenClaims{Principal: patient()})
		_, err := f.Provider.Verify(ctx, good)
		mustNoErr(t, "Verify of the good token", err)
		for name, tok := range map[string]string{
			"empty":                "",
			"not a JWT":            "not-a-token",
			"two parts":            strings.Join(strings.Split(good, ".")[:2], "."),
			"alg none":             algNone(t, good, true),
			"alg none without kid": algNone(t, good, false),
			"tampered signature":   tamperSignature(good),
			"tampered payload":     tamperPayload(t, good),
			"unknown kid header":   withHeader(t, good, "kid", "no-such-key"),
			"HS256 header":         withHeader(t, good, "alg", "HS256"),
			"signature removed":    good[:strings.LastIndex(good, ".")+1],
			"a megabyte of junk":   strings.Repeat("eyJhbGciOiJSUzI1NiJ9.", 1<<16),
		} {
			_, err := f.Provider.Verify(ctx, tok)
			mustKind(t, "Verify of a token with "+name, err, kernel.KindUnauthenticated)
		}
		if f.MintUnknownKey != nil {
			_, err := f.Provider.Verify(ctx, f.MintUnknownKey(t, TokenClaims{Principal: patient()}))
			mustKind(t, "Verify of a token signed by an unknown key", err, kernel.KindUnauthenticated)
		}
	})

	t.Run("KeyRotation", func(t *testing.T) {
		f := newFixture(t)
		if f.Rotate == nil {
			t.Skip("the fixture does not rotate keys")
		}
		p1 := patient()
		old := f.Mint(t, TokenClaims{Principal: p1})
		got, err := f.Provider.Verify(ctx, old)
		mustNoErr(t, "Verify before rotation", err)
		if got.AccountID != p1.AccountID {
			t.Fatalf("Verify before rotation named %q", got.AccountID)
		}
		f.Rotate(t)
		p2 := patient()
		fresh := f.Mint(t, TokenClaims{Principal: p2})
		if headerOf(t, fresh)["kid"] == headerOf(t, old)["kid"] {
			t.Fatal("the fixture's Rotate did not change the signing key ID")
		}
		got, err = f.Provider.Verify(ctx, fresh)
		mustNoErr(t, "Verify of a token signed by the new key", err)
		if got.AccountID != p2.AccountID {
			t.Errorf("Verify after rotation named %q, want %q", got.AccountID, p2.AccountID)
		}
		_, err = f.Provider.Verify(ctx, old)
		mustNoErr(t, "Verify of an old-key token while the old key is published", err)

		if f.RetireOld == nil {
			return
		}
		f.RetireOld(t)
		within := f.RetireWithin
		if within == 0 {
			within = 5 * time.Second
		}
		if !eventuallyTrue(within, func() bool {
			_, err := f.Provider.Verify(ctx, old)
			return kernel.KindOf(err) == kernel.KindUnauthenticated
		}) {
			t.Errorf("an old-key token still verifies %s after the key was retired", within)
		}
		_, err = f.Provider.Verify(ctx, f.Mint(t, TokenClaims{Principal: p2}))
		mustNoErr(t, "Verify of a new-key token after retirement", err)
	})

	t.Run("ConcurrentVerify", func(t *testing.T) {
		f := newFixture(t)
		p := patient()
		tok := f.Mint(t, TokenClaims{Principal: p})
		var wg sync.WaitGroup
		for i := 0; i < 20; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got, err := f.Provider.Verify(ctx, tok)
				if err != nil || got.AccountID != p.AccountID {
					t.Errorf("concurrent Verify: %v %q", err, got.AccountID)
				}
			}()
		}
		wg.Wait()
	})

	t.Run("Users", func(t *testing.T) {
		f := newFixture(t)
		if f.SkipUsers != "" {
			t.Skip(f.SkipUsers)
		}
		email := "conf-" + strings.ReplaceAll(kernel.NewID(), "-", "")[20:] + "@example.com"
		u := ports.NewUser{AccountID: kernel.NewID(), Email: email, Password: "Correct-Horse-9-Battery", Kind: kernel.KindPatient}
		sub, err := f.Provider.CreateUser(ctx, u)
		mustNoErr(t, "CreateUser", err)
		if sub == "" {
			t.Fatal("CreateUser returned an empty subject")
		}
		dup := u
		dup.AccountID = kernel.NewID()
		_, err = f.Provider.CreateUser(ctx, dup)
		mustKind(t, "CreateUser of an existing e-mail", err, kernel.KindConflict)
		mustNoErr(t, "SetPassword", f.Provider.SetPassword(ctx, sub, "Another-Horse-7-Staple"))
		err = f.Provider.SetPassword(ctx, "00000000-0000-4000-8000-000000000000", "Another-Horse-7-Staple")
		mustKind(t, "SetPassword of an unknown subject", err, kernel.KindNotFound)
		_, err = f.Provider.CreateUser(ctx, ports.NewUser{AccountID: kernel.NewID(), Password: "Correct-Horse-9-Battery", Kind: kernel.KindPatient})
		mustKind(t, "CreateUser without an e-mail", err, kernel.KindInvalid)
		company := ports.NewUser{AccountID: kernel.NewID(), Email: "staff-" + email, Password: "Correct-Horse-9-Battery",
			Kind: kernel.KindCompanyMember, Roles: []string{"staff"}, CompanyID: kernel.NewID()}
		sub2, err := f.Provider.CreateUser(ctx, company)
		mustNoErr(t, "CreateUser of a company member", err)
		if sub2 == sub {
			t.Error("two users got the same subject")
		}
		// DeleteUser undoes CreateUser: the e-mail is free again.
		mustNoErr(t, "DeleteUser", f.Provider.DeleteUser(ctx, sub))
		mustKind(t, "DeleteUser of a deleted user", f.Provider.DeleteUser(ctx, sub), kernel.KindNotFound)
		mustKind(t, "SetPassword of a deleted user", f.Provider.SetPassword(ctx, sub, "Another-Horse-7-Staple"), kernel.KindNotFound)
		again, err := f.Provider.CreateUser(ctx, u)
		mustNoErr(t, "CreateUser of a deleted user's e-mail", err)
		mustNoErr(t, "DeleteUser", f.Provider.DeleteUser(ctx, again))
		mustNoErr(t, "DeleteUser of the company member", f.Provider.DeleteUser(ctx, sub2))
	})
}

func eventuallyTrue(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func splitJWT(t *testing.T, tok string) (map[string]any, []byte, string) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("the fixture minted %q, not a compact JWS", tok)
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatalf("header: %v", err)
	}
	var h map[string]any
	if err := json.Unmarshal(hb, &h); err != nil {
		t.Fatalf("header: %v", err)
	}
	pb, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatalf("payload: %v", err)
	}
	return h, pb, parts[2]
}

func headerOf(t *testing.T, tok string) map[string]any {
	h, _, _ := splitJWT(t, tok)
	return h
}

func encodeJWT(h map[string]any, payload []byte, sig string) string {
	hb, _ := json.Marshal(h)
	return base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(payload) + "." + sig
}

func algNone(t *testing.T, tok string, keepKid bool) string {
	h, p, _ := splitJWT(t, tok)
	h["alg"] = "none"
	if !keepKid {
		delete(h, "kid")
	}
	return encodeJWT(h, p, "")
}

func withHeader(t *testing.T, tok, k, v string) string {
	h, p, sig := splitJWT(t, tok)
	h[k] = v
	return encodeJWT(h, p, sig)
}

func tamperSignature(tok string) string {
	i := strings.LastIndex(tok, ".") + 5
	b := []byte(tok)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

// tamperPayload rewrites every string claim value that looks like an ID,
// keeping header and signature: a forged identity.
func tamperPayload(t *testing.T, tok string) string {
	h, p, sig := splitJWT(t, tok)
	var claims map[string]any
	if err := json.Unmarshal(p, &claims); err != nil {
		t.Fatalf("payload: %v", err)
	}
	for k, v := range claims {
		if s, ok := v.(string); ok && kernel.ValidID(s) {
			claims[k] = kernel.NewID()
		}
	}
	claims["exp"] = time.Now().Add(100 * time.Hour).Unix()
	np, _ := json.Marshal(claims)
	return encodeJWT(h, np, sig)
}
