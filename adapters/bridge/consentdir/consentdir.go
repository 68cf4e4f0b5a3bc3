// Package consentdir lets the consent context read and act on the other
// contexts through their public use cases: what an export gathers, what an
// erasure anonymises or blocks, what the sharing report lists.
package consentdir

import (
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/core/scheduling"
)

// Directory implements consent's ExportSource, Eraser and SharingSource; each
// part lives in its own file.
type Directory struct {
	ids   *identity.Service
	cli   *clinical.Service
	sched *scheduling.Service
	com   *commerce.Service
	chats *chat.Service    // nil: no messages (exports, erasure and purge skip them)
	fhir  FHIRBundleWriter // nil: fhir_bundle.json is an empty collection (fhir.go)
}

// New builds the bridge.
func New(ids *identity.Service, cli *clinical.Service, sched *scheduling.Service, com *commerce.Service, chats *chat.Service) *Directory {
	return &Directory{ids: ids, cli: cli, sched: sched, com: com, chats: chats}
}
