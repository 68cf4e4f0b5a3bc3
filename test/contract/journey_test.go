package contract_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/multisaude/multisaude/test/contract/client"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

// The generated names this test uses, in one place: when a regeneration
// renames a schema, only these lines follow it.
type (
	professionalBody = client.SignUpProfessionalJSONRequestBody
	patientBody      = client.SignUpPatientJSONRequestBody
	availabilityBody = client.PutAvailabilityJSONRequestBody
	tokenBody        = client.TokenJSONRequestBody
	bookBody         = client.BookJSONRequestBody
	address          = client.Address
	rule             = client.WeeklyRule
	exception        = client.AvailabilityException
	slot             = client.SlotResponse
	problem          = client.Problem
)

var saoPaulo, _ = time.LoadLocation("America/Sao_Paulo")

// reply is what every generated ...Reply answers.
type reply interface {
	StatusCode() int
	ContentType() string
	GetBody() []byte
}

// want fails the test unless the call succeeded with status.
func want(t *testing.T, what string, r reply, err error, status int) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if r.StatusCode() != status {
		t.Fatalf("%s: status %d, want %d; body %s", what, r.StatusCode(), status, r.GetBody())
	}
}

// wantProblem fails the test unless the answer is a problem+json with status,
// decoded by the generated client into p, and returns p.
func wantProblem(t *testing.T, what string, r reply, err error, status int, p *problem) *problem {
	t.Helper()
	want(t, what, r, err, status)
	if !strings.HasPrefix(r.ContentType(), "application/problem+json") {
		t.Fatalf("%s: content type %q, want application/problem+json", what, r.ContentType())
	}
	if p == nil {
		t.Fatalf("%s: the generated client did not decode the problem: %s", what, r.GetBody())
	}
	if p.Status != status || p.Title == "" || p.Type == "" {
		t.Fatalf("%s: incomplete problem %+v", what, *p)
	}
	return p
}

func bearer(token string) client.RequestEditorFn {
	return func(_ context.Context, req *http.Request) error {
		req.Header.Set("Authorization", "Bearer "+token)
		return nil
	}
}

func ptr[T any](v T) *T { return &v }

// signIn is the password grant, through the generated client.
func signIn(t *testing.T, c *client.ClientWithResponses, email openapi_types.Email, kind string, wantID openapi_types.UUID) string {
	t.Helper()
	r, err := c.TokenWithResponse(context.Background(), tokenBody{GrantType: "password", Email: &email,
		Password: ptr(harness.Password), AccountKind: ptr(client.TokenRequestAccountKind(kind))})
	want(t, "sign in "+kind, r, err, http.StatusOK)
	if tok := r.JSON200; tok.AccessToken == "" || tok.AccountId != wantID || string(tok.Kind) != kind || tok.TokenType == "" {
		t.Fatalf("sign in %s: %+v, want account %s", kind, *tok, wantID)
	}
	return r.JSON200.AccessToken
}

// allDayTelemedicine is open every day, all day, by video, so the test does not
// depend on the hour it runs.
func allDayTelemedicine() availabilityBody {
	b := availabilityBody{TimeZone: "America/Sao_Paulo", SlotMinutes: 30, MinNoticeHours: 2, HorizonDays: 30,
		Exceptions: []exception{}}
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		b.Weekly = append(b.Weekly, rule{Weekday: client.WeeklyRuleWeekday(d), Start: "00:00", End: "24:00", Mode: "telemedicine"})
	}
	return b
}

// TestJourneyThroughTheGeneratedClient: a professional and a patient do what
// they do every day, through the client oapi-codegen generates from
// /openapi.json and nothing else.
func TestJourneyThroughTheGeneratedClient(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		ctx := context.Background()
		c, err := client.NewClientWithResponses(h.URL, client.WithHTTPClient(h.Client))
		if err != nil {
			t.Fatal(err)
		}
		paulista := address{Cep: "01310-100", Street: "Avenida Paulista", Number: "1000", District: "Bela Vista",
			City: "São Paulo", Uf: "SP"}

		// A physician signs up and waits for verification.
		pb := professionalBody{Name: "Dra. Ana Ribeiro", Email: openapi_types.Email(harness.NewEmail("contract-pro")), Password: harness.Password,
			Cpf: harness.NewCPF(), Phone: "+5511912345678", Profession: "physician", Specialties: []string{"cardiology"},
			Modes: []client.ProfessionalRequestModes{"telemedicine"}, Bio: ptr("Teleconsultas de cardiologia."), Address: &paulista}
		pb.Council.Type, pb.Council.Number, pb.Council.Uf = "CRM", fmt.Sprint(100000+rand.N(800000)), "SP"
		pb.Price.Amount, pb.Price.Currency = 30000, "BRL"
		pr, err := c.SignUpProfessionalWithResponse(ctx, pb)
		want(t, "professional sign-up", pr, err, http.StatusCreated)
		pro := pr.JSON201
		if pro.Id == (openapi_types.UUID{}) || pro.Name != pb.Name || pro.Status != "pending_verification" || pro.Price.Amount != 30000 ||
			!slices.Equal(pro.Modes, []client.ProfessionalResponseModes{"telemedicine"}) {
			t.Fatalf("professional sign-up answered %+v", *pro)
		}
		proToken := signIn(t, c, pb.Email, "professional", pro.Id)

		// Only the admin verifies: the professional may not verify themselves.
		vr, err := c.VerifyProfessionalWithResponse(ctx, pro.Id, bearer(proToken))
		wantProblem(t, "self-verification", vr, err, http.StatusForbidden, vr.ApplicationproblemJSON403)
		admin := harness.AdminLogin(t, h)
		vr, err = c.VerifyProfessionalWithResponse(ctx, pro.Id, bearer(admin.Token))
		want(t, "admin verifies", vr, err, http.StatusOK)
		if vr.JSON200.Id != pro.Id || vr.JSON200.Status != "verified" {
			t.Fatalf("verify answered %+v", *vr.JSON200)
		}

		// Bad availability: answered 400, each bad field named in the decoded problem.
		bad := allDayTelemedicine()
		bad.TimeZone = "Mars/Olympus"
		bad.Weekly[0].Start, bad.Weekly[0].End = "10:00", "09:00"
		ar, err := c.PutAvailabilityWithResponse(ctx, pro.Id, nil, bad, bearer(proToken))
		p := wantProblem(t, "bad availability", ar, err, http.StatusBadRequest, ar.ApplicationproblemJSON400)
		var fields []string
		if p.Errors != nil {
			for _, e := range *p.Errors {
				if e.Message == "" {
					t.Errorf("field error %q has no message", e.Field)
				}
				fields = append(fields, e.Field)
			}
		}
		for _, f := range []string{"time_zone", "weekly[0].end"} {
			if !slices.Contains(fields, f) {
				t.Errorf("bad availability: the problem names %v, not %s", fields, f)
			}
		}

		// The professional publishes: every day, all day, telemedicine.
		ar, err = c.PutAvailabilityWithResponse(ctx, pro.Id, nil, allDayTelemedicine(), bearer(proToken))
		want(t, "publish availability", ar, err, http.StatusOK)
		if av := ar.JSON200; av.OwnerId != pro.Id || av.Version != 1 || len(av.Weekly) != 7 || av.SlotMinutes != 30 {
			t.Fatalf("availability answered %+v", *av)
		}
		if etag := ar.HTTPResponse.Header.Get("ETag"); etag != `"1"` {
			t.Errorf("availability ETag %q, want \"1\"", etag)
		}

		// A patient signs up and signs in; a patient may not publish a professional's availability.
		patb := patientBody{Name: "Maria Souza", Email: openapi_types.Email(harness.NewEmail("contract-patient")), Password: harness.Password,
			Cpf: harness.NewCPF(), BirthDate: openapi_types.Date{Time: time.Date(1990, 4, 12, 0, 0, 0, 0, time.UTC)}, Phone: "+5511987654321", Address: paulista}
		sr, err := c.SignUpPatientWithResponse(ctx, patb)
		want(t, "patient sign-up", sr, err, http.StatusCreated)
		patient := sr.JSON201
		if patient.Id == (openapi_types.UUID{}) || patient.Name != patb.Name || patient.Email != patb.Email || patient.Cpf != patb.Cpf {
			t.Fatalf("patient sign-up answered %+v", *patient)
		}
		patToken := signIn(t, c, patb.Email, "patient", patient.Id)
		// Telemedicine needs the patient's consent (CFM 2.314/2022), which the portal's sign-up records.
		harness.GrantConsents(t, h, harness.Account{ID: patient.Id.String(), Kind: "patient", Token: patToken}, harness.SignUpConsents...)
		ar, err = c.PutAvailabilityWithResponse(ctx, pro.Id, nil, allDayTelemedicine(), bearer(patToken))
		wantProblem(t, "patient publishes availability", ar, err, http.StatusForbidden, ar.ApplicationproblemJSON403)

		// Search finds the physician with free telemedicine slots.
		qr, err := c.SearchProfessionalsWithResponse(ctx, &client.SearchProfessionalsParams{Specialty: ptr("cardiology"),
			Mode: ptr(client.SearchProfessionalsParamsMode("telemedicine"))}, bearer(patToken))
		want(t, "search", qr, err, http.StatusOK)
		i := slices.IndexFunc(qr.JSON200.Items, func(it client.SearchResultResponse) bool {
			return it.Professional.Id == pro.Id
		})
		if i < 0 {
			t.Fatalf("search did not find %s: %s", pro.Id, qr.Body)
		}
		if found := qr.JSON200.Items[i]; found.Professional.Name != pb.Name || len(found.NextSlots) == 0 ||
			found.NextSlots[0].Mode != "telemedicine" {
			t.Fatalf("search answered %+v", found)
		}

		// Slots three days out: 48 half-hours, all by video.
		day := time.Now().In(saoPaulo).AddDate(0, 0, 3)
		slots := func() []slot {
			t.Helper()
			d := day.Format("2006-01-02")
			r, err := c.GetSlotsWithResponse(ctx, pro.Id, &client.GetSlotsParams{From: d, To: d, Mode: ptr(client.GetSlotsParamsMode("telemedicine"))})
			want(t, "slots", r, err, http.StatusOK)
			return r.JSON200.Items
		}
		ss := slots()
		if len(ss) != 48 {
			t.Fatalf("%d slots on %s, want 48", len(ss), day.Format("2006-01-02"))
		}
		for _, s := range ss {
			if s.Mode != "telemedicine" || s.End.Sub(s.Start) != 30*time.Minute || s.Start.In(saoPaulo).Day() != day.Day() {
				t.Fatalf("slot %+v is not a half-hour by video on %s", s, day.Format("2006-01-02"))
			}
		}

		// The patient books one with an Idempotency-Key; the same request again is replayed.
		first, second := ss[20], ss[22]
		key := "contract-" + fmt.Sprint(rand.Int64())
		book := bookBody{ProfessionalId: &pro.Id, Start: first.Start, Mode: ptr(client.BookRequestMode("telemedicine")),
			Reason: ptr("Retorno")}
		br, err := c.BookWithResponse(ctx, &client.BookParams{IdempotencyKey: &key}, book, bearer(patToken))
		want(t, "book", br, err, http.StatusCreated)
		a := br.JSON201
		if a.Id == (openapi_types.UUID{}) || a.ProfessionalId == nil || *a.ProfessionalId != pro.Id || a.PatientId != patient.Id ||
			!a.Start.Equal(first.Start) || !a.End.Equal(first.End) || a.Status != "confirmed" || a.Mode != "telemedicine" ||
			a.Price.Amount != 30000 {
			t.Fatalf("booking answered %s", br.Body)
		}
		br, err = c.BookWithResponse(ctx, &client.BookParams{IdempotencyKey: &key}, book, bearer(patToken))
		want(t, "book again", br, err, http.StatusCreated)
		if br.JSON201.Id != a.Id || br.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("the same Idempotency-Key booked again: %s", br.Body)
		}
		if slices.ContainsFunc(slots(), func(s slot) bool { return s.Start.Equal(first.Start) }) {
			t.Fatal("a booked slot is still offered")
		}

		// Without a token: 401, as problem+json.
		br, err = c.BookWithResponse(ctx, &client.BookParams{}, book)
		wantProblem(t, "book without a token", br, err, http.StatusUnauthorized, br.ApplicationproblemJSON401)

		// The patient sees it in their list.
		mine := func() []client.AppointmentResponse {
			t.Helper()
			r, err := c.ListAppointmentsWithResponse(ctx, &client.ListAppointmentsParams{}, bearer(patToken))
			want(t, "my appointments", r, err, http.StatusOK)
			return r.JSON200.Items
		}
		if l := mine(); len(l) != 1 || l[0].Id != a.Id || !l[0].Start.Equal(first.Start) || *l[0].ProfessionalId != pro.Id {
			t.Fatalf("the patient's list: %+v", l)
		}

		// Reschedules to another slot: the same appointment, moved.
		rr, err := c.RescheduleWithResponse(ctx, a.Id, &client.RescheduleParams{},
			client.RescheduleJSONRequestBody{Start: second.Start}, bearer(patToken))
		want(t, "reschedule", rr, err, http.StatusOK)
		if m := rr.JSON200; m.Id != a.Id || !m.Start.Equal(second.Start) || *m.ProfessionalId != pro.Id || m.Status != "confirmed" {
			t.Fatalf("reschedule answered %s", rr.Body)
		}
		if l := mine(); len(l) != 1 || !l[0].Start.Equal(second.Start) {
			t.Fatalf("after rescheduling the list shows %+v", l)
		}
		if !slices.ContainsFunc(slots(), func(s slot) bool { return s.Start.Equal(first.Start) }) {
			t.Error("the slot left by rescheduling is not offered again")
		}

		// Cancels: the slot is free again.
		cr, err := c.CancelWithResponse(ctx, a.Id, client.CancelJSONRequestBody{Reason: ptr("Viagem")}, bearer(patToken))
		want(t, "cancel", cr, err, http.StatusOK)
		if x := cr.JSON200; x.Id != a.Id || x.Status != "cancelled" || x.CancelReason == nil || *x.CancelReason != "Viagem" {
			t.Fatalf("cancel answered %s", cr.Body)
		}
		if l := mine(); len(l) != 1 || l[0].Status != "cancelled" {
			t.Fatalf("after cancelling the list shows %+v", l)
		}
		if !slices.ContainsFunc(slots(), func(s slot) bool { return s.Start.Equal(second.Start) }) {
			t.Error("a cancelled slot is not offered again")
		}
	})
}
