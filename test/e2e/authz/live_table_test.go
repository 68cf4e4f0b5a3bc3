package authz_test

// The live side (liveapi): a ticket is the caller's own, single-use pass; the
// WebSocket is opened with a ticket, never with a bearer token in the URL, and
// liveapi's e2e tests (test/e2e/live) check what a socket receives: only the
// caller's own conversations, strangers nothing, a resume from another's
// message 404.
func init() {
	table["POST /v1/ws/tickets"] = route{deny: ownView}
	table["GET /v1/ws"] = route{public: "the WebSocket handshake: a single-use ticket authenticates it (401 without one, before any upgrade)"}
}
