package cognitoauth_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/multisaude/multisaude/adapters/identity/cognitoauth"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/fakes/oidcfake"
)

const (
	pool     = "sa-east-1_TestPool"
	clientID = "4k3j2h1g0f9e8d7c6b5a"
)

// fakeCognito answers the Cognito user pool JSON API (X-Amz-Target:
// AWSCognitoIdentityProviderService.<Op>) for the operations the adapter uses.
type fakeCognito struct {
	mu      sync.Mutex
	users   map[string]*fakeUser // by username
	groups  map[string]bool
	targets []string
	failOp  string // answer this operation with InternalErrorException
}

type fakeUser struct {
	sub, username, password string
	attrs                   map[string]string
	groups                  []string
}

func (f *fakeCognito) find(name string) *fakeUser {
	if u, ok := f.users[name]; ok {
		return u
	}
	for _, u := range f.users {
		if u.sub == name {
			return u
		}
	}
	return nil
}

func awsError(w http.ResponseWriter, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

func (f *fakeCognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if !ok || r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json-1.1") ||
		!strings.HasPrefix(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256 ") {
		awsError(w, "UnknownOperationException", "bad request")
		return
	}
	var in map[string]any
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		awsError(w, "SerializationException", err.Error())
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.targets = append(f.targets, op)
	if in["UserPoolId"] != pool {
		awsError(w, "ResourceNotFoundException", "User pool does not exist.")
		return
	}
	if op == f.failOp {
		w.Header().Set("X-Amzn-ErrorType", "InternalErrorException")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"InternalErrorException","message":"boom"}`))
		return
	}
	name, _ := in["Username"].(string)
	out := map[string]any{}
	switch op {
	case "AdminCreateUser":
		if f.users[name] != nil {
			awsError(w, "UsernameExistsException", "An account with the given email already exists.")
			return
		}
		u := &fakeUser{sub: kernel.NewID(), username: name, attrs: map[string]string{}}
		attrs := []map[string]string{{"Name": "sub", "Value": u.sub}}
		for _, a := range in["UserAttributes"].([]any) {
			m := a.(map[string]any)
			u.attrs[m["Name"].(string)] = m["Value"].(string)
			attrs = append(attrs, map[string]string{"Name": m["Name"].(string), "Value": m["Value"].(string)})
		}
		if in["MessageAction"] != "SUPPRESS" {
			awsError(w, "InvalidParameterException", "expected SUPPRESS in this test")
			return
		}
		f.users[name] = u
		out["User"] = map[string]any{"Username": name, "Attributes": attrs, "Enabled": true,
			"UserStatus": "FORCE_CHANGE_PASSWORD", "UserCreateDate": float64(time.Now().Unix())}
	case "AdminSetUserPassword":
		u := f.find(name)
		if u == nil {
			awsError(w, "UserNotFoundException", "User does not exist.")
			return
		}
		pw, _ := in["Password"].(string)
		if len(pw) < 8 {
			awsError(w, "InvalidPasswordException", "Password did not conform with policy")
			return
		}
		if in["Permanent"] != true {
			awsError(w, "InvalidParameterException", "expected a permanent password in this test")
			return
		}
		u.password = pw
	case "AdminAddUserToGroup":
		u := f.find(name)
		if u == nil {
			awsError(w, "UserNotFoundException", "User does not exist.")
			return
		}
		g, _ := in["GroupName"].(string)
		if !f.groups[g] {
			awsError(w, "ResourceNotFoundException", "Group not found.")
			return
		}
		u.groups = append(u.groups, g)
	case "AdminDeleteUser":
		u := f.find(name)
		if u == nil {
			awsError(w, "UserNotFoundException", "User does not exist.")
			return
		}
		delete(f.users, u.username)
	default:
		awsError(w, "UnknownOperationException", op)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

type env struct {
	iss  *oidcfake.Issuer
	fake *fakeCognito
	prov *cognitoauth.Provider
}

func start(t *testing.T, tokenUse string) env {
	fake := &fakeCognito{users: map[string]*fakeUser{}, groups: map[string]bool{}}
	for _, g := range []string{"patient", "professional", "company_member", "admin", "company-admin", "company-staff"} {
		fake.groups[g] = true
	}
	api := httptest.NewServer(fake)
	t.Cleanup(api.Close)
	iss := oidcfake.New(t, oidcfake.Options{Path: "/" + pool})
	awsCfg := aws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDTEST", "secret", ""),
		RetryMaxAttempts: 1}
	prov, stop, err := cognitoauth.New(context.Background(), cognitoauth.Config{
		UserPoolID: pool, ClientID: clientID, TokenUse: tokenUse, Issuer: iss.URL(), Endpoint: api.URL,
		JWKSRefresh: time.Second, JWKSMinRefresh: time.Millisecond, AWS: &awsCfg,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	return env{iss: iss, fake: fake, prov: prov}
}

// claims builds what Cognito puts in an ID token (use "id") or an access token.
func claims(c conformance.TokenClaims, use string) map[string]any {
	sub := c.Subject
	if sub == "" {
		sub = kernel.NewID()
	}
	m := map[string]any{"sub": sub, "token_use": use, "auth_time": time.Now().Unix(), "iat": time.Now().Add(-time.Minute),
		"jti": kernel.NewID(), "origin_jti": kernel.NewID(), "event_id": kernel.NewID()}
	aud := clientID
	if c.Audience != "" {
		aud = c.Audience
	}
	if use == "id" {
		m["aud"] = aud
		m["cognito:username"] = sub
		m["email"] = "user@example.com"
		m["email_verified"] = true
	} else {
		m["client_id"] = aud
		m["scope"] = "aws.cognito.signin.user.admin"
		m["username"] = sub
	}
	if c.Issuer != "" {
		m["iss"] = c.Issuer
	}
	if !c.IssuedAt.IsZero() {
		m["iat"] = c.IssuedAt
	}
	if !c.NotBefore.IsZero() {
		m["nbf"] = c.NotBefore
	}
	if !c.ExpiresAt.IsZero() {
		m["exp"] = c.ExpiresAt
	}
	var groups []string
	if c.Principal.Kind != "" {
		groups = append(groups, string(c.Principal.Kind))
	}
	for _, r := range c.Principal.Roles {
		groups = append(groups, "company-"+r)
	}
	if groups != nil {
		m["cognito:groups"] = groups
	}
	if c.Principal.AccountID != "" {
		m["custom:account_id"] = c.Principal.AccountID
	}
	if c.Principal.CompanyID != "" {
		m["custom:company_id"] = c.Principal.CompanyID
	}
	return m
}

func TestConformance(t *testing.T) {
	for _, use := range []string{"id", "access"} {
		t.Run(use, func(t *testing.T) {
			conformance.RunIdentityProvider(t, func(t *testing.T) conformance.IdentityProviderFixture {
				e := start(t, "any")
				return conformance.IdentityProviderFixture{
					Provider: e.prov,
					Mint:     func(t *testing.T, c conformance.TokenClaims) string { return e.iss.Mint(claims(c, use)) },
					MintUnknownKey: func(t *testing.T, c conformance.TokenClaims) string {
						return e.iss.MintWith(claims(c, use), oidcfake.MintOptions{UnknownKey: true})
					},
					Rotate:    func(t *testing.T) { e.iss.Rotate() },
					RetireOld: func(t *testing.T) { e.iss.Retire() },
				}
			})
		})
	}
}

func TestTokenUse(t *testing.T) {
	ctx := context.Background()
	p := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindPatient}
	e := start(t, "id")
	if _, err := e.prov.Verify(ctx, e.iss.Mint(claims(conformance.TokenClaims{Principal: p}, "id"))); err != nil {
		t.Fatalf("id token with TokenUse id: %v", err)
	}
	if _, err := e.prov.Verify(ctx, e.iss.Mint(claims(conformance.TokenClaims{Principal: p}, "access"))); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Errorf("access token with TokenUse id: %v", err)
	}
	for _, use := range []string{"refresh", ""} {
		m := claims(conformance.TokenClaims{Principal: p}, "id")
		m["token_use"] = use
		if use == "" {
			m["token_use"] = nil
		}
		if _, err := e.prov.Verify(ctx, e.iss.Mint(m)); kernel.KindOf(err) != kernel.KindUnauthenticated {
			t.Errorf("token_use %q: %v", use, err)
		}
	}
	// An ID token's aud names the client; client_id alone does not make it valid.
	m := claims(conformance.TokenClaims{Principal: p}, "id")
	m["aud"], m["client_id"] = "other", clientID
	if _, err := e.prov.Verify(ctx, e.iss.Mint(m)); kernel.KindOf(err) != kernel.KindUnauthenticated {
		t.Errorf("id token for another client: %v", err)
	}
	if _, _, err := cognitoauth.New(ctx, cognitoauth.Config{UserPoolID: pool, ClientID: clientID, TokenUse: "refresh", Region: "sa-east-1"}); err == nil {
		t.Error("TokenUse refresh accepted")
	}
}

func TestDefaultIssuer(t *testing.T) {
	awsCfg := aws.Config{Region: "sa-east-1", Credentials: credentials.NewStaticCredentialsProvider("a", "b", "")}
	p, stop, err := cognitoauth.New(context.Background(), cognitoauth.Config{UserPoolID: pool, ClientID: clientID, AWS: &awsCfg})
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	_ = p
	if got, want := cognitoauth.IssuerOf(p), "https://cognito-idp.sa-east-1.amazonaws.com/"+pool; got != want {
		t.Errorf("issuer %q, want %q", got, want)
	}
}

func TestCreateUserCalls(t *testing.T) {
	ctx := context.Background()
	e := start(t, "any")
	acc, comp := kernel.NewID(), kernel.NewID()
	sub, err := e.prov.CreateUser(ctx, ports.NewUser{AccountID: acc, Email: "Ana@Example.com", Password: "Correct-Horse-9",
		Kind: kernel.KindCompanyMember, Roles: []string{"staff"}, CompanyID: comp})
	if err != nil {
		t.Fatal(err)
	}
	e.fake.mu.Lock()
	u := e.fake.users["ana@example.com"]
	targets := strings.Join(e.fake.targets, ",")
	e.fake.mu.Unlock()
	if u == nil || u.sub != sub || u.password != "Correct-Horse-9" || u.attrs["custom:account_id"] != acc ||
		u.attrs["custom:company_id"] != comp || u.attrs["email_verified"] != "true" || u.attrs["email"] != "Ana@Example.com" {
		t.Fatalf("user %+v (sub %s)", u, sub)
	}
	if strings.Join(u.groups, ",") != "company_member,company-staff" {
		t.Errorf("groups %v", u.groups)
	}
	if targets != "AdminCreateUser,AdminSetUserPassword,AdminAddUserToGroup,AdminAddUserToGroup" {
		t.Errorf("calls %s", targets)
	}
	// A rejected password undoes the creation, and is a field error.
	_, err = e.prov.CreateUser(ctx, ports.NewUser{AccountID: kernel.NewID(), Email: "bob@example.com", Password: "short", Kind: kernel.KindPatient})
	if kernel.KindOf(err) != kernel.KindInvalid {
		t.Fatalf("short password: %v", err)
	}
	e.fake.mu.Lock()
	_, left := e.fake.users["bob@example.com"]
	e.fake.mu.Unlock()
	if left {
		t.Error("a user whose password was rejected was left behind")
	}
	// A missing group is a configuration problem, not the caller's.
	_, err = e.prov.CreateUser(ctx, ports.NewUser{AccountID: kernel.NewID(), Email: "carl@example.com", Password: "Correct-Horse-9",
		Kind: kernel.KindCompanyMember, Roles: []string{"owner"}, CompanyID: comp})
	if kernel.KindOf(err) != kernel.KindInternal {
		t.Errorf("missing group: %v", err)
	}
	e.fake.mu.Lock()
	e.fake.failOp = "AdminCreateUser"
	e.fake.mu.Unlock()
	_, err = e.prov.CreateUser(ctx, ports.NewUser{AccountID: kernel.NewID(), Email: "dan@example.com", Password: "Correct-Horse-9", Kind: kernel.KindPatient})
	if kernel.KindOf(err) != kernel.KindUnavailable {
		t.Errorf("Cognito failing: %v, want unavailable", err)
	}
}
