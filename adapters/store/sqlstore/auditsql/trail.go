// Package auditsql is the tamper-evident audit trail on bun (PostgreSQL and
// SQLite): entries chained by SHA-256, appended under a lock on the chain's
// head, refused UPDATE and DELETE by triggers.
package auditsql

import (
	"context"
	"encoding/json"
	"time"

	"github.com/uptrace/bun"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Trail appends to and reads the audit trail.
type Trail struct {
	db    *sqlstore.DB
	clock kernel.Clock
}

var (
	_ ports.AuditTrail   = (*Trail)(nil)
	_ consent.AuditStore = (*Trail)(nil)
)

// New returns the trail over db.
func New(db *sqlstore.DB) *Trail { return &Trail{db: db, clock: kernel.SystemClock{}} }

// entryRow is one row of audit_trail.
type entryRow struct {
	bun.BaseModel `bun:"table:audit_trail"`

	Seq        int64     `bun:"seq,pk"`
	At         time.Time `bun:"at"`
	ActorID    string    `bun:"actor_id"`
	ActorKind  string    `bun:"actor_kind"`
	Action     string    `bun:"action"`
	ObjectType string    `bun:"object_type"`
	ObjectID   string    `bun:"object_id"`
	SubjectID  string    `bun:"subject_id"`
	Details    string    `bun:"details"`
	RequestID  string    `bun:"request_id"`
	PrevHash   string    `bun:"prev_hash"`
	Hash       string    `bun:"hash"`
}

func rowOf(e consent.AuditEntry) (entryRow, error) {
	r := e.Record
	details := "{}"
	if len(r.Details) > 0 {
		b, err := json.Marshal(r.Details)
		if err != nil {
			return entryRow{}, kernel.Internal(err, "encode audit details")
		}
		details = string(b)
	}
	return entryRow{Seq: e.Seq, At: r.At, ActorID: r.ActorID, ActorKind: r.ActorKind, Action: r.Action, ObjectType: r.ObjectType,
		ObjectID: r.ObjectID, SubjectID: r.SubjectID, Details: details, RequestID: r.RequestID, PrevHash: e.PrevHash, Hash: e.Hash}, nil
}

// entry converts a row back. Details that are not a JSON object of strings
// (a tampered row) are kept as one pseudo-detail, so the hash check fails on
// that entry instead of the read failing.
func (r entryRow) entry() consent.AuditEntry {
	var details map[string]string
	if r.Details != "" && r.Details != "{}" {
		if err := json.Unmarshal([]byte(r.Details), &details); err != nil {
			details = map[string]string{"\x00unreadable": r.Details}
		}
	}
	return consent.AuditEntry{Seq: r.Seq, PrevHash: r.PrevHash, Hash: r.Hash, Record: ports.AuditRecord{
		At: consent.AuditTime(r.At), ActorID: r.ActorID, ActorKind: r.ActorKind, Action: r.Action, ObjectType: r.ObjectType,
		ObjectID: r.ObjectID, SubjectID: r.SubjectID, Details: details, RequestID: r.RequestID}}
}

// headRow is the one row of audit_chain_head.
type headRow struct {
	bun.BaseModel `bun:"table:audit_chain_head"`

	ID   int    `bun:"id,pk"`
	Seq  int64  `bun:"seq"`
	Hash string `bun:"hash"`
}

// Append adds records at the end of the chain, in order, atomically: either
// all are appended or none. It locks the chain's head row for the transaction
// (SELECT ... FOR UPDATE on PostgreSQL; SQLite transactions begin IMMEDIATE and
// so hold the only write lock), so appends from any number of processes form
// one chain without forks or gaps. A record without a time gets the clock's.
func (t *Trail) Append(ctx context.Context, records ...ports.AuditRecord) error {
	if len(records) == 0 {
		return nil
	}
	now := t.clock.Now()
	return t.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var head headRow
		q := tx.NewSelect().Model(&head).Where("id = 1")
		if t.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		if err := q.Scan(ctx); err != nil {
			return err
		}
		rows := make([]entryRow, 0, len(records))
		for _, r := range records {
			if r.At.IsZero() {
				r.At = now
			}
			r.At = consent.AuditTime(r.At)
			e := consent.AuditEntry{Seq: head.Seq + 1, Record: r, PrevHash: head.Hash}
			e.Hash = consent.AuditHash(e.PrevHash, e)
			row, err := rowOf(e)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			head.Seq, head.Hash = e.Seq, e.Hash
		}
		if _, err := tx.NewInsert().Model(&rows).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Model(&head).Column("seq", "hash").WherePK().Exec(ctx)
		return err
	})
}

// AuditEntries returns at most limit (1..1000) entries with Seq > after, in Seq order.
func (t *Trail) AuditEntries(ctx context.Context, after int64, limit int) ([]consent.AuditEntry, error) {
	limit = min(max(limit, 1), 1000)
	var rows []entryRow
	if err := t.db.NewSelect().Model(&rows).Where("seq > ?", after).Order("seq").Limit(int64(limit)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]consent.AuditEntry, len(rows))
	for i, r := range rows {
		out[i] = r.entry()
	}
	return out, nil
}

// AuditHead returns the last entry of audit_trail (not the head row, which
// only serialises appends) and the number of entries.
func (t *Trail) AuditHead(ctx context.Context) (consent.AuditHead, error) {
	h := consent.AuditHead{LastHash: consent.GenesisHash}
	var rows []entryRow
	if err := t.db.NewSelect().Model(&rows).Column("seq", "hash").Order("seq DESC").Limit(1).Scan(ctx); err != nil {
		return h, sqlstore.Translate(err)
	}
	if len(rows) == 0 {
		return h, nil
	}
	n, err := t.db.NewSelect().Model((*entryRow)(nil)).Count(ctx)
	if err != nil {
		return h, sqlstore.Translate(err)
	}
	h.LastSeq, h.LastHash, h.Count = rows[0].Seq, rows[0].Hash, int64(n)
	return h, nil
}
