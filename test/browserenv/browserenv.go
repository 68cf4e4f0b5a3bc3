// Package browserenv finds what the browser tests run with: Debian's
// Chromium, node, and the npm packages `npm ci` installs beside the test.
// Where one is missing the test skips, saying what to install, except under
// CI=true, where it fails (.ci/run installs them).
package browserenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Tools are the paths a browser test runs.
type Tools struct{ Chromium, Node string }

// Need returns the tools, or skips (fails under CI=true) naming what is
// missing: chromium (MULTISAUDE_CHROMIUM, else /usr/bin/chromium or chromium
// on PATH), node, and each of modules under the test's node_modules (dir is
// the test's folder as the message names it, e.g. "test/portal").
func Need(t *testing.T, dir string, modules ...string) Tools {
	t.Helper()
	missing := func(what string) {
		msg := dir + " needs " + what
		if os.Getenv("CI") == "true" {
			t.Fatal(msg + " (CI=true: .ci/run installs it)")
		}
		t.Skip(msg + "; skipping (install Debian's chromium and run `npm ci` in " + dir + ")")
	}
	chromium := os.Getenv("MULTISAUDE_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
		if _, err := os.Stat(chromium); err != nil {
			if p, err := exec.LookPath("chromium"); err == nil {
				chromium = p
			}
		}
	}
	if _, err := os.Stat(chromium); err != nil {
		missing("chromium (" + chromium + ")")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node")
	}
	for _, m := range modules {
		if _, err := os.Stat(filepath.Join("node_modules", m, "package.json")); err != nil {
			missing("node_modules/" + m)
		}
	}
	return Tools{Chromium: chromium, Node: node}
}
