// Package live_test drives the live WebSocket as clients do: tickets (single
// use, short-lived, only for people who chat), the handshake's refusals
// before any upgrade, a second client receiving a message live, resume after
// a disconnect with nothing lost or repeated, a stranger hearing nothing, and
// two API instances on one PostgreSQL database.
package live_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/test/e2e/harness"
	"github.com/multisaude/multisaude/test/testdb"
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

// careConversation has pat book pro (a care relationship) and open their
// conversation; it returns the conversation's ID.
func careConversation(t *testing.T, h *harness.H, pat, pro harness.Account) string {
	t.Helper()
	h.Do(t, harness.Req{Method: http.MethodPut, Path: "/v1/professionals/" + pro.ID + "/availability", Token: pro.Token, Body: allDay()}).Want(t, http.StatusOK)
	d := time.Now().In(sp).AddDate(0, 0, 3).Format("2006-01-02")
	var l struct {
		Items []struct {
			Start time.Time `json:"start"`
		} `json:"items"`
	}
	h.Get(t, "/v1/professionals/"+pro.ID+"/slots?from="+d+"&to="+d, "").Want(t, http.StatusOK).JSON(t, &l)
	if len(l.Items) == 0 {
		t.Fatal("no slots")
	}
	h.Post(t, "/v1/appointments", pat.Token, map[string]any{"professional_id": pro.ID, "start": l.Items[0].Start.Format(time.RFC3339),
		"reason": "consulta"}).Want(t, http.StatusCreated)
	var c struct {
		ID string `json:"id"`
	}
	h.Post(t, "/v1/conversations", pat.Token, map[string]any{"professional_id": pro.ID}).Want(t, http.StatusCreated).JSON(t, &c)
	return c.ID
}

type message struct {
	ID             string `json:"id"`
	ConversationID string `json:"conversation_id"`
	Seq            int64  `json:"seq"`
	SenderID       string `json:"sender_id"`
	Text           string `json:"text"`
}

func send(t *testing.T, h *harness.H, who harness.Account, convID, text string) message {
	t.Helper()
	var m message
	h.Post(t, "/v1/conversations/"+convID+"/messages", who.Token, map[string]any{"text": text}).Want(t, http.StatusCreated).JSON(t, &m)
	return m
}

func ticket(t *testing.T, h *harness.H, who harness.Account) string {
	t.Helper()
	var out struct {
		Ticket    string    `json:"ticket"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	h.Post(t, "/v1/ws/tickets", who.Token, nil).Want(t, http.StatusCreated).JSON(t, &out)
	if len(out.Ticket) < 40 || time.Until(out.ExpiresAt) <= 0 || time.Until(out.ExpiresAt) > time.Minute {
		t.Fatalf("ticket %q expiring at %v", out.Ticket, out.ExpiresAt)
	}
	return out.Ticket
}

func wsURL(h *harness.H, q url.Values) string {
	return "ws" + strings.TrimPrefix(h.URL, "http") + "/v1/ws?" + q.Encode()
}

// client is a WebSocket client that records every frame it receives.
type client struct {
	conn   *websocket.Conn
	mu     sync.Mutex
	frames []frame
	closed chan struct{}
	code   int // close code received
	signal chan struct{}
}

type frame struct {
	Type    string   `json:"type"`
	Message *message `json:"message"`
}

// dial opens a socket for who (a fresh ticket), resuming after afterID when set.
func dial(t *testing.T, h *harness.H, who harness.Account, afterID string) *client {
	t.Helper()
	q := url.Values{"ticket": {ticket(t, h, who)}}
	if afterID != "" {
		q.Set("after", afterID)
	}
	conn, res, err := websocket.DefaultDialer.Dial(wsURL(h, q), nil)
	if err != nil {
		status := 0
		if res != nil {
			status = res.StatusCode
		}
		t.Fatalf("dial: %v (status %d)", err, status)
	}
	c := &client{conn: conn, closed: make(chan struct{}), signal: make(chan struct{}, 1)}
	go c.read()
	t.Cleanup(func() { _ = conn.Close() })
	return c
}

func (c *client) read() {
	defer close(c.closed)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			if ce, ok := err.(*websocket.CloseError); ok {
				c.mu.Lock()
				c.code = ce.Code
				c.mu.Unlock()
			}
			return
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			f.Type = "undecodable: " + string(data)
		}
		c.mu.Lock()
		c.frames = append(c.frames, f)
		c.mu.Unlock()
		select {
		case c.signal <- struct{}{}:
		default:
		}
	}
}

func (c *client) got() []frame {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]frame(nil), c.frames...)
}

// messages are the texts of the message frames received, in order.
func (c *client) messages() []string {
	var out []string
	for _, f := range c.got() {
		if f.Type == "message" && f.Message != nil {
			out = append(out, f.Message.Text)
		}
	}
	return out
}

// waitFor waits until cond holds for the frames received.
func (c *client) waitFor(t *testing.T, what string, cond func([]frame) bool) {
	t.Helper()
	deadline := time.After(15 * time.Second)
	for !cond(c.got()) {
		select {
		case <-c.signal:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			t.Fatalf("timed out waiting for %s; frames: %+v", what, c.got())
		}
	}
}

func (c *client) waitReady(t *testing.T) {
	t.Helper()
	c.waitFor(t, "ready", func(fs []frame) bool {
		for _, f := range fs {
			if f.Type == "ready" {
				return true
			}
		}
		return false
	})
}

func (c *client) waitMessages(t *testing.T, n int) []string {
	t.Helper()
	c.waitFor(t, fmt.Sprintf("%d messages", n), func([]frame) bool { return len(c.messages()) >= n })
	return c.messages()
}

// refused dials and expects an HTTP answer (no upgrade) with status and a problem body.
func refused(t *testing.T, h *harness.H, q url.Values, status int) {
	t.Helper()
	conn, res, err := websocket.DefaultDialer.Dial(wsURL(h, q), nil)
	if err == nil {
		_ = conn.Close()
		t.Fatalf("dial %v: upgraded, want %d", q, status)
	}
	if res == nil {
		t.Fatalf("dial %v: %v, no HTTP answer", q, err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != status {
		t.Fatalf("dial %v: status %d, want %d (%s)", q, res.StatusCode, status, body)
	}
	var p struct {
		Status int    `json:"status"`
		Detail string `json:"detail"`
	}
	if !strings.HasPrefix(res.Header.Get("Content-Type"), "application/problem+json") || json.Unmarshal(body, &p) != nil || p.Status != status || p.Detail == "" {
		t.Errorf("dial %v: answer is not a problem (%s): %s", q, res.Header.Get("Content-Type"), body)
	}
}

func TestTickets(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		// Only people who chat get tickets.
		h.Post(t, "/v1/ws/tickets", "", nil).Want(t, http.StatusUnauthorized)
		admin := harness.AdminLogin(t, h)
		p := h.Post(t, "/v1/ws/tickets", admin.Token, nil).Want(t, http.StatusForbidden).Problem(t)
		if !strings.Contains(p.Detail, "pacientes") {
			t.Errorf("admin's refusal is not in Portuguese: %q", p.Detail)
		}
		// Not a WebSocket request: 426, documented.
		h.Get(t, "/v1/ws?ticket=x", "").Want(t, http.StatusUpgradeRequired)
		// No ticket, a made-up one: 401 before any upgrade.
		refused(t, h, url.Values{}, http.StatusUnauthorized)
		refused(t, h, url.Values{"ticket": {"inventado-inventado-inventado-inventado-123"}}, http.StatusUnauthorized)
		refused(t, h, url.Values{"ticket": {strings.Repeat("x", 500)}}, http.StatusUnauthorized)
		// A malformed after: 400, and the ticket is not spent.
		tk := ticket(t, h, pat)
		refused(t, h, url.Values{"ticket": {tk}, "after": {"não-é-id"}}, http.StatusBadRequest)
		// Single use: the first dial opens, the second is refused.
		conn, _, err := websocket.DefaultDialer.Dial(wsURL(h, url.Values{"ticket": {tk}}), nil)
		if err != nil {
			t.Fatalf("first use of the ticket: %v", err)
		}
		_ = conn.Close()
		refused(t, h, url.Values{"ticket": {tk}}, http.StatusUnauthorized)
		// Expired: a ticket past its expiry is refused.
		old := ticket(t, h, pat)
		if _, err := h.App.DB.NewRaw("UPDATE chat_tickets SET expires_at = ? WHERE hash = ?", time.Now().UTC().Add(-time.Second),
			chat.TicketHash(old)).Exec(context.Background()); err != nil {
			t.Fatal(err)
		}
		refused(t, h, url.Values{"ticket": {old}}, http.StatusUnauthorized)
		// Two clients racing with one ticket: exactly one opens.
		tk = ticket(t, h, pat)
		var wg sync.WaitGroup
		var mu sync.Mutex
		opened, statuses := 0, []int{}
		for i := 0; i < 5; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				conn, res, err := websocket.DefaultDialer.Dial(wsURL(h, url.Values{"ticket": {tk}}), nil)
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					opened++
					_ = conn.Close()
				} else if res != nil {
					statuses = append(statuses, res.StatusCode)
				}
			}()
		}
		wg.Wait()
		if opened != 1 || len(statuses) != 4 || statuses[0] != http.StatusUnauthorized {
			t.Errorf("five dials with one ticket: %d opened, others answered %v; want 1 and four 401", opened, statuses)
		}
	})
}

func TestLiveResumeAndStrangers(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		conv := careConversation(t, h, pat, pro)
		stranger := harness.SignUpPatient(t, h)
		otherPro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})

		// Two clients of the conversation and two strangers are connected.
		proWS := dial(t, h, pro, "")
		patWS := dial(t, h, pat, "")
		strangerWS := dial(t, h, stranger, "")
		otherProWS := dial(t, h, otherPro, "")
		for _, c := range []*client{proWS, patWS, strangerWS, otherProWS} {
			c.waitReady(t)
		}
		// A message reaches the other participant live (and the sender's own socket).
		m0 := send(t, h, pat, conv, "olá, doutor")
		if got := proWS.waitMessages(t, 1); got[0] != "olá, doutor" {
			t.Fatalf("professional got %v", got)
		}
		patWS.waitMessages(t, 1)
		if f := proWS.got(); f[len(f)-1].Message.ID != m0.ID || f[len(f)-1].Message.ConversationID != conv || f[len(f)-1].Message.Seq != m0.Seq {
			t.Errorf("frame %+v does not describe message %+v", f[len(f)-1].Message, m0)
		}
		// The professional disconnects; two messages are sent meanwhile.
		_ = proWS.conn.Close()
		<-proWS.closed
		m1 := send(t, h, pat, conv, "primeira enquanto offline")
		m2 := send(t, h, pat, conv, "segunda enquanto offline")
		// Reconnecting after the last message seen: both arrive, once, in order, before ready.
		again := dial(t, h, pro, m0.ID)
		again.waitReady(t)
		fs := again.got()
		if len(fs) != 3 || fs[0].Type != "message" || fs[0].Message.ID != m1.ID || fs[1].Message.ID != m2.ID || fs[2].Type != "ready" {
			t.Fatalf("resume frames: %+v; want m1, m2, ready", fs)
		}
		// Live again after the resume, still once each.
		send(t, h, pro, conv, "recebi tudo")
		if got := again.waitMessages(t, 3); got[2] != "recebi tudo" {
			t.Errorf("after resume got %v", got)
		}
		if got := patWS.waitMessages(t, 4); strings.Join(got, "|") != "olá, doutor|primeira enquanto offline|segunda enquanto offline|recebi tudo" {
			t.Errorf("the patient's socket (never disconnected) got %v", got)
		}
		// Strangers heard nothing, and cannot resume from someone else's message.
		time.Sleep(300 * time.Millisecond)
		for name, c := range map[string]*client{"patient": strangerWS, "professional": otherProWS} {
			if got := c.messages(); len(got) != 0 {
				t.Errorf("stranger %s received %v", name, got)
			}
		}
		refused(t, h, url.Values{"ticket": {ticket(t, h, stranger)}, "after": {m0.ID}}, http.StatusNotFound)
		refused(t, h, url.Values{"ticket": {ticket(t, h, otherPro)}, "after": {m0.ID}}, http.StatusNotFound)
		// Resuming from the newest message sends nothing but ready.
		last := dial(t, h, pat, m2.ID)
		last.waitReady(t)
		if got := last.messages(); len(got) != 1 || got[0] != "recebi tudo" {
			t.Errorf("resume after m2 got %v, want only the later message", got)
		}
	})
}

// Several pages of missed messages arrive in order and once each.
func TestResumeManyMissed(t *testing.T) {
	harness.ForEachDialect(t, func(t *testing.T, h *harness.H) {
		pat := harness.SignUpPatient(t, h)
		pro := harness.SignUpVerifiedProfessional(t, h, harness.ProfessionalOptions{})
		conv := careConversation(t, h, pat, pro)
		first := send(t, h, pro, conv, "início")
		const n = 25
		for i := 0; i < n; i++ {
			if i%2 == 0 {
				send(t, h, pat, conv, fmt.Sprintf("m%02d", i))
			} else {
				send(t, h, pro, conv, fmt.Sprintf("m%02d", i))
			}
		}
		c := dial(t, h, pat, first.ID)
		c.waitReady(t)
		got := c.messages()
		if len(got) != n {
			t.Fatalf("got %d messages, want %d: %v", len(got), n, got)
		}
		for i, s := range got {
			if s != fmt.Sprintf("m%02d", i) {
				t.Fatalf("message %d is %q: %v", i, s, got)
			}
		}
	})
}

// Two API instances on one PostgreSQL database: a socket held by B hears a
// message sent through A (PostgreSQL's LISTEN/NOTIFY between them).
func TestTwoInstances(t *testing.T) {
	if testdb.PostgresURL() == "" {
		t.Skipf("%s not set: skipping the two-instance test (PostgreSQL only)", testdb.PostgresEnv)
	}
	dsn := testdb.URL(t, sqlstore.Postgres)
	a := harness.Start(t, sqlstore.Postgres, harness.WithEnv("MULTISAUDE_DATABASE_URL", dsn))
	// One deployment: the same database and the same signing key (the local
	// profile keeps it in the data folder) and public URL (the tokens' issuer).
	b := harness.Start(t, sqlstore.Postgres, harness.WithEnv("MULTISAUDE_DATABASE_URL", dsn), harness.WithEnv("MULTISAUDE_DATA_DIR", a.DataDir),
		harness.WithEnv("MULTISAUDE_PUBLIC_URL", a.URL))
	pat := harness.SignUpPatient(t, a)
	pro := harness.SignUpVerifiedProfessional(t, a, harness.ProfessionalOptions{})
	conv := careConversation(t, a, pat, pro)
	// Tokens and tickets work on either instance: they share the database.
	onB := dial(t, b, pro, "")
	onA := dial(t, a, pro, "")
	onB.waitReady(t)
	onA.waitReady(t)
	start := time.Now()
	send(t, a, pat, conv, "enviada pela instância A")
	if got := onB.waitMessages(t, 1); got[0] != "enviada pela instância A" {
		t.Fatalf("instance B's socket got %v", got)
	}
	t.Logf("A → B delivery took %v", time.Since(start))
	send(t, b, pat, conv, "enviada pela instância B")
	if got := onA.waitMessages(t, 2); got[1] != "enviada pela instância B" {
		t.Fatalf("instance A's socket got %v", got)
	}
	if got := onB.waitMessages(t, 2); len(got) != 2 {
		t.Errorf("instance B's socket got %v", got)
	}
}
