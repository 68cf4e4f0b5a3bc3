package chatsql_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/blob/memblob"
	"github.com/multisaude/multisaude/adapters/bridge/clinicaldir"
	"github.com/multisaude/multisaude/adapters/keys/localkeys"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/chatsql"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/test/testdb"
)

// relations is chat.Relations over maps; records and bus record what chat
// told them.
type relations struct {
	mu     sync.Mutex
	care   map[[2]kernel.ID]bool
	orders map[kernel.ID]chat.OrderRef
}

func (r *relations) Care(_ context.Context, pro, pat kernel.ID) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.care[[2]kernel.ID{pro, pat}], nil
}

func (r *relations) Order(_ context.Context, id kernel.ID) (chat.OrderRef, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.orders[id]
	if !ok {
		return o, kernel.NotFound("pedido não encontrado")
	}
	return o, nil
}

func (r *relations) DisplayName(_ context.Context, kind kernel.AccountKind, id kernel.ID) (string, error) {
	return string(kind) + ":" + id[:4], nil
}

type records struct {
	mu  sync.Mutex
	got []chat.RecordAccess
}

func (r *records) LogConversationAccess(_ context.Context, a chat.RecordAccess) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, a)
	return nil
}

type bus struct {
	mu   sync.Mutex
	fail bool
	got  [][]byte
}

func (b *bus) Publish(_ context.Context, channel string, payload []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.fail || channel != chat.LiveChannel {
		return kernel.Unavailable(nil, "bus down")
	}
	b.got = append(b.got, payload)
	return nil
}

func (b *bus) Subscribe(context.Context, string, func([]byte), func()) (func(), error) {
	return func() {}, nil
}
func (b *bus) Ping(context.Context) error { return nil }

type files struct{}

func (files) CheckFile(b []byte) (string, string) { return clinical.CheckFile(b, 1<<20) }
func (files) CleanFileName(n, ct string) string   { return clinical.CleanFileName(n, ct) }

type fixture struct {
	svc   *chat.Service
	rel   *relations
	rec   *records
	bus   *bus
	clock *kernel.FixedClock
	blobs *memblob.Bucket
}

func newFixture(t *testing.T, db *sqlstore.DB) *fixture {
	keys, err := localkeys.New(localkeys.Config{MasterKeys: localkeys.GenerateKey("k1")})
	if err != nil {
		t.Fatal(err)
	}
	blobs, closeBlobs, err := memblob.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeBlobs)
	f := &fixture{rel: &relations{care: map[[2]kernel.ID]bool{}, orders: map[kernel.ID]chat.OrderRef{}}, rec: &records{}, bus: &bus{},
		clock: kernel.NewFixedClock(time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)), blobs: blobs}
	f.svc = chat.NewService(chat.Deps{Store: chatsql.New(db), Relations: f.rel, Records: f.rec, Sealer: clinicaldir.NewSealer(keys),
		Files: files{}, Blobs: blobs, Live: f.bus, Clock: f.clock}, chat.Config{SendPerMinute: 5})
	return f
}

func pat(id kernel.ID) kernel.Principal {
	return kernel.Principal{AccountID: id, Kind: kernel.KindPatient}
}
func pro(id kernel.ID) kernel.Principal {
	return kernel.Principal{AccountID: id, Kind: kernel.KindProfessional}
}

// The service over the SQL store: notices after commit (publish failures
// do not fail a send), the clinical access log for professionals in care
// conversations only, the rate limit's wait, and read-only conversations.
func TestServiceOverStore(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		a, p := kernel.NewID(), kernel.NewID()
		f.rel.care[[2]kernel.ID{p, a}] = true
		c, created, err := f.svc.StartConversation(ctx, pat(a), chat.NewConversation{ProfessionalID: p})
		if err != nil || !created {
			t.Fatalf("start: %v %v", created, err)
		}
		if c.ProfessionalName == "" || c.PatientName == "" {
			t.Fatalf("names %+v", c)
		}
		m, err := f.svc.Send(ctx, pat(a), c.ID, chat.NewMessage{Text: "olá"})
		if err != nil {
			t.Fatal(err)
		}
		if len(f.bus.got) != 1 {
			t.Fatalf("%d notices", len(f.bus.got))
		}
		n, err := chat.DecodeNotice(f.bus.got[0])
		if err != nil || n.ConversationID != c.ID || n.Seq != m.Seq || n.PatientID != a || n.ProfessionalID != p || !n.Concerns(pro(p)) {
			t.Fatalf("notice %+v %v", n, err)
		}
		if len(f.rec.got) != 0 {
			t.Fatalf("a patient's send was logged as a record access: %+v", f.rec.got)
		}
		// the professional's reads and sends reach the clinical access log
		if _, err := f.svc.Messages(ctx, pro(p), c.ID, kernel.Page{}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Send(ctx, pro(p), c.ID, chat.NewMessage{Text: "oi"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.MarkRead(ctx, pro(p), c.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range f.rec.got {
			if r.PatientID != a || r.ProfessionalID != p || r.ConversationID != c.ID {
				t.Fatalf("record access %+v", r)
			}
			actions = append(actions, r.Action)
		}
		if len(actions) != 3 || actions[0] != "list" || actions[1] != "create" || actions[2] != "read" {
			t.Fatalf("logged actions %v", actions)
		}
		// a bus that is down does not fail a send
		f.bus.fail = true
		if _, err := f.svc.Send(ctx, pat(a), c.ID, chat.NewMessage{Text: "sem aviso"}); err != nil {
			t.Fatalf("send with the bus down: %v", err)
		}
		f.bus.fail = false
		// rate limit: 5 a minute (a has sent 2)
		for range 3 {
			if _, err := f.svc.Send(ctx, pat(a), c.ID, chat.NewMessage{Text: "x"}); err != nil {
				t.Fatal(err)
			}
		}
		_, err = f.svc.Send(ctx, pat(a), c.ID, chat.NewMessage{Text: "x"})
		if wait, ok := chat.RetryAfter(err); kernel.KindOf(err) != kernel.KindTooMany || !ok || wait <= 0 {
			t.Fatalf("sixth send: %v", err)
		}
		f.clock.Advance(61 * time.Second)
		if _, err := f.svc.Send(ctx, pat(a), c.ID, chat.NewMessage{Text: "depois"}); err != nil {
			t.Fatalf("a minute later: %v", err)
		}
		// the relationship ends: read-only, still readable
		f.rel.care[[2]kernel.ID{p, a}] = false
		_, err = f.svc.Send(ctx, pro(p), c.ID, chat.NewMessage{Text: "x"})
		if kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("send after the relationship ended: %v", err)
		}
		if l, err := f.svc.Messages(ctx, pat(a), c.ID, kernel.Page{Limit: 100}); err != nil || len(l.Items) != 7 {
			t.Fatalf("history: %d %v", len(l.Items), err)
		}
		// admins and strangers: not found
		for _, who := range []kernel.Principal{{AccountID: kernel.NewID(), Kind: kernel.KindAdmin}, pat(kernel.NewID()), pro(kernel.NewID()),
			{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: kernel.NewID()}} {
			if _, err := f.svc.Conversation(ctx, who, c.ID); kernel.KindOf(err) != kernel.KindNotFound {
				t.Fatalf("%s reads: %v", who.Kind, err)
			}
			if _, _, err := f.svc.Attachment(ctx, who, m.ID); kernel.KindOf(err) != kernel.KindNotFound {
				t.Fatalf("%s downloads: %v", who.Kind, err)
			}
		}

		// order conversations: writable until OrderGrace after the order finished
		co, ord := kernel.NewID(), kernel.NewID()
		f.rel.orders[ord] = chat.OrderRef{ID: ord, PatientID: a, CompanyID: co, Status: "delivered", FinishedAt: f.clock.Now().Add(-29 * 24 * time.Hour)}
		member := kernel.Principal{AccountID: kernel.NewID(), Kind: kernel.KindCompanyMember, CompanyID: co}
		oc, created, err := f.svc.StartConversation(ctx, member, chat.NewConversation{OrderID: ord})
		if err != nil || !created || oc.Kind != chat.ConversationOrder || oc.PatientID != a {
			t.Fatalf("order conversation %+v %v %v", oc, created, err)
		}
		om, err := f.svc.Send(ctx, member, oc.ID, chat.NewMessage{Text: "chegou?", Attachment: &chat.NewAttachment{Name: "nota.pdf", Data: []byte("%PDF-1.4 nota")}})
		if err != nil || om.SenderName != "company_member:"+co[:4] {
			t.Fatalf("member's send %+v %v", om, err)
		}
		got, data, err := f.svc.Attachment(ctx, pat(a), om.ID)
		if err != nil || string(data) != "%PDF-1.4 nota" || got.Attachment.Name != "nota.pdf" {
			t.Fatalf("download %v %q", err, data)
		}
		if _, _, err := f.svc.ConversationAttachment(ctx, pat(a), c.ID, om.ID); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("the attachment under another conversation: %v", err)
		}
		f.clock.Advance(2 * 24 * time.Hour)
		if _, err := f.svc.Send(ctx, pat(a), oc.ID, chat.NewMessage{Text: "x"}); kernel.KindOf(err) != kernel.KindConflict {
			t.Fatalf("send 31 days after delivery: %v", err)
		}
		// bad input
		_, err = f.svc.Send(ctx, pat(a), c.ID, chat.NewMessage{Text: "\x00"})
		var ke *kernel.Error
		if !errors.As(err, &ke) || ke.Kind != kernel.KindUnprocessable || len(ke.Fields) != 1 || ke.Fields[0].Field != "text" {
			t.Fatalf("control character: %v", err)
		}
		if _, _, err := f.svc.StartConversation(ctx, pat(a), chat.NewConversation{}); kernel.KindOf(err) != kernel.KindInvalid {
			t.Fatalf("empty start: %v", err)
		}
		if _, _, err := f.svc.StartConversation(ctx, pat(kernel.NewID()), chat.NewConversation{OrderID: ord}); kernel.KindOf(err) != kernel.KindNotFound {
			t.Fatalf("another patient's order: %v", err)
		}
	})
}
