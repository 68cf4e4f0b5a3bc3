package conformance

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// report prints, when the suite ends, one line naming the suite, the adapter's
// package and the result, so that
//
//	go test -v ./adapters/... ./test/conformance/... 2>&1 | grep "^conformance:"
//
// lists which adapter passes which suite.
func report(t *testing.T, suite string) {
	t.Helper()
	where := "unknown"
	if _, file, _, ok := runtime.Caller(2); ok { // the adapter's test that called Run<Suite>
		where = filepath.Dir(file)
		if i := strings.Index(where, "/adapters/"); i >= 0 {
			where = where[i+1:]
		} else if i := strings.Index(where, "/test/"); i >= 0 {
			where = where[i+1:]
		}
	}
	name := t.Name()
	t.Cleanup(func() {
		result := "PASS"
		switch {
		case t.Failed():
			result = "FAIL"
		case t.Skipped():
			result = "SKIP"
		}
		fmt.Fprintf(os.Stderr, "conformance: %-18s %-32s %-4s (%s)\n", suite, where, result, name)
	})
}
