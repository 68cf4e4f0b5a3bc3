package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
)

type pgbenchResult struct{ tps, latencyMs float64 }

var (
	tpsRe = regexp.MustCompile(`tps = ([0-9.]+)`)
	latRe = regexp.MustCompile(`latency average = ([0-9.]+) ms`)
)

func runPgbench(c config) (*pgbenchResult, error) {
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		bin = "/usr/lib/postgresql/15/bin/pgbench"
	}
	psql := exec.Command("psql", c.pgbenchURL, "-q", "-c", "CREATE TABLE IF NOT EXISTS load_bench (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL, at TIMESTAMPTZ NOT NULL DEFAULT now())")
	if out, err := psql.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("create pgbench table: %v: %s", err, out)
	}
	dir, err := os.MkdirTemp("", "pgbench")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	script := filepath.Join(dir, "insert.sql")
	if err := os.WriteFile(script, []byte("INSERT INTO load_bench (v) VALUES ('x');\n"), 0o600); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-n", "-c", fmt.Sprint(c.pgbenchClients), "-j", "2", "-T", fmt.Sprint(int(c.duration.Seconds())), "-f", script, c.pgbenchURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("pgbench: %v: %s", err, out)
	}
	r := &pgbenchResult{}
	if m := tpsRe.FindSubmatch(out); m != nil {
		fmt.Sscanf(string(m[1]), "%f", &r.tps)
	}
	if m := latRe.FindSubmatch(out); m != nil {
		fmt.Sscanf(string(m[1]), "%f", &r.latencyMs)
	}
	if r.tps == 0 {
		return nil, fmt.Errorf("pgbench printed no tps: %s", out)
	}
	return r, nil
}
