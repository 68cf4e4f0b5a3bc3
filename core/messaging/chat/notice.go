package chat

import (
	"encoding/json"

	"github.com/multisaude/multisaude/core/kernel"
)

// LiveChannel is the ports.LiveBus channel of chat notices.
const LiveChannel = "chat"

// Notice tells every API instance that a conversation has a new message (or a
// moved read marker): the instances holding a WebSocket of one of its
// participants fetch what is new from the store. IDs only, never content.
type Notice struct {
	ConversationID kernel.ID `json:"c"`
	Seq            int64     `json:"s"`
	PatientID      kernel.ID `json:"p,omitempty"`
	ProfessionalID kernel.ID `json:"r,omitempty"`
	CompanyID      kernel.ID `json:"o,omitempty"`
}

// NoticeOf is the notice of a new message in c.
func NoticeOf(c Conversation, seq int64) Notice {
	return Notice{ConversationID: c.ID, Seq: seq, PatientID: c.PatientID, ProfessionalID: c.ProfessionalID, CompanyID: c.CompanyID}
}

// Encode is the notice's payload.
func (n Notice) Encode() []byte { b, _ := json.Marshal(n); return b }

// DecodeNotice reads a payload; kernel.KindInvalid when it is not a notice.
func DecodeNotice(b []byte) (Notice, error) {
	var n Notice
	if err := json.Unmarshal(b, &n); err != nil || n.ConversationID == "" {
		return Notice{}, kernel.Invalid("notice", "aviso inválido")
	}
	return n, nil
}

// Concerns reports whether an account (principal) takes part in the notice's conversation.
func (n Notice) Concerns(p kernel.Principal) bool {
	switch p.Kind {
	case kernel.KindPatient:
		return p.AccountID == n.PatientID
	case kernel.KindProfessional:
		return n.ProfessionalID != "" && p.AccountID == n.ProfessionalID
	case kernel.KindCompanyMember:
		return n.CompanyID != "" && p.CompanyID == n.CompanyID
	}
	return false
}
