package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	appwire "github.com/multisaude/multisaude/wire"
)

// The container image is distroless (no shell, no curl), so container health
// checks run the binary itself:
//
//	multisaude healthcheck            GET /readyz of the API in this container
//	multisaude healthcheck --path /healthz
//	multisaude healthcheck --worker   the worker serves no port: its configuration
//	                                  loads and the database is reachable with a current schema
func init() {
	register("healthcheck", "exit 0 when this container's API answers /readyz (or, with --worker, when the worker's configuration and database are ready)", healthcheck)
}

func healthcheck(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	rawURL := fs.String("url", "", "URL to GET; default http://127.0.0.1:<port of MULTISAUDE_HTTP_ADDR><path>")
	path := fs.String("path", "/readyz", "path to GET when --url is not given: /readyz or /healthz")
	timeout := fs.Duration("timeout", 5*time.Second, "limit for the whole check")
	worker := fs.Bool("worker", false, "check a worker: configuration valid, database reachable, schema current")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *timeout <= 0 {
		return errors.New("--timeout must be positive")
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if *worker {
		return checkWorker(ctx, stdout)
	}
	target := *rawURL
	if target == "" {
		var err error
		if target, err = localURL(os.Getenv("MULTISAUDE_HTTP_ADDR"), *path); err != nil {
			return err
		}
	}
	return checkHTTP(ctx, target, stdout)
}

// localURL is the loopback URL of the API listening on addr (MULTISAUDE_HTTP_ADDR).
func localURL(addr, path string) (string, error) {
	if addr == "" {
		addr = ":8080" // the configuration's default
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("MULTISAUDE_HTTP_ADDR=%q: must be host:port", addr)
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	if !strings.HasPrefix(path, "/") {
		return "", fmt.Errorf("--path %q must start with /", path)
	}
	return "http://" + net.JoinHostPort(host, port) + path, nil
}

func checkHTTP(ctx context.Context, target string, stdout io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("--url %q: %w", target, err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("GET %s: %w", target, err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s answered %s%s", target, res.Status, failingChecks(body))
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// failingChecks names the checks /readyz reports as not ok.
func failingChecks(body []byte) string {
	var h struct {
		Checks map[string]string `json:"checks"`
	}
	if json.Unmarshal(body, &h) != nil {
		return ""
	}
	var bad []string
	for name, state := range h.Checks {
		if state != "ok" {
			bad = append(bad, name+": "+state)
		}
	}
	if len(bad) == 0 {
		return ""
	}
	sort.Strings(bad)
	return " (" + strings.Join(bad, "; ") + ")"
}

// checkWorker loads the whole configuration (as the worker does) and checks
// the database it needs first: reachable, with every migration applied.
func checkWorker(ctx context.Context, stdout io.Writer) error {
	cfg, err := appwire.Load(os.Getenv)
	if err != nil {
		return err
	}
	db, err := sqlstore.OpenPool(ctx, cfg.DatabaseURL, 1)
	if err != nil {
		return fmt.Errorf("database: %w", err)
	}
	defer db.Close()
	if err := db.Ping(ctx); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	if err := db.SchemaCheck()(ctx); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}
