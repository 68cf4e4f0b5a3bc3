package sqlstore

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/uptrace/bun/driver/pgdriver"

	"github.com/multisaude/multisaude/core/kernel"
)

// CopyEach converts items with conv (a store's own row converter) and writes
// the rows with CopyRows.
func CopyEach[T, R any](ctx context.Context, db *DB, items []T, conv func(T) R) (int64, error) {
	rows := make([]R, len(items))
	for i, it := range items {
		rows[i] = conv(it)
	}
	return CopyRows(ctx, db, rows)
}

// CopyRows writes rows, a slice of one bun row type, into that type's table
// with PostgreSQL's COPY FROM STDIN (text format): every column the row type
// maps, encoded as bun would bind it (nil pointers and nullzero zero values as
// NULL, times in UTC). It is the bulk path of a store's own row types, for
// fixtures that must hold exactly what the store writes; PostgreSQL only.
func CopyRows(ctx context.Context, db *DB, rows any) (int64, error) {
	if db.Engine != Postgres {
		return 0, kernel.Internal(nil, "COPY needs PostgreSQL")
	}
	v := reflect.ValueOf(rows)
	if v.Kind() != reflect.Slice {
		return 0, kernel.Internal(nil, "CopyRows takes a slice, not %T", rows)
	}
	if v.Len() == 0 {
		return 0, nil
	}
	table := db.Table(v.Type().Elem())
	cols := make([]string, len(table.Fields))
	for i, f := range table.Fields {
		cols[i] = string(f.SQLName)
	}
	var buf bytes.Buffer
	for i := 0; i < v.Len(); i++ {
		strct := v.Index(i)
		for k, f := range table.Fields {
			if k > 0 {
				buf.WriteByte('\t')
			}
			fv := f.Value(strct)
			if (f.IsPtr && fv.IsNil()) || (f.NullZero && f.IsZero(fv)) {
				buf.WriteString(`\N`)
				continue
			}
			if err := appendCopyValue(&buf, reflect.Indirect(fv)); err != nil {
				return 0, kernel.Internal(err, "copy %s.%s", table.Name, f.Name)
			}
		}
		buf.WriteByte('\n')
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, Translate(err)
	}
	defer func() { _ = conn.Close() }()
	q := fmt.Sprintf("COPY %s (%s) FROM STDIN", table.SQLName, strings.Join(cols, ", "))
	res, err := pgdriver.CopyFrom(ctx, conn, &buf, q)
	if err != nil {
		return 0, Translate(err)
	}
	return res.RowsAffected()
}

var timeType = reflect.TypeFor[time.Time]()

// appendCopyValue writes v in COPY's text format.
func appendCopyValue(buf *bytes.Buffer, v reflect.Value) error {
	if v.Type() == timeType {
		buf.WriteString(v.Interface().(time.Time).UTC().Format(time.RFC3339Nano))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		copyEscape(buf, v.String())
	case reflect.Bool:
		if v.Bool() {
			buf.WriteByte('t')
		} else {
			buf.WriteByte('f')
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		buf.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		buf.WriteString(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		buf.WriteString(strconv.FormatFloat(v.Float(), 'g', -1, 64))
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.Uint8 {
			return fmt.Errorf("unsupported slice %s", v.Type())
		}
		buf.WriteString(`\\x`)
		buf.WriteString(hex.EncodeToString(v.Bytes()))
	default:
		return fmt.Errorf("unsupported type %s", v.Type())
	}
	return nil
}

// copyEscape escapes what COPY's text format treats specially.
func copyEscape(buf *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			buf.WriteString(`\\`)
		case '\t':
			buf.WriteString(`\t`)
		case '\n':
			buf.WriteString(`\n`)
		case '\r':
			buf.WriteString(`\r`)
		default:
			buf.WriteByte(c)
		}
	}
}
