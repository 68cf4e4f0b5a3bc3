package idempotencysql_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/idempotencysql"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/test/testdb"
)

func TestClaimCompleteRelease(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		for _, durable := range []bool{false, true} {
			ctx := context.Background()
			st := idempotencysql.New(db)
			st.Durable = durable
			sc := httpapi.IdempotencyScope{Principal: "patient:" + kernel.NewID(), Route: "POST /v1/appointments", Key: "k1"}
			if _, claimed, err := st.Claim(ctx, sc, "h1"); err != nil || !claimed {
				t.Fatalf("first claim: %v %v", claimed, err)
			}
			rec, claimed, err := st.Claim(ctx, sc, "h1")
			if err != nil || claimed || rec.Done || rec.RequestHash != "h1" {
				t.Fatalf("pending claim: %+v %v %v", rec, claimed, err)
			}
			if err := st.Release(ctx, sc); err != nil {
				t.Fatal(err)
			}
			if _, claimed, _ := st.Claim(ctx, sc, "h1"); !claimed {
				t.Fatal("a released key is not claimable")
			}
			if err := st.Complete(ctx, sc, httpapi.IdempotencyRecord{RequestHash: "h1", Done: true, Status: 201, ContentType: "application/json", Location: "/x", Body: []byte(`{"a":1}`)}); err != nil {
				t.Fatal(err)
			}
			rec, claimed, err = st.Claim(ctx, sc, "h2")
			if err != nil || claimed || !rec.Done || rec.Status != 201 || string(rec.Body) != `{"a":1}` || rec.Location != "/x" || rec.RequestHash != "h1" {
				t.Fatalf("completed record: %+v %v %v", rec, claimed, err)
			}
			// another principal's same key is independent
			other := sc
			other.Principal = "patient:" + kernel.NewID()
			if _, claimed, _ := st.Claim(ctx, other, "h1"); !claimed {
				t.Fatal("keys leak across principals")
			}
			// a pending claim older than Takeover is taken over
			stale := httpapi.IdempotencyScope{Principal: sc.Principal, Route: sc.Route, Key: "k2"}
			st.Takeover = time.Millisecond
			if _, claimed, _ := st.Claim(ctx, stale, "h"); !claimed {
				t.Fatal("claim")
			}
			time.Sleep(5 * time.Millisecond)
			if _, claimed, _ := st.Claim(ctx, stale, "h"); !claimed {
				t.Fatal("a dead pending claim was not taken over")
			}
		}
	})
}

type auth struct{}

func (auth) Authenticate(_ context.Context, cred string) (kernel.Principal, error) {
	return kernel.Principal{AccountID: cred, Kind: kernel.KindPatient}, nil
}

type module struct {
	store httpapi.IdempotencyStore
	runs  *atomic.Int64
}

type bookBody struct {
	Slot string `json:"slot"`
}

type bookAnswer struct {
	ID   string `json:"id"`
	Slot string `json:"slot"`
}

func (m module) Register(r *httpapi.Router) {
	r.Handle(fiber.MethodPost, "/book/:n", httpapi.Op{ID: "testBook", Auth: httpapi.User, Request: bookBody{},
		Responses: []httpapi.Response{{Status: 201, Body: bookAnswer{}}}}, httpapi.Idempotent(m.store, func(c *fiber.Ctx) error {
		var b bookBody
		if err := httpapi.Bind(c, &b); err != nil {
			return err
		}
		m.runs.Add(1)
		time.Sleep(100 * time.Millisecond) // a slow booking: duplicates arrive while it runs
		if b.Slot == "taken" {
			return kernel.ConflictField("start", "este horário já foi reservado")
		}
		return httpapi.Created(c, "/book/1", bookAnswer{ID: kernel.NewID(), Slot: b.Slot})
	}))
}

func TestIdempotentMiddleware(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		var runs atomic.Int64
		srv := httpapi.New(httpapi.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), auth{}, nil, module{store: idempotencysql.New(db), runs: &runs})
		ts := httptest.NewServer(adaptor(srv))
		defer ts.Close()
		path := "/book/1"
		post := func(who, key, body string) (int, string, http.Header) {
			req, _ := http.NewRequest("POST", ts.URL+path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+who)
			if key != "" {
				req.Header.Set("Idempotency-Key", key)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, string(b), res.Header
		}
		// ten concurrent duplicates: the handler runs once, every answer is the same 201
		var wg sync.WaitGroup
		bodies := make([]string, 10)
		codes := make([]int, 10)
		for i := range bodies {
			wg.Add(1)
			go func() { defer wg.Done(); codes[i], bodies[i], _ = post("alice", "key-1", `{"slot":"a"}`) }()
		}
		wg.Wait()
		for i := range bodies {
			if codes[i] != 201 || bodies[i] != bodies[0] {
				t.Fatalf("answer %d: %d %s (first %s)", i, codes[i], bodies[i], bodies[0])
			}
		}
		if runs.Load() != 1 {
			t.Fatalf("handler ran %d times", runs.Load())
		}
		code, _, hdr := post("alice", "key-1", `{"slot":"a"}`)
		if code != 201 || hdr.Get("Idempotent-Replayed") != "true" || hdr.Get("Location") != "/book/1" {
			t.Fatalf("replay: %d %v", code, hdr)
		}
		if code, body, _ := post("alice", "key-1", `{"slot":"b"}`); code != 422 || !strings.Contains(body, "Idempotency-Key") {
			t.Fatalf("different body: %d %s", code, body)
		}
		// the same key from someone else is theirs
		if code, _, _ := post("bob", "key-1", `{"slot":"c"}`); code != 201 {
			t.Fatalf("bob's key-1: %d", code)
		}
		// client errors are stored and replayed too
		c1, b1, _ := post("alice", "key-2", `{"slot":"taken"}`)
		c2, b2, _ := post("alice", "key-2", `{"slot":"taken"}`)
		if c1 != 409 || c2 != 409 || b1 != b2 {
			t.Fatalf("conflict replay: %d %s / %d %s", c1, b1, c2, b2)
		}
		// without a key nothing is stored
		before := runs.Load()
		post("alice", "", `{"slot":"d"}`)
		post("alice", "", `{"slot":"d"}`)
		if runs.Load() != before+2 {
			t.Fatal("requests without a key were deduplicated")
		}
		// the same key and body on another object's route is another request
		path = "/book/2"
		before = runs.Load()
		if code, _, hdr := post("alice", "key-1", `{"slot":"a"}`); code != 201 || hdr.Get("Idempotent-Replayed") != "" || runs.Load() != before+1 {
			t.Fatalf("key-1 on /book/2: %d replayed=%q", code, hdr.Get("Idempotent-Replayed"))
		}
		if code, _, _ := post("alice", strings.Repeat("k", 300), `{"slot":"e"}`); code != 400 {
			t.Fatalf("long key: %d", code)
		}
	})
}
