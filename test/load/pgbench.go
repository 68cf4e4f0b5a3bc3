package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"

	"github.com/uptrace/bun/driver/pgdriver"
)

// The yardstick: what PostgreSQL does per second when it is asked, in one round
// trip per transaction, for the durable work of one booking, on the server's own
// schema (-pgbench-work same, the default); or for a one-row insert into a table
// of its own (insert), the floor of any write.
//
// The same-work transaction is the statements a booking sends (seen in
// pg_stat_statements, LOAD_PGSS=1 in prof_test.go), sent together: the account
// and session read the token check makes, the consent read, the slot's advisory
// lock, and the insert of the appointment (under the exclusion constraint and
// every index of the table), its outbox event and its idempotency record. Each
// transaction books a distinct slot (a sequence numbers them, spread over 20
// resources as the load spreads them over its professionals), so none conflicts.

const pgbenchResources = 20

// sameWorkSetup creates the sequence and returns the script of one transaction,
// reading an existing patient account and its session from the database (the
// server's: the load has just signed patients up). Its appointment rows use
// resource ids of their own ("bench-N"), far in the future.
func sameWorkSetup(ctx context.Context, dsn string) (string, error) {
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE SEQUENCE IF NOT EXISTS load_bench_slot"); err != nil {
		return "", fmt.Errorf("create the pgbench sequence: %w", err)
	}
	var account, family string
	err := db.QueryRowContext(ctx, `SELECT rt.account_id, rt.family FROM identity_refresh_tokens AS rt
		JOIN identity_accounts AS a ON a.id = rt.account_id AND a.kind = 'patient' ORDER BY rt.created_at DESC LIMIT 1`).Scan(&account, &family)
	if err != nil {
		return "", fmt.Errorf("find a patient session for pgbench (the database must be the server's, after the load's setup): %w", err)
	}
	return fmt.Sprintf(sameWorkScript, account, family, pgbenchResources), nil
}

// sameWorkScript: one compound statement (pgbench's \; sends the parts in one
// message, one implicit transaction). %[1]s is the account, %[2]s its session,
// %[3]d the resources. The slot n: resource n %% R, start 2100-01-01 + (n / R) * 15 min.
const sameWorkScript = `SELECT a.*, EXISTS (SELECT 1 FROM identity_refresh_tokens AS rt WHERE rt.family = '%[2]s' AND rt.account_id = '%[1]s' AND rt.revoked_at IS NOT NULL) AS session_ended FROM identity_accounts AS a WHERE a.id = '%[1]s' \;
SELECT l.id, l.subject_id, l.subject_kind, l.purpose, l.decision, l.term_version, l.channel, l.request_id, l.at FROM consent_ledger AS l WHERE l.subject_id = '%[1]s' AND l.purpose = 'telemedicine' ORDER BY l.at DESC, l.id DESC LIMIT 1 \;
SELECT pg_advisory_xact_lock(hashtext('bench-' || (n %% %[3]d)), (n / %[3]d / 96)::int) FROM (SELECT nextval('load_bench_slot') AS n) AS s \;
WITH s AS (SELECT currval('load_bench_slot') AS n, gen_random_uuid()::text AS id),
appointment AS (INSERT INTO scheduling_appointments (id, kind, resource_id, professional_id, exam_service_id, company_id, patient_id, start_at, end_at, mode, place, reason, status, cancel_reason, cancelled_by, price_amount, price_currency, capacity, seat, version, created_at, updated_at)
  SELECT s.id, 'consultation', 'bench-' || (n %% %[3]d), 'bench-' || (n %% %[3]d), NULL, NULL, '%[1]s', timestamptz '2100-01-01 00:00:00+00' + (n / %[3]d) * interval '15 minutes', timestamptz '2100-01-01 00:15:00+00' + (n / %[3]d) * interval '15 minutes', 'telemedicine', '', '', 'confirmed', '', '', 15000, 'BRL', 1, 1, 1, now(), now() FROM s RETURNING id),
claim AS (INSERT INTO idempotency_keys (principal, route, key, request_hash, status, content_type, body, headers, created_at, completed_at)
  SELECT '%[1]s', 'POST /v1/appointments', gen_random_uuid()::text, 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 201, 'application/json', convert_to(repeat('x', 600), 'UTF8'), '/v1/appointments/' || s.id, now(), now() FROM s)
INSERT INTO outbox (id, topic, key, body, occurred_at) SELECT gen_random_uuid()::text, 'scheduling.appointment_booked', id, convert_to(repeat('x', 300), 'UTF8'), now() FROM appointment;
`

type pgbenchResult struct{ tps, latencyMs float64 }

var (
	tpsRe = regexp.MustCompile(`tps = ([0-9.]+)`)
	latRe = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
)

// comparePgbench runs pgbench for c.duration and prints its rate beside the
// bookings' rate.
func comparePgbench(c config, rate float64) error {
	fmt.Fprintf(c.out, "pgbench (%s) for %s ...\n", c.pgbenchWork, c.duration)
	pg, err := runPgbench(c)
	if err != nil {
		return err
	}
	what := "a booking's durable work in one round trip"
	if c.pgbenchWork == "insert" {
		what = "one-row insert"
	}
	fmt.Fprintf(c.out, "pgbench (same run, %d clients, %s): %.0f tps, mean latency %.2f ms\n", c.pgbenchClients, what, pg.tps, pg.latencyMs)
	fmt.Fprintf(c.out, "bookings/s as a share of pgbench's rate (%s): %.0f%%\n", c.pgbenchWork, 100*rate/pg.tps)
	return nil
}

func runPgbench(c config) (*pgbenchResult, error) {
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		bin = "/usr/lib/postgresql/15/bin/pgbench"
	}
	var script string
	switch c.pgbenchWork {
	case "", "same":
		if script, err = sameWorkSetup(context.Background(), c.pgbenchURL); err != nil {
			return nil, err
		}
	case "insert":
		psql := exec.Command("psql", c.pgbenchURL, "-q", "-c", "CREATE TABLE IF NOT EXISTS load_bench (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())")
		if out, err := psql.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("create pgbench table: %v: %s", err, out)
		}
		script = "INSERT INTO load_bench (v) VALUES ('x');\n"
	default:
		return nil, fmt.Errorf("-pgbench-work must be same or insert, not %q", c.pgbenchWork)
	}
	dir, err := os.MkdirTemp("", "pgbench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "work.sql")
	if err := os.WriteFile(file, []byte(script), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-n", "-c", fmt.Sprint(c.pgbenchClients), "-j", "2", "-T", fmt.Sprint(int(c.duration.Seconds())), "-f", file, c.pgbenchURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pgbench: %v: %s", err, out)
	}
	r := &pgbenchResult{}
	if m := tpsRe.FindSubmatch(out); m != nil {
		fmt.Sscanf(string(m[1]), "%f", &r.tps)
	}
	if m := latRe.FindSubmatch(out); m != nil {
		fmt.Sscanf(string(m[1]), "%f", &r.latencyMs)
	}
	if r.tps == 0 {
		return nil, fmt.Errorf("pgbench printed no tps: %s", out)
	}
	return r, nil
}
