package main

import (
	"context"
	"fmt"
	"io"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	appwire "github.com/multisaude/multisaude/wire"
)

func init() {
	register("migrate", "migrate up|down|status against the configured database", migrateCmd)
}

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs, err := loadConfig("migrate", args, stderr)
	if err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return fmt.Errorf("usage: multisaude migrate [--profile P] up|down|status")
	}
	url, err := appwire.DatabaseURL(ctx, cfg) // with the Secrets Manager password when configured
	if err != nil {
		return err
	}
	db, err := sqlstore.Open(ctx, url)
	if err != nil {
		return err
	}
	defer db.Close()
	switch fs.Arg(0) {
	case "up":
		names, err := db.MigrateUp(ctx)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintln(stdout, "nothing to migrate: the database is up to date")
		}
		for _, n := range names {
			fmt.Fprintln(stdout, "applied", n)
		}
	case "down":
		names, err := db.MigrateDown(ctx)
		if err != nil {
			return err
		}
		if len(names) == 0 {
			fmt.Fprintln(stdout, "nothing to roll back")
		}
		for _, n := range names {
			fmt.Fprintln(stdout, "rolled back", n)
		}
	case "status":
		st, err := db.MigrateStatus(ctx)
		if err != nil {
			return err
		}
		for _, s := range st {
			mark := "pending"
			if s.Applied {
				mark = "applied"
			}
			fmt.Fprintf(stdout, "%-8s %s\n", mark, s.Name)
		}
	default:
		return fmt.Errorf("unknown migrate action %q: use up, down or status", fs.Arg(0))
	}
	return nil
}
