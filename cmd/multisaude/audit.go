package main

import (
	"context"
	"fmt"
	"io"

	"github.com/multisaude/multisaude/core/consent"
)

func init() {
	register("audit", "audit verify: walk the audit trail's hash chain and its daily digests", auditCmd)
}

// errAuditTampered is returned when verification finds a bad entry (exit status 1).
type errAuditTampered struct{ f consent.AuditFinding }

func (e errAuditTampered) Error() string { return "the audit trail was tampered with: " + e.f.String() }

func auditCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs, err := loadConfig("audit", args, stderr)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 || fs.Arg(0) != "verify" {
		return fmt.Errorf("usage: multisaude audit [--profile P] verify")
	}
	app, cleanup, err := build(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	return auditVerify(ctx, app.Consent, stdout)
}

// auditVerify runs the verification and prints a short report; it returns an
// error naming the first bad entry when there is one.
func auditVerify(ctx context.Context, svc *consent.Service, stdout io.Writer) error {
	rep, err := svc.VerifyAudit(ctx)
	if err != nil {
		return fmt.Errorf("cannot verify the audit trail: %w", err)
	}
	fmt.Fprintf(stdout, "entries checked: %d\nlast entry: %d\nlast hash: %s\ndigests checked: %d\n", rep.Checked, rep.LastSeq, rep.LastHash, rep.Digests)
	if !rep.OK() {
		fmt.Fprintf(stdout, "FIRST BAD ENTRY: %s\n", rep.First)
		return errAuditTampered{*rep.First}
	}
	fmt.Fprintln(stdout, "the audit trail is intact")
	return nil
}
