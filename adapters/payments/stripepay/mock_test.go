package stripepay_test

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"
)

var listening = regexp.MustCompile(`Listening for HTTP at address: (\S+)`)

// startStripeMock runs stripe-mock (a tool dependency in go.mod: `go tool
// stripe-mock`) on free loopback ports and returns its HTTP base URL; it is
// stopped when the test ends.
func startStripeMock(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("stripe-mock: no go command on PATH to run `go tool stripe-mock`")
	}
	ctx, cancel := context.WithCancel(context.Background())
	// Both listeners on loopback: without -https-addr it would also bind :12112 on every address.
	cmd := exec.CommandContext(ctx, goBin, "tool", "stripe-mock", "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("stripe-mock: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); pw.Close(); close(done) }()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	addr := make(chan string, 1)
	var out strings.Builder
	go func() {
		sc := bufio.NewScanner(pr)
		sent := false
		for sc.Scan() {
			if !sent {
				out.WriteString(sc.Text() + "\n")
			}
			if m := listening.FindStringSubmatch(sc.Text()); m != nil && !sent {
				addr <- m[1]
				sent = true
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("stripe-mock stopped before listening:\n%s", out.String())
		}
		return "http://" + a
	case <-time.After(5 * time.Minute): // the first `go tool` run compiles it
		t.Fatal("stripe-mock did not start in 5 minutes")
	}
	return ""
}
