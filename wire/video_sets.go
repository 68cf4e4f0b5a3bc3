package wire

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/callapi"
	"github.com/multisaude/multisaude/adapters/telemetry/oteltrace"
	"github.com/multisaude/multisaude/adapters/video/chimevideo"
	"github.com/multisaude/multisaude/adapters/video/jitsivideo"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo"
	"github.com/multisaude/multisaude/ports"
)

// ProvideVideoRooms is the video provider MULTISAUDE_VIDEO names (resolved by
// the configuration: webrtc locally, jitsi on premises, chime on AWS); the
// cleanup closes what the provider holds (the built-in one's bus subscription).
func ProvideVideoRooms(ctx context.Context, cfg Config, bus ports.LiveBus, log *slog.Logger, tracing *oteltrace.Tracing) (ports.VideoRooms, func(), error) {
	v, err := newVideoRooms(ctx, cfg, bus, log, tracing)
	if err != nil {
		return nil, nil, err
	}
	if c, ok := v.(interface{ Close() }); ok {
		return v, c.Close, nil
	}
	return v, noCleanup, nil
}

func newVideoRooms(ctx context.Context, cfg Config, bus ports.LiveBus, log *slog.Logger, tracing *oteltrace.Tracing) (ports.VideoRooms, error) {
	switch cfg.Video {
	case VideoJitsi:
		return jitsivideo.New(jitsiConfig(cfg))
	case VideoChime:
		c := chimeConfig(cfg)
		opts := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(c.Region)}
		awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
		if err != nil {
			return nil, fmt.Errorf("chime: AWS configuration: %w", err)
		}
		c.Credentials = awsCfg.Credentials
		if tracing.Enabled() {
			c.HTTPClient = tracing.Client(&http.Client{Timeout: chimevideo.DefaultTimeout})
		}
		return chimevideo.New(c)
	case VideoWebRTC, "":
		c, err := webrtcConfig(cfg)
		if err != nil {
			return nil, err
		}
		return webrtcvideo.New(c, bus, log)
	}
	return nil, fmt.Errorf("MULTISAUDE_VIDEO=%q: must be webrtc, jitsi or chime", cfg.Video)
}

// videoTiming is the window around a telemedicine appointment in which its
// room may be joined: MULTISAUDE_VIDEO_EARLY before the start, MULTISAUDE_VIDEO_GRACE after the end.
type videoTiming struct{ Early, Grace time.Duration }

func videoTimingConfig(cfg Config) videoTiming {
	return videoTiming{Early: cfg.VideoEarly, Grace: cfg.VideoGrace}
}

func jitsiConfig(cfg Config) jitsivideo.Config {
	return jitsivideo.Config{BaseURL: strings.TrimRight(cfg.JitsiURL, "/"), AppID: cfg.JitsiAppID, Secret: []byte(cfg.JitsiSecret)}
}

// chimeConfig is Chime's settings without credentials (the provider adds the
// default AWS chain's): the API region defaults to AWS_REGION, else us-east-1.
func chimeConfig(cfg Config) chimevideo.Config {
	region := cfg.ChimeRegion
	if region == "" {
		region = os.Getenv("AWS_REGION")
	}
	if region == "" {
		region = "us-east-1"
	}
	return chimevideo.Config{Region: region, MediaRegion: cfg.ChimeMediaRegion, Endpoint: cfg.ChimeEndpoint}
}

// iceServers hands browsers the STUN servers as they are and the TURN servers
// with their username and credential.
func iceServers(cfg Config) []webrtcvideo.ICEServer {
	var stun, turn []string
	for _, u := range cfg.ICEServers {
		if l := strings.ToLower(u); strings.HasPrefix(l, "turn:") || strings.HasPrefix(l, "turns:") {
			turn = append(turn, u)
		} else {
			stun = append(stun, u)
		}
	}
	var out []webrtcvideo.ICEServer
	if len(stun) > 0 {
		out = append(out, webrtcvideo.ICEServer{URLs: stun})
	}
	if len(turn) > 0 {
		out = append(out, webrtcvideo.ICEServer{URLs: turn, Username: cfg.TURNUsername, Credential: cfg.TURNCredential})
	}
	return out
}

// webrtcConfig is the built-in provider's: its token key is MULTISAUDE_VIDEO_SECRET
// or, in the local profile, one kept in $DATA_DIR/video-secret (created once).
func webrtcConfig(cfg Config) (webrtcvideo.Config, error) {
	c := webrtcvideo.Config{ICEServers: iceServers(cfg)}
	if cfg.VideoSecret != "" {
		c.Secret = []byte(cfg.VideoSecret)
		return c, nil
	}
	if cfg.Profile != ProfileLocal {
		return c, fmt.Errorf("MULTISAUDE_VIDEO_SECRET is required for the %s profile (MULTISAUDE_VIDEO=webrtc)", cfg.Profile)
	}
	path := filepath.Join(cfg.DataDir, "video-secret")
	if b, err := os.ReadFile(path); err == nil && len(strings.TrimSpace(string(b))) >= 32 {
		c.Secret = []byte(strings.TrimSpace(string(b)))
		return c, nil
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return c, err
	}
	secret := hex.EncodeToString(buf)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return c, fmt.Errorf("video secret: %w", err)
	}
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		return c, fmt.Errorf("video secret: %w", err)
	}
	c.Secret = []byte(secret)
	return c, nil
}

// CallRoutes are the built-in video provider's call page and signalling;
// other providers register nothing.
type CallRoutes httpapi.Module

// ProvideCallRoutes serves the call page when the provider is the built-in one.
func ProvideCallRoutes(v ports.VideoRooms) CallRoutes {
	if r, ok := v.(*webrtcvideo.Rooms); ok {
		return callapi.New(r)
	}
	return noRoutes{}
}

// VideoSet is the video provider and its routes.
var VideoSet = gw.NewSet(ProvideVideoRooms, ProvideCallRoutes)
