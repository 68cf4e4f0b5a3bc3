// Package messages_test drives chat messages under LGPD over HTTP: the
// patient's export holds their conversations, messages and attachments (a
// professional's only what they sent); a professional's reads of a care
// conversation show in the patient's access log and sharing report; an
// erasure request erases order conversations at once and keeps care
// conversations blocked like the record; the daily purge erases messages
// past retention.
package messages_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
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

var (
	carePDF  = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Glicemia de jejum: 92 mg/dL\n"), 50)...)
	orderPDF = append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("Receita para o pedido\n"), 40)...)
)

type conversation struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
}

type message struct {
	ID         string     `json:"id"`
	Text       string     `json:"text"`
	SenderID   string     `json:"sender_id"`
	ErasedAt   *time.Time `json:"erased_at"`
	Attachment *struct {
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	} `json:"attachment"`
}

func start(t *testing.T, h *harness.H, token string, body map[string]any) conversation {
	var c conversation
	r := h.Post(t, "/v1/conversations", token, body)
	if r.Status != http.StatusCreated && r.Status != http.StatusOK {
		t.Fatalf("start conversation: %d %s", r.Status, r.Body)
	}
	r.JSON(t, &c)
	return c
}

func send(t *testing.T, h *harness.H, token, convID, text string) message {
	var m message
	h.Post(t, "/v1/conversations/"+convID+"/messages", token, map[string]any{"text": text}).Want(t, http.StatusCreated).JSON(t, &m)
	return m
}

func sendFile(t *testing.T, h *harness.H, token, convID, text, name string, content []byte) message {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	_ = w.WriteField("text", text)
	fw, _ := w.CreateFormFile("file", name)
	_, _ = fw.Write(content)
	_ = w.Close()
	var m message
	h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/conversations/" + convID + "/messages", Token: token, Body: &buf,
		Headers: map[string]string{"Content-Type": w.FormDataContentType()}}).Want(t, http.StatusCreated).JSON(t, &m)
	return m
}

func messages(t *testing.T, h *harness.H, token, convID string) []message {
	var l struct {
		Items []message `json:"items"`
	}
	h.Get(t, "/v1/conversations/"+convID+"/messages?limit=100", token).Want(t, http.StatusOK).JSON(t, &l)
	return l.Items
}

// deliveredOrder places an order at a pharmacy and marks it delivered.
func deliveredOrder(t *testing.T, h *harness.H, pat, pharm harness.Account) string {
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/companies/" + pharm.CompanyID + "/catalog/GEL-01", Token: pharm.Token,
		Body: map[string]any{"name": "Gel", "kind": "product", "price": map[string]any{"amount": 1590, "currency": "BRL"}, "stock": 10,
			"fulfilment": map[string]any{"pickup": true}, "tags": []string{"product:gel"}}})
	ord := h.Post(t, "/v1/orders", pat.Token, map[string]any{"company_id": pharm.CompanyID, "items": []any{map[string]any{"sku": "GEL-01", "quantity": 1}},
		"fulfilment": map[string]any{"method": "pickup"}}).Want(t, http.StatusCreated).Map(t)
	id := ord["id"].(string)
	if _, err := commercesql.New(h.App.DB).UpdateOrder(context.Background(), id, func(o *commerce.Order) ([]kernel.Event, error) {
		at := time.Now().UTC()
		o.PaidAt, o.Status = &at, commerce.OrderDelivered
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// download asks for an export, waits for it and returns the archive's files.
func download(t *testing.T, h *harness.H, token string) map[string][]byte {
	var e struct {
		ID     string `json:"id"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	}
	h.Post(t, "/v1/me/exports", token, nil).Want(t, http.StatusAccepted).JSON(t, &e)
	harness.Eventually(t, 60*time.Second, func() error {
		h.Get(t, "/v1/me/exports/"+e.ID, token).Want(t, http.StatusOK).JSON(t, &e)
		if e.Status == "failed" {
			t.Fatalf("export failed: %s", e.Reason)
		}
		if e.Status != "ready" {
			return fmt.Errorf("status %s", e.Status)
		}
		return nil
	})
	body := h.Get(t, "/v1/me/exports/"+e.ID+"/download", token).Want(t, http.StatusOK).Body
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		files[f.Name] = b
	}
	return files
}

type messagesFile struct {
	Section       string         `json:"section"`
	Conversations []conversation `json:"conversations"`
	Messages      []message      `json:"messages"`
	Notes         []string       `json:"notes"`
}

// attachmentFiles counts the sealed attachment objects of a conversation on
// disk (the local file store keeps key segments as "<segment>.d" folders).
func attachmentFiles(h *harness.H, convID string) int {
	n := 0
	_ = filepath.Walk(filepath.Join(h.DataDir, "files"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() && strings.Contains(filepath.ToSlash(p), "attachments.d/"+convID+".d/") && strings.HasSuffix(p, ".b") {
			n++
		}
		return nil
	})
	return n
}

func TestMessagesUnderLGPD(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		ctx := context.Background()
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dra. Conversa"})
		pat := harness.SignUpPatient(t, h)
		pharm := harness.SignUpVerifiedCompany(t, h, "pharmacy")
		until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
		h.Post(t, "/v1/me/record-shares", pat.Token, map[string]any{"professional_id": pro.ID, "until": until}).Want(t, http.StatusCreated)
		orderID := deliveredOrder(t, h, pat, pharm)

		care := start(t, h, pat.Token, map[string]any{"professional_id": pro.ID})
		send(t, h, pat.Token, care.ID, "Doutora, a dor voltou ontem à noite")
		careFile := sendFile(t, h, pat.Token, care.ID, "Segue o exame", "glicemia.pdf", carePDF)
		send(t, h, pro.Token, care.ID, "Tome 500 mg de dipirona e volte na sexta")
		order := start(t, h, pat.Token, map[string]any{"order_id": orderID})
		orderFile := sendFile(t, h, pat.Token, order.ID, "Segue a receita do pedido", "receita.pdf", orderPDF)
		send(t, h, pharm.Token, order.ID, "Recebido, separando o pedido")
		if len(messages(t, h, pro.Token, care.ID)) != 3 {
			t.Fatal("the professional does not see the care conversation")
		}

		// the professional's accesses are in the patient's access log and sharing report
		var log struct {
			Items []struct {
				ActorID    string `json:"actor_id"`
				ObjectType string `json:"object_type"`
				ObjectID   string `json:"object_id"`
				Action     string `json:"action"`
				Basis      string `json:"basis"`
			} `json:"items"`
		}
		h.Get(t, "/v1/me/access-log?limit=100", pat.Token).Want(t, http.StatusOK).JSON(t, &log)
		actions := map[string]bool{}
		for _, e := range log.Items {
			if e.ObjectType == "conversation" {
				if e.ActorID != pro.ID || e.ObjectID != care.ID || e.Basis != "care" {
					t.Fatalf("conversation access entry: %+v", e)
				}
				actions[e.Action] = true
			}
		}
		if !actions["create"] || !actions["list"] {
			t.Fatalf("conversation accesses in the log: %v (%+v)", actions, log.Items)
		}
		sharing := string(h.Get(t, "/v1/me/sharing", pat.Token).Want(t, http.StatusOK).Body)
		if !strings.Contains(sharing, `"care_messages"`) || !strings.Contains(sharing, "Mensagens com profissionais") {
			t.Fatalf("sharing report lacks the conversation: %s", sharing)
		}

		// the patient's export: both conversations, every message, both attachments byte for byte
		files := download(t, h, pat.Token)
		var mf messagesFile
		if err := json.Unmarshal(files["messages.json"], &mf); err != nil {
			t.Fatalf("messages.json: %v: %s", err, files["messages.json"])
		}
		if mf.Section != "messages" || len(mf.Conversations) != 2 || len(mf.Messages) != 5 {
			t.Fatalf("patient's messages.json: %s", files["messages.json"])
		}
		all := string(files["messages.json"])
		for _, s := range []string{"a dor voltou", "500 mg de dipirona", "Recebido, separando", "glicemia.pdf", "receita.pdf", "Dra. Conversa"} {
			if !strings.Contains(all, s) {
				t.Errorf("messages.json lacks %q", s)
			}
		}
		if !bytes.Equal(files["attachments/"+careFile.ID+"_glicemia.pdf"], carePDF) || !bytes.Equal(files["attachments/"+orderFile.ID+"_receita.pdf"], orderPDF) {
			names := []string{}
			for n := range files {
				names = append(names, n)
			}
			t.Fatalf("attachments not in the archive byte for byte: %v", names)
		}
		if !strings.Contains(string(files["manifest.json"]), "attachments/"+careFile.ID) {
			t.Fatal("the manifest does not list the attachment")
		}
		// the professional's export: only what they sent
		pf := download(t, h, pro.Token)
		mf = messagesFile{}
		if err := json.Unmarshal(pf["messages.json"], &mf); err != nil {
			t.Fatal(err)
		}
		if len(mf.Messages) != 1 || mf.Messages[0].SenderID != pro.ID || strings.Contains(string(pf["messages.json"]), "a dor voltou") || len(mf.Conversations) != 0 {
			t.Fatalf("professional's messages.json: %s", pf["messages.json"])
		}
		for n := range pf {
			if strings.HasPrefix(n, "attachments/") {
				t.Fatalf("the professional's export holds the patient's attachment %s", n)
			}
		}

		// a partner member's export: only what they sent, never the patient's text nor file
		cf := download(t, h, pharm.Token)
		mf = messagesFile{}
		if err := json.Unmarshal(cf["messages.json"], &mf); err != nil {
			t.Fatal(err)
		}
		if len(mf.Messages) != 1 || mf.Messages[0].Text != "Recebido, separando o pedido" || strings.Contains(string(cf["messages.json"]), "receita do pedido") {
			t.Fatalf("member's messages.json: %s", cf["messages.json"])
		}

		// erasure: order conversation erased now (both sides, files too), care conversation blocked
		if attachmentFiles(h, order.ID) != 1 {
			t.Fatalf("order attachment objects before: %d", attachmentFiles(h, order.ID))
		}
		var er struct {
			ID        string `json:"id"`
			Decisions []struct {
				Class       string     `json:"class"`
				Action      string     `json:"action"`
				Until       *time.Time `json:"until"`
				Explanation string     `json:"explanation"`
			} `json:"decisions"`
		}
		h.Post(t, "/v1/me/erasure-requests", pat.Token, map[string]any{"confirm": "ELIMINAR"}).Want(t, http.StatusAccepted).JSON(t, &er)
		got := map[string]string{}
		for _, d := range er.Decisions {
			got[d.Class] = d.Action
			if d.Class == "care_messages" && (d.Until == nil || d.Until.Year() != time.Now().Year()+20 || !strings.Contains(d.Explanation, "prontuário")) {
				t.Errorf("care messages decision: %+v", d)
			}
		}
		if got["care_messages"] != "block_until" || got["order_messages"] != "delete_now" {
			t.Fatalf("decisions: %v", got)
		}
		harness.Eventually(t, 30*time.Second, func() error {
			var status string
			if err := h.App.DB.NewSelect().Table("consent_erasures").Column("status").Where("id = ?", er.ID).Scan(ctx, &status); err != nil {
				return err
			}
			if status != "done" {
				return fmt.Errorf("erasure %s", status)
			}
			return nil
		})
		for _, m := range messages(t, h, pharm.Token, order.ID) {
			if m.Text != "" || m.Attachment != nil || m.ErasedAt == nil {
				t.Fatalf("the partner still sees an order message: %+v", m)
			}
		}
		if n := attachmentFiles(h, order.ID); n != 0 {
			t.Fatalf("order attachment objects after erasure: %d", n)
		}
		h.Get(t, "/v1/conversations/"+order.ID+"/messages/"+orderFile.ID+"/attachment", pharm.Token).Want(t, http.StatusNotFound)
		// the care conversation is kept (text and file) but blocked to the professional
		var kept int
		n, err := h.App.DB.NewSelect().Table("chat_messages").Where("conversation_id = ? AND text <> '' AND erased_at IS NULL", care.ID).Count(ctx)
		if err != nil || n != 3 {
			t.Fatalf("care messages kept: %d, %v", n, err)
		}
		kept = attachmentFiles(h, care.ID)
		if kept != 1 {
			t.Fatalf("care attachment objects kept: %d", kept)
		}
		p := h.Get(t, "/v1/conversations/"+care.ID+"/messages", pro.Token).Want(t, http.StatusNotFound).Problem(t)
		if !strings.Contains(p.Detail, "bloqueado") {
			t.Errorf("blocked conversation's notice: %+v", p)
		}
		h.Get(t, "/v1/conversations/"+care.ID+"/messages/"+careFile.ID+"/attachment", pro.Token).Want(t, http.StatusNotFound)
	})
}

func TestMessagesRetentionPurge(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		ctx := context.Background()
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{Name: "Dr. Arquivo"})
		old, recent := harness.SignUpPatient(t, h), harness.SignUpPatient(t, h)
		until := time.Now().Add(30 * 24 * time.Hour).Format(time.RFC3339)
		convs := map[string]string{}
		for _, p := range []harness.Account{old, recent} {
			h.Post(t, "/v1/me/record-shares", p.Token, map[string]any{"professional_id": pro.ID, "until": until}).Want(t, http.StatusCreated)
			c := start(t, h, p.Token, map[string]any{"professional_id": pro.ID})
			sendFile(t, h, p.Token, c.ID, "Exame antigo", "exame.pdf", carePDF)
			send(t, h, pro.Token, c.ID, "Recebido")
			convs[p.ID] = c.ID
		}
		// the old conversation's last message was 20 years and a day ago
		oldAt := time.Now().UTC().AddDate(-20, 0, -1)
		if _, err := h.App.DB.NewUpdate().Table("chat_conversations").Set("last_message_at = ?", oldAt).Where("id = ?", convs[old.ID]).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := h.App.DB.NewUpdate().Table("chat_messages").Set("created_at = ?", oldAt).Where("conversation_id = ?", convs[old.ID]).Exec(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := h.App.DB.NewUpdate().Table("scheduled_jobs").Set("due_at = 0").Where("id = ?", "consent-retention-purge").Exec(ctx); err != nil {
			t.Fatal(err)
		}
		live := func(conv string) int {
			n, err := h.App.DB.NewSelect().Table("chat_messages").Where("conversation_id = ? AND erased_at IS NULL", conv).Count(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
		harness.Eventually(t, 30*time.Second, func() error {
			if n := live(convs[old.ID]); n != 0 {
				return fmt.Errorf("%d old messages left", n)
			}
			return nil
		})
		if live(convs[recent.ID]) != 2 || attachmentFiles(h, convs[recent.ID]) != 1 {
			t.Fatal("the recent conversation was purged")
		}
		if attachmentFiles(h, convs[old.ID]) != 0 {
			t.Fatal("the old attachment's object is still stored")
		}
		var ms []message
		var l struct {
			Items []message `json:"items"`
		}
		h.Get(t, "/v1/conversations/"+convs[old.ID]+"/messages", old.Token).Want(t, http.StatusOK).JSON(t, &l)
		ms = l.Items
		if len(ms) != 2 || ms[0].Text != "" || ms[0].ErasedAt == nil {
			t.Fatalf("the old conversation as its patient sees it: %+v", ms)
		}
	})
}
