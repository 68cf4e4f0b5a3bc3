package wire

import (
	"context"
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/http/httpapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/callapi"
	"github.com/multisaude/multisaude/adapters/video/webrtcvideo"
	"github.com/multisaude/multisaude/ports"
)

// ProvideVideoRooms is the profile's video provider.
// (Placeholder: the built-in provider everywhere until the video part lands.)
func ProvideVideoRooms(ctx context.Context, cfg Config, bus ports.LiveBus, log *slog.Logger) (ports.VideoRooms, error) {
	return webrtcvideo.New(webrtcvideo.Config{}, bus, log)
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
