package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/auditsql"
	"github.com/multisaude/multisaude/ports"
)

// TestAuditVerify runs `multisaude audit verify` on the local profile: clean
// on an intact trail (exit 0), exit 1 naming the entry after tampering.
func TestAuditVerify(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "audit.db")
	t.Setenv("MULTISAUDE_PROFILE", "local")
	t.Setenv("MULTISAUDE_DATA_DIR", dir)
	t.Setenv("MULTISAUDE_DATABASE_URL", dsn)
	t.Setenv("MULTISAUDE_AUTO_MIGRATE", "true")
	t.Setenv("MULTISAUDE_LOG_LEVEL", "error")
	ctx := context.Background()
	verify := func() (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(ctx, []string{"audit", "verify"}, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	if code, out, errOut := verify(); code != 0 || !strings.Contains(out, "entries checked: 0") {
		t.Fatalf("empty trail: exit %d\n%s%s", code, out, errOut)
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	trail := auditsql.New(db)
	for _, a := range []string{"record.read", "record.download", "professional.verify"} {
		if err := trail.Append(ctx, ports.AuditRecord{ActorID: "a", ActorKind: "admin", Action: a, ObjectType: "x", ObjectID: "o"}); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := verify()
	if code != 0 || !strings.Contains(out, "entries checked: 3") || !strings.Contains(out, "intact") {
		t.Fatalf("intact trail: exit %d\n%s%s", code, out, errOut)
	}
	for _, q := range []string{"DROP TRIGGER audit_trail_no_update", "UPDATE audit_trail SET object_id = 'p' WHERE seq = 2"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut = verify()
	if code != 1 || !strings.Contains(errOut, "entry 2 changed") || !strings.Contains(out, "FIRST BAD ENTRY: entry 2") {
		t.Fatalf("tampered trail: exit %d\n%s%s", code, out, errOut)
	}
}
