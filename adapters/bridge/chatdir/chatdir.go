// Package chatdir bridges chat's ports to the other contexts: who may talk to
// whom (clinical's care rule, commerce's orders), display names (identity),
// the clinical access log, and envelope encryption of attachments.
package chatdir

import (
	"context"

	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
)

// Directory implements chat.Relations and chat.RecordLog.
type Directory struct {
	ids *identity.Service
	cli *clinical.Service
	com *commerce.Service
}

var (
	_ chat.Relations = (*Directory)(nil)
	_ chat.RecordLog = (*Directory)(nil)
)

// New returns the bridge.
func New(ids *identity.Service, cli *clinical.Service, com *commerce.Service) *Directory {
	return &Directory{ids: ids, cli: cli, com: com}
}

var errTODO = kernel.Unavailable(nil, "em construção")

// placeholders until the bridge lands

func (d *Directory) Care(ctx context.Context, professionalID, patientID kernel.ID) (bool, error) {
	return false, errTODO
}
func (d *Directory) Order(ctx context.Context, orderID kernel.ID) (chat.OrderRef, error) {
	return chat.OrderRef{}, errTODO
}
func (d *Directory) DisplayName(ctx context.Context, kind kernel.AccountKind, id kernel.ID) (string, error) {
	return "", errTODO
}
