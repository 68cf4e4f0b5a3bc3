package main

import (
	"os"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/test/e2e/harness"
)

func TestProfileBooking(t *testing.T) {
	if os.Getenv("LOAD_PROFILE") == "" {
		t.Skip("LOAD_PROFILE not set")
	}
	h := harness.Start(t, sqlstore.Postgres)
	err := run(config{url: h.URL, adminEmail: harness.AdminEmail, adminPassword: harness.AdminPassword, duration: 15 * time.Second,
		concurrency: 200, patients: 20, professionals: 20})
	if err != nil {
		t.Fatal(err)
	}
}
