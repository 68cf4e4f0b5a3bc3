package main

import (
	"database/sql"
	"fmt"
	"io"
	"strings"

	"github.com/uptrace/bun/driver/pgdriver"
)

// pgStats reads what pg_stat_statements saw of one database (the server's)
// between Reset and Print: the cost per booking of each statement, and the
// indexes every booking writes.
type pgStats struct{ db *sql.DB }

func openPgStats(dsn string) (*pgStats, error) {
	db := sql.OpenDB(pgdriver.NewConnector(pgdriver.WithDSN(dsn)))
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements"); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("pg_stat_statements: %w", err)
	}
	return &pgStats{db: db}, nil
}

func (s *pgStats) Close() error { return s.db.Close() }

// Reset forgets this database's statements (only this database's: others share the server).
func (s *pgStats) Reset() error {
	_, err := s.db.Exec("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)")
	return err
}

// Print writes, per booking (created of them since Reset), each statement's calls,
// planning and execution time, rows, shared blocks and WAL, then the totals, then
// the entries each booked row puts in each index of the tables a booking writes.
func (s *pgStats) Print(w io.Writer, created int64) error {
	if created == 0 {
		return nil
	}
	rows, err := s.db.Query(`SELECT calls, total_plan_time, total_exec_time, rows, shared_blks_hit, shared_blks_read,
		shared_blks_dirtied, shared_blks_written, wal_records, wal_bytes, query
		FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
		AND query NOT LIKE '%pg_stat_statements%'
		ORDER BY total_plan_time + total_exec_time DESC`)
	if err != nil {
		return err
	}
	defer rows.Close()
	n := float64(created)
	fmt.Fprintf(w, "pg_stat_statements per booking (%d bookings): calls, plan µs, exec µs, rows, shared hit/read/dirtied/written, WAL records/bytes, statement\n", created)
	var tCalls, tPlan, tExec, tWAL, tHit float64
	for rows.Next() {
		var calls, r, hit, read, dirt, wr, walRec int64
		var plan, exec float64
		var wal sql.NullFloat64
		var q string
		if err := rows.Scan(&calls, &plan, &exec, &r, &hit, &read, &dirt, &wr, &walRec, &wal, &q); err != nil {
			return err
		}
		tCalls, tPlan, tExec, tWAL, tHit = tCalls+float64(calls), tPlan+plan, tExec+exec, tWAL+wal.Float64, tHit+float64(hit)
		if (plan+exec)*1000/n < 1 { // under a microsecond per booking
			continue
		}
		q = strings.Join(strings.Fields(q), " ")
		if len(q) > 160 {
			q = q[:160] + "…"
		}
		fmt.Fprintf(w, "  %6.3f %7.1f %7.1f %6.2f %6.1f/%.2f/%.2f/%.2f %5.2f/%6.0f  %s\n", float64(calls)/n, plan*1000/n, exec*1000/n,
			float64(r)/n, float64(hit)/n, float64(read)/n, float64(dirt)/n, float64(wr)/n, float64(walRec)/n, wal.Float64/n, q)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	fmt.Fprintf(w, "  total: %.2f statements, plan %.1f µs, exec %.1f µs, shared hit %.1f, WAL %.0f bytes per booking\n",
		tCalls/n, tPlan*1000/n, tExec*1000/n, tHit/n, tWAL/n)
	return s.printIndexes(w)
}

// printIndexes lists the indexes of the tables a booking writes, with the share
// of the table's rows each one holds (a partial index skips rows).
func (s *pgStats) printIndexes(w io.Writer) error {
	rows, err := s.db.Query(`SELECT c.relname, i.relname, pg_get_indexdef(i.oid), pg_relation_size(i.oid),
		COALESCE(pg_get_expr(x.indpred, x.indrelid), '')
		FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
		WHERE c.relname IN ('scheduling_appointments', 'outbox', 'idempotency_keys') ORDER BY 1, 2`)
	if err != nil {
		return err
	}
	type index struct{ table, name, def, pred string }
	var all []index
	var sizes []int64
	for rows.Next() {
		var x index
		var size int64
		if err := rows.Scan(&x.table, &x.name, &x.def, &size, &x.pred); err != nil {
			rows.Close()
			return err
		}
		all, sizes = append(all, x), append(sizes, size)
	}
	rows.Close()
	fmt.Fprintln(w, "indexes written (entries per row of the table):")
	for i, x := range all {
		var total, held float64
		pred := x.pred
		if pred == "" {
			pred = "true"
		}
		if err := s.db.QueryRow("SELECT count(*), count(*) FILTER (WHERE "+pred+") FROM "+x.table).Scan(&total, &held); err != nil {
			return err
		}
		share := 0.0
		if total > 0 {
			share = held / total
		}
		fmt.Fprintf(w, "  %-24s %.2f  %6d kB  %s\n", x.table, share, sizes[i]/1024, x.def)
	}
	return nil
}
