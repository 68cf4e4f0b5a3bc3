// Package browser_test proves the built-in video provider in a real browser:
// two headless Chromium pages (Debian's chromium, fake camera and microphone,
// driven by playwright-core from npm) open the call page of one room against
// a server started here and must both reach the ICE state "connected".
//
// It needs chromium (MULTISAUDE_CHROMIUM, else /usr/bin/chromium or chromium
// on PATH), node, and `npm ci` run in this directory. Without them it skips,
// except under CI=true, where it fails. Screenshots of both pages go to the
// test's temporary directory (logged), or to MULTISAUDE_BROWSER_SHOTS when set.
package browser_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/callapi"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo/webrtcvideotest"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/browserenv"
)

type instance struct {
	base  string
	rooms *webrtcvideo.Rooms
}

var secret = []byte("browser-test-secret-0123456789abcdef")

// serve starts the API server with the call page and signalling over real
// rooms on bus, listening on 127.0.0.1.
func serve(t *testing.T, bus ports.LiveBus) *instance {
	t.Helper()
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	rooms, err := webrtcvideo.New(webrtcvideo.Config{Secret: secret}, bus, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httpapi.New(httpapi.Config{}, log, nil, nil, callapi.New(rooms))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		rooms.Close()
		cancel()
		<-done
	})
	return &instance{base: "http://" + ln.Addr().String(), rooms: rooms}
}

type pageResult struct {
	ICE           string   `json:"ice"`
	State         string   `json:"state"`
	Status        string   `json:"status"`
	VideoWidth    int      `json:"videoWidth"`
	Connected     bool     `json:"connected"`
	RemotePlaying bool     `json:"remotePlaying"`
	Screenshot    string   `json:"screenshot"`
	Log           []string `json:"log"`
}

type runResult struct {
	OK            bool         `json:"ok"`
	KeyboardFocus string       `json:"keyboardFocus"`
	Muted         bool         `json:"muted"`
	Hangup        bool         `json:"hangup"`
	Error         string       `json:"error"`
	Pages         []pageResult `json:"pages"`
}

func TestTwoBrowsersReachConnected(t *testing.T) {
	tl := browserenv.Need(t, "test/browser", "playwright-core")
	for _, tc := range []struct {
		name      string
		instances int
	}{{"one instance", 1}, {"two instances on one bus", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			bus := webrtcvideotest.NewBus()
			a := serve(t, bus)
			b := a
			if tc.instances == 2 {
				b = serve(t, bus)
			}
			ctx := context.Background()
			now := time.Now()
			room, err := a.rooms.CreateRoom(ctx, ports.VideoRoomSpec{AppointmentID: "browser-" + t.Name(), Start: now, End: now.Add(time.Hour)})
			if err != nil {
				t.Fatal(err)
			}
			pro, err := a.rooms.Join(ctx, room, ports.VideoParticipant{AccountID: "acct-pro", DisplayName: "Dra. Ana", Moderator: true}, now.Add(-time.Minute), now.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			pat, err := b.rooms.Join(ctx, room, ports.VideoParticipant{AccountID: "acct-patient", DisplayName: "João"}, now.Add(-time.Minute), now.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(pro.JoinURL, "#t=") || strings.Contains(pro.JoinURL, "?") {
				t.Fatalf("the token must travel in the fragment: %s", pro.JoinURL)
			}
			out := os.Getenv("MULTISAUDE_BROWSER_SHOTS")
			if out == "" {
				out = t.TempDir()
			} else if out = filepath.Join(out, strings.ReplaceAll(tc.name, " ", "-")); os.MkdirAll(out, 0o755) != nil {
				t.Fatal(err)
			}
			cfg, _ := json.Marshal(map[string]any{"chromium": tl.Chromium, "outDir": out, "timeoutMs": 30000,
				"urls": []string{a.base + pro.JoinURL, b.base + pat.JoinURL}})
			rctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(rctx, tl.Node, "call.mjs")
			cmd.Env = append(os.Environ(), "CALL_TEST="+string(cfg))
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			start := time.Now()
			runErr := cmd.Run()
			var res runResult
			lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
			if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
				t.Fatalf("node: %v\nstdout: %s\nstderr: %s", runErr, stdout.String(), stderr.String())
			}
			for i, p := range res.Pages {
				t.Logf("page %d: ice=%s state=%s status=%q remote video width=%d screenshot=%s", i+1, p.ICE, p.State, p.Status, p.VideoWidth, p.Screenshot)
			}
			t.Logf("both pages done in %s (keyboard focus on %q, muted %v, hang-up seen by the other %v); screenshots in %s",
				time.Since(start).Round(time.Millisecond), res.KeyboardFocus, res.Muted, res.Hangup, out)
			if runErr != nil || !res.OK || len(res.Pages) != 2 {
				for i, p := range res.Pages {
					t.Logf("page %d console: %s", i+1, strings.Join(p.Log, "\n  "))
				}
				t.Fatalf("the two pages did not both connect: %v %s\nstderr: %s", runErr, res.Error, stderr.String())
			}
			for i, p := range res.Pages {
				if p.ICE != "connected" && p.ICE != "completed" || p.Status != "Conectado" || !p.RemotePlaying {
					t.Fatalf("page %d: %+v", i+1, p)
				}
			}
		})
	}
}
