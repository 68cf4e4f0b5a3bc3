package auditsql_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/blob/memblob"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/auditsql"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/testdb"
)

func record(i int) ports.AuditRecord {
	return ports.AuditRecord{ActorID: kernel.NewID(), ActorKind: "professional", Action: "record.read", ObjectType: "evaluation",
		ObjectID: kernel.NewID(), SubjectID: kernel.NewID(), Details: map[string]string{"basis": "care", "n": fmt.Sprint(i)}}
}

func service(t *testing.T, trail *auditsql.Trail) *consent.Service {
	blobs, closeBlobs, err := memblob.New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeBlobs)
	return consent.NewService(consent.Deps{Audit: trail, Trail: trail, Blobs: blobs}, consent.Config{})
}

func appendN(t *testing.T, trail *auditsql.Trail, n int) {
	t.Helper()
	for i := range n {
		if err := trail.Append(context.Background(), record(i)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

func verify(t *testing.T, svc *consent.Service) consent.AuditReport {
	t.Helper()
	rep, err := svc.VerifyAudit(context.Background())
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return rep
}

// dropTriggers does what an attacker with DDL rights would before tampering.
func dropTriggers(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	stmts := []string{"DROP TRIGGER audit_trail_no_update", "DROP TRIGGER audit_trail_no_delete"}
	if db.Engine == sqlstore.Postgres {
		stmts = []string{"DROP TRIGGER audit_trail_no_update ON audit_trail", "DROP TRIGGER audit_trail_no_delete ON audit_trail",
			"DROP TRIGGER audit_trail_no_truncate ON audit_trail"}
	}
	for _, s := range stmts {
		if _, err := db.ExecContext(context.Background(), s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func exec(t *testing.T, db *sqlstore.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.NewRaw(q, args...).Exec(context.Background()); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestAppendConcurrentlyKeepsOneChain: twenty goroutines append through two
// pools on one database (two processes, as far as the database can tell).
func TestAppendConcurrentlyKeepsOneChain(t *testing.T) {
	for _, d := range testdb.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			url := testdb.URL(t, d)
			open := func() *sqlstore.DB {
				db, err := sqlstore.OpenPool(ctx, url, 10)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = db.Close() })
				return db
			}
			db := open()
			if _, err := db.MigrateUp(ctx); err != nil {
				t.Fatal(err)
			}
			trail, other := auditsql.New(db), auditsql.New(open())
			const n = 20
			var wg sync.WaitGroup
			errs := make(chan error, n)
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					tr := trail
					if i%2 == 1 {
						tr = other
					}
					errs <- tr.Append(ctx, record(i), record(i+100))
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("append: %v", err)
				}
			}
			rep := verify(t, service(t, trail))
			if !rep.OK() || rep.Checked != 2*n || rep.LastSeq != 2*n {
				t.Fatalf("report = %+v (finding %v)", rep, rep.First)
			}
			head, err := trail.AuditHead(ctx)
			if err != nil || head.Count != 2*n || head.LastHash != rep.LastHash {
				t.Fatalf("head = %+v, %v", head, err)
			}
		})
	}
}

func TestDatabaseRefusesUpdateAndDelete(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		trail := auditsql.New(db)
		appendN(t, trail, 3)
		for _, q := range []string{"UPDATE audit_trail SET action = 'x' WHERE seq = 2", "DELETE FROM audit_trail WHERE seq = 2", "DELETE FROM audit_trail"} {
			if _, err := db.ExecContext(ctx, q); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: err = %v, want refused", q, err)
			}
		}
		if db.Engine == sqlstore.Postgres {
			if _, err := db.ExecContext(ctx, "TRUNCATE audit_trail"); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("TRUNCATE: err = %v, want refused", err)
			}
		}
		if rep := verify(t, service(t, trail)); !rep.OK() || rep.Checked != 3 {
			t.Fatalf("report = %+v (finding %v)", rep, rep.First)
		}
	})
}

func TestTamperingIsDetected(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, db *sqlstore.DB)
		seq    int64
		kind   string
	}{
		{"change a field", func(t *testing.T, db *sqlstore.DB) {
			exec(t, db, "UPDATE audit_trail SET actor_id = ? WHERE seq = 4", kernel.NewID())
		}, 4, consent.AuditChanged},
		{"change details", func(t *testing.T, db *sqlstore.DB) {
			exec(t, db, `UPDATE audit_trail SET details = '{"basis":"emergency","n":"3"}' WHERE seq = 4`)
		}, 4, consent.AuditChanged},
		{"change a field and its hash", func(t *testing.T, db *sqlstore.DB) {
			rewrite(t, db, 4, 4, func(r *ports.AuditRecord) { r.Action = "record.list" })
		}, 5, consent.AuditBroken},
		{"delete an entry", func(t *testing.T, db *sqlstore.DB) {
			exec(t, db, "DELETE FROM audit_trail WHERE seq = 5")
		}, 5, consent.AuditDeleted},
		{"delete the last entries", func(t *testing.T, db *sqlstore.DB) {
			exec(t, db, "DELETE FROM audit_trail WHERE seq >= 9")
		}, 9, consent.AuditDeleted}, // found by the digest
		{"insert a forged entry", func(t *testing.T, db *sqlstore.DB) {
			// renumber 6.. upwards, then put a well-formed forged entry at 6
			exec(t, db, "UPDATE audit_trail SET seq = seq + 100 WHERE seq >= 6")
			exec(t, db, "UPDATE audit_trail SET seq = seq - 99 WHERE seq >= 106")
			forge(t, db, 6)
		}, 6, consent.AuditInserted},
		{"append a forged entry with a wrong link", func(t *testing.T, db *sqlstore.DB) {
			exec(t, db, `INSERT INTO audit_trail (seq, at, action, prev_hash, hash) VALUES (11, ?, 'record.read', ?, ?)`,
				time.Now().UTC(), strings.Repeat("a", 64), strings.Repeat("b", 64))
		}, 11, consent.AuditBroken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
				trail := auditsql.New(db)
				svc := service(t, trail)
				appendN(t, trail, 10)
				if _, err := svc.WriteAuditDigest(context.Background()); err != nil {
					t.Fatal(err)
				}
				if rep := verify(t, svc); !rep.OK() || rep.Digests != 1 {
					t.Fatalf("before tampering: %+v %v", rep, rep.First)
				}
				dropTriggers(t, db)
				c.tamper(t, db)
				rep := verify(t, svc)
				if rep.OK() {
					t.Fatalf("tampering not detected: %+v", rep)
				}
				if rep.First.Seq != c.seq || rep.First.Kind != c.kind {
					t.Fatalf("finding = %v, want entry %d %s", rep.First, c.seq, c.kind)
				}
			})
		})
	}
}

// TestWholeTableRewriteIsDetectedByTheDigest rewrites every entry from 3 on,
// with every hash recomputed: the chain alone is consistent, the digest is not.
func TestWholeTableRewriteIsDetectedByTheDigest(t *testing.T) {
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		trail := auditsql.New(db)
		svc := service(t, trail)
		appendN(t, trail, 10)
		d, err := svc.WriteAuditDigest(ctx)
		if err != nil || d.LastSeq != 10 || d.Count != 10 {
			t.Fatalf("digest = %+v, %v", d, err)
		}
		appendN(t, trail, 2) // entries after the digest are fine
		if rep := verify(t, svc); !rep.OK() || rep.Checked != 12 {
			t.Fatalf("before: %+v %v", rep, rep.First)
		}
		dropTriggers(t, db)
		rewrite(t, db, 3, 12, func(r *ports.AuditRecord) {
			if r.Details["n"] == "2" {
				r.Details["basis"] = "share"
			}
		})
		nodigest := consent.NewService(consent.Deps{Audit: trail}, consent.Config{})
		if rep := verify(t, nodigest); !rep.OK() {
			t.Fatalf("the rewrite should be consistent without the digest: %v", rep.First)
		}
		rep := verify(t, svc)
		if rep.OK() || rep.First.Seq != 10 || rep.First.Kind != consent.AuditRewritten {
			t.Fatalf("finding = %v, want entry 10 rewritten", rep.First)
		}
	})
}

func TestDigestJob(t *testing.T) {
	now := time.Date(2026, 11, 30, 2, 59, 0, 0, time.UTC)
	if got := consent.NextAuditDigest(now); !got.Equal(time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("next = %v", got)
	}
	if got := consent.NextAuditDigest(now.Add(time.Minute)); !got.Equal(time.Date(2026, 12, 1, 3, 0, 0, 0, time.UTC)) {
		t.Fatalf("next = %v", got)
	}
	testdb.ForEach(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		trail := auditsql.New(db)
		blobs, closeBlobs, err := memblob.New()
		if err != nil {
			t.Fatal(err)
		}
		defer closeBlobs()
		sched := &fakeScheduler{}
		svc := consent.NewService(consent.Deps{Audit: trail, Trail: trail, Blobs: blobs, Scheduler: sched}, consent.Config{})
		appendN(t, trail, 3)
		var digest ports.Handler
		for _, c := range svc.Consumers() {
			if c.Topic == consent.TopicAuditDigest {
				digest = c.Handle
			}
		}
		if digest == nil {
			t.Fatal("no consumer on the digest topic")
		}
		if err := digest(ctx, ports.Delivery{}); err != nil {
			t.Fatal(err)
		}
		key := consent.AuditDigestKey(time.Now().UTC().Format(time.DateOnly))
		if _, err := blobs.Stat(ctx, key); err != nil {
			t.Fatalf("digest %s: %v", key, err)
		}
		if len(sched.jobs) != 1 || sched.jobs[0].ID != consent.AuditDigestJobID || sched.jobs[0].Msg.Topic != consent.TopicAuditDigest ||
			!sched.jobs[0].At.After(time.Now()) {
			t.Fatalf("next job = %+v", sched.jobs)
		}
	})
}

type fakeScheduler struct {
	mu   sync.Mutex
	jobs []ports.Job
}

func (f *fakeScheduler) Schedule(_ context.Context, j ports.Job) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs = append(f.jobs, j)
	return nil
}

func (f *fakeScheduler) Cancel(context.Context, string) error { return nil }

// rewrite changes entries from..to with fn and recomputes their hashes and
// links, as an attacker who knows the chain function would.
func rewrite(t *testing.T, db *sqlstore.DB, from, to int64, fn func(r *ports.AuditRecord)) {
	t.Helper()
	ctx := context.Background()
	trail := auditsql.New(db)
	prev := consent.GenesisHash
	if from > 1 {
		es, err := trail.AuditEntries(ctx, from-2, 1)
		if err != nil || len(es) != 1 {
			t.Fatalf("read %d: %v", from-1, err)
		}
		prev = es[0].Hash
	}
	es, err := trail.AuditEntries(ctx, from-1, int(to-from+1))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		fn(&e.Record)
		e.PrevHash = prev
		e.Hash = consent.AuditHash(prev, e)
		prev = e.Hash
		details := "{}"
		if len(e.Record.Details) > 0 {
			details = fmt.Sprintf(`{"basis":%q,"n":%q}`, e.Record.Details["basis"], e.Record.Details["n"])
		}
		exec(t, db, "UPDATE audit_trail SET action = ?, details = ?, prev_hash = ?, hash = ? WHERE seq = ?",
			e.Record.Action, details, e.PrevHash, e.Hash, e.Seq)
	}
}

// forge inserts a well-formed entry at seq, linked to the entry before it.
func forge(t *testing.T, db *sqlstore.DB, seq int64) {
	t.Helper()
	es, err := auditsql.New(db).AuditEntries(context.Background(), seq-2, 1)
	if err != nil || len(es) != 1 {
		t.Fatalf("read %d: %v", seq-1, err)
	}
	e := consent.AuditEntry{Seq: seq, PrevHash: es[0].Hash, Record: ports.AuditRecord{At: consent.AuditTime(time.Now()),
		ActorID: kernel.NewID(), ActorKind: "admin", Action: "professional.verify", ObjectType: "professional", ObjectID: kernel.NewID()}}
	e.Hash = consent.AuditHash(e.PrevHash, e)
	exec(t, db, `INSERT INTO audit_trail (seq, at, actor_id, actor_kind, action, object_type, object_id, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.Seq, e.Record.At, e.Record.ActorID, e.Record.ActorKind, e.Record.Action,
		e.Record.ObjectType, e.Record.ObjectID, e.PrevHash, e.Hash)
}
