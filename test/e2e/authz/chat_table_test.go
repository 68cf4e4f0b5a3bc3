package authz_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"sync"
	"testing"

	"github.com/multisaude/multisaude/test/e2e/harness"
)

// chatsOf holds, per world, A's care conversation with P, its message with
// an attachment, and A's conversation with the pharmacy about A's order.
var chatsOf sync.Map // *world -> chatSeed

type chatSeed struct{ care, message, order string }

// seedChat has A open a conversation with P (who attends A) and send a file,
// and one with the pharmacy about A's order.
func seedChat(t *testing.T, h *harness.H, w *world) {
	t.Helper()
	var s chatSeed
	s.care = id(t, h.Post(t, "/v1/conversations", w.A.Token, map[string]any{"professional_id": w.P.ID}).Want(t, http.StatusCreated))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("text", "segue o exame")
	fw, _ := mw.CreateFormFile("file", "exame.pdf")
	_, _ = fw.Write(examPDF)
	_ = mw.Close()
	s.message = id(t, h.Do(t, harness.Req{Method: http.MethodPost, Path: "/v1/conversations/" + s.care + "/messages", Token: w.A.Token, Body: &buf,
		Headers: map[string]string{"Content-Type": mw.FormDataContentType()}}).Want(t, http.StatusCreated))
	if o := orderA(w)["id"]; o != "" {
		s.order = id(t, h.Post(t, "/v1/conversations", w.A.Token, map[string]any{"order_id": o}).Want(t, http.StatusCreated))
	}
	chatsOf.Store(w, s)
}

func chatOf(w *world) chatSeed {
	v, _ := chatsOf.Load(w)
	s, _ := v.(chatSeed)
	return s
}

var (
	careConv    = func(w *world) map[string]string { return map[string]string{"id": chatOf(w).care} }
	careMessage = func(w *world) map[string]string {
		return map[string]string{"id": chatOf(w).care, "message_id": chatOf(w).message}
	}
	// hiddenConv: nobody but A and P learns A's care conversation exists;
	// admins see no conversation content; API keys use no account route.
	hiddenConv = with(hiddenA, admin, 404, phAdmin, 404, phStaff, 404, phKey, 401, hoAdmin, 404, hoStaff, 404, proR, 404, pendCoAd, 404)
)

func init() {
	// starting: only with someone one attends (or about one's order); everyone else 404
	table["POST /v1/conversations"] = route{deny: with(hiddenConv, anon, 401),
		body: func(w *world) (any, map[string]string) { return map[string]any{"professional_id": w.P.ID}, nil }}
	table["GET /v1/conversations"] = route{deny: with(ownView, coKey, 401, phKey, 401, admin, 403, proR, own)}
	table["GET /v1/conversations/{id}"] = route{owner: patA, params: careConv, deny: hiddenConv}
	table["GET /v1/conversations/{id}/messages"] = route{owner: patA, params: careConv, deny: hiddenConv}
	table["POST /v1/conversations/{id}/messages"] = route{owner: patA, params: careConv, deny: hiddenConv,
		body: json(map[string]any{"text": "intrusão"})}
	table["POST /v1/conversations/{id}/read"] = route{owner: patA, params: careConv, deny: hiddenConv,
		body: func(w *world) (any, map[string]string) { return map[string]any{"message_id": chatOf(w).message}, nil }}
	table["GET /v1/conversations/{id}/messages/{message_id}/attachment"] = route{owner: patA, params: careMessage, deny: hiddenConv}
}
