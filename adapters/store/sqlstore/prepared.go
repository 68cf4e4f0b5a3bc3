package sqlstore

import (
	"context"
	"database/sql"
)

// Prepared returns query (PostgreSQL, with $n parameters) as a prepared
// statement, made once per query text and kept for the life of db; database/sql
// prepares it again on each pooled connection the first time it runs there.
// Bun inlines its arguments into the SQL text, so PostgreSQL parses and plans
// every statement bun sends; a prepared one is parsed once per connection, and
// after five runs PostgreSQL keeps a generic plan when it costs no more than
// the custom ones (a lookup by key, a plain insert), so planning stops too.
// Use it for the few statements every request runs (pg_stat_statements shows
// them): queries must be constant texts (or one of a few shapes), never built
// from values, since each text is a statement kept on every connection.
func (db *DB) Prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := db.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.DB.DB.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := db.stmts.LoadOrStore(query, st); loaded {
		_ = st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// ScanPrepared runs query as Prepared with args and scans its first row into
// dest (a bun model or values, as bun's Scan); sql.ErrNoRows when there is none.
func (db *DB) ScanPrepared(ctx context.Context, query string, args []any, dest ...any) error {
	st, err := db.Prepared(ctx, query)
	if err != nil {
		return err
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := db.ScanRow(ctx, rows, dest...); err != nil {
		return err
	}
	return rows.Close()
}
