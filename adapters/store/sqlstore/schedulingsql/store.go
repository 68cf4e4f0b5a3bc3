// Package schedulingsql is scheduling's store on bun, for PostgreSQL and SQLite.
// Double booking is refused by the database itself: an exclusion constraint
// (btree_gist) on PostgreSQL, triggers plus a unique partial index on SQLite.
package schedulingsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/idempotencysql"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Store implements scheduling.Store.
type Store struct{ db *sqlstore.DB }

var _ scheduling.Store = (*Store)(nil)

// New returns the store on db (migrated by sqlstore).
func New(db *sqlstore.DB) *Store { return &Store{db: db} }

// notFound maps sql.ErrNoRows to kernel.NotFound with msg (pt-BR, shown to users).
func notFound(err error, msg string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return kernel.NotFound("%s", msg)
	}
	return sqlstore.Translate(err)
}

// isOverlap reports whether err is the database refusing a double booking.
func isOverlap(err error) bool {
	if err == nil {
		return false
	}
	if sqlstore.IsUniqueViolation(err) {
		c := sqlstore.ConstraintName(err)
		return c == "" || strings.Contains(c, "scheduling_appointments")
	}
	return strings.Contains(err.Error(), "scheduling_appointments_no_overlap")
}

var errTaken = kernel.ConflictField("start", "este horário já foi reservado")

func (s *Store) GetAvailability(ctx context.Context, ownerID kernel.ID) (scheduling.Availability, error) {
	var r availabilityRow
	if err := s.db.NewSelect().Model(&r).Where("owner_id = ?", ownerID).Scan(ctx); err != nil {
		return scheduling.Availability{}, notFound(err, "disponibilidade não encontrada")
	}
	return availabilityFromRow(r)
}

// AvailabilityAndHold reads the availability and a live hold on start in one round trip.
func (s *Store) AvailabilityAndHold(ctx context.Context, ownerID kernel.ID, start, now time.Time) (scheduling.Availability, *scheduling.WaitlistEntry, error) {
	var r struct {
		availabilityRow
		HoldID        *string `bun:"hold_id"`
		HoldPatientID *string `bun:"hold_patient_id"`
	}
	err := s.db.NewSelect().Model(&r.availabilityRow).
		ColumnExpr("a.*").
		ColumnExpr("w.id AS hold_id, w.patient_id AS hold_patient_id").
		ModelTableExpr("scheduling_availability AS a").
		Join("LEFT JOIN scheduling_waitlist AS w ON w.professional_id = a.owner_id AND w.status = ? AND w.offered_start = ? AND w.hold_until > ?",
			string(scheduling.WaitOffered), start.UTC(), now.UTC()).
		Where("a.owner_id = ?", ownerID).Limit(1).Scan(ctx, &r)
	if err != nil {
		return scheduling.Availability{}, nil, notFound(err, "disponibilidade não encontrada")
	}
	a, err := availabilityFromRow(r.availabilityRow)
	if err != nil || r.HoldID == nil {
		return a, nil, err
	}
	w, err := s.GetWaitlist(ctx, *r.HoldID) // rare: only while a hold is live
	if err != nil {
		return a, nil, err
	}
	return a, &w, nil
}

func (s *Store) Availabilities(ctx context.Context, ownerIDs []kernel.ID) (map[kernel.ID]scheduling.Availability, error) {
	out := make(map[kernel.ID]scheduling.Availability, len(ownerIDs))
	if len(ownerIDs) == 0 {
		return out, nil
	}
	var rows []availabilityRow
	if err := s.db.NewSelect().Model(&rows).Where("owner_id IN (?)", bun.List(ownerIDs)).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	for _, r := range rows {
		a, err := availabilityFromRow(r)
		if err != nil {
			return nil, err
		}
		out[a.OwnerID] = a
	}
	return out, nil
}

func (s *Store) PutAvailability(ctx context.Context, a scheduling.Availability, ifVersion int64) (scheduling.Availability, error) {
	err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
		var cur availabilityRow
		q := tx.NewSelect().Model(&cur).Where("owner_id = ?", a.OwnerID)
		if s.db.Engine == sqlstore.Postgres {
			q = q.For("UPDATE")
		}
		err := q.Scan(ctx)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if ifVersion > 0 {
				return kernel.PreconditionFailed("a disponibilidade mudou desde a sua leitura (If-Match); leia de novo e repita")
			}
			a.Version = 1
			r := availabilityToRow(a)
			_, err = tx.NewInsert().Model(&r).Exec(ctx)
			if err != nil && sqlstore.IsUniqueViolation(err) {
				return kernel.PreconditionFailed("a disponibilidade foi criada ao mesmo tempo por outra requisição; leia de novo e repita")
			}
			return err
		case err != nil:
			return err
		}
		if ifVersion > 0 && cur.Version != ifVersion {
			return kernel.PreconditionFailed("a disponibilidade mudou desde a sua leitura (If-Match); leia de novo e repita")
		}
		a.Version = cur.Version + 1
		r := availabilityToRow(a)
		_, err = tx.NewUpdate().Model(&r).WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return scheduling.Availability{}, sqlstore.Translate(err)
	}
	return a, nil
}

// freeSeat returns the smallest seat in 1..capacity not held by an active appointment
// overlapping [start, end) of the resource (other than exceptID), 0 when all are held.
func freeSeat(ctx context.Context, tx bun.IDB, resourceID string, start, end time.Time, capacity int, exceptID string) (int, error) {
	if capacity <= 1 {
		return 1, nil // the constraint decides
	}
	var seats []int
	q := tx.NewSelect().Table("scheduling_appointments").Column("seat").
		Where("resource_id = ? AND status = ? AND start_at < ? AND end_at > ?", resourceID, string(scheduling.StatusConfirmed), end.UTC(), start.UTC())
	if exceptID != "" {
		q = q.Where("id <> ?", exceptID)
	}
	if err := q.Scan(ctx, &seats); err != nil {
		return 0, err
	}
	held := make(map[int]bool, len(seats))
	for _, n := range seats {
		held[n] = true
	}
	for n := 1; n <= capacity; n++ {
		if !held[n] {
			return n, nil
		}
	}
	return 0, nil
}

// Book inserts a; with capacity > 1 a seat may be lost to a concurrent booking between
// the read and the insert: the database refuses it and the store tries the next free
// seat. Each lost race means another booking won a seat, so capacity+1 attempts suffice.
func (s *Store) Book(ctx context.Context, a *scheduling.Appointment, events []kernel.Event) error {
	if s.db.Engine == sqlstore.Postgres && max(a.Capacity, 1) == 1 {
		return s.bookOneStatement(ctx, a, events)
	}
	for attempt := 0; attempt <= max(a.Capacity, 1); attempt++ {
		err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			if err := s.lockSlot(ctx, tx, a.ResourceID(), a.Start, a.End); err != nil {
				return err
			}
			seat, err := freeSeat(ctx, tx, a.ResourceID(), a.Start, a.End, a.Capacity, "")
			if err != nil {
				return err
			}
			if seat == 0 {
				return errTaken
			}
			a.Seat = seat
			if d := idempotencysql.ClaimIn(ctx); d != nil {
				if _, err := d.Insert(ctx, tx, a).Exec(ctx); err != nil {
					if d.Done(err) {
						return errKeyTaken
					}
					return err
				}
			}
			r := appointmentToRow(*a)
			if _, err := tx.NewInsert().Model(&r).Exec(ctx); err != nil {
				if isOverlap(err) {
					return errTaken
				}
				return err
			}
			return sqlstore.AddEvents(ctx, tx, events...)
		})
		if err == nil {
			if d := idempotencysql.ClaimIn(ctx); d != nil {
				d.Done(nil)
			}
			return nil
		}
		if kernel.KindOf(err) != kernel.KindConflict || a.Capacity <= 1 || errors.Is(err, errKeyTaken) {
			return err
		}
	}
	return errTaken
}

// bookOneStatement inserts a single-seat appointment and its outbox events in one
// PostgreSQL statement (WITH appointment AS (INSERT ...) INSERT INTO outbox ...):
// atomic like a transaction, in one round trip instead of four.
func (s *Store) bookOneStatement(ctx context.Context, a *scheduling.Appointment, events []kernel.Event) error {
	a.Seat = 1
	err := s.execBooking(ctx, a, nil, events)
	if errors.Is(err, errKeyTaken) {
		return err
	}
	if err != nil {
		if isOverlap(err) {
			return errTaken
		}
		return sqlstore.Translate(err)
	}
	return nil
}

var _ scheduling.CurrentBooker = (*Store)(nil)

// BookIfCurrent is bookOneStatement with its guard in the same statement: the
// seat is a scalar subquery that yields 1 only while the owner's availability has
// the given version and no live waitlist offer holds the slot; otherwise it is
// NULL, the NOT NULL seat column fails the statement, and nothing (appointment
// or event) is written. On SQLite, or for more than one seat, it declines.
func (s *Store) BookIfCurrent(ctx context.Context, a *scheduling.Appointment, events []kernel.Event, ownerID kernel.ID, version int64, now time.Time) (bool, error) {
	if s.db.Engine != sqlstore.Postgres || max(a.Capacity, 1) != 1 {
		return false, nil
	}
	a.Seat = 1
	g := &bookingGuard{ownerID: ownerID, version: version, now: now}
	err := s.execBooking(ctx, a, g, events)
	switch {
	case errors.Is(err, errKeyTaken):
		return true, err
	case err == nil:
		return true, nil
	case isOverlap(err):
		return false, errTaken
	case guardFailed(err):
		return false, nil
	}
	return false, sqlstore.Translate(err)
}

// errKeyTaken: the request's Idempotency-Key was claimed by an earlier request,
// so nothing was written (the idempotency middleware answers as that one did).
var errKeyTaken = kernel.Conflict("esta Idempotency-Key já está em uso")

// bookingGuard is BookIfCurrent's condition: the owner's availability still has
// version, and no live waitlist offer (at now) holds the slot.
type bookingGuard struct {
	ownerID kernel.ID
	version int64
	now     time.Time
}

// execBooking inserts a (single seat) with its outbox events and the request's
// deferred idempotency claim, if any, in one prepared statement (CTEs): the
// slot's advisory locks (slotLocks) first, then the rows. With a guard, the seat
// is a scalar subquery that yields 1 only while the guard holds, otherwise NULL:
// the NOT NULL seat column fails the statement and nothing is written. The text
// depends only on the guard, the claim and the number of events, so PostgreSQL
// plans each shape once per connection (sqlstore.Prepared). A deadlock or
// serialization failure is retried.
func (s *Store) execBooking(ctx context.Context, a *scheduling.Appointment, g *bookingGuard, events []kernel.Event) error {
	d := idempotencysql.ClaimIn(ctx)
	for attempt := 1; ; attempt++ {
		query, args, err := bookingStatement(ctx, a, g, d, events)
		if err != nil {
			return err
		}
		st, err := s.db.Prepared(ctx, query)
		if err == nil {
			_, err = st.ExecContext(ctx, args...)
		}
		if d != nil && d.Done(err) {
			return errKeyTaken
		}
		if err == nil || attempt == bookingAttempts || !sqlstore.Retryable(err) {
			return err
		}
	}
}

// bookingStatement is execBooking's statement and its arguments.
func bookingStatement(ctx context.Context, a *scheduling.Appointment, g *bookingGuard, d *idempotencysql.Deferred, events []kernel.Event) (string, []any, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var b strings.Builder
	key, first, last := slotLockKeys(a.ResourceID(), a.Start, a.End)
	// The locks, taken in day order before the appointment row (its INSERT reads
	// this CTE), as the multi-seat path takes them with lockSlot.
	fmt.Fprintf(&b, "WITH lock AS (SELECT count(pg_advisory_xact_lock(%s, d::int)) AS n FROM generate_series(%s::int, %s::int) AS d)",
		arg(int64(key)), arg(int64(first)), arg(int64(last)))
	r := appointmentToRow(*a)
	var seat string
	if g == nil {
		seat = arg(int64(1)) + "::integer"
	} else {
		seat = fmt.Sprintf(`(SELECT 1 FROM scheduling_availability AS av WHERE av.owner_id = %s::text AND av.version = %s::bigint
		AND NOT EXISTS (SELECT 1 FROM scheduling_waitlist AS w WHERE w.professional_id = av.owner_id AND w.status = %s::text AND w.offered_start = %s::timestamptz AND w.hold_until > %s::timestamptz))`,
			arg(g.ownerID), arg(g.version), arg(string(scheduling.WaitOffered)), arg(a.Start.UTC()), arg(g.now.UTC()))
	}
	fmt.Fprintf(&b, `, appointment AS (INSERT INTO scheduling_appointments (%s, seat) SELECT %s, %s FROM lock RETURNING id)`,
		appointmentColumns, strings.Join(casts(placeholders(arg, appointmentValues(r)), appointmentTypes), ", "), seat)
	if d != nil {
		fmt.Fprintf(&b, ", claim AS (INSERT INTO idempotency_keys (%s) VALUES (%s))", idempotencysql.ClaimColumns,
			strings.Join(placeholders(arg, d.InsertValues(ctx, a)), ", "))
	}
	rows, err := sqlstore.EventsValues(events...)
	if err != nil {
		return "", nil, err
	}
	if len(rows) == 0 {
		b.WriteString(" SELECT count(*) FROM appointment")
		return b.String(), args, nil
	}
	fmt.Fprintf(&b, " INSERT INTO outbox (%s) VALUES ", sqlstore.EventsColumns)
	for i, row := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strings.Join(placeholders(arg, row), ", ") + ")")
	}
	return b.String(), args, nil
}

// casts appends each type to its placeholder ($1::text).
func casts(ph, types []string) []string {
	for i := range ph {
		ph[i] += "::" + types[i]
	}
	return ph
}

func placeholders(arg func(any) string, values []any) []string {
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = arg(v)
	}
	return out
}

// bookingAttempts bounds the retries of a booking statement that deadlocked.
const bookingAttempts = 3

// slotLocks serialises on PostgreSQL the transactions that write an active
// appointment of resourceID over [start, end): one transaction-level advisory lock
// per (resource, UTC day) the interval touches, taken in day order, as statements
// to run first in the writing transaction. Without it, competing inserts into the
// exclusion constraint each insert their index entry, then wait for the other's
// transaction: a deadlock, found only after deadlock_timeout, and chains of them
// under contention. Under the lock a lost race fails the constraint at once (the
// winner has committed): a quick conflict. SQLite serialises writers already.
func slotLocks(resourceID string, start, end time.Time) string {
	key, first, last := slotLockKeys(resourceID, start, end)
	var b strings.Builder
	for d := first; d <= last; d++ {
		fmt.Fprintf(&b, "SELECT pg_advisory_xact_lock(%d, %d); ", key, d)
	}
	return b.String()
}

// slotLockKeys are slotLocks' keys: the resource's and its first and last UTC days (at most 8).
func slotLockKeys(resourceID string, start, end time.Time) (key, first, last int32) {
	h := fnv.New32a()
	h.Write([]byte(resourceID))
	first, last = utcDay(start), utcDay(end.Add(-time.Nanosecond))
	return int32(h.Sum32()), first, min(last, first+7)
}

func utcDay(t time.Time) int32 { return int32(t.Unix() / 86400) }

// lockSlot takes slotLocks in tx (PostgreSQL only).
func (s *Store) lockSlot(ctx context.Context, tx bun.Tx, resourceID string, start, end time.Time) error {
	if s.db.Engine != sqlstore.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, slotLocks(resourceID, start, end))
	return err
}

// guardFailed reports the NOT NULL violation on seat that BookIfCurrent's guard raises.
func guardFailed(err error) bool {
	var pgErr pgdriver.Error
	return errors.As(err, &pgErr) && pgErr.Field('C') == "23502" && pgErr.Field('c') == "seat"
}

func (s *Store) GetAppointment(ctx context.Context, id kernel.ID) (scheduling.Appointment, error) {
	var r appointmentRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return scheduling.Appointment{}, notFound(err, "consulta não encontrada")
	}
	return appointmentFromRow(r), nil
}

func (s *Store) UpdateAppointment(ctx context.Context, id kernel.ID, fn func(*scheduling.Appointment) ([]kernel.Event, error)) (scheduling.Appointment, error) {
	var out scheduling.Appointment
	attempts := 1
	for attempt := 0; attempt < attempts; attempt++ {
		err := s.db.InTx(ctx, func(ctx context.Context, tx bun.Tx) error {
			var r appointmentRow
			q := tx.NewSelect().Model(&r).Where("id = ?", id)
			if s.db.Engine == sqlstore.Postgres {
				q = q.For("UPDATE")
			}
			if err := q.Scan(ctx); err != nil {
				return notFound(err, "consulta não encontrada")
			}
			a := appointmentFromRow(r)
			before := a
			events, err := fn(&a)
			if err != nil {
				return err
			}
			attempts = max(a.Capacity, 1) + 1
			moved := a.Status.Active() && (!a.Start.Equal(before.Start) || !a.End.Equal(before.End))
			if moved {
				if err := s.lockSlot(ctx, tx, a.ResourceID(), a.Start, a.End); err != nil {
					return err
				}
			}
			if moved && a.Capacity > 1 {
				seat, err := freeSeat(ctx, tx, a.ResourceID(), a.Start, a.End, a.Capacity, a.ID)
				if err != nil {
					return err
				}
				if seat == 0 {
					return errTaken
				}
				a.Seat = seat
			}
			a.Version = before.Version + 1
			nr := appointmentToRow(a)
			if _, err := tx.NewUpdate().Model(&nr).WherePK().Exec(ctx); err != nil {
				if isOverlap(err) {
					return errTaken
				}
				return err
			}
			out = a
			return sqlstore.AddEvents(ctx, tx, events...)
		})
		if err == nil {
			return out, nil
		}
		if err != errTaken || attempts <= 2 {
			return scheduling.Appointment{}, err
		}
	}
	return scheduling.Appointment{}, errTaken
}

type apptCursor struct {
	S time.Time `json:"s"`
	I string    `json:"i"`
}

func (s *Store) ListAppointments(ctx context.Context, f scheduling.AppointmentFilter, page kernel.Page) (kernel.List[scheduling.Appointment], error) {
	out := kernel.List[scheduling.Appointment]{Items: []scheduling.Appointment{}}
	var rows []appointmentRow
	q := s.db.NewSelect().Model(&rows)
	if f.PatientID != "" {
		q = q.Where("patient_id = ?", f.PatientID)
	}
	if f.ProfessionalID != "" {
		q = q.Where("professional_id = ?", f.ProfessionalID)
	}
	if f.CompanyID != "" {
		q = q.Where("company_id = ?", f.CompanyID)
	}
	if f.Status != "" {
		q = q.Where("status = ?", string(f.Status))
	}
	if !f.From.IsZero() {
		q = q.Where("start_at >= ?", f.From.UTC())
	}
	if !f.To.IsZero() {
		q = q.Where("start_at < ?", f.To.UTC())
	}
	if page.Cursor != "" {
		var c apptCursor
		if err := kernel.DecodeCursor(page.Cursor, &c); err != nil {
			return out, err
		}
		q = q.Where("(start_at > ? OR (start_at = ? AND id > ?))", c.S.UTC(), c.S.UTC(), c.I)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = kernel.DefaultLimit
	}
	if err := q.Order("start_at", "id").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return out, sqlstore.Translate(err)
	}
	for i, r := range rows {
		if i == limit {
			last := rows[limit-1]
			out.NextCursor = kernel.EncodeCursor(apptCursor{S: last.StartAt.UTC(), I: last.ID})
			break
		}
		out.Items = append(out.Items, appointmentFromRow(r))
	}
	return out, nil
}

func (s *Store) Booked(ctx context.Context, resourceIDs []kernel.ID, from, to time.Time) (map[kernel.ID][]scheduling.Interval, error) {
	out := make(map[kernel.ID][]scheduling.Interval, len(resourceIDs))
	if len(resourceIDs) == 0 {
		return out, nil
	}
	var rows []struct {
		ResourceID string    `bun:"resource_id"`
		StartAt    time.Time `bun:"start_at"`
		EndAt      time.Time `bun:"end_at"`
	}
	err := s.db.NewSelect().Table("scheduling_appointments").Column("resource_id", "start_at", "end_at").
		Where("resource_id IN (?) AND status = ? AND start_at < ? AND start_at > ? AND end_at > ?", bun.List(resourceIDs), string(scheduling.StatusConfirmed),
			to.UTC(), from.Add(-scheduling.MaxAppointmentLength).UTC(), from.UTC()).
		Scan(ctx, &rows)
	if err != nil {
		return nil, sqlstore.Translate(err)
	}
	for _, r := range rows {
		out[r.ResourceID] = append(out[r.ResourceID], scheduling.Interval{Start: r.StartAt.UTC(), End: r.EndAt.UTC()})
	}
	return out, nil
}

func (s *Store) CreateExamService(ctx context.Context, e scheduling.ExamService) error {
	r := examToRow(e)
	_, err := s.db.NewInsert().Model(&r).Exec(ctx)
	return sqlstore.Translate(err)
}

func (s *Store) GetExamService(ctx context.Context, id kernel.ID) (scheduling.ExamService, error) {
	var r examRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return scheduling.ExamService{}, notFound(err, "serviço de exame não encontrado")
	}
	return examFromRow(r), nil
}

func (s *Store) ListExamServices(ctx context.Context, q scheduling.ExamQuery, page kernel.Page) (kernel.List[scheduling.ExamService], error) {
	out := kernel.List[scheduling.ExamService]{Items: []scheduling.ExamService{}}
	var rows []examRow
	sel := s.db.NewSelect().Model(&rows).Where("active = ?", true)
	if q.Name != "" {
		sel = sel.Where("LOWER(name) LIKE ?", "%"+strings.ToLower(escapeLike(q.Name))+"%")
	}
	if q.CompanyID != "" {
		sel = sel.Where("company_id = ?", q.CompanyID)
	}
	if page.Cursor != "" {
		var last string
		if err := kernel.DecodeCursor(page.Cursor, &last); err != nil {
			return out, err
		}
		sel = sel.Where("id > ?", last)
	}
	limit := page.Limit
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	if err := sel.Order("id").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return out, sqlstore.Translate(err)
	}
	for i, r := range rows {
		if i == limit {
			out.NextCursor = kernel.EncodeCursor(rows[limit-1].ID)
			break
		}
		out.Items = append(out.Items, examFromRow(r))
	}
	return out, nil
}

func escapeLike(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

func (s *Store) AddWaitlist(ctx context.Context, w scheduling.WaitlistEntry) error {
	r := waitlistToRow(w)
	r.QueuedAt = w.CreatedAt.UTC()
	_, err := s.db.NewInsert().Model(&r).Exec(ctx)
	return sqlstore.Translate(err)
}

func (s *Store) GetWaitlist(ctx context.Context, id kernel.ID) (scheduling.WaitlistEntry, error) {
	var r waitlistRow
	if err := s.db.NewSelect().Model(&r).Where("id = ?", id).Scan(ctx); err != nil {
		return scheduling.WaitlistEntry{}, notFound(err, "inscrição na lista de espera não encontrada")
	}
	return waitlistFromRow(r), nil
}

func (s *Store) ListWaitlist(ctx context.Context, patientID kernel.ID) ([]scheduling.WaitlistEntry, error) {
	var rows []waitlistRow
	if err := s.db.NewSelect().Model(&rows).Where("patient_id = ? AND status IN (?)", patientID,
		bun.List([]string{string(scheduling.WaitWaiting), string(scheduling.WaitOffered)})).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]scheduling.WaitlistEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, waitlistFromRow(r))
	}
	return out, nil
}

// UpdateWaitlist saves w; an entry put back to waiting goes to the back of the line.
func (s *Store) UpdateWaitlist(ctx context.Context, w scheduling.WaitlistEntry) error {
	r := waitlistToRow(w)
	cols := []string{"status", "offered_start", "offered_end", "hold_until", "updated_at"}
	if w.Status == scheduling.WaitWaiting {
		cols = append(cols, "queued_at")
	}
	res, err := s.db.NewUpdate().Model(&r).Column(cols...).WherePK().Exec(ctx)
	if err != nil {
		return sqlstore.Translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kernel.NotFound("inscrição na lista de espera não encontrada")
	}
	return nil
}

func (s *Store) OfferedHold(ctx context.Context, professionalID kernel.ID, start, now time.Time) (scheduling.WaitlistEntry, error) {
	var r waitlistRow
	err := s.db.NewSelect().Model(&r).Where("professional_id = ? AND status = ? AND offered_start = ? AND hold_until > ?",
		professionalID, string(scheduling.WaitOffered), start.UTC(), now.UTC()).Limit(1).Scan(ctx)
	if err != nil {
		return scheduling.WaitlistEntry{}, notFound(err, "reserva não encontrada")
	}
	return waitlistFromRow(r), nil
}

func (s *Store) Waiting(ctx context.Context, professionalID kernel.ID) ([]scheduling.WaitlistEntry, error) {
	var rows []waitlistRow
	if err := s.db.NewSelect().Model(&rows).Where("professional_id = ? AND status = ?", professionalID, string(scheduling.WaitWaiting)).
		Order("queued_at", "id").Limit(1000).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]scheduling.WaitlistEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, waitlistFromRow(r))
	}
	return out, nil
}

func (s *Store) ExpiredOffers(ctx context.Context, now time.Time) ([]scheduling.WaitlistEntry, error) {
	var rows []waitlistRow
	if err := s.db.NewSelect().Model(&rows).Where("status = ? AND hold_until <= ?", string(scheduling.WaitOffered), now.UTC()).
		Order("hold_until").Limit(500).Scan(ctx); err != nil {
		return nil, sqlstore.Translate(err)
	}
	out := make([]scheduling.WaitlistEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, waitlistFromRow(r))
	}
	return out, nil
}

func (s *Store) AddNotification(ctx context.Context, n scheduling.Notification) error {
	r := notificationToRow(n)
	_, err := s.db.NewInsert().Model(&r).On("CONFLICT DO NOTHING").Exec(ctx)
	return sqlstore.Translate(err)
}

type noteCursor struct {
	C time.Time `json:"c"`
	I string    `json:"i"`
}

func (s *Store) ListNotifications(ctx context.Context, recipientID kernel.ID, unreadOnly bool, page kernel.Page) (kernel.List[scheduling.Notification], error) {
	out := kernel.List[scheduling.Notification]{Items: []scheduling.Notification{}}
	var rows []notificationRow
	q := s.db.NewSelect().Model(&rows).Where("recipient_id = ?", recipientID)
	if unreadOnly {
		q = q.Where("read_at IS NULL")
	}
	if page.Cursor != "" {
		var c noteCursor
		if err := kernel.DecodeCursor(page.Cursor, &c); err != nil {
			return out, err
		}
		q = q.Where("(created_at < ? OR (created_at = ? AND id < ?))", c.C.UTC(), c.C.UTC(), c.I)
	}
	limit := page.Limit
	if limit <= 0 {
		limit = kernel.DefaultLimit
	}
	if err := q.OrderExpr("created_at DESC, id DESC").Limit(int64(limit + 1)).Scan(ctx); err != nil {
		return out, sqlstore.Translate(err)
	}
	for i, r := range rows {
		if i == limit {
			last := rows[limit-1]
			out.NextCursor = kernel.EncodeCursor(noteCursor{C: last.CreatedAt.UTC(), I: last.ID})
			break
		}
		out.Items = append(out.Items, notificationFromRow(r))
	}
	return out, nil
}

func (s *Store) MarkNotificationRead(ctx context.Context, recipientID, id kernel.ID, at time.Time) error {
	res, err := s.db.NewUpdate().Table("scheduling_notifications").Set("read_at = COALESCE(read_at, ?)", at.UTC()).
		Where("id = ? AND recipient_id = ?", id, recipientID).Exec(ctx)
	if err != nil {
		return sqlstore.Translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return kernel.NotFound("notificação não encontrada")
	}
	return nil
}

func (s *Store) UnreadCount(ctx context.Context, recipientID kernel.ID) (int, error) {
	n, err := s.db.NewSelect().Table("scheduling_notifications").Where("recipient_id = ? AND read_at IS NULL", recipientID).Count(ctx)
	return int(n), sqlstore.Translate(err)
}

var _ scheduling.NotificationEmails = (*Store)(nil)

// NotificationEmailed reports whether the notification with dedupeKey was e-mailed.
func (s *Store) NotificationEmailed(ctx context.Context, dedupeKey string) (bool, error) {
	var n int
	err := s.db.NewRaw("SELECT COUNT(*) FROM scheduling_notifications WHERE dedupe_key = ? AND emailed_ms IS NOT NULL", dedupeKey).Scan(ctx, &n)
	if err != nil {
		return false, sqlstore.Translate(err)
	}
	return n > 0, nil
}

// MarkNotificationEmailed records the e-mail of the notification with dedupeKey.
func (s *Store) MarkNotificationEmailed(ctx context.Context, dedupeKey string, at time.Time) error {
	res, err := s.db.NewRaw("UPDATE scheduling_notifications SET emailed_ms = ? WHERE dedupe_key = ? AND emailed_ms IS NULL", at.UnixMilli(), dedupeKey).Exec(ctx)
	if err != nil {
		return sqlstore.Translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		emailed, err := s.NotificationEmailed(ctx, dedupeKey)
		if err != nil {
			return err
		}
		if !emailed {
			return kernel.NotFound("notificação não encontrada")
		}
	}
	return nil
}
