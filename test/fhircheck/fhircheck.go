// Package fhircheck validates what the FHIR facade answers with an
// independent validator: every resource and Bundle a test received is kept
// (Collector.Add) and, at the end, checked against the FHIR R4 definitions by
// @medplum/core's validateResource (validate.mjs, run with Node).
package fhircheck

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// Collector keeps the FHIR JSON bodies of one test run.
type Collector struct {
	mu  sync.Mutex
	dir string
	n   int
}

// New returns a collector writing under a temporary directory of t.
func New(t testing.TB) *Collector { return &Collector{dir: t.TempDir()} }

// Add keeps body (a resource, a Bundle or an OperationOutcome) under name
// (e.g. "Appointment-read"), failing t when it is not a JSON object with a
// resourceType.
func (c *Collector) Add(t testing.TB, name string, body []byte) {
	t.Helper()
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(body, &head); err != nil || head.ResourceType == "" {
		t.Errorf("fhircheck: %s is not a FHIR resource: %.200s", name, body)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.n++
	file := filepath.Join(c.dir, fmt.Sprintf("%04d-%s.json", c.n, safe(name)))
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Count is how many bodies were kept.
func (c *Collector) Count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func safe(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// Dir is where this package's validator lives.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}

// Validate runs the independent validator over everything kept and fails t
// with each issue it reports. Without Node or the validator's packages
// (npm ci in test/fhircheck) it skips, unless CI is set: then it fails.
func (c *Collector) Validate(t testing.TB) {
	t.Helper()
	node := validator(t)
	out, err := run(node, c.dir)
	if err != nil {
		t.Fatalf("fhircheck: the validator found problems in %d FHIR bodies:\n%s", c.Count(), out)
	}
	t.Logf("fhircheck: %s", out)
}

// validator returns the node binary, skipping t (failing it under CI) when
// Node or the validator's packages are missing.
func validator(t testing.TB) string {
	t.Helper()
	node, err := exec.LookPath("node")
	_, modErr := os.Stat(filepath.Join(Dir(), "node_modules", "@medplum", "core"))
	if err != nil || modErr != nil {
		msg := "fhircheck: Node or test/fhircheck/node_modules missing (run npm ci in test/fhircheck); FHIR validation not run"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node
}

// run validates every *.json file of dir; err is set when the validator
// found a problem (out has one line each) or could not run.
func run(node, dir string) (string, error) {
	out, err := exec.Command(node, filepath.Join(Dir(), "validate.mjs"), dir).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
