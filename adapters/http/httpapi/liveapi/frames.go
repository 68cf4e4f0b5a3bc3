package liveapi

import (
	"github.com/multisaude/multisaude/adapters/http/httpapi/chatapi"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// Frame is what the server sends on the socket, as JSON text:
// {"type":"message","message":{...}} for each message (the shape of the chat
// routes' messages), once, in Seq order; {"type":"ready"} once the missed
// messages (after=) have been sent.
type Frame struct {
	Type    string                   `json:"type"`
	Message *chatapi.MessageResponse `json:"message,omitempty"`
}

func messageOf(m chat.Message) *chatapi.MessageResponse {
	out := chatapi.MessageOut(m)
	return &out
}
