// Package chat_test drives chat over HTTP as its users do: a patient and the
// professional they booked, a patient and the pharmacy of their order (any
// staff member answers), strangers who must not learn a conversation exists,
// paging, unread counts and read markers, encrypted attachments, the text and
// file rules, the per-sender rate limit and read-only conversations.
package chat_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore/commercesql"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

var sp, _ = time.LoadLocation("America/Sao_Paulo")

func allDay() map[string]any {
	var weekly []map[string]any
	for _, d := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		weekly = append(weekly, map[string]any{"weekday": d, "start": "00:00", "end": "24:00", "mode": "telemedicine"})
	}
	return map[string]any{"time_zone": "America/Sao_Paulo", "slot_minutes": 30, "buffer_minutes": 0, "min_notice_hours": 2,
		"horizon_days": 30, "cancel_until_hours": 0, "weekly": weekly, "exceptions": []any{}}
}

func id(t *testing.T, r *harness.Resp) string {
	t.Helper()
	s, _ := r.Map(t)["id"].(string)
	if s == "" {
		t.Fatalf("no id in %s", r.Body)
	}
	return s
}

// book has pat book a consultation with pro (who publishes an agenda first);
// n picks the slot. It returns the appointment's ID.
func book(t *testing.T, h *harness.H, pat, pro harness.Account, n int) string {
	t.Helper()
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: allDay()}).Want(t, http.StatusOK)
	d := time.Now().In(sp).AddDate(0, 0, 3).Format("2006-01-02")
	var l struct {
		Items []struct {
			Start time.Time `json:"start"`
		} `json:"items"`
	}
	h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+d+"&to="+d, "").Want(t, http.StatusOK).JSON(t, &l)
	if len(l.Items) <= n {
		t.Fatalf("%d slots", len(l.Items))
	}
	return id(t, h.Post(t, "/v1/appointments", pat.Token, map[string]any{"professional_id": pro.ID, "start": l.Items[n].Start.Format(time.RFC3339),
		"reason": "consulta"}).Want(t, http.StatusCreated))
}

// order writes an order of pat at company as the order store does (the
// catalogue is not what is tested here).
func order(t *testing.T, h *harness.H, pat harness.Account, companyID string, st commerce.OrderStatus, at time.Time) string {
	t.Helper()
	now := at.UTC().Truncate(time.Microsecond)
	if _, err := h.App.DB.NewRaw(`INSERT INTO commerce_items (company_id, sku, name, kind, price_amount, price_currency, stock, requires_prescription,
		body, version, created_at, updated_at) VALUES (?, 'CHAT-1', 'Gel', 'product', 1000, 'BRL', 50, FALSE, '{"tags":[],"pickup":true}', 1, ?, ?)
		ON CONFLICT DO NOTHING`, companyID, now, now).Exec(context.Background()); err != nil {
		t.Fatal(err)
	}
	o := commerce.Order{ID: kernel.NewID(), PatientID: pat.ID, CompanyID: companyID, Status: st,
		Lines:      []commerce.OrderLine{{SKU: "CHAT-1", Name: "Gel", Kind: commerce.KindProduct, Quantity: 1, UnitPrice: kernel.BRL(1000), Total: kernel.BRL(1000)}},
		Fulfilment: commerce.OrderFulfilment{Method: commerce.MethodPickup, Fee: kernel.BRL(0)}, Subtotal: kernel.BRL(1000), Total: kernel.BRL(1000),
		Timeline: []commerce.TimelineEntry{{Status: commerce.OrderCreated, At: now, By: kernel.KindPatient}}, PayBy: now.Add(30 * time.Minute),
		CreatedAt: now, UpdatedAt: now, Version: 1}
	if st != commerce.OrderCreated {
		o.Timeline = append(o.Timeline, commerce.TimelineEntry{Status: st, At: now, By: kernel.KindCompanyMember})
	}
	if err := commercesql.New(h.App.DB).CreateOrder(context.Background(), o, nil); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

type conv struct {
	ID               string `json:"id"`
	Kind             string `json:"kind"`
	PatientID        string `json:"patient_id"`
	PatientName      string `json:"patient_name"`
	ProfessionalID   string `json:"professional_id"`
	ProfessionalName string `json:"professional_name"`
	CompanyID        string `json:"company_id"`
	CompanyName      string `json:"company_name"`
	OrderID          string `json:"order_id"`
	LastSeq          int64  `json:"last_seq"`
	LastReadSeq      int64  `json:"last_read_seq"`
	Unread           int    `json:"unread"`
}

type message struct {
	ID         string `json:"id"`
	Seq        int64  `json:"seq"`
	SenderID   string `json:"sender_id"`
	SenderKind string `json:"sender_kind"`
	SenderName string `json:"sender_name"`
	Text       string `json:"text"`
	Attachment *struct {
		Name        string `json:"name"`
		ContentType string `json:"content_type"`
		Size        int64  `json:"size"`
		SHA256      string `json:"sha256"`
		URL         string `json:"url"`
	} `json:"attachment"`
}

func start(t *testing.T, h *harness.H, who harness.Account, body map[string]any, want int) conv {
	t.Helper()
	var c conv
	r := h.Post(t, "/v1/conversations", who.Token, body).Want(t, want)
	if want < 300 {
		r.JSON(t, &c)
	}
	return c
}

func send(t *testing.T, h *harness.H, who harness.Account, convID, text string, want int) message {
	t.Helper()
	var m message
	r := h.Post(t, "/v1/conversations/"+convID+"/messages", who.Token, map[string]any{"text": text}).Want(t, want)
	if want < 300 {
		r.JSON(t, &m)
	}
	return m
}

func sendFile(t *testing.T, h *harness.H, who harness.Account, convID, text, name string, content []byte) *harness.Resp {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	if text != "" {
		_ = w.WriteField("text", text)
	}
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	return h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/conversations/" + convID + "/messages", Token: who.Token, Body: &buf,
		Headers: map[string]string{"Content-Type": w.FormDataContentType()}})
}

func messages(t *testing.T, h *harness.H, who harness.Account, convID, query string) ([]message, string) {
	t.Helper()
	var l struct {
		Items      []message `json:"items"`
		NextCursor string    `json:"next_cursor"`
	}
	h.Get(t, "/v1/conversations/"+convID+"/messages"+query, who.Token).Want(t, http.StatusOK).JSON(t, &l)
	return l.Items, l.NextCursor
}

func conversations(t *testing.T, h *harness.H, who harness.Account) []conv {
	t.Helper()
	var l struct {
		Items []conv `json:"items"`
	}
	h.Get(t, "/v1/conversations?limit=100", who.Token).Want(t, http.StatusOK).JSON(t, &l)
	return l.Items
}

func find(cs []conv, id string) (conv, bool) {
	for _, c := range cs {
		if c.ID == id {
			return c, true
		}
	}
	return conv{}, false
}

var examPDF = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Hemograma completo\n"), 200)...)

// noPII fails when an answer holds an e-mail or CPF of the accounts.
func noPII(t *testing.T, r *harness.Resp, accts ...harness.Account) {
	t.Helper()
	for _, a := range accts {
		for _, s := range []string{a.Email, a.CPF} {
			if s != "" && bytes.Contains(r.Body, []byte(s)) {
				t.Fatalf("answer holds personal data of %s: %s", a.Kind, r.Body)
			}
		}
	}
}

func TestCareConversation(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		a, b := harness.SignUpPatient(t, h), harness.SignUpPatient(t, h)
		p := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Paula Chat"})
		q := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Quirino Alheio"})
		pharm := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		admin := harness.AdminLogin(t, h)
		// before any booking, nobody may start
		start(t, h, a, map[string]any{"professional_id": p.ID}, http.StatusNotFound)
		book(t, h, a, p, 4)

		c := start(t, h, a, map[string]any{"professional_id": p.ID}, http.StatusCreated)
		if c.Kind != "care" || c.PatientID != a.ID || c.ProfessionalID != p.ID || c.ProfessionalName != "Dra. Paula Chat" || c.PatientName == "" {
			t.Fatalf("conversation %+v", c)
		}
		if again := start(t, h, a, map[string]any{"professional_id": p.ID}, http.StatusOK); again.ID != c.ID {
			t.Fatalf("a second conversation %s", again.ID)
		}
		if fromPro := start(t, h, p, map[string]any{"patient_id": a.ID}, http.StatusOK); fromPro.ID != c.ID {
			t.Fatalf("the professional opened another conversation %s", fromPro.ID)
		}
		// no relationship: 404, never 403
		start(t, h, q, map[string]any{"patient_id": a.ID}, http.StatusNotFound)
		start(t, h, a, map[string]any{"professional_id": q.ID}, http.StatusNotFound)
		start(t, h, b, map[string]any{"professional_id": p.ID}, http.StatusNotFound)
		start(t, h, pharm, map[string]any{"patient_id": a.ID}, http.StatusNotFound)
		start(t, h, admin, map[string]any{"patient_id": a.ID}, http.StatusNotFound)
		// bad input, field by field
		pr := h.Post(t, "/v1/conversations", a.Token, map[string]any{"professional_id": p.ID, "order_id": kernel.NewID()}).Want(t, http.StatusBadRequest).Problem(t)
		if !pr.HasField("professional_id") {
			t.Fatalf("fields %v", pr.Fields())
		}
		h.Post(t, "/v1/conversations", a.Token, map[string]any{"professional_id": "nope"}).Want(t, http.StatusBadRequest)

		m1 := send(t, h, a, c.ID, "  Olá, doutora. O exame chegou.  ", http.StatusCreated)
		if m1.Text != "Olá, doutora. O exame chegou." || m1.SenderKind != "patient" || m1.SenderID != a.ID || m1.SenderName == "" || m1.Seq <= 0 {
			t.Fatalf("message %+v", m1)
		}
		// the professional sees it unread, reads it, answers
		pc, _ := find(conversations(t, h, p), c.ID)
		if pc.Unread != 1 || pc.PatientName == "" {
			t.Fatalf("professional's view %+v", pc)
		}
		r := h.Get(t, "/v1/conversations/"+c.ID+"/messages", p.Token).Want(t, http.StatusOK)
		noPII(t, r, a, p)
		var rv conv
		h.Post(t, "/v1/conversations/"+c.ID+"/read", p.Token, map[string]any{"message_id": m1.ID}).Want(t, http.StatusOK).JSON(t, &rv)
		if rv.Unread != 0 || rv.LastReadSeq != m1.Seq {
			t.Fatalf("after reading %+v", rv)
		}
		m2 := send(t, h, p, c.ID, "Recebi. Vou avaliar.", http.StatusCreated)
		if m2.Seq <= m1.Seq || m2.SenderName != "Dra. Paula Chat" {
			t.Fatalf("reply %+v", m2)
		}
		var ac conv
		h.Get(t, "/v1/conversations/"+c.ID, a.Token).Want(t, http.StatusOK).JSON(t, &ac)
		if ac.Unread != 1 || ac.LastSeq != m2.Seq {
			t.Fatalf("patient's view %+v", ac)
		}
		// a read marker never moves back
		h.Post(t, "/v1/conversations/"+c.ID+"/read", a.Token, map[string]any{"message_id": m2.ID}).Want(t, http.StatusOK)
		h.Post(t, "/v1/conversations/"+c.ID+"/read", a.Token, map[string]any{"message_id": m1.ID}).Want(t, http.StatusOK).JSON(t, &ac)
		if ac.Unread != 0 || ac.LastReadSeq != m2.Seq {
			t.Fatalf("marker moved back: %+v", ac)
		}
		h.Post(t, "/v1/conversations/"+c.ID+"/read", a.Token, map[string]any{"message_id": kernel.NewID()}).Want(t, http.StatusUnprocessableEntity)

		// the text rule, field by field
		pr = h.Post(t, "/v1/conversations/"+c.ID+"/messages", a.Token, map[string]any{"text": strings.Repeat("é", 4001)}).Want(t, http.StatusUnprocessableEntity).Problem(t)
		if !pr.HasField("text") {
			t.Fatalf("too long: fields %v", pr.Fields())
		}
		send(t, h, a, c.ID, strings.Repeat("é", 4000), http.StatusCreated)
		for _, bad := range []string{"", "   \n ", "sino\u0007", "apagar\u0008"} {
			pr = h.Post(t, "/v1/conversations/"+c.ID+"/messages", a.Token, map[string]any{"text": bad}).Want(t, http.StatusUnprocessableEntity).Problem(t)
			if !pr.HasField("text") {
				t.Fatalf("%q: fields %v", bad, pr.Fields())
			}
		}
		send(t, h, a, c.ID, "linha 1\nlinha 2\tcom tabulação", http.StatusCreated)
		h.Post(t, "/v1/conversations/"+c.ID+"/messages", a.Token, map[string]any{"text": "x", "extra": 1}).Want(t, http.StatusBadRequest)

		// attachments: sealed in the blob store, returned as sent
		ar := sendFile(t, h, a, c.ID, "segue o exame", "../../hemograma.pdf", examPDF).Want(t, http.StatusCreated)
		var am message
		ar.JSON(t, &am)
		if am.Attachment == nil || am.Attachment.Name != "hemograma.pdf" || am.Attachment.ContentType != "application/pdf" || am.Attachment.Size != int64(len(examPDF)) {
			t.Fatalf("attachment %+v", am.Attachment)
		}
		dl := h.Get(t, am.Attachment.URL, p.Token).Want(t, http.StatusOK)
		if !bytes.Equal(dl.Body, examPDF) || !strings.Contains(dl.Header.Get("Content-Disposition"), "hemograma.pdf") ||
			dl.Header.Get("Cache-Control") != "no-store" || dl.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("download: %d bytes, headers %v", len(dl.Body), dl.Header)
		}
		stored := storedFile(t, h, am.ID)
		raw, err := os.ReadFile(stored)
		if err != nil || bytes.Contains(raw, []byte("Hemograma")) {
			t.Fatalf("the stored attachment is not encrypted (%v)", err)
		}
		h.Get(t, "/v1/conversations/"+c.ID+"/messages/"+m1.ID+"/attachment", p.Token).Want(t, http.StatusNotFound)
		pr = sendFile(t, h, a, c.ID, "", "nota.txt", []byte("texto simples, não é PDF")).Want(t, http.StatusUnprocessableEntity).Problem(t)
		if !pr.HasField("file") {
			t.Fatalf("wrong type: fields %v", pr.Fields())
		}
		pr = sendFile(t, h, a, c.ID, "", "vazio.pdf", nil).Want(t, http.StatusUnprocessableEntity).Problem(t)
		if !pr.HasField("file") {
			t.Fatalf("empty file: fields %v", pr.Fields())
		}

		// BOLA: every route, every stranger, 404 (API keys and anonymous: 401)
		for _, who := range []harness.Account{b, q, pharm, admin} {
			h.Get(t, "/v1/conversations/"+c.ID, who.Token).Want(t, http.StatusNotFound)
			h.Get(t, "/v1/conversations/"+c.ID+"/messages", who.Token).Want(t, http.StatusNotFound)
			h.Post(t, "/v1/conversations/"+c.ID+"/messages", who.Token, map[string]any{"text": "intruso"}).Want(t, http.StatusNotFound)
			h.Post(t, "/v1/conversations/"+c.ID+"/read", who.Token, map[string]any{"message_id": m1.ID}).Want(t, http.StatusNotFound)
			h.Get(t, am.Attachment.URL, who.Token).Want(t, http.StatusNotFound)
			if who.Kind != "admin" {
				if _, ok := find(conversations(t, h, who), c.ID); ok {
					t.Fatalf("%s lists the conversation", who.Kind)
				}
			}
		}
		h.Get(t, "/v1/conversations", admin.Token).Want(t, http.StatusForbidden)
		// altered stored bytes: an integrity problem, never the bytes
		raw[len(raw)-40] ^= 0x01
		if err := os.WriteFile(stored, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		ir := h.Do(t, harness.Req{Method: http.MethodGet, Path: am.Attachment.URL, Token: a.Token, ServerError: true}).Want(t, http.StatusInternalServerError)
		if pr := ir.Problem(t); pr.Type != "https://multisaude.com.br/problems/integrity" || bytes.Contains(ir.Body, []byte("Hemograma")) {
			t.Fatalf("tampered attachment: %+v", pr)
		}
		h.Get(t, "/v1/conversations/"+c.ID+"/messages", "").Want(t, http.StatusUnauthorized)
		// a message of this conversation named under another conversation of A's is not found
		book(t, h, a, q, 6)
		other := start(t, h, a, map[string]any{"professional_id": q.ID}, http.StatusCreated)
		h.Get(t, "/v1/conversations/"+other.ID+"/messages/"+am.ID+"/attachment", a.Token).Want(t, http.StatusNotFound)
		h.Post(t, "/v1/conversations/"+other.ID+"/read", a.Token, map[string]any{"message_id": m1.ID}).Want(t, http.StatusUnprocessableEntity)
		if l := conversations(t, h, a); len(l) != 2 || l[0].ID != other.ID && l[1].ID != other.ID {
			t.Fatalf("A's conversations: %+v", l)
		}
	})
}

func TestPagingAndRateLimit(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		a := harness.SignUpPatient(t, h)
		p := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		book(t, h, a, p, 5)
		c := start(t, h, a, map[string]any{"professional_id": p.ID}, http.StatusCreated)
		var sent []message
		for i := range 25 {
			sent = append(sent, send(t, h, a, c.ID, fmt.Sprintf("mensagem %02d", i), http.StatusCreated))
		}
		var got []message
		cursor, pages := "", 0
		for {
			q := "?limit=10"
			if cursor != "" {
				q += "&cursor=" + cursor
			}
			items, next := messages(t, h, p, c.ID, q)
			got = append(got, items...)
			pages++
			if next == "" {
				break
			}
			cursor = next
		}
		if pages != 3 || len(got) != 25 {
			t.Fatalf("%d pages, %d messages", pages, len(got))
		}
		for i, m := range got {
			if m.ID != sent[24-i].ID {
				t.Fatalf("item %d is %q, want %q (newest first)", i, m.Text, sent[24-i].Text)
			}
		}
		h.Get(t, "/v1/conversations/"+c.ID+"/messages?limit=1000", p.Token).Want(t, http.StatusBadRequest)
		h.Get(t, "/v1/conversations/"+c.ID+"/messages?cursor=@@", p.Token).Want(t, http.StatusBadRequest)
		if pc, _ := find(conversations(t, h, p), c.ID); pc.Unread != 25 {
			t.Fatalf("unread %d, want 25", pc.Unread)
		}
		// 30 a minute per sender: A has sent 25
		for i := range 5 {
			send(t, h, a, c.ID, fmt.Sprintf("mais %d", i), http.StatusCreated)
		}
		r := h.Post(t, "/v1/conversations/"+c.ID+"/messages", a.Token, map[string]any{"text": "uma a mais"}).Want(t, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("429 without Retry-After")
		}
		if pr := r.Problem(t); !strings.Contains(pr.Detail, "aguarde") {
			t.Fatalf("detail %q", pr.Detail)
		}
		// the limit is per sender: the professional still answers
		send(t, h, p, c.ID, "Calma, estou lendo.", http.StatusCreated)
	})
}

func TestOrderConversation(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		a, b := harness.SignUpPatient(t, h), harness.SignUpPatient(t, h)
		p := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		pharm := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		staff := harness.AddCompanyStaff(t, h, pharm, "staff")
		other := harness.SignUpVerifiedCompany(t, h, "market")
		otherStaff := harness.AddCompanyStaff(t, h, other, "staff")
		oid := order(t, h, a, pharm.CompanyID, commerce.OrderCreated, time.Now())

		start(t, h, b, map[string]any{"order_id": oid}, http.StatusNotFound)
		start(t, h, otherStaff, map[string]any{"order_id": oid}, http.StatusNotFound)
		start(t, h, p, map[string]any{"order_id": oid}, http.StatusNotFound)
		start(t, h, a, map[string]any{"order_id": kernel.NewID()}, http.StatusNotFound)
		c := start(t, h, a, map[string]any{"order_id": oid}, http.StatusCreated)
		if c.Kind != "order" || c.CompanyID != pharm.CompanyID || c.OrderID != oid || c.CompanyName == "" {
			t.Fatalf("conversation %+v", c)
		}
		if sc := start(t, h, staff, map[string]any{"order_id": oid}, http.StatusOK); sc.ID != c.ID {
			t.Fatalf("staff opened another conversation %s", sc.ID)
		}
		q := send(t, h, a, c.ID, "O pedido já está pronto?", http.StatusCreated)
		// every member of the company sees it; the staff member answers
		if sc, ok := find(conversations(t, h, pharm), c.ID); !ok || sc.Unread != 1 {
			t.Fatalf("the pharmacy admin's view %+v", sc)
		}
		ans := send(t, h, staff, c.ID, "Sim, pode retirar.", http.StatusCreated)
		if ans.SenderKind != "company_member" || ans.SenderName == "" || ans.SenderID != staff.ID {
			t.Fatalf("answer %+v", ans)
		}
		if sc, _ := find(conversations(t, h, pharm), c.ID); sc.Unread != 1 {
			t.Fatalf("a colleague's answer counted as unread for the company: %+v", sc)
		}
		r := h.Get(t, "/v1/conversations/"+c.ID+"/messages", a.Token).Want(t, http.StatusOK)
		noPII(t, r, staff, pharm)
		items, _ := messages(t, h, a, c.ID, "")
		if len(items) != 2 || items[0].ID != ans.ID || items[1].ID != q.ID {
			t.Fatalf("A reads %+v", items)
		}
		for _, who := range []harness.Account{b, p, other, otherStaff} {
			h.Get(t, "/v1/conversations/"+c.ID, who.Token).Want(t, http.StatusNotFound)
			h.Get(t, "/v1/conversations/"+c.ID+"/messages", who.Token).Want(t, http.StatusNotFound)
			h.Post(t, "/v1/conversations/"+c.ID+"/messages", who.Token, map[string]any{"text": "intruso"}).Want(t, http.StatusNotFound)
		}
		// an order finished more than 30 days ago: its conversation is read-only
		old := order(t, h, a, pharm.CompanyID, commerce.OrderDelivered, time.Now().AddDate(0, 0, -31))
		oc := start(t, h, a, map[string]any{"order_id": old}, http.StatusCreated)
		pr := h.Post(t, "/v1/conversations/"+oc.ID+"/messages", a.Token, map[string]any{"text": "ainda dá?"}).Want(t, http.StatusConflict).Problem(t)
		if !strings.Contains(pr.Detail, "somente leitura") {
			t.Fatalf("detail %q", pr.Detail)
		}
		recent := order(t, h, a, pharm.CompanyID, commerce.OrderDelivered, time.Now().AddDate(0, 0, -2))
		rc := start(t, h, a, map[string]any{"order_id": recent}, http.StatusCreated)
		send(t, h, staff, rc.ID, "Chegou tudo certo?", http.StatusCreated)
	})
}

func TestEndedCareIsReadOnly(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		a := harness.SignUpPatient(t, h)
		p := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		appt := book(t, h, a, p, 7)
		c := start(t, h, a, map[string]any{"professional_id": p.ID}, http.StatusCreated)
		m := send(t, h, a, c.ID, "Até a consulta.", http.StatusCreated)
		h.Post(t, "/v1/appointments/"+appt+"/cancel", p.Token, map[string]any{"reason": "agenda"}).Want(t, http.StatusOK)
		for _, who := range []harness.Account{a, p} {
			pr := h.Post(t, "/v1/conversations/"+c.ID+"/messages", who.Token, map[string]any{"text": "ainda aí?"}).Want(t, http.StatusConflict).Problem(t)
			if !strings.Contains(pr.Detail, "somente leitura") {
				t.Fatalf("detail %q", pr.Detail)
			}
			// still readable by both
			if items, _ := messages(t, h, who, c.ID, ""); len(items) != 1 || items[0].ID != m.ID {
				t.Fatalf("history %+v", items)
			}
		}
		start(t, h, p, map[string]any{"patient_id": a.ID}, http.StatusNotFound)
	})
}

// TestOversizeAttachment: a file past the documents' limit is refused before
// the handler reads it (413, as for documents: the limit is the upload body's).
func TestOversizeAttachment(t *testing.T) {
	for _, d := range []string{"sqlite"} {
		t.Run(d, func(t *testing.T) {
			h := harness.Start(t, "sqlite", harness.WithEnv("MULTISAUDE_UPLOAD_LIMIT", "1048576"))
			a := harness.SignUpPatient(t, h)
			p := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
			book(t, h, a, p, 3)
			c := start(t, h, a, map[string]any{"professional_id": p.ID}, http.StatusCreated)
			// The body declares more than the limit: refused from its head.
			status, header, body := harness.Oversize(t, h.URL, http.MethodPost, "/v1/conversations/"+c.ID+"/messages", a.Token,
				"multipart/form-data; boundary=x", 1<<20+4096)
			if status != http.StatusRequestEntityTooLarge || header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("oversize file: %d %s %s", status, header.Get("Content-Type"), body)
			}
			if !strings.Contains(string(body), "passa do limite") {
				t.Fatalf("oversize file: not the pt-BR detail: %s", body)
			}
			just := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("x"), 900<<10)...)
			sendFile(t, h, a, c.ID, "", "cabe.pdf", just).Want(t, http.StatusCreated)
		})
	}
}

// storedFile is the path of the blob holding name (the local profile's file
// bucket: the data file, not its ".m" sidecar).
func storedFile(t *testing.T, h *harness.H, name string) string {
	t.Helper()
	var stored string
	_ = filepath.Walk(filepath.Join(h.DataDir, "files"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && strings.Contains(p, name) && strings.HasSuffix(p, ".b") {
			stored = p
		}
		return nil
	})
	if stored == "" {
		t.Fatal("the stored file was not found")
	}
	return stored
}
