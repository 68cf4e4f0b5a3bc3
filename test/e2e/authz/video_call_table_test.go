package authz_test

import "strings"

// The built-in video provider's call page and signalling socket (callapi):
// public routes. The page is the same static file for every room (the
// invitation stays in the URL fragment, never sent); the socket authenticates
// by its first message, a signed join token, whose refusals callapi's and
// webrtcvideo's tests check (bad, forged, expired, early, ended, third person).
func init() {
	table["GET /v1/video/signal"] = route{public: "the signalling WebSocket: the join token in its first message authenticates, never the URL"}
	table["GET /chamada/{room}"] = route{public: "the call page: one static page for every room; the invitation stays in the URL fragment",
		params: func(*world) map[string]string { return map[string]string{"room": strings.Repeat("a", 32)} }}
	table["GET /chamada/static/call.js"] = route{public: "the call page's script"}
	table["GET /chamada/static/call.css"] = route{public: "the call page's style"}
}
