package identitysql

import (
	"reflect"
	"strings"
	"testing"
)

// The prepared account query names every column of accountRow, in order.
func TestAccountColumnsNameEveryField(t *testing.T) {
	var want []string
	rt := reflect.TypeOf(accountRow{})
	for i := 0; i < rt.NumField(); i++ {
		tag := rt.Field(i).Tag.Get("bun")
		name, _, _ := strings.Cut(tag, ",")
		if name == "" || strings.HasPrefix(tag, "table:") {
			continue
		}
		want = append(want, "a."+name)
	}
	if got := strings.Join(want, ", "); got != accountColumns {
		t.Fatalf("accountColumns = %q\nwant %q", accountColumns, got)
	}
}
