package identity_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
)

type tokens struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	AccountID    string `json:"account_id"`
	Kind         string `json:"kind"`
}

func grant(t *testing.T, h *harness.H, body map[string]any) *harness.Resp {
	t.Helper()
	return h.Post(t, "/v1/auth/token", "", body)
}

func TestLoginRefreshRotationReuseAndLogout(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		p := harness.SignUpPatient(t, h)
		var t1 tokens
		grant(t, h, map[string]any{"grant_type": "password", "email": strings.ToUpper(p.Email), "password": p.Password}).Want(t, http.StatusOK).JSON(t, &t1)
		if t1.TokenType != "Bearer" || t1.ExpiresIn != 900 || t1.AccountID != p.ID || t1.Kind != "patient" || strings.Count(t1.AccessToken, ".") != 2 {
			t.Fatalf("tokens = %+v", t1)
		}
		h.Get(t, "/v1/me", t1.AccessToken).Want(t, http.StatusOK)

		// Wrong password and unknown e-mail answer alike.
		a := grant(t, h, map[string]any{"grant_type": "password", "email": p.Email, "password": "Wrong-Password-1"}).Want(t, http.StatusUnauthorized).Problem(t)
		b := grant(t, h, map[string]any{"grant_type": "password", "email": "ghost@example.test", "password": "Wrong-Password-1"}).Want(t, http.StatusUnauthorized).Problem(t)
		if a.Detail != b.Detail {
			t.Errorf("the answers differ, revealing whether the e-mail exists: %q vs %q", a.Detail, b.Detail)
		}

		// Rotation: each refresh gives a new refresh token; the old one is spent.
		var t2, t3 tokens
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": t1.RefreshToken}).Want(t, http.StatusOK).JSON(t, &t2)
		if t2.RefreshToken == t1.RefreshToken || t2.AccessToken == "" {
			t.Fatal("refresh did not rotate")
		}
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": t2.RefreshToken}).Want(t, http.StatusOK).JSON(t, &t3)
		// Reuse of a spent token revokes the whole family: t3 dies too.
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": t1.RefreshToken}).Want(t, http.StatusUnauthorized)
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": t3.RefreshToken}).Want(t, http.StatusUnauthorized)

		// Logout ends exactly one session: A's access and refresh tokens are
		// refused at once, B's access token and refresh token go on working.
		aAccess, aRefresh := harness.Login(t, h, p.Email, p.Password, "")
		bAccess, bRefresh := harness.Login(t, h, p.Email, p.Password, "")
		h.Get(t, "/v1/me", aAccess).Want(t, http.StatusOK) // both verified (and cached by the provider) before the logout
		h.Get(t, "/v1/me", bAccess).Want(t, http.StatusOK)
		h.Post(t, "/v1/auth/logout", aAccess, map[string]any{"refresh_token": aRefresh}).Want(t, http.StatusNoContent)
		h.Get(t, "/v1/me", aAccess).Want(t, http.StatusUnauthorized)
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": aRefresh}).Want(t, http.StatusUnauthorized)
		h.Get(t, "/v1/me", bAccess).Want(t, http.StatusOK)
		var b2 tokens
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": bRefresh}).Want(t, http.StatusOK).JSON(t, &b2)
		h.Get(t, "/v1/me", bAccess).Want(t, http.StatusOK) // the session's earlier access token too
		h.Get(t, "/v1/me", b2.AccessToken).Want(t, http.StatusOK)
		// Logging A out again, or with the refresh token B already spent, changes nothing for B.
		h.Post(t, "/v1/auth/logout", "", map[string]any{"refresh_token": aRefresh}).Want(t, http.StatusNoContent)
		h.Get(t, "/v1/me", b2.AccessToken).Want(t, http.StatusOK)

		// Logout everywhere: every session's access and refresh tokens end.
		cAccess, cRefresh := harness.Login(t, h, p.Email, p.Password, "")
		h.Post(t, "/v1/auth/logout", b2.AccessToken, map[string]any{"all": true}).Want(t, http.StatusNoContent)
		for _, tok := range []string{bAccess, b2.AccessToken, cAccess} {
			h.Get(t, "/v1/me", tok).Want(t, http.StatusUnauthorized)
		}
		for _, rt := range []string{b2.RefreshToken, cRefresh} {
			grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": rt}).Want(t, http.StatusUnauthorized)
		}
		h.Post(t, "/v1/auth/logout", "", map[string]any{"all": true}).Want(t, http.StatusUnauthorized)
		// A new sign-in works.
		dAccess, _ := harness.Login(t, h, p.Email, p.Password, "")
		h.Get(t, "/v1/me", dAccess).Want(t, http.StatusOK)

		// Bad grants name the field.
		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"email": p.Email, "password": "x"}, "grant_type"},
			{map[string]any{"grant_type": "client_credentials"}, "grant_type"},
			{map[string]any{"grant_type": "password", "email": "nope", "password": "x"}, "email"},
			{map[string]any{"grant_type": "password", "email": p.Email}, "password"},
			{map[string]any{"grant_type": "password", "email": p.Email, "password": "x", "account_kind": "robot"}, "account_kind"},
			{map[string]any{"grant_type": "refresh_token"}, "refresh_token"},
		} {
			if pr := grant(t, h, c.body).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField(c.field) {
				t.Errorf("%v: names %v, want %s", c.body, pr.Fields(), c.field)
			}
		}
	})
}

func TestOneEmailSeveralKinds(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		p := harness.SignUpPatient(t, h)
		prb := harness.ProfessionalBody(harness.ProfessionalOptions{})
		prb["email"] = p.Email
		h.Post(t, "/v1/professionals", "", prb).Want(t, http.StatusCreated)
		// Same password on both: the caller must say which account.
		pr := grant(t, h, map[string]any{"grant_type": "password", "email": p.Email, "password": p.Password}).Want(t, http.StatusBadRequest).Problem(t)
		if !pr.HasField("account_kind") {
			t.Errorf("names %v", pr.Fields())
		}
		var tk tokens
		grant(t, h, map[string]any{"grant_type": "password", "email": p.Email, "password": p.Password, "account_kind": "professional"}).Want(t, http.StatusOK).JSON(t, &tk)
		if tk.Kind != "professional" {
			t.Errorf("kind %q", tk.Kind)
		}
	})
}

func TestLockoutAndRateLimit(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			h := harness.Start(t, d, harness.WithEnv("MULTISAUDE_AUTH_LOCKOUT_THRESHOLD", "3"),
				harness.WithEnv("MULTISAUDE_AUTH_LOGIN_PER_IP", "40"), harness.WithEnv("MULTISAUDE_AUTH_RATE_WINDOW", "10m"))
			p := harness.SignUpPatient(t, h)
			for i := 0; i < 3; i++ {
				grant(t, h, map[string]any{"grant_type": "password", "email": p.Email, "password": "Wrong-Password-1"}).Want(t, http.StatusUnauthorized)
			}
			// Locked: even the right password is refused, with 429.
			grant(t, h, map[string]any{"grant_type": "password", "email": p.Email, "password": p.Password}).Want(t, http.StatusTooManyRequests)
			// An unknown e-mail locks the same way, so lockout does not reveal existence.
			for i := 0; i < 3; i++ {
				grant(t, h, map[string]any{"grant_type": "password", "email": "ghost@example.test", "password": "Wrong-Password-1"}).Want(t, http.StatusUnauthorized)
			}
			grant(t, h, map[string]any{"grant_type": "password", "email": "ghost@example.test", "password": "Wrong-Password-1"}).Want(t, http.StatusTooManyRequests)
			// Per-IP limit: 40 attempts per window (10 minutes here, so a slow machine cannot reset it
			// mid-test) from one address; 9 are used so far (the sign-up's login and 8 above).
			limited := 0
			for i := 0; i < 40; i++ {
				r := grant(t, h, map[string]any{"grant_type": "password", "email": harness.NewEmail("spray"), "password": "Wrong-Password-1"})
				if r.Status == http.StatusTooManyRequests {
					limited++
				}
			}
			if limited != 9 {
				t.Errorf("%d of 40 sprayed attempts were limited, want 9", limited)
			}
		})
	}
}

var tokenInMail = regexp.MustCompile(`X-Multisaude-Data: token=([A-Za-z0-9_-]+)`)

func resetToken(t *testing.T, h *harness.H, to string) string {
	t.Helper()
	var tok string
	harness.Eventually(t, 5e9, func() error {
		tok = ""
		for _, m := range h.Mails(t) {
			if strings.Contains(m, "To: "+to+"\r\n") {
				if mm := tokenInMail.FindStringSubmatch(m); mm != nil {
					tok = mm[1]
				}
			}
		}
		if tok == "" {
			return errNoMail
		}
		return nil
	})
	return tok
}

type mailErr string

func (e mailErr) Error() string { return string(e) }

const errNoMail = mailErr("no reset e-mail yet")

func TestPasswordReset(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		p := harness.SignUpPatient(t, h)
		// Same answer for an unknown address, and nothing is sent.
		h.Post(t, "/v1/auth/password-reset", "", map[string]any{"email": "ghost@example.test"}).Want(t, http.StatusAccepted)
		h.Post(t, "/v1/auth/password-reset", "", map[string]any{"email": p.Email}).Want(t, http.StatusAccepted)
		tok := resetToken(t, h, p.Email)
		for _, m := range h.Mails(t) {
			if strings.Contains(m, "ghost@example.test") {
				t.Error("a reset e-mail went to an unknown address")
			}
		}
		if pr := h.Post(t, "/v1/auth/password-reset/confirm", "", map[string]any{"token": tok, "password": "short"}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("password") {
			t.Errorf("names %v", pr.Fields())
		}
		h.Post(t, "/v1/auth/password-reset/confirm", "", map[string]any{"token": tok, "password": "Brand-New-Pass-7"}).Want(t, http.StatusNoContent)
		// Single use.
		if pr := h.Post(t, "/v1/auth/password-reset/confirm", "", map[string]any{"token": tok, "password": "Brand-New-Pass-8"}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("token") {
			t.Errorf("names %v", pr.Fields())
		}
		grant(t, h, map[string]any{"grant_type": "password", "email": p.Email, "password": p.Password}).Want(t, http.StatusUnauthorized)
		harness.Login(t, h, p.Email, "Brand-New-Pass-7", "")
		// The session from before the reset is over.
		grant(t, h, map[string]any{"grant_type": "refresh_token", "refresh_token": p.RefreshToken}).Want(t, http.StatusUnauthorized)
		if pr := h.Post(t, "/v1/auth/password-reset", "", map[string]any{"email": "not-an-email"}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("email") {
			t.Errorf("names %v", pr.Fields())
		}
	})
}

func TestPatchMe(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		p := harness.SignUpPatient(t, h)
		other := harness.SignUpPatient(t, h)
		patch := func(body map[string]any) *harness.Resp {
			return h.Do(t, harness.Req{Method: http.MethodPatch, Path: "/v1/me", Token: p.Token, Body: body})
		}
		if pr := patch(map[string]any{"email": harness.NewEmail("new")}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("current_password") {
			t.Errorf("names %v", pr.Fields())
		}
		if pr := patch(map[string]any{"email": harness.NewEmail("new"), "current_password": "Wrong-Password-1"}).Want(t, http.StatusUnprocessableEntity).Problem(t); !pr.HasField("current_password") {
			t.Errorf("names %v", pr.Fields())
		}
		if pr := patch(map[string]any{"email": other.Email, "current_password": p.Password}).Want(t, http.StatusConflict).Problem(t); !pr.HasField("email") {
			t.Errorf("names %v", pr.Fields())
		}
		if pr := patch(map[string]any{"bio": "x"}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("bio") {
			t.Errorf("names %v", pr.Fields())
		}
		if pr := patch(map[string]any{"address": map[string]any{"cep": "1"}}).Want(t, http.StatusBadRequest).Problem(t); !pr.HasField("address.cep") {
			t.Errorf("names %v", pr.Fields())
		}
		newEmail := harness.NewEmail("renamed")
		var me struct {
			Email   string `json:"email"`
			Name    string `json:"name"`
			Patient struct {
				SocialName string `json:"social_name"`
				Address    struct {
					City string `json:"city"`
				} `json:"address"`
			} `json:"patient"`
		}
		patch(map[string]any{"name": "Maria S.", "social_name": "Mar", "email": newEmail, "current_password": p.Password,
			"address": map[string]any{"cep": "20040-020", "street": "Rua da Assembleia", "number": "10", "district": "Centro", "city": "Rio de Janeiro", "uf": "RJ"}}).
			Want(t, http.StatusOK).JSON(t, &me)
		if me.Email != newEmail || me.Name != "Maria S." || me.Patient.SocialName != "Mar" || me.Patient.Address.City != "Rio de Janeiro" {
			t.Errorf("me = %+v", me)
		}
		harness.Login(t, h, newEmail, p.Password, "")
		// A professional changes price and modes.
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		var pm struct {
			Professional struct {
				Price struct{ Amount int64 } `json:"price"`
				Modes []string               `json:"modes"`
			} `json:"professional"`
		}
		h.Do(t, harness.Req{Method: http.MethodPatch, Path: "/v1/me", Token: pro.Token, Body: map[string]any{
			"price": map[string]any{"amount": 30000, "currency": "BRL"}, "modes": []string{"telemedicine"}}}).Want(t, http.StatusOK).JSON(t, &pm)
		if pm.Professional.Price.Amount != 30000 || len(pm.Professional.Modes) != 1 {
			t.Errorf("professional patch = %+v", pm)
		}
	})
}
