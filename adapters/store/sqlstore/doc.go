// Package sqlstore owns the SQL database: opening PostgreSQL or SQLite through
// bun, the embedded migrations of every context, transactions with retry, error
// translation into kernel kinds, and the transactional outbox and its relay.
// Each context's store lives in a sub-package (sqlstore/identitysql, ...) built
// on the DB type here.
package sqlstore
