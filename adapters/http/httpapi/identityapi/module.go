// Package identityapi is identity's HTTP routes: sign-up of patients,
// professionals and companies, tokens, /v1/me, admin verification, company
// members, partner API keys and the JWKS of the local identity provider.
package identityapi

import (
	"encoding/json"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
)

// KeySet publishes the public keys that verify access tokens (the local provider).
type KeySet interface {
	JWKS() []byte
}

// Module registers identity's routes.
type Module struct {
	svc  *identity.Service
	keys KeySet
}

var _ httpapi.Module = (*Module)(nil)

// New builds the module. keys may be nil when tokens come from an outside
// provider (no /.well-known/jwks.json route then).
func New(svc *identity.Service, keys KeySet) *Module { return &Module{svc: svc, keys: keys} }

const tag = "identity"

var problems = httpapi.ProblemResponses

func responses(ok []httpapi.Response, errs ...int) []httpapi.Response {
	return append(ok, problems(errs...)...)
}

var listQuery = httpapi.PageParams

// Register adds the routes.
func (m *Module) Register(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/v1/patients", httpapi.Op{ID: "signUpPatient", Summary: "Sign up as a patient", Tag: tag,
		Auth: httpapi.Public, Request: PatientRequest{},
		Responses: responses([]httpapi.Response{{Status: 201, Body: PatientResponse{}}}, 400, 409, 415)}, m.signUpPatient)
	r.Handle(fiber.MethodPost, "/v1/professionals", httpapi.Op{ID: "signUpProfessional", Summary: "Sign up as a health professional (pending verification)", Tag: tag,
		Auth: httpapi.Public, Request: ProfessionalRequest{},
		Responses: responses([]httpapi.Response{{Status: 201, Body: ProfessionalResponse{}}}, 400, 409, 415)}, m.signUpProfessional)
	r.Handle(fiber.MethodGet, "/v1/directory/professionals", httpapi.Op{ID: "listProfessionals", Summary: "Directory of verified professionals (profiles only; GET /v1/professionals searches with free slots)", Tag: tag,
		Auth: httpapi.Public, Query: append([]httpapi.Param{{Name: "specialty"}, {Name: "profession", Enum: identity.Professions()},
			{Name: "mode", Enum: identity.Modes()}, {Name: "city"}, {Name: "uf", Enum: identity.UFList()}}, listQuery...),
		Responses: responses([]httpapi.Response{{Status: 200, Body: httpapi.ListResponse[ProfessionalResponse]{}}}, 400)}, m.listProfessionals)
	r.Handle(fiber.MethodGet, "/v1/professionals/:id", httpapi.Op{ID: "getProfessional", Summary: "A professional's public profile", Tag: tag,
		Auth:      httpapi.Public,
		Responses: responses([]httpapi.Response{{Status: 200, Body: ProfessionalResponse{}}}, 404)}, m.getProfessional)
	r.Handle(fiber.MethodPost, "/v1/companies", httpapi.Op{ID: "signUpCompany", Summary: "Sign up a partner company and its first admin (pending verification)", Tag: tag,
		Auth: httpapi.Public, Request: CompanyRequest{},
		Responses: responses([]httpapi.Response{{Status: 201, Body: CompanySignUpResponse{}}}, 400, 409, 415)}, m.signUpCompany)
	r.Handle(fiber.MethodGet, "/v1/companies", httpapi.Op{ID: "listCompanies", Summary: "Verified partner companies", Tag: tag,
		Auth: httpapi.Public, Query: append([]httpapi.Param{{Name: "type", Enum: identity.CompanyTypes()}}, listQuery...),
		Responses: responses([]httpapi.Response{{Status: 200, Body: httpapi.ListResponse[CompanyResponse]{}}}, 400)}, m.listCompanies)
	r.Handle(fiber.MethodGet, "/v1/companies/:id", httpapi.Op{ID: "getCompany", Summary: "A partner company", Tag: tag,
		Auth:      httpapi.Public,
		Responses: responses([]httpapi.Response{{Status: 200, Body: CompanyResponse{}}}, 404)}, m.getCompany)

	r.Handle(fiber.MethodPost, "/v1/auth/token", httpapi.Op{ID: "token", Summary: "Sign in (grant_type password) or refresh (grant_type refresh_token)", Tag: tag,
		Auth: httpapi.Public, Request: TokenRequest{},
		Responses: responses([]httpapi.Response{{Status: 200, Body: TokenResponse{}}}, 400, 401, 422, 429)}, m.token)
	r.Handle(fiber.MethodPost, "/v1/auth/logout", httpapi.Op{ID: "logout", Summary: "End a session (its refresh token family), or all of the caller's", Tag: tag,
		Auth: httpapi.Public, Request: LogoutRequest{},
		Responses: responses([]httpapi.Response{{Status: 204}}, 400, 401)}, m.logout)
	r.Handle(fiber.MethodPost, "/v1/auth/password-reset", httpapi.Op{ID: "requestPasswordReset", Summary: "E-mail a single-use password-reset link (the answer is the same whether the account exists or not)", Tag: tag,
		Auth: httpapi.Public, Request: ResetRequest{},
		Responses: responses([]httpapi.Response{{Status: 202, Body: AcceptedResponse{}}}, 400, 429)}, m.requestReset)
	r.Handle(fiber.MethodPost, "/v1/auth/password-reset/confirm", httpapi.Op{ID: "confirmPasswordReset", Summary: "Set a new password with a reset token", Tag: tag,
		Auth: httpapi.Public, Request: ResetConfirm{},
		Responses: responses([]httpapi.Response{{Status: 204}}, 400)}, m.confirmReset)
	if m.keys != nil {
		r.Handle(fiber.MethodGet, "/.well-known/jwks.json", httpapi.Op{ID: "jwks", Summary: "Public keys that verify access tokens", Tag: tag,
			Auth: httpapi.Public, ResponseHeaders: []string{"Cache-Control"}, Responses: []httpapi.Response{{Status: 200, Body: JWKSResponse{}}}}, m.jwks)
	}

	r.Handle(fiber.MethodGet, "/v1/me", httpapi.Op{ID: "getMe", Summary: "The caller's account and profile", Tag: tag,
		Auth:      httpapi.User,
		Responses: responses([]httpapi.Response{{Status: 200, Body: MeResponse{}}}, 401)}, m.getMe)
	r.Handle(fiber.MethodPatch, "/v1/me", httpapi.Op{ID: "updateMe", Summary: "Change the caller's profile (e-mail and password need current_password)", Tag: tag,
		Auth: httpapi.User, Request: MePatchRequest{},
		Responses: responses([]httpapi.Response{{Status: 200, Body: MeResponse{}}}, 400, 401, 409, 422)}, m.updateMe)

	for _, kind := range []string{"professionals", "companies"} {
		single := strings.TrimSuffix(strings.TrimSuffix(kind, "s"), "ie")
		if kind == "companies" {
			single = "company"
		}
		body := any(ProfessionalResponse{})
		list := any(httpapi.ListResponse[ProfessionalResponse]{})
		if kind == "companies" {
			body, list = CompanyResponse{}, httpapi.ListResponse[CompanyResponse]{}
		}
		title := strings.ToUpper(single[:1]) + single[1:]
		r.Handle(fiber.MethodGet, "/v1/admin/"+kind, httpapi.Op{ID: "adminList" + title, Summary: "Admin: " + kind + " by status (pending_verification by default)", Tag: tag,
			Auth: httpapi.User, Query: append([]httpapi.Param{{Name: "status", Enum: identity.Statuses()}}, listQuery...),
			Responses: responses([]httpapi.Response{{Status: 200, Body: list}}, 400, 401, 403)}, m.adminList(kind))
		r.Handle(fiber.MethodPost, "/v1/admin/"+kind+"/:id/verify", httpapi.Op{ID: "verify" + title, Summary: "Admin: verify a " + single, Tag: tag,
			Auth:      httpapi.User,
			Responses: responses([]httpapi.Response{{Status: 200, Body: body}}, 401, 403, 404, 409)}, m.decide(kind, true))
		r.Handle(fiber.MethodPost, "/v1/admin/"+kind+"/:id/reject", httpapi.Op{ID: "reject" + title, Summary: "Admin: reject a " + single + " with a reason", Tag: tag,
			Auth: httpapi.User, Request: DecisionRequest{},
			Responses: responses([]httpapi.Response{{Status: 200, Body: body}}, 400, 401, 403, 404, 409)}, m.decide(kind, false))
	}

	r.Handle(fiber.MethodGet, "/v1/companies/:id/members", httpapi.Op{ID: "listMembers", Summary: "A company's members", Tag: tag,
		Auth:      httpapi.User,
		Responses: responses([]httpapi.Response{{Status: 200, Body: httpapi.ListResponse[MemberResponse]{}}}, 401, 403, 404)}, m.listMembers)
	r.Handle(fiber.MethodPost, "/v1/companies/:id/members", httpapi.Op{ID: "addMember", Summary: "Add a member (admin or staff); without a password an invitation is e-mailed", Tag: tag,
		Auth: httpapi.User, Request: MemberRequest{},
		Responses: responses([]httpapi.Response{{Status: 201, Body: MemberResponse{}}}, 400, 401, 403, 409)}, m.addMember)
	r.Handle(fiber.MethodDelete, "/v1/companies/:id/members/:account_id", httpapi.Op{ID: "removeMember", Summary: "Remove a member (not the last admin)", Tag: tag,
		Auth:      httpapi.User,
		Responses: responses([]httpapi.Response{{Status: 204}}, 401, 403, 404, 409)}, m.removeMember)
	r.Handle(fiber.MethodGet, "/v1/companies/:id/api-keys", httpapi.Op{ID: "listAPIKeys", Summary: "A company's API keys (never their secrets)", Tag: tag,
		Auth:      httpapi.User,
		Responses: responses([]httpapi.Response{{Status: 200, Body: httpapi.ListResponse[APIKeyResponse]{}}}, 401, 403)}, m.listKeys)
	r.Handle(fiber.MethodPost, "/v1/companies/:id/api-keys", httpapi.Op{ID: "createAPIKey", Summary: "Create an API key; its secret is shown once", Tag: tag,
		Auth: httpapi.User, Request: APIKeyRequest{},
		Responses: responses([]httpapi.Response{{Status: 201, Body: APIKeyResponse{}}}, 400, 401, 403)}, m.createKey)
	r.Handle(fiber.MethodDelete, "/v1/companies/:id/api-keys/:key_id", httpapi.Op{ID: "revokeAPIKey", Summary: "Revoke an API key", Tag: tag,
		Auth:      httpapi.User,
		Responses: responses([]httpapi.Response{{Status: 204}}, 401, 403, 404)}, m.revokeKey)
}

func (m *Module) signUpPatient(c *fiber.Ctx) error {
	var req PatientRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	p, err := m.svc.SignUpPatient(c.UserContext(), httpapi.PrincipalOf(c), identity.PatientSignUp{
		Name: req.Name, SocialName: req.SocialName, Email: req.Email, Password: req.Password, CPF: req.CPF,
		BirthDate: req.BirthDate, Phone: req.Phone, Address: req.Address.input()})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/me", patientOf(p))
}

func (m *Module) signUpProfessional(c *fiber.Ctx) error {
	var req ProfessionalRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	in := identity.ProfessionalSignUp{Name: req.Name, Email: req.Email, Password: req.Password, CPF: req.CPF, Phone: req.Phone,
		Profession: req.Profession, Bio: req.Bio, Council: identity.CouncilInput{Type: req.Council.Type, Number: req.Council.Number, UF: req.Council.UF},
		Specialties: req.Specialties, Price: kernel.Money{Amount: req.Price.Amount, Currency: req.Price.Currency}, Modes: req.Modes}
	if req.Address != nil {
		in.Address = req.Address.input()
	}
	p, err := m.svc.SignUpProfessional(c.UserContext(), httpapi.PrincipalOf(c), in)
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/professionals/"+p.ID, professionalOf(p, true))
}

func (m *Module) signUpCompany(c *fiber.Ctx) error {
	var req CompanyRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	co, admin, err := m.svc.SignUpCompany(c.UserContext(), httpapi.PrincipalOf(c), identity.CompanySignUp{
		LegalName: req.LegalName, TradeName: req.TradeName, CNPJ: req.CNPJ, Type: req.Type, Phone: req.Phone, Email: req.Email,
		Address: req.Address.input(), Admin: identity.CompanyAdminInput{Name: req.Admin.Name, Email: req.Admin.Email, Password: req.Admin.Password}})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "/v1/companies/"+co.ID, CompanySignUpResponse{CompanyResponse: companyOf(co), AdminAccountID: admin.ID})
}

// page cuts a page out of an in-memory list; the cursor is the offset.
func page[T, R any](q *httpapi.Query, items []T, conv func(T) R) (httpapi.ListResponse[R], error) {
	pg, err := q.Page().Normalize()
	if err != nil {
		return httpapi.ListResponse[R]{}, err
	}
	off := 0
	if pg.Cursor != "" {
		var cur struct {
			O int `json:"o"`
		}
		if err := kernel.DecodeCursor(pg.Cursor, &cur); err != nil || cur.O < 0 {
			return httpapi.ListResponse[R]{}, kernel.Invalid("cursor", "não é um cursor fornecido por esta API")
		}
		off = cur.O
	}
	out := httpapi.ListResponse[R]{Items: make([]R, 0, pg.Limit)}
	for i := off; i < len(items) && len(out.Items) < pg.Limit; i++ {
		out.Items = append(out.Items, conv(items[i]))
	}
	if end := off + pg.Limit; end < len(items) {
		out.NextCursor = kernel.EncodeCursor(map[string]int{"o": end})
	}
	return out, nil
}

func (m *Module) listProfessionals(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	pq := identity.ProfessionalQuery{Specialty: q.String("specialty"), Profession: q.String("profession"), Mode: q.String("mode"),
		City: q.String("city"), UF: q.String("uf")}
	if pq.Mode != "" && pq.Mode != identity.ModeInPerson && pq.Mode != identity.ModeTelemedicine {
		q.Fail("mode", "deve ser in_person ou telemedicine")
	}
	if pq.UF != "" {
		if _, ok := identity.NormalizeUF(pq.UF); !ok {
			q.Fail("uf", "deve ser a sigla de um estado brasileiro, como SP")
		}
	}
	if err := q.Err(); err != nil {
		return err
	}
	list, err := m.svc.ListVerifiedProfessionals(c.UserContext(), pq)
	if err != nil {
		return err
	}
	out, err := page(q, list, func(p identity.Professional) ProfessionalResponse { return professionalOf(p, false) })
	if err != nil {
		return err
	}
	return httpapi.OK(c, out)
}

func (m *Module) getProfessional(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	p := httpapi.PrincipalOf(c)
	pr, err := m.svc.GetProfessional(c.UserContext(), p, id)
	if err != nil {
		return err
	}
	private := p.Kind == kernel.KindAdmin || p.AccountID == pr.ID
	return httpapi.OK(c, professionalOf(pr, private))
}

func (m *Module) listCompanies(c *fiber.Ctx) error {
	q := httpapi.NewQuery(c)
	list, err := m.svc.ListCompanies(c.UserContext(), httpapi.PrincipalOf(c), q.String("type"))
	if err != nil {
		return err
	}
	out, err := page(q, list, companyOf)
	if err != nil {
		return err
	}
	return httpapi.OK(c, out)
}

func (m *Module) getCompany(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	co, err := m.svc.GetCompany(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	return httpapi.OK(c, companyOf(co))
}

func tokenOf(t identity.Tokens) TokenResponse {
	return TokenResponse{AccessToken: t.AccessToken, RefreshToken: t.RefreshToken, TokenType: "Bearer",
		ExpiresIn: int(t.ExpiresIn.Seconds()), AccountID: t.Principal.AccountID, Kind: string(t.Principal.Kind)}
}

func (m *Module) token(c *fiber.Ctx) error {
	var req TokenRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	var t identity.Tokens
	var err error
	switch req.GrantType {
	case "password":
		if req.RefreshToken != "" {
			return kernel.Invalid("refresh_token", "não é usado com grant_type password")
		}
		t, err = m.svc.Login(c.UserContext(), identity.LoginInput{Email: req.Email, Password: req.Password,
			AccountKind: req.AccountKind, IP: httpapi.ClientIP(c)})
	case "refresh_token":
		if req.Email != "" || req.Password != "" {
			return kernel.Invalid("password", "e-mail e senha não são usados com grant_type refresh_token")
		}
		t, err = m.svc.Refresh(c.UserContext(), req.RefreshToken, httpapi.ClientIP(c))
	case "":
		return kernel.Invalid("grant_type", "é obrigatório: password ou refresh_token")
	default:
		return kernel.Invalid("grant_type", "deve ser password ou refresh_token")
	}
	if err != nil {
		return err
	}
	return httpapi.OK(c, tokenOf(t))
}

func (m *Module) logout(c *fiber.Ctx) error {
	var req LogoutRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	if err := m.svc.Logout(c.UserContext(), httpapi.PrincipalOf(c), req.RefreshToken, req.All); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}

func (m *Module) requestReset(c *fiber.Ctx) error {
	var req ResetRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	if err := m.svc.RequestPasswordReset(c.UserContext(), req.Email, req.AccountKind, httpapi.ClientIP(c)); err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(AcceptedResponse{Status: "if the account exists, an e-mail is on its way"})
}

func (m *Module) confirmReset(c *fiber.Ctx) error {
	var req ResetConfirm
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	if err := m.svc.ConfirmPasswordReset(c.UserContext(), req.Token, req.Password); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}

func (m *Module) jwks(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	c.Set(fiber.HeaderCacheControl, "public, max-age=300")
	var set JWKSResponse
	if err := json.Unmarshal(m.keys.JWKS(), &set); err != nil {
		return kernel.Internal(err, "jwks")
	}
	return httpapi.OK(c, set)
}

func (m *Module) getMe(c *fiber.Ctx) error {
	me, err := m.svc.GetMe(c.UserContext(), httpapi.PrincipalOf(c))
	if err != nil {
		return err
	}
	return httpapi.OK(c, meOf(me))
}

func (m *Module) updateMe(c *fiber.Ctx) error {
	var req MePatchRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	me, err := m.svc.UpdateMe(c.UserContext(), httpapi.PrincipalOf(c), req.patch())
	if err != nil {
		return err
	}
	return httpapi.OK(c, meOf(me))
}

func (m *Module) adminList(kind string) fiber.Handler {
	return func(c *fiber.Ctx) error {
		q := httpapi.NewQuery(c)
		p := httpapi.PrincipalOf(c)
		if kind == "professionals" {
			list, err := m.svc.AdminListProfessionals(c.UserContext(), p, q.String("status"))
			if err != nil {
				return err
			}
			out, err := page(q, list, func(x identity.Professional) ProfessionalResponse { return professionalOf(x, true) })
			if err != nil {
				return err
			}
			return httpapi.OK(c, out)
		}
		list, err := m.svc.AdminListCompanies(c.UserContext(), p, q.String("status"))
		if err != nil {
			return err
		}
		out, err := page(q, list, companyOf)
		if err != nil {
			return err
		}
		return httpapi.OK(c, out)
	}
}

func (m *Module) decide(kind string, approve bool) fiber.Handler {
	return func(c *fiber.Ctx) error {
		p := httpapi.PrincipalOf(c)
		if err := identity.Authorize(p, identity.ActAdminister, ""); err != nil {
			return err
		}
		id, err := httpapi.PathID(c, "id")
		if err != nil {
			return err
		}
		d := identity.Decision{Approve: approve}
		if !approve || len(c.Body()) > 0 {
			var req DecisionRequest
			if err := httpapi.Bind(c, &req); err != nil {
				return err
			}
			if approve && req.Reason != "" {
				return kernel.Invalid("reason", "é usado apenas em rejeições")
			}
			d.Reason = req.Reason
		}
		if kind == "professionals" {
			pr, err := m.svc.DecideProfessional(c.UserContext(), p, id, d)
			if err != nil {
				return err
			}
			return httpapi.OK(c, professionalOf(pr, true))
		}
		co, err := m.svc.DecideCompany(c.UserContext(), p, id, d)
		if err != nil {
			return err
		}
		return httpapi.OK(c, companyOf(co))
	}
}

func (m *Module) listMembers(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := m.svc.Members(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	out := httpapi.ListResponse[MemberResponse]{Items: make([]MemberResponse, 0, len(list))}
	for _, x := range list {
		out.Items = append(out.Items, memberOf(x))
	}
	return httpapi.OK(c, out)
}

func (m *Module) addMember(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req MemberRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	mem, err := m.svc.AddMember(c.UserContext(), httpapi.PrincipalOf(c), id,
		identity.MemberInput{Name: req.Name, Email: req.Email, Password: req.Password, Role: req.Role})
	if err != nil {
		return err
	}
	return httpapi.Created(c, "", memberOf(mem))
}

func (m *Module) removeMember(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	p := httpapi.PrincipalOf(c)
	if err := identity.Authorize(p, identity.ActManageMembers, id); err != nil {
		return err
	}
	acc, err := httpapi.PathID(c, "account_id")
	if err != nil {
		return err
	}
	if err := m.svc.RemoveMember(c.UserContext(), p, id, acc); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}

func (m *Module) listKeys(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	list, err := m.svc.APIKeys(c.UserContext(), httpapi.PrincipalOf(c), id)
	if err != nil {
		return err
	}
	out := httpapi.ListResponse[APIKeyResponse]{Items: make([]APIKeyResponse, 0, len(list))}
	for _, k := range list {
		out.Items = append(out.Items, apiKeyOf(k))
	}
	return httpapi.OK(c, out)
}

func (m *Module) createKey(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	var req APIKeyRequest
	if err := httpapi.Bind(c, &req); err != nil {
		return err
	}
	k, secret, err := m.svc.CreateAPIKey(c.UserContext(), httpapi.PrincipalOf(c), id, identity.APIKeyInput{Name: req.Name, Scopes: req.Scopes})
	if err != nil {
		return err
	}
	out := apiKeyOf(k)
	out.Secret = secret
	return httpapi.Created(c, "", out)
}

func (m *Module) revokeKey(c *fiber.Ctx) error {
	id, err := httpapi.PathID(c, "id")
	if err != nil {
		return err
	}
	p := httpapi.PrincipalOf(c)
	if err := identity.Authorize(p, identity.ActManageAPIKeys, id); err != nil {
		return err
	}
	kid, err := httpapi.PathID(c, "key_id")
	if err != nil {
		return err
	}
	if err := m.svc.RevokeAPIKey(c.UserContext(), p, id, kid); err != nil {
		return err
	}
	return httpapi.NoContent(c)
}
