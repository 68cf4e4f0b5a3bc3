package consent_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/ports"
)

func sampleEntry() consent.AuditEntry {
	return consent.AuditEntry{Seq: 7, Record: ports.AuditRecord{
		At: time.Date(2026, 11, 30, 12, 0, 0, 123456789, time.UTC), ActorID: "a1", ActorKind: "professional", Action: "record.read",
		ObjectType: "evaluation", ObjectID: "o1", SubjectID: "s1", Details: map[string]string{"basis": "care", "access_id": "x"}, RequestID: "r1"}}
}

func TestAuditHashIsPureAndCoversEveryField(t *testing.T) {
	prev := strings.Repeat("ab", 32)
	base := consent.AuditHash(prev, sampleEntry())
	if len(base) != 64 || base != consent.AuditHash(prev, sampleEntry()) {
		t.Fatalf("hash %q is not a stable hex SHA-256", base)
	}
	e := sampleEntry()
	e.PrevHash, e.Hash = "ignored", "ignored"
	if consent.AuditHash(prev, e) != base {
		t.Fatal("the stored hashes must not enter the content")
	}
	e = sampleEntry()
	e.Record.At = e.Record.At.In(time.FixedZone("BRT", -3*3600)).Truncate(time.Microsecond)
	if consent.AuditHash(prev, e) != base {
		t.Fatal("the time is hashed as UTC microseconds")
	}
	changes := map[string]func(e *consent.AuditEntry){
		"seq":         func(e *consent.AuditEntry) { e.Seq++ },
		"at":          func(e *consent.AuditEntry) { e.Record.At = e.Record.At.Add(time.Microsecond) },
		"actor_id":    func(e *consent.AuditEntry) { e.Record.ActorID = "a2" },
		"actor_kind":  func(e *consent.AuditEntry) { e.Record.ActorKind = "admin" },
		"action":      func(e *consent.AuditEntry) { e.Record.Action = "record.download" },
		"object_type": func(e *consent.AuditEntry) { e.Record.ObjectType = "document" },
		"object_id":   func(e *consent.AuditEntry) { e.Record.ObjectID = "o2" },
		"subject_id":  func(e *consent.AuditEntry) { e.Record.SubjectID = "s2" },
		"request_id":  func(e *consent.AuditEntry) { e.Record.RequestID = "" },
		"detail":      func(e *consent.AuditEntry) { e.Record.Details["basis"] = "share" },
		"detail key":  func(e *consent.AuditEntry) { delete(e.Record.Details, "basis"); e.Record.Details["basiz"] = "care" },
		"no details":  func(e *consent.AuditEntry) { e.Record.Details = nil },
		// shifting a boundary between two fields changes the hash (no ambiguity)
		"boundary": func(e *consent.AuditEntry) { e.Record.ActorID, e.Record.ActorKind = "a1p", "rofessional" },
		"detail boundary": func(e *consent.AuditEntry) {
			e.Record.Details = map[string]string{"basis": "careaccess_id", "": "x"}
		},
	}
	for name, change := range changes {
		e := sampleEntry()
		change(&e)
		if consent.AuditHash(prev, e) == base {
			t.Errorf("%s: the hash did not change", name)
		}
	}
	if consent.AuditHash(consent.GenesisHash, sampleEntry()) == base {
		t.Error("the previous hash did not change the hash")
	}
	if consent.AuditHash("not-hex", sampleEntry()) == consent.AuditHash(consent.GenesisHash, sampleEntry()) {
		t.Error("a malformed previous hash must not hash like the genesis")
	}
	a, b := sampleEntry(), sampleEntry()
	a.Record.Details, b.Record.Details = nil, map[string]string{}
	if consent.AuditHash(prev, a) != consent.AuditHash(prev, b) {
		t.Error("nil and empty details are the same content")
	}
}

// memAudit is an in-memory trail for the verifier's own tests.
type memAudit struct{ es []consent.AuditEntry }

func (m *memAudit) add(n int) {
	for range n {
		prev := consent.GenesisHash
		if len(m.es) > 0 {
			prev = m.es[len(m.es)-1].Hash
		}
		e := sampleEntry()
		e.Seq, e.PrevHash = int64(len(m.es)+1), prev
		e.Hash = consent.AuditHash(prev, e)
		m.es = append(m.es, e)
	}
}

func (m *memAudit) AuditEntries(_ context.Context, after int64, limit int) ([]consent.AuditEntry, error) {
	var out []consent.AuditEntry
	for _, e := range m.es {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

func (m *memAudit) AuditHead(context.Context) (consent.AuditHead, error) {
	if len(m.es) == 0 {
		return consent.AuditHead{LastHash: consent.GenesisHash}, nil
	}
	l := m.es[len(m.es)-1]
	return consent.AuditHead{LastSeq: l.Seq, LastHash: l.Hash, Count: int64(len(m.es))}, nil
}

func TestVerifyAuditWalksPages(t *testing.T) {
	m := &memAudit{}
	m.add(2500) // three pages
	svc := consent.NewService(consent.Deps{Audit: m}, consent.Config{})
	rep, err := svc.VerifyAudit(context.Background())
	if err != nil || !rep.OK() || rep.Checked != 2500 || rep.LastHash != m.es[2499].Hash {
		t.Fatalf("report = %+v, %v", rep, err)
	}
	m.es = append(m.es[:1500], m.es[1501:]...) // a gap across no page boundary
	rep, err = svc.VerifyAudit(context.Background())
	if err != nil || rep.OK() || rep.First.Seq != 1501 || rep.First.Kind != consent.AuditDeleted || rep.Checked != 1500 {
		t.Fatalf("report = %+v %v, %v", rep, rep.First, err)
	}
	empty := consent.NewService(consent.Deps{Audit: &memAudit{}}, consent.Config{})
	if rep, err := empty.VerifyAudit(context.Background()); err != nil || !rep.OK() || rep.Checked != 0 || rep.LastHash != consent.GenesisHash {
		t.Fatalf("empty trail: %+v, %v", rep, err)
	}
}
