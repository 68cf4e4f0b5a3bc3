package wire

import (
	"log/slog"

	gw "github.com/google/wire"

	"github.com/multisaude/multisaude/adapters/bridge/chatdir"
	"github.com/multisaude/multisaude/adapters/bridge/clinicaldir"
	"github.com/multisaude/multisaude/adapters/http/httpapi/chatapi"
	"github.com/multisaude/multisaude/adapters/http/httpapi/liveapi"
	"github.com/multisaude/multisaude/adapters/live/memlive"
	"github.com/multisaude/multisaude/adapters/live/pglive"
	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/adapters/store/sqlstore/chatsql"
	"github.com/multisaude/multisaude/core/clinical"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/messaging/chat"
	"github.com/multisaude/multisaude/ports"
)

// ProvideChatStore is chat's SQL store.
func ProvideChatStore(db *sqlstore.DB) *chatsql.Store { return chatsql.New(db) }

// ProvideLiveBus carries notices between API instances: PostgreSQL's
// LISTEN/NOTIFY when the database is PostgreSQL (the instances already share
// it), in process on SQLite (one instance).
func ProvideLiveBus(db *sqlstore.DB, log *slog.Logger) (ports.LiveBus, func(), error) {
	if db.Engine == sqlstore.Postgres {
		b, err := pglive.New(db, log)
		if err != nil {
			return nil, nil, err
		}
		return b, b.Close, nil
	}
	return memlive.New(), noCleanup, nil
}

// ProvideChatDirectory reads the other contexts for chat.
func ProvideChatDirectory(ids *identity.Service, cli *clinical.Service, com *commerce.Service) *chatdir.Directory {
	return chatdir.New(ids, cli, com)
}

// ProvideChatService builds chat's use cases; attachments are sealed like clinical documents.
func ProvideChatService(store *chatsql.Store, dir *chatdir.Directory, sealer *clinicaldir.Sealer, blobs ports.BlobStore,
	bus ports.LiveBus, clock kernel.Clock, log *slog.Logger) *chat.Service {
	return chat.NewService(chat.Deps{Store: store, Relations: dir, Records: dir, Sealer: sealer, Files: dir, Blobs: blobs, Live: bus,
		Clock: clock, Log: log}, chat.Config{})
}

// ProvideLiveModule is the WebSocket side of the API.
func ProvideLiveModule(svc *chat.Service, bus ports.LiveBus, log *slog.Logger) (*liveapi.Module, func()) {
	m := liveapi.New(svc, bus, log)
	return m, m.Close
}

// MessagingSet is chat in every profile: store, live bus, bridge, service and routes.
var MessagingSet = gw.NewSet(
	ProvideChatStore, ProvideLiveBus, ProvideChatDirectory, ProvideChatService, chatapi.New, ProvideLiveModule,
)
